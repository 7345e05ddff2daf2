"""One item at a time per story key, within a container.

Ingest stores a batch's items side by side (handlers/ingest.py). An item's story is decided by a lookup of its
LSH keys followed, once it is stored, by filing it under them (`IndexedCandidateIndex.add`): two items of one
story stored at the same time would each look up before the other is filed and start two stories, where one
after the other the second joins the first. The gate serialises exactly those: an item waits while another holds
any of its keys, so items that share no key (almost every pair in a batch) still run together, and items that do
are decided one after the other, as they were before the batch was stored concurrently.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class KeyGate:
    def __init__(self) -> None:
        self._held: set[str] = set()
        self._changed = threading.Condition()
        self.waits = 0  # acquisitions that had to wait for another item (what the cost benchmark reports)

    @contextmanager
    def holding(self, keys: Iterable[str]) -> Iterator[None]:
        """Hold all of `keys` (all at once, so two items never hold part of each other's keys: no deadlock)."""
        wanted = frozenset(keys)
        with self._changed:
            if not self._held.isdisjoint(wanted):
                self.waits += 1
                self._changed.wait_for(lambda: self._held.isdisjoint(wanted))
            self._held |= wanted
        try:
            yield
        finally:
            with self._changed:
                self._held -= wanted
                self._changed.notify_all()
