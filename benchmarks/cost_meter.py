"""Bill DynamoDB and SQS calls the way AWS does, from botocore event hooks on the clients the handlers use.

DynamoDB (developer guide: item sizes, capacity units, GSI writes):
- item size = sum over attributes of len(name) + value size (S: UTF-8 bytes; B: bytes; N: ~1 byte per 2
  significant digits + 1; BOOL/NULL: 1; L/M: 3 + elements (+1 each); sets: sum of elements).
- a write costs ceil(size / 1 KB) write units, size = the larger of the item before and after (PutItem,
  UpdateItem), the deleted item (DeleteItem); a failed conditional write costs the existing item's size,
  minimum 1. BatchWriteItem is billed per item it carries.
- each GSI costs ceil(projected entry / 1 KB) for a put into the index, the same for a removal, both when an
  index key changes, and nothing when neither the keys nor the projected attributes of the entry change.
- a read costs ceil(size / 4 KB) read units (strongly consistent), half that when eventually consistent;
  GetItem and BatchGetItem per item (minimum one unit, found or not); Query by the total size of the items
  it evaluates (as stored in the index it reads), minimum one unit.
The hooks read the before and after images with a second, unhooked client; that time, and the billing itself,
is counted apart (`meter_seconds`) so that it is not taken for the handler's compute.
Times are CPU time of the calling thread (time.thread_time): the machine may be shared, and moto runs in-process,
in the thread that makes the call. In the bill, calls made concurrently are one round trip: a call that starts
while another is in flight adds no latency. Each thread also has its own `Lane` (its round trips and the CPU time
inside its calls), from which the benchmark models an invocation whose items are stored side by side
(bench_cost.invocation_ms).
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

KB = 1024
WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}
READ_OPS = {"GetItem", "BatchGetItem", "Query", "Scan"}


def value_size(value: dict[str, Any]) -> int:
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw.encode("utf-8"))
    if kind == "B":
        return len(raw if isinstance(raw, bytes | bytearray) else bytes(raw))
    if kind == "N":
        return number_size(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode("utf-8")) for v in raw)
    if kind == "NS":
        return sum(number_size(v) for v in raw)
    if kind == "BS":
        return sum(len(v) for v in raw)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in raw)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in raw.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def number_size(text: str) -> int:
    digits = str(abs(Decimal(text))).replace(".", "").strip("0") or "0"
    return (len(digits) + 1) // 2 + 1


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def item_kind(item: dict[str, Any] | None) -> str:
    """What an item is, from its partition key: `ART#…` -> ART, `MONTHS` -> MONTHS."""
    raw = (item or {}).get("pk", {})
    pk = next(iter(raw.values()), "") if isinstance(raw, dict) else ""
    return str(pk).split("#", 1)[0] or "?"


def _add(parts: dict[str, float], name: str, units: float) -> None:
    parts[name] = parts.get(name, 0.0) + units


def write_units(size: int) -> int:
    return max(1, math.ceil(size / KB))


@dataclass(frozen=True)
class IndexSpec:
    name: str
    keys: tuple[str, ...]  # index partition and sort key attribute names
    projection: str  # ALL | KEYS_ONLY | INCLUDE
    include: tuple[str, ...] = ()

    def entry(self, item: dict[str, Any] | None, table_keys: tuple[str, ...]) -> dict[str, Any] | None:
        if not item or not all(k in item for k in self.keys):
            return None  # sparse: the item is not in this index
        if self.projection == "ALL":
            return dict(item)
        names = {*table_keys, *self.keys, *(self.include if self.projection == "INCLUDE" else ())}
        return {k: v for k, v in item.items() if k in names}

    def write_units(
        self, before: dict[str, Any] | None, after: dict[str, Any] | None, table_keys: tuple[str, ...]
    ) -> int:
        old, new = self.entry(before, table_keys), self.entry(after, table_keys)
        if old is None and new is None:
            return 0
        if old is None:
            return write_units(item_size(new))
        if new is None:
            return write_units(item_size(old))
        if any(old[k] != new[k] for k in self.keys):
            return write_units(item_size(old)) + write_units(item_size(new))
        return 0 if old == new else write_units(item_size(new))


@dataclass
class Bill:
    requests: Counter[str] = field(default_factory=Counter)
    table_wru: float = 0.0
    index_wru: float = 0.0
    rru: float = 0.0
    stream_records: int = 0  # item-level writes that changed an item (DynamoDB emits no record otherwise)
    item_sizes: list[int] = field(default_factory=list)  # article items written
    sqs_requests: float = 0.0
    calls: int = 0
    round_trips: int = 0  # calls that started while no other was in flight (concurrent calls wait together)
    meter_seconds: float = 0.0  # CPU time of the meter's own work (image reads, billing): not the handler's
    # WRU and RRU by what was written or read: "table <item kind>" (the pk's prefix: ART, HASH, GUID, LSH, ...)
    # and "GSI <index name>" for index writes; reads also name the index a Query read.
    wru_by: dict[str, float] = field(default_factory=dict)
    rru_by: dict[str, float] = field(default_factory=dict)

    def reset(self) -> None:
        self.__dict__.update(Bill().__dict__)


@dataclass
class Lane:
    """One thread's calls: its round trips (a thread waits for each of its own), the CPU time inside them and
    the meter's own CPU time in that thread; `searches` are the story-candidate searches the benchmark counts."""

    round_trips: int = 0
    aws_seconds: float = 0.0
    meter_seconds: float = 0.0
    searches: int = 0
    search_seconds: float = 0.0
    since: float = 0.0

    def copy(self) -> Lane:
        return Lane(**self.__dict__)


class Lanes:
    """Every thread's Lane, by thread id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_thread: dict[int, Lane] = {}

    def current(self) -> Lane:
        ident = threading.get_ident()
        lane = self._by_thread.get(ident)
        if lane is None:
            with self._lock:
                lane = self._by_thread.setdefault(ident, Lane())
        return lane

    def snapshot(self) -> dict[int, Lane]:
        with self._lock:
            return {ident: lane.copy() for ident, lane in self._by_thread.items()}


class InFlight:
    """Calls in flight across threads: a round trip of the bill starts when the first begins and ends when the
    last returns; each thread's lane counts its own."""

    def __init__(self, bill: Bill) -> None:
        self._bill = bill
        self._lock = threading.Lock()
        self._count = 0
        self.lanes = Lanes()

    def start(self) -> None:
        lane = self.lanes.current()
        lane.round_trips += 1
        lane.since = time.thread_time()
        with self._lock:
            if self._count == 0:
                self._bill.round_trips += 1
            self._count += 1
            self._bill.calls += 1

    def add_meter_time(self, seconds: float) -> None:
        self.lanes.current().meter_seconds += seconds
        with self._lock:
            self._bill.meter_seconds += seconds

    def finish(self) -> None:
        lane = self.lanes.current()
        inside = time.thread_time() - lane.since
        lane.aws_seconds += inside
        with self._lock:
            self._count = max(0, self._count - 1)


class DynamoMeter:
    """Attach to the handlers' DynamoDB client: every call is billed into `bill`."""

    def __init__(self, client: Any, raw: Any, table_name: str) -> None:
        self.bill = Bill()
        self._raw = raw
        self._table = table_name
        described = raw.describe_table(TableName=table_name)["Table"]
        self._table_keys = tuple(k["AttributeName"] for k in described["KeySchema"])
        self._indexes = [
            IndexSpec(
                name=gsi["IndexName"],
                keys=tuple(k["AttributeName"] for k in gsi["KeySchema"]),
                projection=gsi["Projection"]["ProjectionType"],
                include=tuple(gsi["Projection"].get("NonKeyAttributes", ())),
            )
            for gsi in described.get("GlobalSecondaryIndexes", [])
        ]
        self._local = threading.local()  # each thread's call in flight (its params and before images)
        self.flight = InFlight(self.bill)
        client.meta.events.register("before-parameter-build.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    @property
    def projections(self) -> str:
        return ", ".join(f"{i.name} {i.projection}" for i in self._indexes) or "no GSI"

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        item = self._raw.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
        return dict(item) if item else None

    def _key_of(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: item[k] for k in self._table_keys}

    def _before(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        started = time.thread_time()
        befores: list[tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]] = []
        if model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            key = self._key_of(params["Item"]) if model.name == "PutItem" else params["Key"]
            befores.append((key, self._get(key), params.get("Item")))
        elif model.name == "BatchWriteItem":
            for request in params["RequestItems"].get(self._table, []):
                if "PutRequest" in request:
                    item = request["PutRequest"]["Item"]
                    befores.append((self._key_of(item), self._get(self._key_of(item)), item))
                else:
                    key = request["DeleteRequest"]["Key"]
                    befores.append((key, self._get(key), None))
        self.flight.add_meter_time(time.thread_time() - started)
        self._local.pending = {"params": params, "befores": befores}
        self.flight.start()

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        self.flight.finish()
        started = time.thread_time()
        try:
            self._bill(model, parsed)
        finally:
            self.flight.add_meter_time(time.thread_time() - started)

    def _bill(self, model: Any, parsed: dict[str, Any]) -> None:
        pending, self._local.pending = getattr(self._local, "pending", {}), {}
        bill = self.bill
        bill.requests[model.name] += 1
        params = pending.get("params", {})
        failed = "Error" in parsed and parsed["Error"].get("Code")
        if model.name in WRITE_OPS:
            self._bill_writes(model.name, pending.get("befores", []), failed, parsed)
        elif model.name in READ_OPS:
            self._bill_reads(model.name, params, parsed)

    def _bill_writes(self, op: str, befores: list[Any], failed: Any, parsed: dict[str, Any]) -> None:
        bill = self.bill
        unprocessed = parsed.get("UnprocessedItems", {}).get(self._table, []) if op == "BatchWriteItem" else []
        if unprocessed:
            raise RuntimeError("the meter does not model unprocessed batch writes")
        for key, before, put in befores:
            kind = f"table {item_kind(key)}"
            if failed:  # a failed conditional write: the existing item's size, at least one unit
                bill.table_wru += write_units(item_size(before))
                _add(bill.wru_by, kind, write_units(item_size(before)))
                continue
            after = put if op in ("PutItem", "BatchWriteItem") else None
            if op == "UpdateItem":
                after = self._get(key)
            units = write_units(max(item_size(before), item_size(after)))
            bill.table_wru += units
            _add(bill.wru_by, kind, units)
            for index in self._indexes:
                index_units = index.write_units(before, after, self._table_keys)
                bill.index_wru += index_units
                if index_units:
                    _add(bill.wru_by, f"GSI {index.name}", index_units)
            if before != after:
                bill.stream_records += 1
            if after and after.get("sk", {}).get("S") == "ARTICLE":
                bill.item_sizes.append(item_size(after))

    def _bill_reads(self, op: str, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        bill = self.bill
        if op == "GetItem":
            factor = 1.0 if params.get("ConsistentRead") else 0.5
            units = factor * max(1, math.ceil(item_size(parsed.get("Item")) / (4 * KB)))
            bill.rru += units
            _add(bill.rru_by, f"GetItem {item_kind(params.get('Key'))}", units)
        elif op == "BatchGetItem":
            for table, request in params["RequestItems"].items():
                factor = 1.0 if request.get("ConsistentRead") else 0.5
                for raw in parsed.get("Responses", {}).get(table, []):
                    units = factor * max(1, math.ceil(item_size(raw) / (4 * KB)))
                    bill.rru += units
                    _add(bill.rru_by, f"BatchGetItem {item_kind(raw)}", units)
                missing = len(request["Keys"]) - len(parsed.get("Responses", {}).get(table, []))
                bill.rru += factor * max(0, missing)
                _add(bill.rru_by, "BatchGetItem (not found)", factor * max(0, missing))
        else:  # Query / Scan: the items evaluated, as stored, whatever ProjectionExpression returned
            factor = 1.0 if params.get("ConsistentRead") else 0.5
            items = parsed.get("Items", [])
            if "ProjectionExpression" in params:
                again = {
                    k: v for k, v in params.items() if k not in ("ProjectionExpression", "ExpressionAttributeNames")
                }
                items = getattr(self._raw, "query" if op == "Query" else "scan")(**again).get("Items", [])
            units = factor * max(1, math.ceil(sum(item_size(i) for i in items) / (4 * KB)))
            bill.rru += units
            values = list(params.get("ExpressionAttributeValues", {}).values())
            target = params.get("IndexName") or item_kind({"pk": values[0]} if values else None)
            _add(bill.rru_by, f"{op} {target}", units)


class SqsMeter:
    """SQS bills a request per 64 KB chunk of payload; count what the handlers send themselves."""

    def __init__(self, client: Any, bill: Bill, flight: InFlight | None = None) -> None:
        self.bill = bill
        self._flight = flight or InFlight(bill)
        client.meta.events.register("before-parameter-build.sqs.*", self._before)
        client.meta.events.register("after-call.sqs.*", self._after)

    def _before(self, params: dict[str, Any], **_: Any) -> None:
        bodies = (
            [params["MessageBody"]]
            if "MessageBody" in params
            else [e["MessageBody"] for e in params.get("Entries", [])]
        )
        payload = sum(len(b.encode("utf-8")) for b in bodies if isinstance(b, str))
        self.bill.sqs_requests += max(1, math.ceil(payload / (64 * KB)))
        self._flight.start()

    def _after(self, **_: Any) -> None:
        self._flight.finish()
