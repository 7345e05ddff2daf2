"""The feeds partition in memory, for the feed-farm benchmark at 10,000 feeds: moto's DynamoDB costs 2-5 ms of
CPU per conditional write (its expression parser), serialised behind one lock, which made moto what a
10,000-feed run measured. These classes keep the semantics of store/feeds.py and store/hosts.py (the same
conditions, applied atomically under one lock as DynamoDB applies each write), keep their serialisation work
(items are stored as the DynamoDB items `_to_item` builds and read back through `_to_feed`), and count the
DynamoDB calls the real adapters make, so the cost model is unchanged. The benchmark runs a size on moto
too (NEWSFLOW_BENCH_FEEDFARM_MOTO_SIZES) to show both give the same outcomes.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from newsflow.feeds.fingerprints import SeenSet
from newsflow.feeds.politeness import Grant, Politeness
from newsflow.models import FeedConfig
from newsflow.store.dynamo import deserialize
from newsflow.store.feeds import DueFeed, _to_feed, _to_item, due_sort_key
from newsflow.store.hosts import MIN_BUSY_RETRY_SECONDS

Count = Callable[[str], None]
QUERY_PAGE_BYTES = 1024 * 1024
DUE_ENTRY_BYTES = 120  # keys + host + failures of one feed in the due index


class MemoryFeeds:
    """DynamoFeedRepository (registry, scheduler query, claim, conditional state, fingerprints) in memory."""

    def __init__(self, count: Count) -> None:
        self._count = count
        self._lock = threading.Lock()
        self._items: dict[str, dict[str, Any]] = {}
        self._leases: dict[str, float] = {}
        self._seen: dict[str, bytes] = {}

    def _put(self, feed: FeedConfig) -> None:
        """A PutItem: the whole item is replaced, so a lease (an attribute the item model lacks) is gone."""
        self._items[feed.feed_id] = _to_item(feed)
        self._leases.pop(feed.feed_id, None)

    def _get(self, feed_id: str) -> FeedConfig | None:
        item = self._items.get(feed_id)
        return _to_feed(deserialize(item)) if item else None

    def item_bytes(self) -> float:
        """Mean size of a feed item (for its write units), as _feed_item_bytes measures it on moto."""
        import json

        with self._lock:
            sample = list(self._items.values())[:50]
        return sum(len(json.dumps(i)) for i in sample) / max(1, len(sample))

    def list_feeds(self) -> list[FeedConfig]:
        self._count("Query")
        with self._lock:
            return [f for f in (self._get(k) for k in sorted(self._items)) if f is not None]

    def get_feed(self, feed_id: str) -> FeedConfig | None:
        self._count("GetItem")
        with self._lock:
            return self._get(feed_id)

    def save_feed(self, feed: FeedConfig) -> None:
        self._count("PutItem")
        with self._lock:
            self._put(feed.model_copy(update={"version": feed.version + 1}))

    def delete_feed(self, feed_id: str) -> bool:
        self._count("DeleteItem")
        self._count("DeleteItem")
        with self._lock:
            self._seen.pop(feed_id, None)
            return self._items.pop(feed_id, None) is not None

    def due_feeds(self, now: datetime) -> list[DueFeed]:
        limit = due_sort_key(now, "~")
        with self._lock:
            due = [
                DueFeed(feed_id=fid, due=item["gsi3sk"]["S"], host=item.get("host", {}).get("S"),
                        consecutive_failures=int(item.get("consecutive_failures", {}).get("N", "0")))
                for fid, item in self._items.items()
                if "gsi3sk" in item and item["gsi3sk"]["S"] <= limit
            ]  # fmt: skip
        for _ in range(max(1, math.ceil(len(due) * DUE_ENTRY_BYTES / QUERY_PAGE_BYTES))):
            self._count("Query")
        return sorted(due, key=lambda d: d.due)

    def claim(self, feed_id: str, due: str, lease_until: datetime) -> FeedConfig | None:
        self._count("UpdateItem")
        now = datetime.now(UTC).timestamp()
        with self._lock:
            item = self._items.get(feed_id)
            if item is None or item.get("gsi3sk", {}).get("S") != due or not item.get("enabled", {}).get("BOOL"):
                return None
            if self._leases.get(feed_id, 0.0) >= now:
                return None
            feed = self._get(feed_id)
            assert feed is not None
            claimed = feed.model_copy(update={"version": feed.version + 1})
            self._put(claimed)
            self._leases[feed_id] = lease_until.timestamp()
            return claimed

    def save_state(self, feed: FeedConfig, expected_version: int) -> bool:
        self._count("PutItem")
        with self._lock:
            current = self._items.get(feed.feed_id)
            if current is None or current.get("version", {}).get("N") != str(expected_version):
                return False
            self._put(feed.model_copy(update={"version": expected_version + 1}))
            return True

    def load_seen(self, feed_id: str) -> SeenSet:
        self._count("GetItem")
        with self._lock:
            return SeenSet.from_bytes(self._seen.get(feed_id))

    def save_seen(self, feed_id: str, seen: SeenSet) -> None:
        self._count("PutItem")
        data = seen.to_bytes() or b"\0"
        with self._lock:
            self._seen[feed_id] = data


class MemoryHostLimiter:
    """DynamoHostLimiter's algorithm (K leased slots, `next_at` gap, conditional take and release) in memory."""

    def __init__(self, rules: Politeness, count: Count) -> None:
        self._rules = rules
        self._count = count
        self._lock = threading.Lock()
        self._hosts: dict[str, dict[str, float]] = {}

    def acquire(self, host: str, now: float, gap_seconds: float | None = None) -> Grant:
        rules = self._rules
        gap = rules.min_gap_seconds if gap_seconds is None else max(rules.min_gap_seconds, gap_seconds)
        with self._lock:
            record = self._hosts.setdefault(host, {})
            read = False  # as the adapter: busy slots are skipped once a failed take made it read the record
            for slot in range(rules.max_in_flight):
                if read and record.get(f"s{slot}", 0.0) > now:
                    continue
                self._count("UpdateItem")
                if record.get(f"s{slot}", 0.0) <= now and record.get("next_at", 0.0) <= now:
                    until = round(now + rules.hold_seconds, 3)
                    record[f"s{slot}"] = until
                    record["next_at"] = now + gap
                    return Grant(slot=slot, until=until)
                self._count("GetItem")
                read = True
                if record.get("next_at", 0.0) > now:
                    return Grant(wait_seconds=record["next_at"] - now)
            busy = [record.get(f"s{i}", 0.0) for i in range(rules.max_in_flight)]
        retry = max(rules.min_gap_seconds, MIN_BUSY_RETRY_SECONDS)
        return Grant(wait_seconds=max(0.05, min(min(busy, default=now + 1) - now, retry)))

    def release(self, host: str, grant: Grant, now: float) -> None:
        if grant.slot is None:
            return
        self._count("UpdateItem")
        with self._lock:
            record = self._hosts.setdefault(host, {})
            if record.get(f"s{grant.slot}") == grant.until:
                record[f"s{grant.slot}"] = now
