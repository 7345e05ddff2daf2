"""The full-text Lambda on moto, fetching article pages from a real HTTP server on 127.0.0.1, then ingest and
the API: a teaser ends as the article's full text with bodySource "page", redelivery stores nothing twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from newsflow import aws
from newsflow import constants as c
from newsflow.handlers import api, fulltext, ingest
from newsflow.local.events import api_gateway_event, sqs_event
from newsflow.local.resources import LocalResources
from newsflow.local.stack import reset_process_caches
from newsflow.models import FeedConfig
from newsflow.store.feeds import DynamoFeedRepository

from tests.integration.helpers import context, receive_event, tick
from tests.unit.feeds.http_fixture import FeedServer, send, serving
from tests.unit.fulltext.pages import PARAGRAPHS, article_page

TEASER = "Container volumes at the port of Harbourton rose four percent in October."


@pytest.fixture
def site() -> Iterator[FeedServer]:
    page = article_page().encode()
    with serving() as server:
        server.routes["/news/port"] = lambda h: send(h, 200, page, {"Content-Type": "text/html; charset=utf-8"})
        yield server


@pytest.fixture
def fulltext_env(stack_env: LocalResources, monkeypatch: pytest.MonkeyPatch) -> LocalResources:
    for name, value in stack_env.environment(fulltext=True).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(c.ENV_ALLOW_PRIVATE_FETCH, "true")  # the pages are on 127.0.0.1 (tests only)
    monkeypatch.setenv(c.ENV_FULLTEXT_HOST_GAP, "0")
    reset_process_caches()
    return stack_env


def _fulltext_event(resources: LocalResources) -> dict[str, Any]:
    messages = (
        aws.sqs()
        .receive_message(
            QueueUrl=resources.fulltext_queue_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
        )
        .get("Messages", [])
    )
    return sqs_event(messages, resources.fulltext_queue_arn, "us-east-1")


def _article(article_id: str) -> dict[str, Any]:
    event = api_gateway_event("GET", f"/v1/articles/{article_id}", {"Host": "api.test"}, b"", "127.0.0.1")
    response = api.lambda_handler(event, context("api"))
    assert response["statusCode"] == 200, response["body"]
    return dict(json.loads(response["body"])["article"])


def test_a_teaser_ends_stored_with_the_full_text_and_redelivery_stores_it_once(
    fulltext_env: LocalResources, site: FeedServer
) -> None:
    # Given a teaser item on the full-text queue
    item = {"url": site.url("/news/port"), "title": "Port volumes rise", "summary": TEASER, "guid": "port-1"}
    aws.sqs().send_message(QueueUrl=fulltext_env.fulltext_queue_url, MessageBody=json.dumps(item))
    event = _fulltext_event(fulltext_env)

    # When the full-text function handles it, then the same message again (an at-least-once redelivery)
    first = fulltext.lambda_handler(event, context("fulltext"))
    second = fulltext.lambda_handler(event, context("fulltext"))

    # Then both deliveries went on to the items queue with the page's text, and nothing was retried
    assert first == {"batchItemFailures": []}
    assert second == {"batchItemFailures": []}
    ingest_event = receive_event(fulltext_env)
    bodies = [json.loads(r["body"]) for r in ingest_event["Records"]]
    assert len(bodies) == 2
    assert bodies[0] == bodies[1]
    assert bodies[0]["body_source"] == "page"

    # And ingest stores one article (the second copy is unchanged), served with bodySource "page"
    ingest.lambda_handler(ingest_event, context("ingest"))
    assert [o["outcome"] for o in ingest.last_outcomes] == ["created", "unchanged"]
    article = _article(ingest.last_outcomes[0]["article_id"])
    assert article["bodySource"] == "page"
    assert article["bodySourceReason"] is None
    assert PARAGRAPHS[3][:50] in article["content"]
    assert article["description"] == TEASER
    assert article["wordCount"] > 150


def test_a_failed_page_is_served_as_the_teaser_with_the_reason(fulltext_env: LocalResources, site: FeedServer) -> None:
    item = {"url": site.url("/news/missing"), "title": "Port volumes rise", "summary": TEASER}
    aws.sqs().send_message(QueueUrl=fulltext_env.fulltext_queue_url, MessageBody=json.dumps(item))
    assert fulltext.lambda_handler(_fulltext_event(fulltext_env), context("fulltext")) == {"batchItemFailures": []}
    ingest.lambda_handler(receive_event(fulltext_env), context("ingest"))
    article = _article(ingest.last_outcomes[0]["article_id"])
    assert article["bodySource"] == "feed"
    assert "HTTP 404" in article["bodySourceReason"]
    assert article["content"] == TEASER


def test_a_message_that_is_not_an_item_is_parked_with_its_reason(fulltext_env: LocalResources) -> None:
    aws.sqs().send_message(QueueUrl=fulltext_env.fulltext_queue_url, MessageBody='{"title": ""}')
    assert fulltext.lambda_handler(_fulltext_event(fulltext_env), context("fulltext")) == {"batchItemFailures": []}
    parked = aws.sqs().receive_message(QueueUrl=fulltext_env.fulltext_dlq_url, MessageAttributeNames=["All"])[
        "Messages"
    ]
    assert [m["MessageAttributes"][c.DLQ_REASON_ATTRIBUTE]["StringValue"] for m in parked] == ["schema_violation"]


def test_the_fetch_worker_sends_teasers_to_the_full_text_queue_and_full_items_to_ingest(
    fulltext_env: LocalResources, site: FeedServer
) -> None:
    # Given a feed with one teaser and one item that carries its whole story
    full = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 2)
    rss = f"""<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
      <channel><title>Harbour</title><link>{site.url("/")}</link>
      <item><title>Teaser</title><link>{site.url("/news/port")}</link><description>{TEASER}</description></item>
      <item><title>Whole</title><link>{site.url("/news/whole")}</link>
        <content:encoded><![CDATA[{full}]]></content:encoded></item></channel></rss>""".encode()
    site.routes["/feed.xml"] = lambda h: send(h, 200, rss, {"Content-Type": "application/rss+xml"})
    DynamoFeedRepository(aws.dynamodb(), fulltext_env.table_name).save_feed(
        FeedConfig(feed_id="harbour", url=site.url("/feed.xml"))
    )

    # When the scheduler runs and the fetch worker handles the feed's fetch request
    tick(fulltext_env)

    # Then the teaser waits for its page, the whole item goes straight to ingest
    teasers = [json.loads(r["body"])["title"] for r in _fulltext_event(fulltext_env)["Records"]]
    direct = [json.loads(r["body"])["title"] for r in receive_event(fulltext_env)["Records"]]
    assert teasers == ["Teaser"]
    assert direct == ["Whole"]


def test_a_teaser_keeps_the_sighting_time_of_its_poll_through_the_page_fetch(
    fulltext_env: LocalResources, site: FeedServer
) -> None:
    import time

    # Given a teaser and, polled later, its correction without a newer clock (a new title), both on the
    # full-text queue
    original = {"url": site.url("/news/port"), "title": "Port volumes rise", "summary": TEASER, "guid": "port-2"}
    correction = dict(original, title="Port volumes rise four percent")
    queue = fulltext_env.fulltext_queue_url
    aws.sqs().send_message(QueueUrl=queue, MessageBody=json.dumps(original))
    time.sleep(0.05)
    aws.sqs().send_message(QueueUrl=queue, MessageBody=json.dumps(correction))
    records = _fulltext_event(fulltext_env)["Records"]
    assert [json.loads(r["body"])["title"] for r in records] == [original["title"], correction["title"]]
    polled = [int(r["attributes"]["SentTimestamp"]) for r in records]
    # When the correction's page is fetched first, and the original's after it
    for record in reversed(records):
        assert fulltext.lambda_handler({"Records": [record]}, context("fulltext")) == {"batchItemFailures": []}
    ingest_event = receive_event(fulltext_env)
    titles = [json.loads(r["body"])["title"] for r in ingest_event["Records"]]
    assert titles == [correction["title"], original["title"]]
    # Then each item reaches ingest with the time it was polled, not when its page came back
    seen = [int(r["messageAttributes"][c.SIGHTING_ATTRIBUTE]["stringValue"]) for r in ingest_event["Records"]]
    assert seen == list(reversed(polled))
    # and ingest keeps the correction: the original, polled before it, is a stale copy
    ingest.lambda_handler(ingest_event, context("ingest"))
    assert [o["outcome"] for o in ingest.last_outcomes] == ["created", "stale"]
    assert _article(ingest.last_outcomes[0]["article_id"])["title"] == correction["title"]
