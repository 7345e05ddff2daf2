"""The full-text stage's per-host politeness holds across workers: every worker takes its turn from the fetch
workers' conditional host record (DynamoDB, moto here), so K page fetches in flight and the gap between starts
hold for a site however many workers fetch its pages. Real article pages on 127.0.0.1."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from newsflow import aws
from newsflow import constants as c
from newsflow.feeds.fetch import FeedFetcher
from newsflow.feeds.politeness import Grant, Politeness
from newsflow.feeds.scheduler import host_of
from newsflow.fulltext import Enricher, HostBusy, RobotsCache, SharedHostGate
from newsflow.fulltext.enrich import PAGE_ACCEPT
from newsflow.local.resources import LocalResources
from newsflow.models import FeedItem
from newsflow.store.hosts import DynamoHostLimiter

from tests.unit.feeds.http_fixture import FeedServer, send
from tests.unit.fulltext.pages import article_page
from tests.unit.fulltext.test_enrich import TEASER


class Atomic:
    """The DynamoDB client with one call at a time: moto in process is not thread-safe, while DynamoDB applies
    each conditional write atomically (what the host record relies on)."""

    lock = threading.Lock()

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(**params: Any) -> Any:
            with Atomic.lock:
                return method(**params)

        return call


class Recorded(DynamoHostLimiter):
    """The limiter, noting the clock reading of every turn it grants."""

    def __init__(self, granted: list[float], *args: Any) -> None:
        super().__init__(*args)
        self.granted = granted

    def acquire(self, host: str, now: float, gap_seconds: float | None = None) -> Grant:
        grant = super().acquire(host, now, gap_seconds)
        if grant.granted:
            self.granted.append(now)
        return grant


def worker(rules: Politeness, *, gap: float, max_wait: float = 10.0, granted: list[float] | None = None) -> Enricher:
    """One full-text worker (its own clients, caches and gate), as one Lambda execution environment has."""
    pages = FeedFetcher(timeout_seconds=5.0, max_bytes=1 << 20, allow_private=True, accept=PAGE_ACCEPT)
    robots = FeedFetcher(timeout_seconds=2.0, max_bytes=64 * 1024, allow_private=True, oversize="truncate")
    limiter = Recorded([] if granted is None else granted, Atomic(aws.dynamodb()), c.LOCAL_TABLE_NAME, rules)
    return Enricher(pages, RobotsCache(robots), SharedHostGate(limiter, gap, max_wait))


def timed_page(starts: list[tuple[float, float]], delay: float) -> Callable[[BaseHTTPRequestHandler], None]:
    body = article_page().encode()

    def answer(h: BaseHTTPRequestHandler) -> None:
        started = time.time()
        time.sleep(delay)
        starts.append((started, time.time()))
        send(h, 200, body, {"Content-Type": "text/html; charset=utf-8"})

    return answer


def teasers(site: FeedServer, count: int) -> list[FeedItem]:
    return [
        FeedItem.model_validate({"url": site.url(f"/news/{n}"), "title": f"Story {n}", "summary": TEASER})
        for n in range(count)
    ]


def run_workers(workers: list[Enricher], items: list[FeedItem]) -> list[FeedItem]:
    done: list[FeedItem] = []
    lock = threading.Lock()

    def work(enricher: Enricher, mine: list[FeedItem]) -> None:
        for item in mine:
            enriched = enricher.enrich(item)
            with lock:
                done.append(enriched)

    threads = [
        threading.Thread(target=work, args=(w, items[i :: len(workers)])) for i, w in enumerate(workers)
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return done


def test_the_gap_between_page_fetches_of_a_host_holds_across_workers(
    site: FeedServer, stack_env: LocalResources
) -> None:
    # Given three workers (each with its own gate, as three Lambdas) and one site with six teasers
    starts: list[tuple[float, float]] = []
    for n in range(6):
        site.routes[f"/news/{n}"] = timed_page(starts, 0.0)
    rules = Politeness(max_in_flight=2, min_gap_seconds=0.4)
    granted: list[float] = []
    workers = [worker(rules, gap=0.4, granted=granted) for _ in range(3)]
    # When they enrich the teasers at the same time
    done = run_workers(workers, teasers(site, 6))
    # Then every page was fetched and extracted
    assert [i.body_source for i in done] == ["page"] * 6
    # And no two turns on the host were granted closer than the gap, whichever worker took them
    assert len(granted) == 6
    turns = sorted(granted)
    assert min(b - a for a, b in itertools.pairwise(turns)) >= 0.39, turns
    # And the site saw them spread accordingly (six starts span at least five gaps, less request jitter)
    begun = sorted(s for s, _ in starts)
    assert len(begun) == 6
    assert begun[-1] - begun[0] >= 5 * 0.4 - 0.3, begun


def test_at_most_k_page_fetches_of_a_host_are_in_flight_across_workers(
    site: FeedServer, stack_env: LocalResources
) -> None:
    # Given slow pages (0.5 s each), one slot per host and no gap: only the in-flight limit spaces them
    spans: list[tuple[float, float]] = []
    for n in range(4):
        site.routes[f"/news/{n}"] = timed_page(spans, 0.5)
    rules = Politeness(max_in_flight=1, min_gap_seconds=0.0)
    done = run_workers([worker(rules, gap=0.0) for _ in range(4)], teasers(site, 4))
    assert [i.body_source for i in done] == ["page"] * 4
    # Then the server never served two of them at once (each slot is released when its page is fetched)
    ordered = sorted(spans)
    assert all(later[0] >= earlier[1] - 0.05 for earlier, later in itertools.pairwise(ordered)), ordered


def test_a_host_whose_turn_is_too_far_away_returns_the_message_or_keeps_the_teaser_on_the_last_try(
    site: FeedServer, stack_env: LocalResources
) -> None:
    starts: list[tuple[float, float]] = []
    site.routes["/news/0"] = timed_page(starts, 0.0)
    site.routes["/news/1"] = timed_page(starts, 0.0)
    rules = Politeness(max_in_flight=2, min_gap_seconds=1.0)
    first, second = worker(rules, gap=30.0, max_wait=1.0), worker(rules, gap=30.0, max_wait=1.0)
    items = teasers(site, 2)
    assert first.enrich(items[0]).body_source == "page"
    # Another worker, for the same host, 30 s gap (a robots Crawl-delay-like rule): the turn is too far away
    with pytest.raises(HostBusy):
        second.enrich(items[1])
    last = second.enrich(items[1], final_attempt=True)
    assert last.body_source == "feed"
    assert last.body_source_reason is not None
    assert "rate-limited" in last.body_source_reason
    assert len(starts) == 1


def test_a_failed_page_fetch_releases_its_slot(site: FeedServer, stack_env: LocalResources) -> None:
    site.routes["/news/1"] = timed_page([], 0.0)
    rules = Politeness(max_in_flight=1, min_gap_seconds=0.0)
    enricher = worker(rules, gap=0.0, max_wait=0.5)
    missing = FeedItem.model_validate({"url": site.url("/news/404"), "title": "Gone", "summary": TEASER})
    assert str(enricher.enrich(missing).body_source_reason).startswith("page fetch failed: HTTP 404")
    # The one slot is free again at once (not held until its 70 s lease ends)
    assert enricher.enrich(teasers(site, 2)[1]).body_source == "page"


def test_the_page_fetches_share_the_feed_fetchers_host_record(site: FeedServer, stack_env: LocalResources) -> None:
    rules = Politeness(max_in_flight=2, min_gap_seconds=0.2)
    site.routes["/news/0"] = timed_page([], 0.0)
    worker(rules, gap=0.2).enrich(teasers(site, 1)[0])
    key = {"pk": {"S": "FEEDS"}, "sk": {"S": f"HOST#{host_of(site.url('/feed.xml'))}"}}
    record = aws.dynamodb().get_item(TableName=c.LOCAL_TABLE_NAME, Key=key, ConsistentRead=True)["Item"]
    assert float(record["next_at"]["N"]) > time.time() - 5
    # A busy host is looked at again after the gap, not at the end of the slot's lease
    limiter = DynamoHostLimiter(aws.dynamodb(), c.LOCAL_TABLE_NAME, Politeness(max_in_flight=1, min_gap_seconds=0))
    now = time.time()
    assert limiter.acquire("busy.example", now).granted
    refused = limiter.acquire("busy.example", now + 0.01)
    assert not refused.granted
    assert refused.wait_seconds <= 0.5
