"""robots.txt, fetched once per origin and cached (RFC 9309 semantics).

- 2xx: the rules for our user-agent token (else `*`) decide; `Crawl-delay` is honoured by the host gate;
- 4xx (no robots.txt): everything is allowed;
- 5xx, a timeout or a refused address: nothing is allowed until the entry expires (a site that cannot
  say what it allows is not crawled).
Entries live `ttl_seconds` (1 h by default); at most `max_hosts` are kept (least recently used go first).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from newsflow.feeds.fetch import FetchError, FetchResult

ROBOTS_TTL_SECONDS = 3600.0
MAX_ROBOTS_BYTES = 512 * 1024  # Google reads the first 500 KiB
MAX_HOSTS = 5_000


class RobotsFetcher(Protocol):
    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult: ...


@dataclass(frozen=True)
class RobotsVerdict:
    allowed: bool
    reason: str | None = None
    crawl_delay: float | None = None


@dataclass
class _Entry:
    parser: RobotFileParser | None  # None: allow all (4xx)
    deny_reason: str | None  # set: deny all (5xx / unreachable)
    expires: float


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class RobotsCache:
    def __init__(
        self,
        fetcher: RobotsFetcher,
        product: str = "newsflow",
        *,
        ttl_seconds: float = ROBOTS_TTL_SECONDS,
        max_hosts: int = MAX_HOSTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetcher = fetcher
        self._token = product
        self._ttl = ttl_seconds
        self._max_hosts = max_hosts
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.fetches = 0

    def check(self, url: str) -> RobotsVerdict:
        entry = self._entry(origin_of(url))
        if entry.deny_reason:
            return RobotsVerdict(False, entry.deny_reason)
        if entry.parser is None:
            return RobotsVerdict(True)
        if not entry.parser.can_fetch(self._token, url):
            return RobotsVerdict(False, f"robots.txt disallows {urlsplit(url).path or '/'} for {self._token}")
        delay = entry.parser.crawl_delay(self._token)
        return RobotsVerdict(True, crawl_delay=float(delay) if delay is not None else None)

    def _entry(self, origin: str) -> _Entry:
        now = self._clock()
        with self._lock:
            cached = self._entries.get(origin)
            if cached is not None and cached.expires > now:
                self._entries.move_to_end(origin)
                return cached
        entry = self._load(origin, now)
        with self._lock:
            self._entries[origin] = entry
            self._entries.move_to_end(origin)
            while len(self._entries) > self._max_hosts:
                self._entries.popitem(last=False)
        return entry

    def _load(self, origin: str, now: float) -> _Entry:
        self.fetches += 1
        expires = now + self._ttl
        try:
            result = self._fetcher.fetch(f"{origin}/robots.txt")
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return _Entry(None, None, expires)
            return _Entry(None, f"robots.txt unavailable ({exc}): not crawled", expires)
        parser = RobotFileParser()
        parser.parse(result.body.decode("utf-8", "replace").splitlines())
        return _Entry(parser, None, expires)
