"""The ops ports on AWS (boto3: DynamoDB, DynamoDB Streams, SQS) and on the two search backends."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from newsflow.ops.ports import IteratorExpired, QueuedMessage, StreamExpired, VersionedIndex
from newsflow.search.port import IndexFailure, SearchDocument
from newsflow.store import keys
from newsflow.store.dynamo import deserialize

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_sqs import SQSClient

    from newsflow.search.opensearch_index import OpenSearchIndex
    from newsflow.search.tantivy_index import TantivyIndex
    from newsflow.settings import Settings

_GONE = {"TrimmedDataAccessException", "ResourceNotFoundException", "ValidationException"}


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class DynamoShardReader:
    def __init__(self, client: DynamoDBStreamsClient) -> None:
        self._client = client

    def iterator(self, stream_arn: str, shard_id: str, kind: Literal["AT", "AFTER"], sequence_number: str) -> str:
        try:
            response = self._client.get_shard_iterator(
                StreamArn=stream_arn,
                ShardId=shard_id,
                ShardIteratorType="AT_SEQUENCE_NUMBER" if kind == "AT" else "AFTER_SEQUENCE_NUMBER",
                SequenceNumber=sequence_number,
            )
        except ClientError as error:
            if _code(error) in _GONE:
                raise StreamExpired(f"{_code(error)}: {error.response.get('Error', {}).get('Message', '')}") from error
            raise
        iterator = response.get("ShardIterator")
        if not iterator:
            raise StreamExpired(f"no shard iterator for {shard_id} at {sequence_number}")
        return iterator

    def records(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        try:
            response = self._client.get_records(ShardIterator=iterator, Limit=limit)
        except ClientError as error:
            if _code(error) == "ExpiredIteratorException":
                raise IteratorExpired(str(error)) from error
            if _code(error) in _GONE:
                raise StreamExpired(f"{_code(error)}: {error.response.get('Error', {}).get('Message', '')}") from error
            raise
        return [dict(r) for r in response.get("Records", [])], response.get("NextShardIterator")


class SqsFailureQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._url = queue_url

    def receive(self, max_messages: int, visibility_seconds: int) -> list[QueuedMessage]:
        response = self._client.receive_message(
            QueueUrl=self._url,
            MaxNumberOfMessages=max(1, min(10, max_messages)),
            VisibilityTimeout=visibility_seconds,
            WaitTimeSeconds=1,
            MessageSystemAttributeNames=["All"],
        )
        return [
            QueuedMessage(
                message_id=m["MessageId"],
                receipt_handle=m["ReceiptHandle"],
                body=m.get("Body", ""),
                attributes={k: str(v) for k, v in m.get("Attributes", {}).items()},
            )
            for m in response.get("Messages", [])
        ]

    def delete(self, message: QueuedMessage) -> None:
        self._client.delete_message(QueueUrl=self._url, ReceiptHandle=message.receipt_handle)

    def release(self, message: QueuedMessage) -> None:
        # Failing that, it becomes visible when its visibility timeout ends anyway.
        with contextlib.suppress(ClientError):
            self._client.change_message_visibility(
                QueueUrl=self._url, ReceiptHandle=message.receipt_handle, VisibilityTimeout=0
            )


class DynamoArticleTable:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def get(self, key: dict[str, str]) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table, Key={name: {"S": value} for name, value in key.items()}, ConsistentRead=True
        )
        item = response.get("Item")
        return deserialize(dict(item)) if item else None

    def article_page(
        self, start_key: dict[str, str] | None, limit: int
    ) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": "begins_with(pk, :prefix) AND sk = :sk",
            "ExpressionAttributeValues": {":prefix": {"S": "ART#"}, ":sk": {"S": keys.ARTICLE_SK}},
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = {name: {"S": value} for name, value in start_key.items()}
        response = self._client.scan(**kwargs)
        last = response.get("LastEvaluatedKey")
        next_key = {name: str(value.get("S", "")) for name, value in last.items()} if last else None
        return [deserialize(dict(item)) for item in response.get("Items", [])], next_key


class OpenSearchVersions:
    """`<alias>-v<n>` indices behind the alias readers and the index function use."""

    def __init__(self, live: OpenSearchIndex) -> None:
        self._live = live

    def _target(self, name: str) -> OpenSearchIndex:
        from newsflow.search.opensearch_index import OpenSearchIndex

        return OpenSearchIndex(self._live.url, name, client=self._live.client, auto_create=False)

    def create(self, shards: int = 1, replicas: int | None = None) -> str:
        return self._live.create_version(shards, replicas)

    def exists(self, name: str) -> bool:
        return bool(self._live.client.indices.exists(index=name))

    def upsert(self, name: str, documents: Sequence[SearchDocument]) -> list[IndexFailure]:
        return self._target(name).upsert(documents)

    def flush(self, name: str) -> None:
        self._target(name).refresh()

    def swap(self, name: str) -> list[str]:
        return self._live.swap_alias(name)

    def drop(self, name: str) -> None:
        self._live.client.indices.delete(index=name)


class TantivyVersions:
    """tantivy generation directories under the index root; `CURRENT` names the live one."""

    def __init__(self, root: str | Path) -> None:
        self._root = Path(root)
        self._writers: dict[str, TantivyIndex] = {}

    def _path(self, name: str) -> Path:
        if not name.startswith("gen-") or "/" in name or name in {".", ".."}:
            raise ValueError(f"not a generation name: {name!r}")
        return self._root / name

    def create(self, shards: int = 1, replicas: int | None = None) -> str:
        from newsflow.search.tantivy_index import new_generation  # one local index: shards do not apply

        return new_generation(self._root).name

    def exists(self, name: str) -> bool:
        return self._path(name).is_dir()

    def upsert(self, name: str, documents: Sequence[SearchDocument]) -> list[IndexFailure]:
        from newsflow.search.tantivy_index import TantivyIndex

        writer = self._writers.get(name)
        if writer is None:
            writer = self._writers[name] = TantivyIndex(self._path(name), follow_generations=False)
        return writer.upsert(documents)

    def flush(self, name: str) -> None:
        writer = self._writers.pop(name, None)
        if writer is not None:
            writer.close()

    def swap(self, name: str) -> list[str]:
        from newsflow.search.tantivy_index import activate_generation, live_generation

        previous = live_generation(self._root)
        activate_generation(self._root, self._path(name))
        return [previous.name] if previous != self._root and previous.name != name else []

    def drop(self, name: str) -> None:
        shutil.rmtree(self._path(name), ignore_errors=True)


def versioned_index(settings: Settings) -> VersionedIndex:
    """The rebuildable form of the configured search backend."""
    import os

    if settings.search_backend == "opensearch":
        from newsflow.search.opensearch_index import OpenSearchIndex

        if not settings.opensearch_url:
            raise ValueError("opensearch backend needs an OpenSearch URL")
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        return OpenSearchVersions(OpenSearchIndex(settings.opensearch_url, settings.opensearch_index, region=region))
    return TantivyVersions(settings.tantivy_path)
