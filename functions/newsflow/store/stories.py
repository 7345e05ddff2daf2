"""DynamoDB CandidateIndex (LSH keys) and StoryBook (story clusters) in the single table.

| item          | pk                    | sk                       | attributes                                      |
|---------------|-----------------------|--------------------------|-------------------------------------------------|
| LSH entry     | LSH#<band key>        | <sort_at>#<article id>   | article_id, story_id, source, sketch, expires_at |
| story         | STORY#<story id>      | STORY                    | members (SS), sources (SS), first_at, latest_at  |

Looking an article up costs one Query per band key (Limit = newest N), whatever the table size, sent
concurrently (one round trip of latency, not one per key); LSH
entries expire through the table's TTL (`expires_at`) once they are too old to be republished. A story of
one article has no item: the first article to join it writes the item with both members.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newsflow.store.codec import as_bytes
from newsflow.store.dynamo import deserialize, is_conditional_failure, serialize
from newsflow.store.keys import time_sort_key
from newsflow.stories.ports import Candidate, StoryMember
from newsflow.stories.sketch import Sketch

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

STORY_SK = "STORY"
BATCH_WRITE_LIMIT = 25
MAX_MEMBERS = 5000
MAX_BATCH_ATTEMPTS = 5
LOOKUP_THREADS = 8  # >= the band keys of one article (5 by default): all its Queries in flight at once


class UnprocessedWritesError(RuntimeError):
    """DynamoDB kept some batch writes unprocessed (throttling): transient, the message is retried."""


def lsh_pk(key: str) -> str:
    return f"LSH#{key}"


def story_pk(story_id: str) -> str:
    return f"STORY#{story_id}"


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


class DynamoStoryBook:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def join(self, story_id: str, members: list[StoryMember]) -> None:
        """One UpdateItem in the usual case (the newest member joins last).

        Sets make membership idempotent; first_at is only set once. A story stops listing members at
        MAX_MEMBERS (the item must stay far below 400 KB, and an update is billed on the item's size); its
        articles still carry its story_id. latest_at only moves forward: when an older member joins, the
        first attempt's condition fails and the members are added without it."""
        if not members:
            return
        key = serialize({"pk": story_pk(story_id), "sk": STORY_SK})
        values: dict[str, Any] = {
            ":m": {"SS": sorted({m.article_id for m in members})},
            ":s": {"SS": sorted({m.source for m in members})},
            ":first": {"S": min(m.at for m in members).astimezone(UTC).isoformat()},
            ":max": {"N": str(MAX_MEMBERS)},
        }
        latest = max(m.at for m in members).astimezone(UTC).isoformat()
        room = "(attribute_not_exists(members) OR size(members) < :max)"
        attempts = (
            (
                "ADD members :m, sources :s SET first_at = if_not_exists(first_at, :first), latest_at = :latest",
                f"{room} AND (attribute_not_exists(latest_at) OR latest_at < :latest)",
                {**values, ":latest": {"S": latest}},
            ),
            ("ADD members :m, sources :s SET first_at = if_not_exists(first_at, :first)", room, values),
        )
        for update, condition, attempt_values in attempts:
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeValues=attempt_values,
                )
                return
            except ClientError as error:
                if not is_conditional_failure(error):
                    raise
        # Both conditions failed: the story is full (its articles still carry its story_id).

    def get(self, story_id: str) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table, Key=serialize({"pk": story_pk(story_id), "sk": STORY_SK}), ConsistentRead=True
        )
        item = response.get("Item")
        return deserialize(item) if item else None
