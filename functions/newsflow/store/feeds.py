"""DynamoDB implementation of the feeds registry, the fetch workers' state store and the due-feeds query.

Layout (all in the FEEDS partition, so one IAM condition scopes every feed call):
- `FEED#<id>`: the feed (settings + state). Enabled feeds carry `gsi3pk = "DUE"` and
  `gsi3sk = "<next poll ISO>#<id>"`: the sparse `gsi3-due` index the scheduler queries (disabled feeds
  drop out of it). `host` is projected so the scheduler can tell feeds that share a host.
- `SEEN#<id>`: the fingerprints of the items the feed sent (one binary attribute, read only on a 200).
- `HOST#<host>`: the per-host politeness record (store/hosts.py).

Every state write is conditional on the version it read (`claim` bumps it): a redelivered or late fetch
can never replace newer state with older. Write cost of one fetch: the claim (1 WRU, no index write) and
the state (1 WRU + 2 index writes, as the next-poll key moves); fingerprints only when items were sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from newsflow.constants import GSI_DUE
from newsflow.feeds.fingerprints import SeenSet
from newsflow.feeds.scheduler import due_sort_key, host_of
from newsflow.models import FeedConfig
from newsflow.store import keys
from newsflow.store.dynamo import deserialize, is_conditional_failure, serialize

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DUE_PK = "DUE"
_FEED_PREFIX = "FEED#"


class DueFeed(BaseModel):
    feed_id: str
    due: str  # the gsi3sk read: the claim is conditional on it
    host: str | None = None
    consecutive_failures: int = 0


class DynamoFeedRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # ------------------------------------------------------------------ registry (admin API, CLI)

    def list_feeds(self) -> list[FeedConfig]:
        feeds: list[FeedConfig] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :feed)",
            "ExpressionAttributeValues": {":pk": {"S": keys.FEEDS_PK}, ":feed": {"S": _FEED_PREFIX}},
        }
        while True:
            response = self._client.query(**kwargs)
            feeds.extend(_to_feed(deserialize(item)) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return feeds
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def get_feed(self, feed_id: str) -> FeedConfig | None:
        response = self._client.get_item(TableName=self._table, Key=_key(feed_id), ConsistentRead=True)
        item = response.get("Item")
        return _to_feed(deserialize(item)) if item else None

    def save_feed(self, feed: FeedConfig) -> None:
        """An operator's write (settings, enable, poll-now): it wins over any fetch in flight (version bump)."""
        self._client.put_item(
            TableName=self._table, Item=_to_item(feed.model_copy(update={"version": feed.version + 1}))
        )

    def delete_feed(self, feed_id: str) -> bool:
        response = self._client.delete_item(TableName=self._table, Key=_key(feed_id), ReturnValues="ALL_OLD")
        self._client.delete_item(TableName=self._table, Key=serialize({"pk": keys.FEEDS_PK, "sk": f"SEEN#{feed_id}"}))
        return "Attributes" in response

    # ------------------------------------------------------------------ scheduler

    def due_feeds(self, now: datetime) -> list[DueFeed]:
        """Every enabled feed whose next poll is at or before `now` (the sparse index: no network I/O)."""
        due: list[DueFeed] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": GSI_DUE,
            "KeyConditionExpression": "gsi3pk = :due AND gsi3sk <= :now",
            "ExpressionAttributeValues": {":due": {"S": DUE_PK}, ":now": {"S": due_sort_key(now, "~")}},
        }
        while True:
            response = self._client.query(**kwargs)
            for raw in response.get("Items", []):
                item = deserialize(raw)
                due.append(
                    DueFeed(
                        feed_id=str(item["sk"]).removeprefix(_FEED_PREFIX),
                        due=str(item["gsi3sk"]),
                        host=item.get("host"),
                        consecutive_failures=int(item.get("consecutive_failures", 0)),
                    )
                )
            if "LastEvaluatedKey" not in response:
                return due
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # ------------------------------------------------------------------ fetch worker

    def claim(self, feed_id: str, due: str, lease_until: datetime) -> FeedConfig | None:
        """Take the feed for one fetch: only if it is still due as `due` and no other fetch holds its lease
        (else the message is a duplicate or stale). The lease is an attribute the index does not carry, so
        a claim writes no index entry; a worker that dies mid-fetch only delays the feed until it ends."""
        now = datetime.now(UTC).timestamp()
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=_key(feed_id),
                UpdateExpression="SET lease_until = :lease ADD version :one",
                ConditionExpression="gsi3sk = :due AND enabled = :true "
                "AND (attribute_not_exists(lease_until) OR lease_until < :now)",
                ExpressionAttributeValues={
                    ":lease": {"N": f"{lease_until.timestamp():.0f}"},
                    ":due": {"S": due},
                    ":one": {"N": "1"},
                    ":true": {"BOOL": True},
                    ":now": {"N": f"{now:.0f}"},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if is_conditional_failure(error):
                return None
            raise
        return _to_feed(deserialize(response["Attributes"]))

    def save_state(self, feed: FeedConfig, expected_version: int) -> bool:
        """Write the feed's new state if nobody wrote it since `expected_version` was read. False otherwise."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=_to_item(feed.model_copy(update={"version": expected_version + 1})),
                ConditionExpression="version = :v",
                ExpressionAttributeValues={":v": {"N": str(expected_version)}},
            )
        except ClientError as error:
            if is_conditional_failure(error):
                return False
            raise
        return True

    def load_seen(self, feed_id: str) -> SeenSet:
        response = self._client.get_item(
            TableName=self._table, Key=serialize({"pk": keys.FEEDS_PK, "sk": f"SEEN#{feed_id}"}), ConsistentRead=True
        )
        item = response.get("Item") or {}
        return SeenSet.from_bytes(item.get("fp", {}).get("B"))

    def save_seen(self, feed_id: str, seen: SeenSet) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={"pk": {"S": keys.FEEDS_PK}, "sk": {"S": f"SEEN#{feed_id}"}, "fp": {"B": seen.to_bytes() or b"\0"}},
        )


def _key(feed_id: str) -> dict[str, Any]:
    return serialize({"pk": keys.FEEDS_PK, "sk": keys.feed_sk(feed_id)})


def _to_item(feed: FeedConfig) -> dict[str, Any]:
    body = {k: v for k, v in feed.model_dump(mode="json").items() if v is not None}
    item: dict[str, Any] = {"pk": keys.FEEDS_PK, "sk": keys.feed_sk(feed.feed_id), **body, "host": host_of(feed.url)}
    if feed.enabled:
        item["gsi3pk"] = DUE_PK
        item["gsi3sk"] = due_sort_key(feed.next_poll_at, feed.feed_id)
    return serialize(_decimals(item))


def _decimals(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_plain(v) for v in value]
    return value


def _to_feed(item: dict[str, Any]) -> FeedConfig:
    data = _plain(item)
    for name in ("pk", "sk", "gsi3pk", "gsi3sk", "host", "lease_until"):
        data.pop(name, None)
    return FeedConfig.model_validate(data)
