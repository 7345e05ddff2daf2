"""The poll Lambda on moto, fetching a real feed from an HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from newsflow import aws, wiring
from newsflow import constants as c
from newsflow.handlers import poll
from newsflow.local.resources import LocalResources
from newsflow.models import FeedConfig
from newsflow.settings import reset_settings_cache
from newsflow.store.feeds import DynamoFeedRepository

from tests.integration.helpers import context

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Grain Desk</title><link>https://grain.example.com/</link>
<item><title>Wheat futures climb as drought hits Kansas harvest</title>
<link>https://grain.example.com/wheat-drought</link><guid>wheat-1</guid>
<description>Farmers expect a smaller winter wheat crop.</description>
<pubDate>Tue, 17 Nov 2026 08:00:00 EST</pubDate></item>
<item><title>Fertilizer prices ease for corn growers</title>
<link>https://grain.example.com/fertilizer</link><guid>fert-1</guid>
<pubDate>Mon, 16 Nov 2026 08:00:00 EST</pubDate></item>
</channel></rss>"""


class FeedServer:
    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:
                owner.requests.append(dict(self.headers.items()))
                if self.headers.get("If-None-Match") == '"v1"':
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", '"v1"')
                self.send_header("Content-Length", str(len(RSS)))
                self.end_headers()
                self.wfile.write(RSS)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.server.shutdown()


def _queued(resources: LocalResources) -> list[dict[str, object]]:
    bodies = []
    while True:
        got = aws.sqs().receive_message(QueueUrl=resources.queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return bodies
        bodies.extend(json.loads(m["Body"]) for m in got)


def test_poll_sends_new_items_then_uses_conditional_get(
    stack_env: LocalResources, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a registered feed served from this machine (private fetches allowed, as in the local stack)
    monkeypatch.setenv(c.ENV_ALLOW_PRIVATE_FETCH, "true")
    reset_settings_cache()
    wiring.reset()
    registry = DynamoFeedRepository(aws.dynamodb(), stack_env.table_name)
    registry.save_feed(FeedConfig(feed_id="grain-desk", url=feed_server.url, name="Grain Desk"))
    # When the schedule fires
    report = poll.lambda_handler({"source": "aws.events"}, context("poll"))
    # Then both items are on the queue as FeedItems, tagged with their feed
    items = _queued(stack_env)
    assert sorted(i["title"] for i in items) == [
        "Fertilizer prices ease for corn growers",
        "Wheat futures climb as drought hits Kansas harvest",
    ]
    assert {i["source"]["feed_id"] for i in items} == {"grain-desk"}
    assert report["items_sent"] == 2
    # And the feed's ETag was saved, so the next due poll is a conditional GET answered 304
    saved = registry.get_feed("grain-desk")
    assert saved is not None
    assert saved.etag == '"v1"'
    assert saved.next_poll_at is not None
    registry.save_feed(saved.model_copy(update={"next_poll_at": None}))
    report = poll.lambda_handler({"source": "aws.events"}, context("poll"))
    assert feed_server.requests[-1].get("If-None-Match") == '"v1"'
    assert report["outcomes"][0]["status"] == "not-modified"
    assert _queued(stack_env) == []


def test_poll_refuses_private_addresses_by_default(stack_env: LocalResources, feed_server: FeedServer) -> None:
    # Given a feed on a loopback address and the default (AWS) policy
    registry = DynamoFeedRepository(aws.dynamodb(), stack_env.table_name)
    registry.save_feed(FeedConfig(feed_id="sneaky", url=feed_server.url))
    # When the schedule fires
    report = poll.lambda_handler({"source": "aws.events"}, context("poll"))
    # Then nothing was requested, and the feed records why
    assert feed_server.requests == []
    assert report["outcomes"][0]["status"] == "error"
    saved = registry.get_feed("sneaky")
    assert saved is not None
    assert saved.last_error
    assert "127.0.0.1" in saved.last_error
