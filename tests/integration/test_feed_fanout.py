"""The fan-out on moto: the scheduler (poll) enqueues due feeds, the fetch worker fetches them from real
HTTP servers on 127.0.0.1, sends new items and saves each feed's state conditionally."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from newsflow import aws
from newsflow import constants as c
from newsflow.feeds.registry import FeedRegistry
from newsflow.handlers import fetch, poll
from newsflow.local.events import sqs_event
from newsflow.local.resources import LocalResources
from newsflow.local.stack import reset_process_caches
from newsflow.models import FeedConfig
from newsflow.store.feeds import DynamoFeedRepository

from tests.integration.helpers import context, tick
from tests.unit.feeds.http_fixture import FeedServer, send, start_server


def rss(items: list[tuple[str, str]], *, build: str = "Mon, 30 Nov 2026 10:00:00 GMT", ttl: int | None = None) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>https://news.example.com/{guid}</link><guid>{guid}</guid>"
        f"<description>About {title}.</description><pubDate>Mon, 30 Nov 2026 08:00:00 GMT</pubDate></item>"
        for guid, title in items
    )
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><link>https://news.example.com/</link>'
        f"<lastBuildDate>{build}</lastBuildDate>{ttl_tag}{entries}</channel></rss>"
    ).encode()


ITEMS = [("a-1", "Copper output rises"), ("a-2", "Port strike ends"), ("a-3", "Chip fab opens")]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, stack_env: LocalResources) -> Iterator[FeedServer]:
    monkeypatch.setenv(c.ENV_ALLOW_PRIVATE_FETCH, "true")
    reset_process_caches()
    feeds = FeedServer()
    stop = start_server(feeds)
    yield feeds
    stop()


def registry() -> DynamoFeedRepository:
    return DynamoFeedRepository(aws.dynamodb(), c.LOCAL_TABLE_NAME)


def admin() -> FeedRegistry:
    return FeedRegistry(registry(), allow_private=True)


def sent_items(resources: LocalResources) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    while True:
        got = aws.sqs().receive_message(QueueUrl=resources.queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return bodies
        for message in got:
            bodies.append(json.loads(message["Body"]))
            aws.sqs().delete_message(QueueUrl=resources.queue_url, ReceiptHandle=message["ReceiptHandle"])


def guids(items: list[dict[str, Any]]) -> list[str]:
    return sorted(str(i["guid"]).rsplit("/", 1)[-1] for i in items)


def route(server: FeedServer, path: str, answer: Callable[[BaseHTTPRequestHandler], None]) -> str:
    server.routes[path] = answer
    return server.url(path)


def due_now(feed_id: str) -> None:
    admin().poll_now(feed_id)


def test_a_feed_without_validators_sends_its_items_once(server: FeedServer, stack_env: LocalResources) -> None:
    # Given a feed that sends no ETag/Last-Modified and rewrites lastBuildDate on every request
    calls = {"n": 0}

    def answer(h: BaseHTTPRequestHandler) -> None:
        calls["n"] += 1
        send(
            h,
            200,
            rss(ITEMS, build=f"Mon, 30 Nov 2026 10:0{calls['n']}:00 GMT"),
            {"Content-Type": "application/rss+xml"},
        )

    admin().save({"feedId": "desk", "url": route(server, "/desk.xml", answer)})
    # When it is polled twice
    report, _ = tick(stack_env)
    first = sent_items(stack_env)
    due_now("desk")
    tick(stack_env)
    second = sent_items(stack_env)
    # Then the first poll sent its three items and the second, with the same entries, sent none
    assert report["enqueued"] == 1
    assert guids(first) == ["a-1", "a-2", "a-3"]
    assert second == []
    assert calls["n"] == 2
    # And a changed entry plus a new one are sent, nothing else
    changed = [("a-1", "Copper output rises 4%"), *ITEMS[1:], ("a-4", "Wheat harvest")]
    server.routes["/desk.xml"] = lambda h: send(h, 200, rss(changed), {"Content-Type": "application/rss+xml"})
    due_now("desk")
    tick(stack_env)
    assert guids(sent_items(stack_env)) == ["a-1", "a-4"]
    saved = registry().get_feed("desk")
    assert saved is not None
    assert saved.items_sent == 5
    assert saved.consecutive_failures == 0


def test_410_disables_the_feed_at_once(server: FeedServer, stack_env: LocalResources) -> None:
    admin().save({"feedId": "gone", "url": route(server, "/gone.xml", lambda h: send(h, 410, b"gone"))})
    tick(stack_env)
    feed = registry().get_feed("gone")
    assert feed is not None
    assert feed.enabled is False
    assert feed.disabled_reason
    assert "410" in feed.disabled_reason
    # And a disabled feed is no longer scheduled
    report, _ = tick(stack_env)
    assert report["feeds_due"] == 0
    # When an operator re-enables it (the feed came back)
    server.routes["/gone.xml"] = lambda h: send(h, 200, rss(ITEMS[:1]), {"Content-Type": "application/rss+xml"})
    admin().enable("gone")
    tick(stack_env)
    back = registry().get_feed("gone")
    assert back is not None
    assert back.enabled
    assert back.disabled_reason is None
    assert back.last_status == 200
    assert guids(sent_items(stack_env)) == ["a-1"]


@pytest.mark.parametrize("status", [301, 308])
def test_a_permanent_redirect_moves_the_stored_url(server: FeedServer, stack_env: LocalResources, status: int) -> None:
    new_url = route(server, "/new.xml", lambda h: send(h, 200, rss(ITEMS), {"Content-Type": "application/rss+xml"}))
    old_url = route(server, "/old.xml", lambda h: send(h, status, b"", {"Location": "/new.xml"}))
    admin().save({"feedId": "moved", "url": old_url})
    tick(stack_env)
    feed = registry().get_feed("moved")
    assert feed is not None
    assert feed.url == new_url
    assert feed.redirected_from == old_url
    # Then the next poll asks the new URL directly: one request, not two
    before = len(server.requests)
    due_now("moved")
    tick(stack_env)
    assert [r.path for r in server.requests[before:]] == ["/new.xml"]


def test_a_temporary_redirect_keeps_the_stored_url(server: FeedServer, stack_env: LocalResources) -> None:
    route(server, "/new.xml", lambda h: send(h, 200, rss(ITEMS), {"Content-Type": "application/rss+xml"}))
    old_url = route(server, "/tmp.xml", lambda h: send(h, 302, b"", {"Location": "/new.xml"}))
    admin().save({"feedId": "tmp", "url": old_url})
    tick(stack_env)
    feed = registry().get_feed("tmp")
    assert feed is not None
    assert feed.url == old_url


def test_429_retry_after_sets_the_next_poll(server: FeedServer, stack_env: LocalResources) -> None:
    url = route(server, "/busy.xml", lambda h: send(h, 429, b"slow down", {"Retry-After": "7200"}))
    admin().save({"feedId": "busy", "url": url})
    start = datetime.now(UTC)
    tick(stack_env)
    feed = registry().get_feed("busy")
    assert feed is not None
    assert feed.next_poll_at is not None
    assert feed.next_poll_at >= start + timedelta(seconds=7200)
    assert feed.consecutive_failures == 1
    assert feed.last_status == 429
    assert feed.enabled


def test_an_html_page_url_is_discovered_and_the_feed_url_stored(server: FeedServer, stack_env: LocalResources) -> None:
    page = b'<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/feeds/all.rss"></head>'
    page += b"<body><h1>Desk</h1></body></html>"
    page_url = route(server, "/markets/story-1", lambda h: send(h, 200, page, {"Content-Type": "text/html"}))
    feed_url = route(
        server, "/feeds/all.rss", lambda h: send(h, 200, rss(ITEMS), {"Content-Type": "application/rss+xml"})
    )
    created, feed = admin().save({"url": page_url, "name": "Markets Desk"})
    assert created
    assert feed.feed_id == "markets-desk"
    tick(stack_env)
    saved = registry().get_feed("markets-desk")
    assert saved is not None
    assert saved.url == feed_url
    assert saved.discovered_from == page_url
    assert len(sent_items(stack_env)) == 3


def test_a_page_without_a_feed_fails_with_the_reason(server: FeedServer, stack_env: LocalResources) -> None:
    page = b"<!doctype html><html><head><title>x</title></head><body>no feed here</body></html>"
    admin().save(
        {"feedId": "nofeed", "url": route(server, "/page", lambda h: send(h, 200, page, {"Content-Type": "text/html"}))}
    )
    tick(stack_env)
    feed = registry().get_feed("nofeed")
    assert feed is not None
    assert feed.consecutive_failures == 1
    assert feed.last_error
    assert "no feed was found" in feed.last_error


def test_a_feed_that_fails_to_parse_keeps_its_state_with_the_reason(
    server: FeedServer, stack_env: LocalResources
) -> None:
    url = route(
        server, "/broken.xml", lambda h: send(h, 200, b"not a feed at all", {"Content-Type": "application/rss+xml"})
    )
    admin().save({"feedId": "broken", "url": url})
    _report, _ = tick(stack_env)
    feed = registry().get_feed("broken")
    assert feed is not None
    assert feed.last_error
    assert feed.last_error.startswith("parse:")
    assert feed.last_polled_at is not None
    assert feed.next_poll_at is not None
    assert feed.version >= 2


def test_a_redelivered_fetch_message_neither_sends_twice_nor_regresses_state(
    server: FeedServer, stack_env: LocalResources
) -> None:
    admin().save(
        {
            "feedId": "desk",
            "url": route(
                server, "/desk.xml", lambda h: send(h, 200, rss(ITEMS), {"Content-Type": "application/rss+xml"})
            ),
        }
    )
    poll.lambda_handler({"source": "aws.events"}, context("poll"))
    messages = aws.sqs().receive_message(
        QueueUrl=stack_env.fetch_queue_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    )["Messages"]
    event = sqs_event(messages, stack_env.fetch_queue_arn, "us-east-1")
    # When the same message is delivered twice (a worker timed out before deleting it)
    assert fetch.lambda_handler(event, context("fetch")) == {"batchItemFailures": []}
    after_first = registry().get_feed("desk")
    assert fetch.lambda_handler(event, context("fetch")) == {"batchItemFailures": []}
    after_second = registry().get_feed("desk")
    # Then the feed was fetched and its items sent once, and the state is the first delivery's
    assert len([r for r in server.requests if r.path == "/desk.xml"]) == 1
    assert len(sent_items(stack_env)) == 3
    assert after_first == after_second


def test_a_malformed_fetch_message_is_parked_with_its_reason(stack_env: LocalResources) -> None:
    reset_process_caches()
    aws.sqs().send_message(QueueUrl=stack_env.fetch_queue_url, MessageBody='{"feed_id": "NOT VALID"}')
    messages = aws.sqs().receive_message(
        QueueUrl=stack_env.fetch_queue_url, MaxNumberOfMessages=1, MessageSystemAttributeNames=["All"]
    )["Messages"]
    response = fetch.lambda_handler(sqs_event(messages, stack_env.fetch_queue_arn, "us-east-1"), context("fetch"))
    assert response == {"batchItemFailures": []}
    parked = aws.sqs().receive_message(QueueUrl=stack_env.fetch_dlq_url, MessageAttributeNames=["All"])["Messages"]
    assert parked[0]["MessageAttributes"][c.DLQ_REASON_ATTRIBUTE]["StringValue"] == "schema_violation"


def test_the_scheduler_enqueues_every_due_feed_without_a_cap(server: FeedServer, stack_env: LocalResources) -> None:
    repo = registry()
    for n in range(450):
        repo.save_feed(FeedConfig(feed_id=f"f-{n:04d}", url=f"http://127.0.0.1:1/f{n}.xml"))
    later = FeedConfig(
        feed_id="later", url="http://127.0.0.1:1/later.xml", next_poll_at=datetime.now(UTC) + timedelta(hours=1)
    )
    repo.save_feed(later)
    report = poll.lambda_handler({"source": "aws.events"}, context("poll"))
    assert report["feeds_due"] == 450
    assert report["enqueued"] == 450
    # And they share one host, so each fetch takes a slot of the host's politeness record
    assert report["polite"] == 450


def test_registration_refuses_addresses_the_fetcher_would_refuse(stack_env: LocalResources) -> None:
    from newsflow.feeds.registry import RegistryError

    strict = FeedRegistry(registry(), allow_private=False)
    for url in ("http://127.0.0.1:8080/feed", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/rss",
                "http://[::ffff:127.0.0.1]/feed", "http://user:pw@news.example.com/rss"):  # fmt: skip
        with pytest.raises(RegistryError) as refused:
            strict.save({"feedId": "sneaky", "url": url})
        assert refused.value.status == 400
        assert refused.value.code == "urlRefused"
    # Even where private fetches are allowed (local stack), the metadata service never is
    with pytest.raises(RegistryError):
        admin().save({"feedId": "meta", "url": "http://169.254.169.254/latest/meta-data/"})
    assert registry().list_feeds() == []


def _api(method: str, path: str, body: bytes) -> tuple[int, Any]:
    from newsflow.handlers import api
    from newsflow.local.events import api_gateway_event

    event = api_gateway_event(
        method, path, {"Host": "api.test", "Content-Type": "text/x-opml"}, body, "127.0.0.1", "local"
    )
    response = api.lambda_handler(event, context("api"))
    text = response["body"]
    return response["statusCode"], json.loads(text) if text.startswith("{") else text


def test_the_admin_api_refuses_malformed_opml_and_unsafe_urls_with_400(stack_env: LocalResources) -> None:
    reset_process_caches()
    status, body = _api("POST", "/v1/admin/feeds/opml", b"<opml><body><outline xmlUrl=")
    assert status == 400
    assert body["code"] == "opmlInvalid"
    status, body = _api("POST", "/v1/admin/feeds", json.dumps({"url": "http://169.254.169.254/latest/"}).encode())
    assert status == 400
    assert body["code"] == "urlRefused"
    # And a good document imports, and exports back as OPML
    good = b'<opml version="2.0"><body><outline text="Desk" xmlUrl="https://desk.example.com/rss"/></body></opml>'
    status, body = _api("POST", "/v1/admin/feeds/opml", good)
    assert status == 200
    assert body["report"]["created"] == ["desk"]
    status, text = _api("GET", "/v1/admin/feeds/opml", b"")
    assert status == 200
    assert 'xmlUrl="https://desk.example.com/rss"' in text
