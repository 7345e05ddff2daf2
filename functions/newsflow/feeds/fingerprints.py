"""The fingerprints of the items a feed has sent: (guid or url) -> content hash, bounded, insertion-ordered.

A feed that answers 200 with the same entries (no validators, or validators that change on every request)
sends only entries that are new or whose content changed. 12 bytes an entry (an 8-byte key hash and a
4-byte content hash), stored as one binary attribute.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from newsflow.models import FeedItem

KEY_BYTES = 8
HASH_BYTES = 4
ENTRY_BYTES = KEY_BYTES + HASH_BYTES


def item_key(item: FeedItem) -> bytes:
    identity = item.guid or item.url or item.title
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).digest()[:KEY_BYTES]


def item_hash(item: FeedItem) -> bytes:
    parts = (item.title, item.url, item.summary, item.content_html, item.content_text, item.updated, item.image_url)
    text = "\x1f".join(p or "" for p in parts)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:HASH_BYTES]


class SeenSet:
    def __init__(self, entries: OrderedDict[bytes, bytes] | None = None) -> None:
        self._entries: OrderedDict[bytes, bytes] = entries or OrderedDict()
        self.changed = False

    def __len__(self) -> int:
        return len(self._entries)

    def is_new_or_changed(self, item: FeedItem) -> bool:
        return self._entries.get(item_key(item)) != item_hash(item)

    def touch(self, item: FeedItem) -> None:
        """The item is still in the feed: keep it among the newest (never trimmed while it is listed)."""
        key = item_key(item)
        if key in self._entries:
            self._entries.move_to_end(key)

    def record(self, item: FeedItem) -> None:
        key, value = item_key(item), item_hash(item)
        if self._entries.get(key) != value:
            self.changed = True
        self._entries[key] = value
        self._entries.move_to_end(key)

    def trim(self, limit: int) -> None:
        while len(self._entries) > max(limit, 0):
            self._entries.popitem(last=False)
            self.changed = True

    def to_bytes(self) -> bytes:
        return b"".join(key + value for key, value in self._entries.items())

    @classmethod
    def from_bytes(cls, data: bytes | None) -> SeenSet:
        entries: OrderedDict[bytes, bytes] = OrderedDict()
        raw = data or b""
        for start in range(0, len(raw) - len(raw) % ENTRY_BYTES, ENTRY_BYTES):
            chunk = raw[start : start + ENTRY_BYTES]
            entries[chunk[:KEY_BYTES]] = chunk[KEY_BYTES:]
        return cls(entries)
