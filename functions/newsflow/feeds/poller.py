"""Poll one feed: fetch (conditional GET), parse, send only new or changed items, and decide its new state.

No AWS here: the fetcher and the sink are small protocols wired by the fetch worker.

Guarantees:
- at-least-once: when an item fails to send, the feed's validators and body hash are NOT advanced and the
  item is not fingerprinted, so the next poll refetches the document and sends it again;
- only new or changed items are sent: the feed's fingerprints (guid/url -> content hash) filter the rest,
  and an unchanged body (same hash) is not even parsed;
- health: 410 disables the feed at once; `disable_after_failures` consecutive failures spanning at least
  `disable_after_hours` disable it with the reason; a 301/308 chain moves the stored URL;
- a failure (fetch, parse, send) never raises: it becomes the feed's state, with the reason.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from newsflow.errors import FeedError
from newsflow.feeds.discovery import candidates, looks_like_html
from newsflow.feeds.fetch import FetchError, FetchResult
from newsflow.feeds.fingerprints import SeenSet
from newsflow.feeds.parse import ParsedFeed, parse_feed
from newsflow.feeds.schedule import (
    Hints,
    SchedulePolicy,
    entry_interval_minutes,
    hints_of,
    next_failure_poll,
    next_success_poll,
    weekly_entries,
)
from newsflow.models import FeedConfig, FeedItem, SourceInfo

logger = logging.getLogger(__name__)

MAX_ERROR_CHARS = 500
RETRY_AFTER_STATUSES = frozenset({429, 503})


class SendFailure(BaseModel):
    """One item the sink could not send. `index` is its position in the sequence given to `send`."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(ge=0)
    reason: str


class ItemSink(Protocol):
    def send(self, items: Sequence[FeedItem]) -> list[SendFailure]:
        """Send all items (in batches of the sink's choosing); return the ones that failed."""
        ...


class Fetcher(Protocol):
    def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        extra_headers: dict[str, str] | None = None,
        user_agent: str | None = None,
        timeout_seconds: float | None = None,
    ) -> FetchResult: ...


class FeedPolicy(BaseModel):
    """Operator settings for every feed (environment of the fetch worker, see `feeds/policy.py`)."""

    model_config = ConfigDict(frozen=True)

    schedule: SchedulePolicy = Field(default_factory=SchedulePolicy)
    disable_after_failures: int = Field(default=10, ge=1)
    disable_after_hours: float = Field(default=24.0, ge=0)
    seen_min: int = Field(default=200, ge=1)
    seen_max: int = Field(default=5000, ge=1)


Parser = Callable[..., ParsedFeed]
PollStatus = Literal["ok", "not-modified", "unchanged", "partial", "error", "disabled"]


class FeedOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feed_id: str
    url: str
    status: PollStatus
    http_status: int | None = None
    items_found: int = 0
    items_sent: int = 0
    items_unchanged: int = 0
    items_failed: int = 0
    skipped: int = 0
    skip_reasons: dict[str, int] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list, description="What a limit changed (entry or size cap).")
    error: str | None = None
    consecutive_failures: int = 0
    next_poll_at: datetime | None = None
    moved_to: str | None = None
    disabled_reason: str | None = None


class PollResult(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    state: FeedConfig
    outcome: FeedOutcome
    seen: SeenSet | None = None  # set when the fingerprints changed and must be saved


def poll_feed(
    feed: FeedConfig,
    fetcher: Fetcher,
    sink: ItemSink,
    now: datetime,
    *,
    load_seen: Callable[[], SeenSet],
    policy: FeedPolicy | None = None,
    extra_headers: dict[str, str] | None = None,
    parser: Parser = parse_feed,
    rng: random.Random | None = None,
) -> PollResult:
    """Poll one feed and return its new state (to save), the outcome, and the fingerprints to save."""
    policy = policy or FeedPolicy()
    now = _as_utc(now)
    settings = feed.settings
    headers = {**settings.headers, **(extra_headers or {})}
    try:
        result = fetcher.fetch(
            feed.url, etag=feed.etag, last_modified=feed.last_modified, extra_headers=headers,
            user_agent=settings.user_agent, timeout_seconds=settings.timeout_seconds,
        )  # fmt: skip
    except FetchError as exc:
        if exc.status == 410:
            return _disabled(feed, now, f"HTTP 410 Gone from {feed.url}", http_status=410)
        retry_after = exc.retry_after_seconds if exc.status in RETRY_AFTER_STATUSES else None
        return _failed(feed, now, str(exc), policy, rng, http_status=exc.status, retry_after=retry_after)
    except FeedError as exc:
        return _failed(feed, now, str(exc), policy, rng)

    moved = result.permanent_url if result.permanent_url and result.permanent_url != feed.url else None
    hints = hints_of(result.body, result.cache_control, result.expires, now)
    if result.not_modified:
        return _succeeded(feed, now, result, policy, rng, hints=hints, status="not-modified", moved=moved)

    body_hash = hashlib.sha256(result.body).hexdigest()[:32]
    if body_hash == feed.body_hash:
        return _succeeded(feed, now, result, policy, rng, hints=hints, status="unchanged", moved=moved)

    source = SourceInfo(name=feed.name, feed_url=result.final_url, feed_id=feed.feed_id, timezone=feed.timezone)
    discovered_from: str | None = None
    try:
        cut = {"truncated": True} if result.truncated else {}
        parsed = parser(result.body, feed_url=result.final_url, content_type=result.content_type, source=source, **cut)
    except FeedError as exc:
        is_page = looks_like_html(result.body, result.content_type)
        found = _discover(feed, result, fetcher, parser, headers) if is_page and feed.body_hash is None else None
        if found is None:
            hint = " (an HTML page, and no feed was found on it or at the usual paths)" if is_page else ""
            return _failed(feed, now, f"parse: {exc}{hint}", policy, rng, http_status=result.status)
        result, parsed = found
        moved, discovered_from = result.final_url, feed.url
        body_hash = hashlib.sha256(result.body).hexdigest()[:32]

    seen = load_seen()
    skip_reasons = Counter(s.reason for s in parsed.skipped)
    to_send: list[FeedItem] = []
    unchanged = 0
    for item in parsed.items:
        refusal = settings.allows(item)
        if refusal is not None:
            skip_reasons[refusal] += 1
            continue
        if not seen.is_new_or_changed(item):
            seen.touch(item)
            unchanged += 1
            continue
        to_send.append(_with_hints(item, feed))
    try:
        failures = sink.send(to_send) if to_send else []
    except Exception as exc:  # the sink is down: nothing of this feed was reliably sent
        logger.exception("sending the items of feed %s failed", feed.feed_id)
        failures = [SendFailure(index=i, reason=f"{type(exc).__name__}: {exc}") for i in range(len(to_send))]
    failed = {f.index for f in failures if 0 <= f.index < len(to_send)}
    for position, item in enumerate(to_send):
        if position not in failed:
            seen.record(item)
    seen.trim(min(max(2 * len(parsed.items), policy.seen_min), policy.seen_max))
    sent = len(to_send) - len(failed)
    weekly = weekly_entries(parsed.items, now)
    counts = {
        "items_found": len(parsed.items),
        "items_sent": sent,
        "items_unchanged": unchanged,
        "items_failed": len(failed),
        "skipped": sum(skip_reasons.values()),
        "skip_reasons": dict(skip_reasons),
        "notes": parsed.notes[:10],
    }
    if failed:
        first = next(f.reason for f in failures if f.index in failed)
        error = f"{len(failed)} of {len(to_send)} items could not be sent: {first}"
        res = _failed(feed, now, error, policy, rng, http_status=result.status)
        state = res.state.model_copy(update={"items_sent": feed.items_sent + sent})
        outcome = res.outcome.model_copy(update={"status": "partial", **counts})
        return PollResult(state=state, outcome=outcome, seen=seen if seen.changed else None)
    res = _succeeded(
        feed, now, result, policy, rng, hints=hints, status="ok", moved=moved, weekly=weekly, body_hash=body_hash,
        sent=sent,
    )  # fmt: skip
    state = res.state.model_copy(update={"discovered_from": discovered_from}) if discovered_from else res.state
    if discovered_from:
        state = state.model_copy(update={"redirected_from": None})
    outcome = res.outcome.model_copy(update=counts)
    return PollResult(state=state, outcome=outcome, seen=seen if seen.changed else None)


def _discover(
    feed: FeedConfig, page: FetchResult, fetcher: Fetcher, parser: Parser, headers: dict[str, str]
) -> tuple[FetchResult, ParsedFeed] | None:
    """The first candidate of the page (declared feeds, then common paths) that parses as a feed."""
    for url in candidates(page.body, page.final_url):
        try:
            result = fetcher.fetch(
                url, extra_headers=headers, user_agent=feed.settings.user_agent,
                timeout_seconds=feed.settings.timeout_seconds,
            )  # fmt: skip
            if result.not_modified or not result.body:
                continue
            source = SourceInfo(name=feed.name, feed_url=result.final_url, feed_id=feed.feed_id, timezone=feed.timezone)
            parsed = parser(result.body, feed_url=result.final_url, content_type=result.content_type, source=source)
        except FeedError:
            continue
        logger.info("feed %s: discovered %s on %s", feed.feed_id, result.final_url, page.final_url)
        return result, parsed
    return None


def record_failure(feed: FeedConfig, now: datetime, error: str, policy: FeedPolicy | None = None) -> PollResult:
    """The state of a feed whose poll failed before any fetch (e.g. an unreadable secret header)."""
    return _failed(feed, _as_utc(now), error, policy or FeedPolicy(), None)


def _with_hints(item: FeedItem, feed: FeedConfig) -> FeedItem:
    update: dict[str, object] = {}
    if feed.settings.language and not item.language:
        update["language"] = feed.settings.language
    if feed.settings.category_hint:
        update["extra"] = {**item.extra, "category_hint": feed.settings.category_hint}
    # The full-text stage reads the mode from the item; "auto" (the default) leaves the stage's own default.
    if feed.settings.full_text != "auto" and not item.full_text:
        update["full_text"] = feed.settings.full_text
    return item.model_copy(update=update) if update else item


def _succeeded(
    feed: FeedConfig,
    now: datetime,
    result: FetchResult,
    policy: FeedPolicy,
    rng: random.Random | None,
    *,
    hints: Hints,
    status: PollStatus,
    moved: str | None,
    weekly: int | None = None,
    body_hash: str | None = None,
    sent: int = 0,
) -> PollResult:
    per_week = float(weekly) if weekly is not None else feed.entries_per_week
    next_poll_at = next_success_poll(
        now, weekly_count=per_week, fallback_minutes=feed.interval_minutes, hints=hints, policy=policy.schedule,
        rng=rng,
    )  # fmt: skip
    update: dict[str, object] = {
        # A server that stops sending validators must not leave stale ones behind.
        "etag": result.etag,
        "last_modified": result.last_modified,
        "last_polled_at": now,
        "last_status": result.status,
        "last_error": None,
        "consecutive_failures": 0,
        "failing_since": None,
        "next_poll_at": next_poll_at,
        "items_sent": feed.items_sent + sent,
        "entries_per_week": per_week,
    }
    if body_hash is not None:
        update["body_hash"] = body_hash
    if moved:
        update |= {"url": moved, "redirected_from": feed.url}
    state = feed.model_copy(update=update)
    outcome = FeedOutcome(
        feed_id=feed.feed_id, url=feed.url, status=status, http_status=result.status, next_poll_at=next_poll_at,
        moved_to=moved,
    )  # fmt: skip
    return PollResult(state=state, outcome=outcome)


def _failed(
    feed: FeedConfig,
    now: datetime,
    error: str,
    policy: FeedPolicy,
    rng: random.Random | None,
    *,
    http_status: int | None = None,
    retry_after: float | None = None,
) -> PollResult:
    # The validators (etag / last_modified / body hash) stay as they were: the next poll asks for the same
    # version again, so nothing that failed here is lost.
    failures = feed.consecutive_failures + 1
    since = _as_utc(feed.failing_since) if feed.failing_since else now
    error = error[:MAX_ERROR_CHARS]
    if failures >= policy.disable_after_failures and now - since >= timedelta(hours=policy.disable_after_hours):
        reason = f"{failures} consecutive failures since {since.isoformat(timespec='seconds')}; last: {error}"
        result = _disabled(feed, now, reason, http_status=http_status)
        state = result.state.model_copy(update={"consecutive_failures": failures, "failing_since": since})
        return PollResult(state=state, outcome=result.outcome.model_copy(update={"consecutive_failures": failures}))
    base = entry_interval_minutes(feed.entries_per_week, feed.interval_minutes, policy.schedule)
    next_poll_at = next_failure_poll(
        now, base_minutes=base, failures=failures, retry_after_seconds=retry_after, policy=policy.schedule, rng=rng
    )
    state = feed.model_copy(
        update={
            "last_polled_at": now,
            "last_status": http_status,
            "last_error": error,
            "consecutive_failures": failures,
            "failing_since": since,
            "next_poll_at": next_poll_at,
        }
    )
    outcome = FeedOutcome(
        feed_id=feed.feed_id, url=feed.url, status="error", http_status=http_status, error=error,
        consecutive_failures=failures, next_poll_at=next_poll_at,
    )  # fmt: skip
    return PollResult(state=state, outcome=outcome)


def _disabled(feed: FeedConfig, now: datetime, reason: str, *, http_status: int | None) -> PollResult:
    reason = reason[:MAX_ERROR_CHARS]
    state = feed.model_copy(
        update={
            "enabled": False,
            "disabled_reason": reason,
            "disabled_at": now,
            "last_polled_at": now,
            "last_status": http_status,
            "last_error": reason,
            "next_poll_at": None,
        }
    )
    outcome = FeedOutcome(
        feed_id=feed.feed_id, url=feed.url, status="disabled", http_status=http_status, error=reason,
        disabled_reason=reason,
    )  # fmt: skip
    return PollResult(state=state, outcome=outcome)


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
