"""One item at a time per story, within a container.

Ingest stores a batch's items side by side (handlers/ingest.py). An item's story is decided by a lookup of its
LSH keys followed, once it is stored, by filing it under them (`IndexedCandidateIndex.add`): two items of one
story stored at the same time would each look up before the other is filed and start two stories, where one
after the other the second joins the first. The gate serialises exactly those: an item waits while another item
holds one of its keys *and* the two are related (`related`: their sketches screen as one story). Items of
different stories run together, even when they share a key: a band key can be shared by unrelated articles
(common boilerplate, a chance collision), and the lookup would not match them anyway.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

Item = TypeVar("Item")


class KeyGate(Generic[Item]):
    def __init__(self) -> None:
        self._held: dict[int, tuple[frozenset[str], Item | None]] = {}
        self._tickets = itertools.count()
        self._changed = threading.Condition()
        self.waits = 0  # acquisitions that had to wait for another item (what the cost benchmark reports)

    @contextmanager
    def holding(
        self,
        keys: Iterable[str],
        item: Item | None = None,
        related: Callable[[Item, Item], bool] | None = None,
    ) -> Iterator[None]:
        """Hold `keys` for `item` once no holder of any of them is related to it (without `related`, or
        without an item on either side, sharing a key is enough). All keys are taken at once: no deadlock."""
        wanted = frozenset(keys)

        def blocked() -> bool:
            for held, other in self._held.values():
                if held.isdisjoint(wanted):
                    continue
                if related is None or item is None or other is None or related(item, other):
                    return True
            return False

        with self._changed:
            if blocked():
                self.waits += 1
                self._changed.wait_for(lambda: not blocked())
            ticket = next(self._tickets)
            self._held[ticket] = (wanted, item)
        try:
            yield
        finally:
            with self._changed:
                del self._held[ticket]
                self._changed.notify_all()
