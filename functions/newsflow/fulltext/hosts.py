"""Per-host politeness inside one worker: at least `min_gap_seconds` between two requests to a host
(or the host's robots.txt Crawl-delay, when longer, up to MAX_CRAWL_DELAY_SECONDS).

A request that would have to wait longer than `max_wait_seconds` raises `HostBusy`: the worker hands the
message back to the queue (it becomes visible again later) instead of holding its batch.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

MAX_CRAWL_DELAY_SECONDS = 30.0
MAX_HOSTS = 10_000


class HostBusy(RuntimeError):
    """The host was asked too recently; try this page again later."""

    def __init__(self, host: str, wait_seconds: float) -> None:
        super().__init__(f"host {host} is rate-limited for another {wait_seconds:.1f}s")
        self.host = host
        self.wait_seconds = wait_seconds


class HostGate:
    def __init__(
        self,
        min_gap_seconds: float = 1.0,
        max_wait_seconds: float = 5.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_gap_seconds = min_gap_seconds
        self.max_wait_seconds = max_wait_seconds
        self._clock = clock
        self._sleep = sleep
        self._next: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, host: str, crawl_delay: float | None = None) -> float:
        """Wait for the host's turn (and take it); return the seconds waited. Raises HostBusy."""
        gap = max(self.min_gap_seconds, min(crawl_delay or 0.0, MAX_CRAWL_DELAY_SECONDS))
        with self._lock:
            now = self._clock()
            turn = max(now, self._next.get(host, now))
            wait = turn - now
            if wait > self.max_wait_seconds:
                raise HostBusy(host, wait)
            self._next[host] = turn + gap
            self._next.move_to_end(host)
            while len(self._next) > MAX_HOSTS:
                self._next.popitem(last=False)
        if wait > 0:
            self._sleep(wait)
        return wait
