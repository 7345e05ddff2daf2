"""Per-host politeness of the page fetches: at least a minimum gap between two requests to a host (or the
host's robots.txt Crawl-delay, when longer, up to MAX_CRAWL_DELAY_SECONDS).

- `SharedHostGate` (what the full-text Lambda uses): the fetch workers' conditional host record
  (feeds/politeness.py `HostLimiter`, store/hosts.py in DynamoDB): at most K page fetches in flight per host and
  the gap between starts hold across every concurrent worker, and across the feed fetches of the same host.
- `HostGate`: the same rule inside one process only (no shared state; tests and the benchmark baseline).

A request that would have to wait longer than `max_wait_seconds` raises `HostBusy`: the worker hands the
message back to the queue (it becomes visible again later) instead of holding its batch. `acquire` returns a
ticket that `release` gives back once the page is fetched (frees the in-flight slot).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from newsflow.feeds.politeness import Grant, HostLimiter

MAX_CRAWL_DELAY_SECONDS = 30.0
MAX_HOSTS = 10_000


class HostBusy(RuntimeError):
    """The host was asked too recently; try this page again later."""

    def __init__(self, host: str, wait_seconds: float) -> None:
        super().__init__(f"host {host} is rate-limited for another {wait_seconds:.1f}s")
        self.host = host
        self.wait_seconds = wait_seconds


class Gate(Protocol):
    def acquire(self, host: str, crawl_delay: float | None = None) -> Any:
        """Wait for the host's turn and take it (a ticket for `release`). Raises HostBusy."""
        ...

    def release(self, host: str, ticket: Any) -> None: ...


def crawl_gap(min_gap_seconds: float, crawl_delay: float | None) -> float:
    return max(min_gap_seconds, min(crawl_delay or 0.0, MAX_CRAWL_DELAY_SECONDS))


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
        gap = crawl_gap(self.min_gap_seconds, crawl_delay)
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

    def release(self, host: str, ticket: Any) -> None:
        return None  # no slots: only the gap, taken at acquire


class SharedHostGate:
    """The host's turn from the shared host record (`HostLimiter`): K in flight, the gap between starts."""

    def __init__(
        self,
        limiter: HostLimiter,
        min_gap_seconds: float = 1.0,
        max_wait_seconds: float = 5.0,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._limiter = limiter
        self.min_gap_seconds = min_gap_seconds
        self.max_wait_seconds = max_wait_seconds
        self._clock = clock
        self._sleep = sleep

    def acquire(self, host: str, crawl_delay: float | None = None) -> Grant:
        gap = crawl_gap(self.min_gap_seconds, crawl_delay)
        waited = 0.0
        while True:
            grant = self._limiter.acquire(host, self._clock(), gap)
            if grant.granted:
                return grant
            if waited + grant.wait_seconds > self.max_wait_seconds:
                raise HostBusy(host, grant.wait_seconds)
            self._sleep(grant.wait_seconds)
            waited += grant.wait_seconds

    def release(self, host: str, ticket: Any) -> None:
        if isinstance(ticket, Grant):
            self._limiter.release(host, ticket, self._clock())
