"""The local runtime's event sources, read from moto's backends in this process.

What Lambda's SQS poller and DynamoDB-stream poller do in AWS, the local runtime does here, on moto's own
objects: receiving and deleting messages through moto's SQS backend (its rules: visibility timeout, receive
count, redrive to the DLQ at maxReceiveCount), reading the table's stream records from moto's shard. No client,
no serialisation: reading the stream through boto3 cost more than indexing what it returned. The messages and
records come out in the shapes boto3 would give (what local/events.py turns into Lambda events).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from newsflow.local.inprocess import ACCOUNT_ID, REGION

# While a batch is in the handler its messages stay invisible for this long (Lambda's poller: the queue's visibility
# timeout, 6x the function's timeout in this stack); a failed message is then made visible again after the queue's
# own (short, local) timeout, so local retries stay quick without a slow batch being delivered a second time.
IN_FLIGHT_SECONDS = 300
_SYSTEM_ATTRIBUTES = ("SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp")


def _queue_name(queue_url: str) -> str:
    return queue_url.rstrip("/").rsplit("/", 1)[-1]


class MotoQueue:
    """One SQS queue, consumed the way the SQS event source mapping consumes it."""

    def __init__(self, queue_url: str, lock: threading.RLock, region: str = REGION) -> None:
        from moto.sqs.models import sqs_backends

        self._backend: Any = sqs_backends[ACCOUNT_ID][region]
        self._name = _queue_name(queue_url)
        self._lock = lock

    def receive(self, count: int = 10) -> list[dict[str, Any]]:
        with self._lock:
            messages = self._backend.receive_message(self._name, count, 0, IN_FLIGHT_SECONDS, ["All"])
        received = []
        for message in messages:
            shaped: dict[str, Any] = {
                "MessageId": message.id,
                "ReceiptHandle": message.receipt_handle,
                "MD5OfBody": message.body_md5,
                "Body": message.body,
                "Attributes": {
                    "SenderId": message.sender_id,
                    "SentTimestamp": str(message.sent_timestamp),
                    "ApproximateReceiveCount": str(message.approximate_receive_count),
                    "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
                },
            }
            if message.message_attributes:
                shaped["MessageAttributes"] = {k: dict(v) for k, v in message.message_attributes.items()}
            received.append(shaped)
        return received

    def delete(self, receipt_handles: list[str]) -> None:
        with self._lock:
            queue = self._backend.get_queue(self._name)
            for handle in receipt_handles:
                queue.delete_message(handle)

    def release(self, receipt_handles: list[str]) -> None:
        """Failed messages: visible again after the queue's visibility timeout (their retry), not IN_FLIGHT_SECONDS."""
        with self._lock:
            queue = self._backend.get_queue(self._name)
            for handle in receipt_handles:
                try:
                    self._backend.change_message_visibility(self._name, handle, queue.visibility_timeout)
                except Exception:  # noqa: S112 - gone already (redriven to the DLQ): nothing to release
                    continue

    def depth(self) -> int:
        """Messages waiting or in flight (what ApproximateNumberOfMessages + ...NotVisible add up to)."""
        with self._lock:
            queue = self._backend.get_queue(self._name)
            return len(queue._messages)


def _record(record: dict[str, Any]) -> dict[str, Any]:
    """The record as boto3 gives it (moto's naive UTC creation time made aware); moto's own dicts are not touched."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime) and created.tzinfo is None:
        change["ApproximateCreationDateTime"] = created.replace(tzinfo=UTC)
    return {**record, "dynamodb": change}


class MotoStream:
    """The table's stream, read in order from where the last read stopped (one shard, as moto keeps it)."""

    def __init__(self, table_name: str, lock: threading.RLock, region: str = REGION) -> None:
        from moto.dynamodb.models import dynamodb_backends

        self._backend: Any = dynamodb_backends[ACCOUNT_ID][region]
        self._table = table_name
        self._lock = lock
        self._shard: Any = None
        self._position = 0

    def read(self, limit: int, pk_prefix: str = "") -> tuple[str, int, list[dict[str, Any]]]:
        """(shard id, how many records were read: up to `limit` after the last ones read, those of them whose
        partition key starts with `pk_prefix`), as the filter of an event source mapping picks them."""
        with self._lock:
            shard = self._backend.get_table(self._table).stream_shard
            if shard is not self._shard:  # a new table (a restart): its stream starts empty
                self._shard, self._position = shard, 0
            read = shard.items[self._position : self._position + limit]
            self._position += len(read)
            kept = [
                r for r in read if str(r.record["dynamodb"]["Keys"].get("pk", {}).get("S", "")).startswith(pk_prefix)
            ]
            return str(shard.id), len(read), [_record(r.to_json()) for r in kept]

    def at_end(self) -> bool:
        with self._lock:
            shard = self._backend.get_table(self._table).stream_shard
            return shard is self._shard and self._position >= len(shard.items)
