"""SQS implementations of ItemQueue (the items queue) and DeadLetterQueue (the DLQ with reasons)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from newsflow.constants import DLQ_DETAIL_ATTRIBUTE, DLQ_REASON_ATTRIBUTE
from newsflow.store.ports import DeadLetter

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SQS_BATCH = 10
# SQS message attribute values are limited only by the message size; keep details readable.
MAX_DETAIL_CHARS = 1000


class SqsItemQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._url = queue_url

    def send_raw(self, bodies: Sequence[str], attributes: Mapping[str, str] | None = None) -> list[int]:
        failed: list[int] = []
        message_attributes = {k: {"DataType": "String", "StringValue": v} for k, v in (attributes or {}).items()}
        for start in range(0, len(bodies), SQS_BATCH):
            chunk = bodies[start : start + SQS_BATCH]
            entries: list[Any] = [{"Id": str(start + i), "MessageBody": body} for i, body in enumerate(chunk)]
            if message_attributes:
                for entry in entries:
                    entry["MessageAttributes"] = message_attributes
            response = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
            failed.extend(int(entry["Id"]) for entry in response.get("Failed", []))
        return failed


class SqsDeadLetterQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._url = queue_url

    def park(self, letter: DeadLetter) -> None:
        attributes: dict[str, Any] = {
            DLQ_REASON_ATTRIBUTE: {"DataType": "String", "StringValue": letter.reason},
        }
        if letter.detail:
            attributes[DLQ_DETAIL_ATTRIBUTE] = {
                "DataType": "String",
                "StringValue": letter.detail[:MAX_DETAIL_CHARS],
            }
        if letter.message_id:
            attributes["newsflow-source-message-id"] = {"DataType": "String", "StringValue": letter.message_id}
        # An empty body is not allowed by SQS; keep the evidence that it was empty.
        self._client.send_message(
            QueueUrl=self._url, MessageBody=letter.body or "<empty>", MessageAttributes=attributes
        )
