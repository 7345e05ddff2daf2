"""The on-failure record Lambda writes for a stream batch, and what the replay refuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from newsflow.ops.replay import article_ids, parse_failure

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/newsflow/stream/2026-11-20T10:00:00.000"


def record(**batch: Any) -> dict[str, Any]:
    """The shape documented for DynamoDB stream on-failure destinations (services-dynamodb-errors)."""
    info = {
        "shardId": "shardId-00000001700000000000-abcdef12",
        "startSequenceNumber": "100",
        "endSequenceNumber": "250",
        "approximateArrivalOfFirstRecord": "2026-11-20T11:59:00Z",
        "approximateArrivalOfLastRecord": "2026-11-20T11:59:30Z",
        "batchSize": 3,
        "streamArn": STREAM_ARN,
    }
    info.update(batch)
    return {
        "requestContext": {
            "requestId": "12a8a0fa-f8d2-4d42-a6e3-72bae7d1e2f9",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:index",
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": 4,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": "2026-11-20T12:00:00.000Z",
        "DDBStreamBatchInfo": info,
    }


def test_a_lambda_on_failure_record_is_read_with_its_stream_position() -> None:
    failure = parse_failure(json.dumps(record()))

    assert failure.batch.stream_arn == STREAM_ARN
    assert failure.batch.shard_id == "shardId-00000001700000000000-abcdef12"
    assert (failure.batch.start_sequence_number, failure.batch.end_sequence_number) == ("100", "250")
    assert failure.batch.batch_size == 3
    assert failure.request_context.condition == "RetryAttemptsExhausted"
    assert failure.request_context.approximate_invoke_count == 4


def test_the_batch_expires_with_the_stream_retention() -> None:
    batch = parse_failure(json.dumps(record())).batch
    first = datetime(2026, 11, 20, 11, 59, tzinfo=UTC)

    assert not batch.expired(first + timedelta(hours=23, minutes=59))
    assert batch.expired(first + timedelta(hours=24, minutes=1))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json at all", "not JSON"),
        (json.dumps(["a", "list"]), "no DDBStreamBatchInfo"),
        (json.dumps({"reason": "index failed", "records": []}), "no DDBStreamBatchInfo"),
        (json.dumps(record(startSequenceNumber="300")), "startSequenceNumber is after endSequenceNumber"),
        (json.dumps(record(endSequenceNumber="12x")), "DDBStreamBatchInfo.endSequenceNumber"),
        (json.dumps(record(streamArn="arn:aws:sqs:us-east-1:1:queue")), "DDBStreamBatchInfo.streamArn"),
        (json.dumps({"DDBStreamBatchInfo": {"shardId": "s"}}), "DDBStreamBatchInfo.streamArn"),
    ],
)
def test_malformed_records_are_refused_with_a_reason(body: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace(".", r"\.")):
        parse_failure(body)


def test_only_article_items_count_and_each_once() -> None:
    keys = [
        {"pk": "ART#a1", "sk": "ARTICLE"},
        {"pk": "HASH#x", "sk": "HASH"},
        {"pk": "FEEDS", "sk": "FEED#f"},
        {"pk": "ART#a2", "sk": "ARTICLE"},
        {"pk": "ART#a1", "sk": "ARTICLE"},
        {"pk": "ART#a3", "sk": "SOMETHING-ELSE"},
    ]

    assert article_ids(keys) == ["a1", "a2"]
