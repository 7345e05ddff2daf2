"""Poll-now fetches now: the admin API (and `newsflow feeds poll-now`) put the feed's fetch request on the fetch
queue at once, claimed like the scheduler's, so a tick that enqueues the same feed meanwhile or a repeated
poll-now never fetches it twice. Real feed server on 127.0.0.1, moto for the table and queues."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from newsflow import aws
from newsflow import constants as c
from newsflow.feeds.registry import FeedRegistry
from newsflow.handlers import fetch, poll
from newsflow.local.events import api_gateway_event, sqs_event
from newsflow.local.resources import LocalResources
from newsflow.local.stack import reset_process_caches
from newsflow.store.feeds import DynamoFeedRepository

from tests.integration.helpers import context, tick
from tests.integration.test_feed_fanout import ITEMS, guids, rss, sent_items
from tests.unit.feeds.http_fixture import FeedServer, send, start_server


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, stack_env: LocalResources) -> Iterator[FeedServer]:
    monkeypatch.setenv(c.ENV_ALLOW_PRIVATE_FETCH, "true")
    reset_process_caches()
    feeds = FeedServer()
    stop = start_server(feeds)
    yield feeds
    stop()


def repo() -> DynamoFeedRepository:
    return DynamoFeedRepository(aws.dynamodb(), c.LOCAL_TABLE_NAME)


def api(method: str, path: str) -> tuple[int, Any]:
    from newsflow.handlers import api as api_handler

    event = api_gateway_event(method, path, {"Host": "api.test"}, b"", "127.0.0.1", "local")
    response = api_handler.lambda_handler(event, context("api"))
    return response["statusCode"], json.loads(response["body"])


def fetch_messages(resources: LocalResources) -> list[dict[str, Any]]:
    response = aws.sqs().receive_message(
        QueueUrl=resources.fetch_queue_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    )
    return list(response.get("Messages", []))


def deliver(resources: LocalResources, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fetch worker on these messages (as the event source delivers them); each request's result."""
    response = fetch.lambda_handler(sqs_event(messages, resources.fetch_queue_arn, "us-east-1"), context("fetch"))
    assert response == {"batchItemFailures": []}
    for message in messages:
        aws.sqs().delete_message(QueueUrl=resources.fetch_queue_url, ReceiptHandle=message["ReceiptHandle"])
    return [json.loads(m["Body"]) for m in messages]


def fetches(server: FeedServer) -> int:
    return len([r for r in server.requests if r.path == "/desk.xml"])


def register(server: FeedServer, resources: LocalResources) -> None:
    server.routes["/desk.xml"] = lambda h: send(h, 200, rss(ITEMS), {"Content-Type": "application/rss+xml"})
    FeedRegistry(repo(), allow_private=True).save({"feedId": "desk", "url": server.url("/desk.xml")})
    tick(resources)  # the first poll: three items, next poll in the future
    sent_items(resources)
    assert fetches(server) == 1


def test_poll_now_through_the_api_queues_the_fetch_at_once(server: FeedServer, stack_env: LocalResources) -> None:
    # Given a feed polled a moment ago (not due again for a while) that has since published a new entry
    register(server, stack_env)
    newer = [*ITEMS, ("a-4", "Wheat harvest")]
    server.routes["/desk.xml"] = lambda h: send(h, 200, rss(newer), {"Content-Type": "application/rss+xml"})
    # When an operator asks for a poll now
    status, body = api("POST", "/v1/admin/feeds/desk/poll-now")
    # Then the answer says the fetch is queued, and exactly one fetch request for the feed is on the fetch queue
    assert status == 200
    assert body["fetchQueued"] is True
    messages = fetch_messages(stack_env)
    assert [json.loads(m["Body"])["feed_id"] for m in messages] == ["desk"]
    # And a fetch worker polls it with no scheduler tick in between: the new entry is sent
    deliver(stack_env, messages)
    assert fetches(server) == 2
    assert guids(sent_items(stack_env)) == ["a-4"]
    # And the feed is no longer due (its next poll follows its schedule again)
    report = poll.lambda_handler({"source": "aws.events"}, context("poll"))
    assert report["feeds_due"] == 0


def test_poll_now_and_a_tick_that_enqueues_the_same_feed_fetch_it_once(
    server: FeedServer, stack_env: LocalResources
) -> None:
    register(server, stack_env)
    # When an operator's poll-now and a scheduler tick both enqueue the feed (it is due now)
    assert api("POST", "/v1/admin/feeds/desk/poll-now")[0] == 200
    report = poll.lambda_handler({"source": "aws.events"}, context("poll"))
    assert report["enqueued"] == 1
    messages = fetch_messages(stack_env)
    assert len(messages) == 2
    deliver(stack_env, messages)
    # Then the feed was fetched once: the second request found it claimed and was acknowledged as stale
    assert fetches(server) == 2
    # And a redelivery of the poll-now request later does nothing either
    deliver(stack_env, messages[:1])
    assert fetches(server) == 2


def test_a_second_poll_now_supersedes_the_first(server: FeedServer, stack_env: LocalResources) -> None:
    register(server, stack_env)
    assert api("POST", "/v1/admin/feeds/desk/poll-now")[1]["fetchQueued"] is True
    assert api("POST", "/v1/admin/feeds/desk/poll-now")[1]["fetchQueued"] is True
    messages = fetch_messages(stack_env)
    assert len(messages) == 2
    deliver(stack_env, messages)
    # The first request's due moment is no longer the feed's: one fetch, not two
    assert fetches(server) == 2


def test_poll_now_of_a_disabled_feed_is_409_and_queues_nothing(server: FeedServer, stack_env: LocalResources) -> None:
    register(server, stack_env)
    assert api("POST", "/v1/admin/feeds/desk/disable")[0] == 200
    status, body = api("POST", "/v1/admin/feeds/desk/poll-now")
    assert status == 409
    assert body["code"] == "feedDisabled"
    assert fetch_messages(stack_env) == []
    status, body = api("POST", "/v1/admin/feeds/nope/poll-now")
    assert status == 404
    assert fetch_messages(stack_env) == []
