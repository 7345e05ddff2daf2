"""poll_due_feeds with in-memory fakes of the registry, the sink and the fetcher."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler

import pytest
from newsflow.feeds import (
    FeedFetcher,
    FetchError,
    FetchResult,
    PollReport,
    SendFailure,
    backoff_delay,
    poll_due_feeds,
)
from newsflow.models import FeedConfig, FeedItem

from tests.unit.feeds.http_fixture import FeedServer, send

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def rss(*titles: str) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>https://news.example.com/{t.lower().replace(' ', '-')}</link></item>"
        for t in titles
    )
    return f'<rss version="2.0"><channel><title>News</title><link>https://news.example.com/</link>{items}</channel></rss>'.encode()


class InMemoryRegistry:
    """Behaves like the DynamoDB registry: hands out fresh copies, stores what it is given."""

    def __init__(self, *feeds: FeedConfig) -> None:
        self.feeds = {f.feed_id: f for f in feeds}
        self.saves: list[FeedConfig] = []
        self.fail_saving: set[str] = set()

    def list_feeds(self) -> list[FeedConfig]:
        return [f.model_copy(deep=True) for f in self.feeds.values()]

    def save_feed(self, feed: FeedConfig) -> None:
        if feed.feed_id in self.fail_saving:
            raise ConnectionError("DynamoDB unavailable")
        FeedConfig.model_validate(feed.model_dump())  # what a real store would refuse, this refuses
        self.feeds[feed.feed_id] = feed.model_copy(deep=True)
        self.saves.append(feed)


class RecordingSink:
    """Sends in batches of 10 like the SQS sink; items whose title contains a poison word fail."""

    def __init__(self, poison: str | None = None, down: bool = False) -> None:
        self.poison = poison
        self.down = down
        self.batches: list[list[FeedItem]] = []

    def send(self, items: Sequence[FeedItem]) -> list[SendFailure]:
        if self.down:
            raise ConnectionError("SQS unavailable")
        failures: list[SendFailure] = []
        for start in range(0, len(items), 10):
            batch = list(items[start : start + 10])
            self.batches.append(batch)
            failures.extend(
                SendFailure(index=start + i, reason="InternalError")
                for i, item in enumerate(batch)
                if self.poison and self.poison in item.title
            )
        return failures

    @property
    def sent_titles(self) -> list[str]:
        return [item.title for batch in self.batches for item in batch]


Responder = Callable[[str | None, str | None], FetchResult]


class FakeFetcher:
    """Answers like a server that honours conditional GET: 304 when the ETag matches."""

    def __init__(self) -> None:
        self.sites: dict[str, Responder] = {}
        self.calls: list[tuple[str, str | None, str | None]] = []

    def serve(self, url: str, body: bytes, etag: str | None = None, last_modified: str | None = None) -> None:
        def respond(sent_etag: str | None, sent_modified: str | None) -> FetchResult:
            if etag is not None and sent_etag == etag:
                return FetchResult(status=304, etag=etag, final_url=url, not_modified=True)
            return FetchResult(
                status=200, body=body, etag=etag, last_modified=last_modified,
                content_type="application/rss+xml", final_url=url,
            )  # fmt: skip

        self.sites[url] = respond

    def fail(self, url: str, error: Exception) -> None:
        def respond(sent_etag: str | None, sent_modified: str | None) -> FetchResult:
            raise error

        self.sites[url] = respond

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        self.calls.append((url, etag, last_modified))
        return self.sites[url](etag, last_modified)


def feed(feed_id: str, **fields: object) -> FeedConfig:
    return FeedConfig.model_validate({"feed_id": feed_id, "url": f"https://{feed_id}.example.com/rss", **fields})


def poll(registry: InMemoryRegistry, fetcher: FakeFetcher, sink: RecordingSink, *, now: datetime = NOW,
         max_feeds: int = 50) -> PollReport:  # fmt: skip
    return poll_due_feeds(registry, fetcher, sink, now=now, max_feeds=max_feeds)


# -------------------------------------------------------------------------------- due selection


def test_only_enabled_feeds_whose_time_has_come_are_polled() -> None:
    # Given feeds never polled, overdue, due exactly now, not yet due, and disabled
    registry = InMemoryRegistry(
        feed("never"),
        feed("overdue", next_poll_at=NOW - timedelta(hours=1)),
        feed("exactly", next_poll_at=NOW),
        feed("later", next_poll_at=NOW + timedelta(minutes=1)),
        feed("disabled", enabled=False),
    )
    fetcher = FakeFetcher()
    for f in registry.feeds.values():
        fetcher.serve(f.url, rss("Story"))

    # When polling
    report = poll(registry, fetcher, RecordingSink())

    # Then the due feeds are polled, most overdue first (never-polled first of all)
    assert [o.feed_id for o in report.outcomes] == ["never", "overdue", "exactly"]
    assert (report.feeds_total, report.feeds_due, report.feeds_deferred) == (5, 3, 0)
    assert registry.feeds["later"].last_polled_at is None
    assert registry.feeds["disabled"].last_polled_at is None


def test_max_feeds_defers_the_least_overdue() -> None:
    registry = InMemoryRegistry(*(feed(f"f{i}", next_poll_at=NOW - timedelta(minutes=i)) for i in range(5)))
    fetcher = FakeFetcher()
    for f in registry.feeds.values():
        fetcher.serve(f.url, rss("Story"))

    report = poll(registry, fetcher, RecordingSink(), max_feeds=2)

    assert [o.feed_id for o in report.outcomes] == ["f4", "f3"]
    assert report.feeds_deferred == 3


def test_naive_datetimes_are_read_as_utc() -> None:
    registry = InMemoryRegistry(feed("naive", next_poll_at=datetime(2026, 11, 2, 11, 59)))
    fetcher = FakeFetcher()
    fetcher.serve(registry.feeds["naive"].url, rss("Story"))
    report = poll(registry, fetcher, RecordingSink(), now=datetime(2026, 11, 2, 12, 0))
    assert [o.feed_id for o in report.outcomes] == ["naive"]


# ---------------------------------------------------------------------- success and conditional GET


def test_a_successful_poll_sends_every_item_and_saves_the_conditional_get_state() -> None:
    # Given a due feed with two stories served with validators
    registry = InMemoryRegistry(feed("wire", name="Wire", interval_minutes=30, timezone="Europe/Paris"))
    fetcher = FakeFetcher()
    fetcher.serve("https://wire.example.com/rss", rss("Alpha", "Beta"), etag='"e1"', last_modified="Mon, 02 Nov 2026")
    sink = RecordingSink()

    # When polled
    [outcome] = poll(registry, fetcher, sink).outcomes

    # Then both items were sent with their source, and the state for the next conditional GET saved
    assert (outcome.status, outcome.items_found, outcome.items_sent, outcome.items_failed) == ("ok", 2, 2, 0)
    assert sink.sent_titles == ["Alpha", "Beta"]
    source = sink.batches[0][0].source
    assert (source.name, source.feed_id, source.feed_url, source.timezone) == (
        "Wire", "wire", "https://wire.example.com/rss", "Europe/Paris",
    )  # fmt: skip
    saved = registry.feeds["wire"]
    assert saved.etag == '"e1"'
    assert saved.last_modified == "Mon, 02 Nov 2026"
    assert saved.last_polled_at == NOW
    assert saved.last_status == 200
    assert saved.last_error is None
    assert saved.next_poll_at == NOW + timedelta(minutes=30)
    assert saved.items_sent == 2


def test_the_next_poll_is_a_conditional_get_and_a_304_sends_nothing() -> None:
    # Given a feed polled once
    registry = InMemoryRegistry(feed("wire"))
    fetcher = FakeFetcher()
    fetcher.serve("https://wire.example.com/rss", rss("Alpha"), etag='"e1"')
    sink = RecordingSink()
    poll(registry, fetcher, sink)

    # When it is due again
    later = NOW + timedelta(minutes=15)
    [outcome] = poll(registry, fetcher, sink, now=later).outcomes

    # Then the stored ETag was sent, the server said 304, nothing was re-sent
    assert fetcher.calls[-1] == ("https://wire.example.com/rss", '"e1"', None)
    assert outcome.status == "not-modified"
    assert outcome.not_modified
    assert outcome.http_status == 304
    assert sink.sent_titles == ["Alpha"]
    saved = registry.feeds["wire"]
    assert saved.etag == '"e1"'
    assert saved.last_status == 304
    assert saved.next_poll_at == later + timedelta(minutes=15)


def test_entries_skipped_by_the_parser_are_counted_by_reason() -> None:
    registry = InMemoryRegistry(feed("wire"))
    fetcher = FakeFetcher()
    body = rss("Alpha").replace(b"</channel>", b"<item><description>no link</description></item></channel>")
    fetcher.serve("https://wire.example.com/rss", body)

    [outcome] = poll(registry, fetcher, RecordingSink()).outcomes

    assert (outcome.status, outcome.items_sent, outcome.skipped, outcome.skip_reasons) == (
        "ok", 1, 1, {"no-identity": 1},
    )  # fmt: skip


# ------------------------------------------------------------------------------- failures, backoff


def test_failures_back_off_exponentially_and_a_success_resets() -> None:
    # Given a feed whose server keeps failing
    registry = InMemoryRegistry(feed("flaky", interval_minutes=10))
    fetcher = FakeFetcher()
    fetcher.fail("https://flaky.example.com/rss", FetchError("HTTP 500 from server", status=500))

    # When it is polled each time it comes due, three times
    now = NOW
    delays = []
    for _ in range(3):
        [outcome] = poll(registry, fetcher, RecordingSink(), now=now).outcomes
        saved = registry.feeds["flaky"]
        assert saved.next_poll_at is not None
        delays.append(saved.next_poll_at - now)
        now = saved.next_poll_at

    # Then the waits double, the error and status are recorded
    assert delays == [timedelta(minutes=20), timedelta(minutes=40), timedelta(minutes=80)]
    assert outcome.status == "error"
    assert outcome.error == "HTTP 500 from server"
    assert registry.feeds["flaky"].consecutive_failures == 3
    assert registry.feeds["flaky"].last_status == 500

    # And when it recovers, the normal interval is back
    fetcher.serve("https://flaky.example.com/rss", rss("Back"))
    poll(registry, fetcher, RecordingSink(), now=now)
    saved = registry.feeds["flaky"]
    assert (saved.consecutive_failures, saved.last_error, saved.next_poll_at) == (0, None, now + timedelta(minutes=10))


def test_backoff_is_capped_at_a_day_and_honours_retry_after() -> None:
    assert backoff_delay(15, 0) == timedelta(minutes=15)
    assert backoff_delay(15, 2) == timedelta(minutes=60)
    assert backoff_delay(15, 30) == timedelta(hours=24)
    assert backoff_delay(15, 1, retry_after_seconds=7200) == timedelta(hours=2)
    assert backoff_delay(15, 1, retry_after_seconds=10 * 86400) == timedelta(hours=24)


def test_retry_after_from_the_server_delays_the_next_poll() -> None:
    registry = InMemoryRegistry(feed("busy"))
    fetcher = FakeFetcher()
    fetcher.fail("https://busy.example.com/rss", FetchError("HTTP 429", status=429, retry_after_seconds=3600))
    poll(registry, fetcher, RecordingSink())
    assert registry.feeds["busy"].next_poll_at == NOW + timedelta(hours=1)


def test_one_failing_feed_never_stops_the_others() -> None:
    # Given feeds that fail in every way, and one good feed polled last
    registry = InMemoryRegistry(
        feed("a-down", next_poll_at=NOW - timedelta(minutes=5)),
        feed("b-garbage", next_poll_at=NOW - timedelta(minutes=4)),
        feed("c-bug", next_poll_at=NOW - timedelta(minutes=3)),
        feed("d-unsaveable", next_poll_at=NOW - timedelta(minutes=2)),
        feed("e-good", next_poll_at=NOW - timedelta(minutes=1)),
    )
    registry.fail_saving.add("d-unsaveable")
    fetcher = FakeFetcher()
    fetcher.fail("https://a-down.example.com/rss", FetchError("timeout: no answer"))
    fetcher.serve("https://b-garbage.example.com/rss", b"<html><body>Not a feed</body></html>")
    fetcher.fail("https://c-bug.example.com/rss", KeyError("surprise"))
    fetcher.serve("https://d-unsaveable.example.com/rss", rss("Delta"))
    fetcher.serve("https://e-good.example.com/rss", rss("Echo"))
    sink = RecordingSink()

    # When polled
    report = poll(registry, fetcher, sink)

    # Then every feed has an outcome, the good one's items went out, and each failure is explained
    outcomes = {o.feed_id: o for o in report.outcomes}
    assert outcomes["e-good"].status == "ok"
    assert sink.sent_titles == ["Delta", "Echo"]
    assert outcomes["a-down"].error == "timeout: no answer"
    assert outcomes["b-garbage"].error is not None
    assert outcomes["b-garbage"].error.startswith("parse: not a feed")
    assert outcomes["b-garbage"].http_status == 200
    assert outcomes["c-bug"].error == "internal error: KeyError: 'surprise'"
    assert outcomes["d-unsaveable"].status == "error"
    assert "state not saved: ConnectionError" in (outcomes["d-unsaveable"].error or "")
    assert report.feeds_failed == 4
    assert {f.feed_id for f in registry.saves} == {"a-down", "b-garbage", "c-bug", "e-good"}
    assert registry.feeds["b-garbage"].consecutive_failures == 1


# ---------------------------------------------------------------------------- at-least-once sends


def test_send_failures_keep_the_old_etag_so_the_next_poll_refetches() -> None:
    # Given a feed last seen at ETag e0, now serving e1 with 12 stories (two batches), one of which fails to send
    registry = InMemoryRegistry(feed("wire", etag='"e0"', last_modified="old", items_sent=5))
    fetcher = FakeFetcher()
    titles = [f"Story {i}" for i in range(11)] + ["Poison pill"]
    fetcher.serve("https://wire.example.com/rss", rss(*titles), etag='"e1"', last_modified="new")
    sink = RecordingSink(poison="Poison")

    # When polled
    [outcome] = poll(registry, fetcher, sink).outcomes

    # Then the failure is counted and the validators are NOT advanced
    assert [len(b) for b in sink.batches] == [10, 2]
    assert (outcome.status, outcome.items_found, outcome.items_sent, outcome.items_failed) == ("partial", 12, 11, 1)
    assert outcome.error == "1 of 12 items could not be sent: InternalError"
    saved = registry.feeds["wire"]
    assert (saved.etag, saved.last_modified) == ('"e0"', "old")
    assert saved.items_sent == 5 + 11
    assert saved.consecutive_failures == 1
    assert saved.last_error == outcome.error

    # And when the sink recovers, the next poll gets the full document again and advances the ETag
    sink.poison = None
    [retry] = poll(registry, fetcher, sink, now=saved.next_poll_at or NOW).outcomes
    assert fetcher.calls[-1][1] == '"e0"'
    assert (retry.status, retry.items_sent) == ("ok", 12)
    assert registry.feeds["wire"].etag == '"e1"'
    assert "Poison pill" in sink.sent_titles


def test_a_sink_that_raises_fails_every_item_of_the_feed() -> None:
    registry = InMemoryRegistry(feed("wire", etag='"e0"'))
    fetcher = FakeFetcher()
    fetcher.serve("https://wire.example.com/rss", rss("Alpha", "Beta"), etag='"e1"')

    [outcome] = poll(registry, fetcher, RecordingSink(down=True)).outcomes

    assert (outcome.status, outcome.items_sent, outcome.items_failed) == ("partial", 0, 2)
    assert "ConnectionError: SQS unavailable" in (outcome.error or "")
    assert registry.feeds["wire"].etag == '"e0"'


# -------------------------------------------------------------------------- with the real fetcher


def test_polling_through_the_real_fetcher_uses_conditional_get(feed_server: FeedServer) -> None:
    # Given a real local server that honours If-None-Match
    def handler(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"r1"':
            send(h, 304)
        else:
            send(h, 200, rss("Real one", "Real two"), {"ETag": '"r1"', "Content-Type": "application/rss+xml"})

    feed_server.routes["/rss"] = handler
    registry = InMemoryRegistry(FeedConfig(feed_id="local", url=feed_server.url("/rss")))
    fetcher = FeedFetcher(timeout_seconds=5, allow_private=True)
    sink = RecordingSink()

    # When polled twice, an interval apart
    first = poll_due_feeds(registry, fetcher, sink, now=NOW, max_feeds=10)
    second = poll_due_feeds(registry, fetcher, sink, now=NOW + timedelta(minutes=15), max_feeds=10)

    # Then the first sent the items and stored the ETag; the second was a 304
    assert first.items_sent == 2
    assert second.outcomes[0].status == "not-modified"
    assert feed_server.requests[1].headers["if-none-match"] == '"r1"'
    assert sink.sent_titles == ["Real one", "Real two"]


def test_a_blocked_feed_url_is_recorded_as_a_feed_error() -> None:
    registry = InMemoryRegistry(FeedConfig(feed_id="meta", url="http://169.254.169.254/latest/"))
    report = poll_due_feeds(registry, FeedFetcher(timeout_seconds=2), RecordingSink(), now=NOW, max_feeds=10)
    [outcome] = report.outcomes
    assert outcome.status == "error"
    assert outcome.error is not None
    assert "blocked address 169.254.169.254" in outcome.error


@pytest.mark.parametrize("max_feeds", [0, -1])
def test_max_feeds_of_zero_polls_nothing(max_feeds: int) -> None:
    registry = InMemoryRegistry(feed("never"))
    report = poll(registry, FakeFetcher(), RecordingSink(), max_feeds=max_feeds)
    assert report.outcomes == []
    assert report.feeds_deferred == 1


# ------------------------------------------------------------------------------ limits, full text


def test_a_truncated_feed_is_parsed_in_part_and_the_outcome_says_so() -> None:
    # Given a feed the fetcher cut at its size cap in the middle of the third entry
    body = rss("One", "Two", "Three")
    cut = body[: body.index(b"<title>Three")]
    fetcher = FakeFetcher()
    fetcher.sites["https://big.example.com/rss"] = lambda e, m: FetchResult(
        status=200, body=cut, final_url="https://big.example.com/rss", truncated=True
    )
    sink = RecordingSink()

    # When polled
    [outcome] = poll(InMemoryRegistry(feed("big")), fetcher, sink).outcomes

    # Then the complete entries were sent, the poll succeeded, and its outcome says the feed was cut
    assert sink.sent_titles == ["One", "Two"]
    assert outcome.status == "ok"
    assert outcome.skip_reasons == {"size-limit": 1}
    assert "size cap" in outcome.notes[0]


def test_the_feeds_full_text_setting_travels_on_its_items() -> None:
    # Given a feed whose settings model carries full_text (defined with the feed settings)
    class FeedWithSettings(FeedConfig):
        full_text: str = "always"

    fetcher = FakeFetcher()
    fetcher.serve("https://set.example.com/rss", rss("One"))
    sink = RecordingSink()
    config = FeedWithSettings(feed_id="set", url="https://set.example.com/rss")

    # When polled / Then its items say so (for the full-text stage to read)
    poll_due_feeds(InMemoryRegistry(config), fetcher, sink, now=NOW, max_feeds=5)
    assert [item.full_text for batch in sink.batches for item in batch] == ["always"]
