"""Build Lambda events from what moto really holds (never hand-written records)."""

from __future__ import annotations

import json
from typing import Any

from newsflow import aws
from newsflow.local.context import LocalLambdaContext
from newsflow.local.events import sqs_event, stream_event
from newsflow.local.resources import LocalResources


def send_items(resources: LocalResources, bodies: list[str]) -> None:
    for body in bodies:
        aws.sqs().send_message(QueueUrl=resources.queue_url, MessageBody=body)


def receive_event(resources: LocalResources, max_messages: int = 10) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    while len(messages) < max_messages:
        got = (
            aws.sqs()
            .receive_message(
                QueueUrl=resources.queue_url,
                MaxNumberOfMessages=min(10, max_messages - len(messages)),
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            .get("Messages", [])
        )
        if not got:
            break
        messages.extend(got)
    return sqs_event(messages, resources.queue_arn, "us-east-1")


def dlq_messages(resources: LocalResources) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while True:
        got = (
            aws.sqs()
            .receive_message(
                QueueUrl=resources.dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=30
            )
            .get("Messages", [])
        )
        if not got:
            return messages
        messages.extend(got)


def stream_records(resources: LocalResources) -> list[dict[str, Any]]:
    streams = aws.dynamodb_streams()
    shards = streams.describe_stream(StreamArn=resources.stream_arn)["StreamDescription"]["Shards"]
    records: list[dict[str, Any]] = []
    for shard in shards:
        iterator = streams.get_shard_iterator(
            StreamArn=resources.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records.extend(streams.get_records(ShardIterator=iterator, Limit=1000)["Records"])
    return records


def stream_event_from_moto(resources: LocalResources, since: int = 0) -> dict[str, Any]:
    return stream_event(stream_records(resources)[since:], resources.stream_arn)


def context(name: str) -> LocalLambdaContext:
    return LocalLambdaContext(name)


def feed_item(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "url": "https://news.example.com/energy/opec-output-cut?utm_source=rss",
        "guid": "opec-2026-11-20",
        "title": "OPEC+ agrees deeper oil output cut as crude prices slide",
        "summary": "Oil producers agreed to cut crude production by 1 million barrels a day.",
        "content_html": "<p>OPEC+ ministers agreed on Thursday to cut <b>oil</b> output.</p>"
        "<p>Brent crude rose 3% after the decision on production quotas.</p>",
        "published": "Thu, 19 Nov 2026 14:30:00 GMT",
        "authors": ["Jane Doe"],
        "tags": ["Energy"],
        "language": "en",
        "source": {"name": "Example News", "feed_url": "https://news.example.com/rss"},
    }
    item.update(overrides)
    return item


def body(**overrides: Any) -> str:
    return json.dumps(feed_item(**overrides))


def tick(resources: LocalResources) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One scheduler run, then the fetch queue delivered to the fetch worker (as its event source would)."""
    from newsflow.handlers import fetch, poll

    report = poll.lambda_handler({"source": "aws.events"}, context("poll"))
    results: list[dict[str, Any]] = []
    while True:
        messages = (
            aws.sqs()
            .receive_message(
                QueueUrl=resources.fetch_queue_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
            )
            .get("Messages", [])
        )
        if not messages:
            return report, results
        response = fetch.lambda_handler(sqs_event(messages, resources.fetch_queue_arn, "us-east-1"), context("fetch"))
        assert response == {"batchItemFailures": []}
        for message in messages:
            aws.sqs().delete_message(QueueUrl=resources.fetch_queue_url, ReceiptHandle=message["ReceiptHandle"])
        results.extend(fetch.processor.response() and [json.loads(m["Body"]) for m in messages])
