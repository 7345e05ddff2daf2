"""The fetch worker's logic for one fetch request (no AWS: the store, limiter and queue are ports).

1. politeness: a `polite` request takes a slot of its host (waiting up to `max_wait_seconds`), else it is
   re-queued with a delay and acknowledged;
2. claim: the feed is taken only if it is still due as the message says (a redelivered, duplicate or stale
   message is acknowledged and does nothing: nothing is fetched or sent twice);
3. poll (feeds/poller.py), then save the fingerprints and the state, conditional on the claimed version.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

from pydantic import BaseModel

from newsflow.feeds.fingerprints import SeenSet
from newsflow.feeds.politeness import Grant, HostLimiter, Politeness
from newsflow.feeds.poller import FeedOutcome, FeedPolicy, Fetcher, ItemSink, PollResult, poll_feed, record_failure
from newsflow.feeds.scheduler import FetchRequest
from newsflow.feeds.settings_model import SecretHeader
from newsflow.models import FeedConfig

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)  # a claimed feed is out of the due window this long (>> the fetch timeout)
MAX_DELAY_SECONDS = 900  # SQS DelaySeconds limit


class FeedStore(Protocol):
    def claim(self, feed_id: str, due: str, lease_until: datetime) -> FeedConfig | None: ...

    def save_state(self, feed: FeedConfig, expected_version: int) -> bool: ...

    def load_seen(self, feed_id: str) -> SeenSet: ...

    def save_seen(self, feed_id: str, seen: SeenSet) -> None: ...


SecretReader = Callable[[str], str]
Requeue = Callable[[FetchRequest, int], None]
WorkerStatus = Literal["polled", "stale", "requeued", "lost-race"]


class WorkerResult(BaseModel):
    status: WorkerStatus
    outcome: FeedOutcome | None = None
    newly_disabled: bool = False


@dataclass(frozen=True)
class WorkerDeps:
    store: FeedStore
    fetcher: Fetcher
    sink: ItemSink
    limiter: HostLimiter
    requeue: Requeue
    read_secret: SecretReader
    policy: FeedPolicy = field(default_factory=FeedPolicy)
    politeness: Politeness = field(default_factory=Politeness)
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep


def handle_request(request: FetchRequest, deps: WorkerDeps, now: datetime) -> WorkerResult:
    grant: Grant | None = None
    if request.polite and request.host:
        grant = _take_slot(request, deps)
        if grant is None:
            return WorkerResult(status="requeued")
    try:
        feed = deps.store.claim(request.feed_id, request.due, now + LEASE)
        if feed is None:
            logger.info("fetch request for %s is stale or a duplicate: skipped", request.feed_id)
            return WorkerResult(status="stale")
        result = _poll(feed, deps, now)
        if result.seen is not None:
            deps.store.save_seen(feed.feed_id, result.seen)
        if not deps.store.save_state(result.state, feed.version):
            logger.warning("feed %s changed during its fetch (operator edit): state kept", feed.feed_id)
            return WorkerResult(status="lost-race", outcome=result.outcome)
        return WorkerResult(
            status="polled", outcome=result.outcome, newly_disabled=feed.enabled and not result.state.enabled
        )
    finally:
        if grant is not None:
            deps.limiter.release(request.host, grant, deps.clock())


def _take_slot(request: FetchRequest, deps: WorkerDeps) -> Grant | None:
    waited = 0.0
    while True:
        grant = deps.limiter.acquire(request.host, deps.clock())
        if grant.granted:
            return grant
        if waited + grant.wait_seconds > deps.politeness.max_wait_seconds:
            delay = min(MAX_DELAY_SECONDS, max(1, math.ceil(grant.wait_seconds)))
            deps.requeue(request, delay)
            logger.info("host %s busy: %s re-queued with %ss delay", request.host, request.feed_id, delay)
            return None
        deps.sleep(grant.wait_seconds)
        waited += grant.wait_seconds


def _poll(feed: FeedConfig, deps: WorkerDeps, now: datetime) -> PollResult:
    try:
        headers = _secret_headers(feed.settings.secret_headers, deps.read_secret)
    except Exception as exc:  # a missing or unreadable parameter is this feed's failure, with the reason
        return record_failure(feed, now, f"secret header: {type(exc).__name__}: {exc}", deps.policy)
    return poll_feed(
        feed, deps.fetcher, deps.sink, now, load_seen=lambda: deps.store.load_seen(feed.feed_id),
        policy=deps.policy, extra_headers=headers,
    )  # fmt: skip


def _secret_headers(refs: list[SecretHeader], read: SecretReader) -> dict[str, str]:
    return {ref.name: read(ref.parameter) for ref in refs}
