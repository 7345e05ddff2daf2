"""poll_feed with in-memory fakes of the sink and the fetcher: what is sent, the new state, feed health."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from newsflow.feeds.fetch import FetchError, FetchResult
from newsflow.feeds.fingerprints import SeenSet
from newsflow.feeds.poller import FeedPolicy, SendFailure, poll_feed
from newsflow.feeds.schedule import SchedulePolicy
from newsflow.models import FeedConfig, FeedItem

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
NO_JITTER = FeedPolicy(schedule=SchedulePolicy(jitter=0))


def rss(*titles: str, pub: str = "Mon, 30 Nov 2026 08:00:00 GMT") -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>https://news.example.com/{t.lower().replace(' ', '-')}</link>"
        f"<pubDate>{pub}</pubDate></item>"
        for t in titles
    )
    return f'<rss version="2.0"><channel><title>News</title><link>https://news.example.com/</link>{items}</channel></rss>'.encode()


class RecordingSink:
    def __init__(self, poison: str | None = None, down: bool = False) -> None:
        self.poison = poison
        self.down = down
        self.sent: list[FeedItem] = []

    def send(self, items: Sequence[FeedItem]) -> list[SendFailure]:
        if self.down:
            raise ConnectionError("SQS unavailable")
        failures = [
            SendFailure(index=i, reason="InternalError")
            for i, it in enumerate(items)
            if self.poison and self.poison in it.title
        ]
        self.sent.extend(it for i, it in enumerate(items) if i not in {f.index for f in failures})
        return failures


class FakeFetcher:
    def __init__(self, answer: Callable[..., FetchResult]) -> None:
        self.answer = answer
        self.calls: list[dict[str, object]] = []

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None, **kw: object) -> FetchResult:
        self.calls.append({"url": url, "etag": etag, **kw})
        return self.answer(url, etag)


def ok(body: bytes, **fields: object) -> Callable[..., FetchResult]:
    return lambda url, etag: FetchResult(
        status=200, body=body, final_url=url, content_type="application/rss+xml", **fields
    )  # type: ignore[arg-type]


def failing(error: FetchError) -> Callable[..., FetchResult]:
    def answer(url: str, etag: str | None) -> FetchResult:
        raise error

    return answer


FEED = FeedConfig(feed_id="news", url="https://news.example.com/rss")


def poll(feed: FeedConfig, fetcher: FakeFetcher, sink: RecordingSink, seen: SeenSet | None = None, now: datetime = NOW,
         policy: FeedPolicy = NO_JITTER):  # type: ignore[no-untyped-def]  # fmt: skip
    store = seen or SeenSet()
    return poll_feed(feed, fetcher, sink, now, load_seen=lambda: store, policy=policy, rng=random.Random(1))


def test_changed_bodies_send_only_new_or_changed_entries() -> None:
    sink = RecordingSink()
    first = poll(FEED, FakeFetcher(ok(rss("Alpha", "Beta"))), sink)
    assert [i.title for i in sink.sent] == ["Alpha", "Beta"]
    assert first.seen is not None
    # Given the same entries plus one, in a body that differs
    second = poll(first.state, FakeFetcher(ok(rss("Gamma", "Alpha", "Beta"))), sink, seen=first.seen)
    assert [i.title for i in sink.sent] == ["Alpha", "Beta", "Gamma"]
    assert second.outcome.items_unchanged == 2
    assert second.outcome.items_sent == 1


def test_an_identical_body_is_not_parsed_again() -> None:
    sink = RecordingSink()
    first = poll(FEED, FakeFetcher(ok(rss("Alpha"))), sink)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed an unchanged body")

    result = poll_feed(first.state, FakeFetcher(ok(rss("Alpha"))), sink, NOW, load_seen=SeenSet, parser=never)  # type: ignore[arg-type]
    assert result.outcome.status == "unchanged"
    assert len(sink.sent) == 1


def test_an_item_that_failed_to_send_is_sent_again_next_time() -> None:
    sink = RecordingSink(poison="Beta")
    first = poll(FEED, FakeFetcher(ok(rss("Alpha", "Beta"), etag='"v1"')), sink)
    assert first.outcome.status == "partial"
    assert first.state.etag is None
    assert first.state.body_hash is None
    sink.poison = None
    poll(first.state, FakeFetcher(ok(rss("Alpha", "Beta"), etag='"v1"')), sink, seen=first.seen)
    assert [i.title for i in sink.sent] == ["Alpha", "Beta"]


def test_the_sink_being_down_sends_nothing_and_keeps_validators() -> None:
    result = poll(
        FEED.model_copy(update={"etag": '"old"'}), FakeFetcher(ok(rss("Alpha"), etag='"v2"')), RecordingSink(down=True)
    )
    assert result.outcome.status == "partial"
    assert result.state.etag == '"old"'
    assert result.seen is None


def test_410_disables_at_once() -> None:
    result = poll(FEED, FakeFetcher(failing(FetchError("HTTP 410 from x", status=410))), RecordingSink())
    assert result.state.enabled is False
    assert result.state.disabled_reason
    assert "410" in result.state.disabled_reason
    assert result.outcome.status == "disabled"
    assert result.state.next_poll_at is None


def test_failures_disable_only_after_n_failures_spanning_the_minimum_time() -> None:
    policy = FeedPolicy(disable_after_failures=3, disable_after_hours=24, schedule=SchedulePolicy(jitter=0))
    fetcher = FakeFetcher(failing(FetchError("HTTP 500 from x", status=500)))
    state = FEED
    # Three failures within an hour: still enabled
    for minutes in (0, 20, 40):
        state = poll(state, fetcher, RecordingSink(), now=NOW + timedelta(minutes=minutes), policy=policy).state
    assert state.enabled
    assert state.consecutive_failures == 3
    assert state.failing_since == NOW
    # A fourth failure a day after the first: disabled, with the reason
    state = poll(state, fetcher, RecordingSink(), now=NOW + timedelta(hours=25), policy=policy).state
    assert not state.enabled
    assert state.disabled_reason
    assert "4 consecutive failures" in state.disabled_reason
    assert "HTTP 500" in state.disabled_reason


def test_a_success_clears_the_failure_history() -> None:
    failed = FEED.model_copy(update={"consecutive_failures": 4, "failing_since": NOW - timedelta(hours=3)})
    result = poll(failed, FakeFetcher(ok(rss("Alpha"))), RecordingSink())
    assert result.state.consecutive_failures == 0
    assert result.state.failing_since is None


def test_failures_back_off_exponentially_and_honour_retry_after() -> None:
    fetcher = FakeFetcher(failing(FetchError("HTTP 500", status=500)))
    one = poll(FEED, fetcher, RecordingSink()).state
    two = poll(one, fetcher, RecordingSink()).state
    assert one.next_poll_at == NOW + timedelta(minutes=30)  # 15 min x 2^1
    assert two.next_poll_at == NOW + timedelta(minutes=60)
    limited = poll(
        FEED, FakeFetcher(failing(FetchError("HTTP 503", status=503, retry_after_seconds=5400))), RecordingSink()
    )
    assert limited.state.next_poll_at == NOW + timedelta(seconds=5400)
    # Retry-After of a 500 is not a scheduling hint
    other = poll(
        FEED, FakeFetcher(failing(FetchError("HTTP 500", status=500, retry_after_seconds=5400))), RecordingSink()
    )
    assert other.state.next_poll_at == NOW + timedelta(minutes=30)


def test_next_poll_follows_entry_frequency_and_server_hints() -> None:
    # 3 entries in the last week -> 7*24*60/3 = 3360 minutes
    body = rss("A", "B", "C", pub="Sat, 28 Nov 2026 08:00:00 GMT")
    result = poll(FEED, FakeFetcher(ok(body)), RecordingSink())
    assert result.state.entries_per_week == 3
    assert result.state.next_poll_at == NOW + timedelta(hours=24)  # capped at the maximum interval
    wide = FeedPolicy(schedule=SchedulePolicy(jitter=0, max_interval_minutes=7 * 24 * 60))
    uncapped = poll(FEED, FakeFetcher(ok(body)), RecordingSink(), policy=wide)
    assert uncapped.state.next_poll_at == NOW + timedelta(minutes=3360)
    # A server asking for longer (Cache-Control max-age) is honoured, up to the maximum interval
    many = rss(*[f"T{n}" for n in range(200)])
    fast = poll(FEED, FakeFetcher(ok(many)), RecordingSink())
    assert fast.state.next_poll_at == NOW + timedelta(minutes=50)  # 10080 / 200
    slow = poll(FEED, FakeFetcher(ok(many, cache_control="public, max-age=7200")), RecordingSink())
    assert slow.state.next_poll_at == NOW + timedelta(hours=2)


def test_a_permanent_redirect_moves_the_url_and_a_temporary_one_does_not() -> None:
    moved = poll(FEED, FakeFetcher(ok(rss("A"), permanent_url="https://new.example.com/rss")), RecordingSink())
    assert moved.state.url == "https://new.example.com/rss"
    assert moved.state.redirected_from == FEED.url
    assert moved.outcome.moved_to == "https://new.example.com/rss"
    kept = poll(FEED, FakeFetcher(ok(rss("A"))), RecordingSink())
    assert kept.state.url == FEED.url


def test_keep_and_block_rules_filter_items() -> None:
    rules = {
        "block": [{"field": "title", "pattern": "^sponsored"}],
        "keep": [{"field": "url", "pattern": "/(alpha|sponsored)"}],
    }
    feed = FeedConfig.model_validate(FEED.model_dump() | {"settings": rules})
    sink = RecordingSink()
    result = poll(feed, FakeFetcher(ok(rss("Alpha", "Beta", "Sponsored post"))), sink)
    assert [i.title for i in sink.sent] == ["Alpha"]
    assert result.outcome.skip_reasons == {"not-kept": 1, "blocked": 1}


def test_per_feed_headers_user_agent_and_timeout_reach_the_fetcher() -> None:
    feed = FeedConfig.model_validate(
        FEED.model_dump()
        | {"settings": {"user_agent": "Desk/1.0", "headers": {"X-Edition": "eu"}, "timeout_seconds": 4}}
    )
    fetcher = FakeFetcher(ok(rss("A")))
    poll_feed(feed, fetcher, RecordingSink(), NOW, load_seen=SeenSet, extra_headers={"Authorization": "Bearer s3cret"})
    call = fetcher.calls[0]
    assert call["user_agent"] == "Desk/1.0"
    assert call["timeout_seconds"] == 4
    assert call["extra_headers"] == {"X-Edition": "eu", "Authorization": "Bearer s3cret"}
    assert "s3cret" not in feed.model_dump_json()


def test_language_and_category_hint_are_passed_with_the_items() -> None:
    feed = FeedConfig.model_validate(FEED.model_dump() | {"settings": {"language": "pt", "category_hint": "economy"}})
    sink = RecordingSink()
    poll(feed, FakeFetcher(ok(rss("A"))), sink)
    assert sink.sent[0].language == "pt"
    assert sink.sent[0].extra["category_hint"] == "economy"


@pytest.mark.parametrize("header", ["Authorization", "Cookie", "X-Api-Token"])
def test_secret_looking_headers_must_be_references(header: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="secret"):
        FeedConfig.model_validate(FEED.model_dump() | {"settings": {"headers": {header: "value"}}})
    ok_ref = FeedConfig.model_validate(
        FEED.model_dump()
        | {"settings": {"secret_headers": [{"name": header, "parameter": "/newsflow/feeds/desk-token"}]}}
    )
    assert ok_ref.settings.secret_headers[0].parameter == "/newsflow/feeds/desk-token"
    with pytest.raises(ValidationError):
        FeedConfig.model_validate(
            FEED.model_dump() | {"settings": {"secret_headers": [{"name": header, "parameter": "/other/x"}]}}
        )


# ------------------------------------------------------------------------------ limits, full text


def test_a_truncated_feed_is_parsed_in_part_and_the_outcome_says_so() -> None:
    # Given a feed the fetcher cut at its size cap in the middle of the third entry
    body = rss("One", "Two", "Three")
    cut = body[: body.index(b"<title>Three")]
    sink = RecordingSink()
    # When polled
    result = poll(FEED, FakeFetcher(ok(cut, truncated=True)), sink)
    # Then the complete entries were sent, the poll succeeded, and its outcome says the feed was cut
    assert [i.title for i in sink.sent] == ["One", "Two"]
    assert result.outcome.status == "ok"
    assert result.outcome.skip_reasons == {"size-limit": 1}
    assert "size cap" in result.outcome.notes[0]


def test_the_feeds_full_text_setting_travels_on_its_items() -> None:
    feed = FeedConfig.model_validate(FEED.model_dump() | {"settings": {"full_text": "always"}})
    sink = RecordingSink()
    poll(feed, FakeFetcher(ok(rss("One"))), sink)
    assert [i.full_text for i in sink.sent] == ["always"]
