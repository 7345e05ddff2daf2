"""DynamoDB HostLimiter: one record per host (`FEEDS` / `HOST#<host>`) with a lease per slot.

The fetch workers (feeds) and the full-text workers (article pages) share it: a site's politeness holds across
every concurrent Lambda of both stages.

Attributes: `s0` .. `s<K-1>` (epoch seconds each slot is busy until) and `next_at` (the earliest next
start, for the minimum gap). Taking slot i is one conditional UpdateItem: the slot is free AND the gap
has passed. Releasing is one conditional UpdateItem on the lease it wrote (never frees someone else's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newsflow.feeds.politeness import Grant, Politeness
from newsflow.store import keys
from newsflow.store.dynamo import is_conditional_failure

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


MIN_BUSY_RETRY_SECONDS = 0.5


class DynamoHostLimiter:
    def __init__(self, client: DynamoDBClient, table_name: str, politeness: Politeness) -> None:
        self._client = client
        self._table = table_name
        self._rules = politeness

    def _key(self, host: str) -> dict[str, Any]:
        return {"pk": {"S": keys.FEEDS_PK}, "sk": {"S": f"HOST#{host}"}}

    def acquire(self, host: str, now: float, gap_seconds: float | None = None) -> Grant:
        rules = self._rules
        gap = rules.min_gap_seconds if gap_seconds is None else max(rules.min_gap_seconds, gap_seconds)
        until = now + rules.hold_seconds
        record: dict[str, Any] | None = None
        for slot in range(rules.max_in_flight):
            if record is not None:
                busy = float(record.get(f"s{slot}", {}).get("N", "0"))
                if busy > now:
                    continue
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=self._key(host),
                    UpdateExpression="SET #s = :until, next_at = :next",
                    ConditionExpression="(attribute_not_exists(#s) OR #s <= :now) "
                    "AND (attribute_not_exists(next_at) OR next_at <= :now)",
                    ExpressionAttributeNames={"#s": f"s{slot}"},
                    ExpressionAttributeValues={
                        ":until": {"N": f"{until:.3f}"},
                        ":next": {"N": f"{now + gap:.3f}"},
                        ":now": {"N": f"{now:.3f}"},
                    },
                )
                return Grant(slot=slot, until=round(until, 3))
            except ClientError as error:
                if not is_conditional_failure(error):
                    raise
            record = self._client.get_item(TableName=self._table, Key=self._key(host), ConsistentRead=True).get(
                "Item", {}
            )
            next_at = float(record.get("next_at", {}).get("N", "0"))
            if next_at > now:
                return Grant(wait_seconds=next_at - now)
        busy_until = (
            [float(record.get(f"s{i}", {}).get("N", "0")) for i in range(rules.max_in_flight)] if record else []
        )
        # A lease is an upper bound (a crashed worker's slot frees itself when it ends); a slot is normally
        # released as soon as its fetch is done, so look again after a gap, not at the end of the lease.
        retry = max(rules.min_gap_seconds, MIN_BUSY_RETRY_SECONDS)
        return Grant(wait_seconds=max(0.05, min(min(busy_until, default=now + 1) - now, retry)))

    def release(self, host: str, grant: Grant, now: float) -> None:
        if grant.slot is None:
            return
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(host),
                UpdateExpression="SET #s = :now",
                ConditionExpression="#s = :until",
                ExpressionAttributeNames={"#s": f"s{grant.slot}"},
                ExpressionAttributeValues={":now": {"N": f"{now:.3f}"}, ":until": {"N": f"{grant.until:.3f}"}},
            )
        except ClientError as error:
            if not is_conditional_failure(error):  # the lease ran out and another worker took the slot
                raise
