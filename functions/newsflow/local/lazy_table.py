"""A restored table's items, unpickled partition by partition: when first read, or by a background pass.

moto keeps a table's items as `{hash key: {range key: Item}}` (a defaultdict), every attribute value its own
object: rebuilding 50,000 articles with their dedupe keys and story candidates (~350,000 items, ~3 million
values) took 15-45 s, all of it before the stack could answer. A snapshot now holds each partition pickled on
its own (`encode`); a restart puts the partitions back as bytes (`LazyPartitions`), which takes well under a
second, and each one becomes moto's objects when something first reads it (a GetItem, a Query of its key, a
write). `materialize(limit)` does the rest in the background, a chunk at a time under the stack's moto lock;
whatever needs every item (a Scan, a GSI Query, the item count) materialises what is left first.

Only moto's own accesses are served: `[]`, `get`, `in`, `pop`, `del`, `len` and iteration (which materialises
everything), and copies (a backup). A partition is never materialised twice (a lock), and stays visible while
it is being materialised (it is in the dict before it leaves the bytes).
"""

from __future__ import annotations

import copy
import pickle
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

PartitionKey = tuple[str, Any]  # (DynamoDB type, value) of a hash key: what a DynamoType is made of
Blob = tuple[int, bytes]  # (items in the partition, the partition pickled)


def _key_of(hash_key: Any) -> PartitionKey | None:
    kind, value = getattr(hash_key, "type", None), getattr(hash_key, "value", None)
    return None if kind is None else (kind, value)


def encode(items: Mapping[Any, Any]) -> dict[PartitionKey, Blob]:
    """Each partition of a table's items pickled on its own (partitions never read since a restart are kept as
    they were read: no cost)."""
    blobs = dict(items._blobs) if isinstance(items, LazyPartitions) else {}
    held: dict[Any, Any] = items if isinstance(items, dict) else dict(items)
    for hash_key, partition in dict.items(held):  # only what is materialised: a LazyPartitions' own items()
        key = _key_of(hash_key)
        if key is not None and partition:  # an emptied partition (every item deleted) is no partition
            blobs[key] = (_count(partition), pickle.dumps(partition, protocol=pickle.HIGHEST_PROTOCOL))
    return blobs


def _count(partition: Any) -> int:
    return len(partition) if isinstance(partition, dict) else 1


class PartitionCache:
    """The last snapshot's pickled partitions per table and how far into the table's stream they reach: the next
    snapshot re-pickles only the partitions written since (every write leaves a stream record with its key), so a
    snapshot of a large table costs what changed, not the table. Without a stream it is a full `encode`."""

    def __init__(self) -> None:
        self._tables: dict[str, tuple[Any, int, dict[PartitionKey, Blob]]] = {}

    def encode(self, name: str, table: Any) -> dict[PartitionKey, Blob]:
        shard = table.stream_shard
        entry = self._tables.get(name)
        if entry is None and isinstance(table.items, LazyPartitions) and shard is not None:
            entry = (shard, table.items.stream_position, table.items.origin)
        if shard is None or entry is None or entry[0] is not shard or len(shard.items) < entry[1]:
            blobs = encode(table.items)
            self._tables[name] = (shard, len(shard.items) if shard is not None else 0, blobs)
            return blobs
        _, position, previous = entry
        records = shard.items[position:]  # a copy: writers from other threads may append meanwhile
        blobs = dict(previous)
        written = {json_key(r.record["dynamodb"]["Keys"][table.hash_key_attr]) for r in records}
        for key in written:
            partition = table.items.get(hash_key_of(key))
            if partition:
                blobs[key] = (_count(partition), pickle.dumps(partition, protocol=pickle.HIGHEST_PROTOCOL))
            else:
                blobs.pop(key, None)
        self._tables[name] = (shard, position + len(records), blobs)
        return blobs


def json_key(value: Mapping[str, Any]) -> PartitionKey:
    """A key attribute as the stream gives it ({"S": "ART#..."}) as a PartitionKey."""
    ((kind, raw),) = value.items()
    return (kind, raw)


def hash_key_of(key: PartitionKey) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType({key[0]: key[1]})


def item_count(blobs: Mapping[PartitionKey, Blob]) -> int:
    return sum(count for count, _ in blobs.values())


class LazyPartitions(defaultdict[Any, Any]):
    """moto's `Table.items` for a restored table: partitions kept as pickles until read."""

    def __init__(self, blobs: dict[PartitionKey, Blob], stream_position: int = 0) -> None:
        super().__init__(dict)
        self.origin = blobs  # as restored (never changed): what the next snapshot starts from
        self.stream_position = stream_position  # the table's stream length at the restore: later records are changes
        self._blobs = dict(blobs)
        self._lock = threading.RLock()

    # -- one partition ---------------------------------------------------------------------------------

    def _load(self, hash_key: Any) -> bool:
        key = _key_of(hash_key)
        if key is None:
            return False
        with self._lock:
            blob = self._blobs.get(key)
            if blob is None:
                return dict.__contains__(self, hash_key)
            dict.__setitem__(self, hash_key, pickle.loads(blob[1]))  # noqa: S301 - our own data dir's snapshot
            del self._blobs[key]
            return True

    def __missing__(self, hash_key: Any) -> Any:
        if self._load(hash_key):
            return dict.__getitem__(self, hash_key)
        return super().__missing__(hash_key)  # defaultdict: a new, empty partition

    def __contains__(self, hash_key: object) -> bool:
        if dict.__contains__(self, hash_key):
            return True
        key = _key_of(hash_key)
        return key is not None and key in self._blobs

    def get(self, hash_key: Any, default: Any = None) -> Any:
        return self[hash_key] if hash_key in self else default  # noqa: SIM401 - self.get is this method

    def pop(self, hash_key: Any, *default: Any) -> Any:
        self._load(hash_key)
        return dict.pop(self, hash_key, *default)

    def __delitem__(self, hash_key: Any) -> None:
        self._load(hash_key)
        dict.__delitem__(self, hash_key)

    def __len__(self) -> int:
        return dict.__len__(self) + len(self._blobs)

    # -- every partition ---------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Partitions still held as bytes."""
        return len(self._blobs)

    def item_total(self, has_range_key: bool) -> int:
        """What moto's `len(table)` counts, without materialising anything."""
        held = sum(len(p) for p in dict.values(self)) if has_range_key else dict.__len__(self)
        return held + sum(count for count, _ in list(self._blobs.values()))

    def materialize(self, limit: int | None = None) -> int:
        """Turn up to `limit` (all when None) of the remaining partitions into moto's objects; how many were."""
        from moto.dynamodb.models.dynamo_type import DynamoType

        done = 0
        with self._lock:
            for key in list(self._blobs)[:limit]:
                blob = self._blobs[key][1]
                dict.__setitem__(self, DynamoType({key[0]: key[1]}), pickle.loads(blob))  # noqa: S301 - ours
                del self._blobs[key]
                done += 1
        return done

    def __iter__(self) -> Iterator[Any]:
        self.materialize()
        return dict.__iter__(self)

    def keys(self) -> Any:
        self.materialize()
        return dict.keys(self)

    def values(self) -> Any:
        self.materialize()
        return dict.values(self)

    def items(self) -> Any:
        self.materialize()
        return dict.items(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> defaultdict[Any, Any]:
        self.materialize()
        return defaultdict(dict, {k: copy.deepcopy(v, memo) for k, v in dict.items(self)})

    def __reduce__(self) -> Any:  # a pickle of the whole table (not how snapshots are written): plain partitions
        self.materialize()
        return (defaultdict, (dict,), None, None, iter(dict.items(self)))
