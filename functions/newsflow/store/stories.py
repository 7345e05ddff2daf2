"""DynamoDB CandidateIndex (LSH keys) in the single table.

| item          | pk                    | sk                       | attributes                                      |
|---------------|-----------------------|--------------------------|-------------------------------------------------|
| LSH entry     | LSH#<band key>        | <sort_at>#<article id>   | article_id, story_id, story_at, source, sketch,  |
|               |                       |                          | expires_at                                      |

`story_at` is the publication time of the story's first article (the story window, `span_days`, is checked
from it and the candidate's own `sort_at`, without another read); entries filed before it existed lack it.

Looking an article up costs one Query per band key (Limit = newest N), whatever the table size, sent
concurrently (one round trip of latency, not one per key); LSH
entries expire through the table's TTL (`expires_at`) once they are too old to be republished.

A story is its articles' `story_id` (the search index answers "the articles of story S"); it has no item of
its own. An earlier version kept a STORY#<id> item with every member: written on every join, billed on its
size (1 WRU per ~30 members), and read by nothing.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from newsflow.store.codec import as_bytes
from newsflow.store.dynamo import deserialize, serialize
from newsflow.store.keys import time_sort_key
from newsflow.stories.ports import Candidate
from newsflow.stories.sketch import Sketch

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

BATCH_WRITE_LIMIT = 25
MAX_BATCH_ATTEMPTS = 5
LOOKUP_THREADS = 8  # >= the band keys of one article (5 by default): all its Queries in flight at once


class UnprocessedWritesError(RuntimeError):
    """DynamoDB kept some batch writes unprocessed (throttling): transient, the message is retried."""


def lsh_pk(key: str) -> str:
    return f"LSH#{key}"


class DynamoCandidateIndex:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name
        self._executor: ThreadPoolExecutor | None = None

    def lookup(self, keys: list[str], limit_per_key: int) -> list[Candidate]:
        """The newest entries under each key. DynamoDB has no batched Query: the Queries run concurrently
        (boto3 clients are thread-safe), so the item waits for one round trip instead of one per key."""
        if len(keys) <= 1:
            return [c for key in keys for c in self._query(key, limit_per_key)]
        pages = list(self._pool().map(lambda key: self._query(key, limit_per_key), keys))
        return [candidate for page in pages for candidate in page]

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:  # created on first use, kept for the warm container
            self._executor = ThreadPoolExecutor(max_workers=LOOKUP_THREADS, thread_name_prefix="lsh")
        return self._executor

    def _query(self, key: str, limit: int) -> list[Candidate]:
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": lsh_pk(key)}},
            ScanIndexForward=False,
            Limit=limit,
        )
        found = []
        for raw in response.get("Items", []):
            item = deserialize(raw)
            found.append(
                Candidate(
                    article_id=item["article_id"],
                    story_id=item["story_id"],
                    source=item.get("source", ""),
                    sort_at=datetime.fromisoformat(item["sort_at"]),
                    sketch=Sketch.unpack(as_bytes(item["sketch"])),
                    story_at=datetime.fromisoformat(item["story_at"]) if item.get("story_at") else None,
                    found_under=key,
                )
            )
        return found

    def add(self, keys: list[str], candidate: Candidate, ttl_days: int) -> None:
        expires = int((datetime.now(UTC) + timedelta(days=ttl_days)).timestamp())
        packed = candidate.sketch.pack()
        # Same key and article -> same item: a redelivery overwrites it with identical content.
        requests = [
            {
                "PutRequest": {
                    "Item": serialize(
                        {
                            "pk": lsh_pk(key),
                            "sk": time_sort_key(candidate.sort_at, candidate.article_id),
                            "article_id": candidate.article_id,
                            "story_id": candidate.story_id,
                            "source": candidate.source,
                            "sort_at": candidate.sort_at.isoformat(),
                            **({"story_at": candidate.story_at.isoformat()} if candidate.story_at else {}),
                            "sketch": packed,
                            "expires_at": expires,
                        }
                    )
                }
            }
            for key in keys
        ]
        for start in range(0, len(requests), BATCH_WRITE_LIMIT):
            self._write_batch(requests[start : start + BATCH_WRITE_LIMIT])

    def _write_batch(self, requests: list[dict[str, Any]]) -> None:
        pending: list[Any] = requests
        for attempt in range(MAX_BATCH_ATTEMPTS):
            response = self._client.batch_write_item(RequestItems={self._table: pending})
            pending = response.get("UnprocessedItems", {}).get(self._table, [])
            if not pending:
                return
            time.sleep(0.05 * 2**attempt)  # throttled: back off, then resend only what was left
        raise UnprocessedWritesError(f"{len(pending)} candidate-index writes left unprocessed")
