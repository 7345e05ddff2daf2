"""The small interfaces the ops jobs need; `adapters.py` implements them on boto3 and the search index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from newsflow.search.port import IndexFailure, SearchDocument


class StreamExpired(Exception):
    """The stream no longer holds these records (trimmed after 24 h, or the stream/shard is gone)."""


class IteratorExpired(Exception):
    """A shard iterator is older than 15 minutes: get a new one."""


class QueuedMessage(BaseModel):
    message_id: str
    receipt_handle: str
    body: str
    attributes: dict[str, str] = {}


class ShardReader(Protocol):
    def iterator(self, stream_arn: str, shard_id: str, kind: Literal["AT", "AFTER"], sequence_number: str) -> str:
        """A shard iterator at (or after) a sequence number. Raises StreamExpired when the data is gone."""
        ...

    def records(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        """One GetRecords page of at most `limit` records (boto3 shape) and the next iterator (None: the shard
        is closed). Raises IteratorExpired or StreamExpired."""
        ...


class FailureQueue(Protocol):
    def receive(self, max_messages: int, visibility_seconds: int) -> list[QueuedMessage]: ...

    def delete(self, message: QueuedMessage) -> None: ...

    def release(self, message: QueuedMessage) -> None:
        """Make a message visible again now (it stays in the queue)."""
        ...


class ArticleTable(Protocol):
    def get(self, key: dict[str, str]) -> dict[str, Any] | None:
        """The item (plain Python values) under this primary key, read consistently; None when absent."""
        ...

    def article_page(
        self, start_key: dict[str, str] | None, limit: int
    ) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
        """One scan page of article items after `start_key`, and the key to continue from (None: the end)."""
        ...


class VersionedIndex(Protocol):
    """A search index that can be rebuilt beside the live one and swapped in atomically."""

    def create(self, shards: int = 1, replicas: int | None = None) -> str:
        """A new, empty index (OpenSearch `<alias>-v<n+1>` with these shards and replicas, or a tantivy
        generation). Returns its name."""
        ...

    def exists(self, name: str) -> bool: ...

    def upsert(self, name: str, documents: Sequence[SearchDocument]) -> list[IndexFailure]: ...

    def flush(self, name: str) -> None:
        """Make what was written durable and visible (refresh / commit and release the writer)."""
        ...

    def swap(self, name: str) -> list[str]:
        """Make `name` the live index in one atomic step. Returns the names it replaced."""
        ...

    def drop(self, name: str) -> None: ...
