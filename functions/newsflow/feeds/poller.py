"""Poll the feeds that are due: fetch (conditional GET), parse, send the items, save the feed's state.

No AWS here: the registry, the sink and the fetcher are small protocols that the poll handler
wires to DynamoDB, SQS and `FeedFetcher`.

Guarantees:
- one failing feed never stops the others (each feed is polled in its own error boundary);
- at-least-once: when any item of a feed fails to send, the feed's ETag / Last-Modified are NOT
  advanced, so the next poll refetches the document and re-sends them (ingest is idempotent);
- failures back off exponentially (interval x 2^failures, capped at 24 h, at least Retry-After).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, computed_field

from newsflow.errors import FeedError
from newsflow.feeds.fetch import FetchError, FetchResult
from newsflow.feeds.parse import ParsedFeed, parse_feed
from newsflow.models import FeedConfig, FeedItem, SourceInfo

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)
MAX_ERROR_CHARS = 500


class SendFailure(BaseModel):
    """One item the sink could not send. `index` is its position in the sequence given to `send`."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(ge=0)
    reason: str


class FeedRegistry(Protocol):
    def list_feeds(self) -> list[FeedConfig]: ...

    def save_feed(self, feed: FeedConfig) -> None: ...


class ItemSink(Protocol):
    def send(self, items: Sequence[FeedItem]) -> list[SendFailure]:
        """Send all items (in batches of the sink's choosing); return the ones that failed."""
        ...


class Fetcher(Protocol):
    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult: ...


Parser = Callable[..., ParsedFeed]
PollStatus = Literal["ok", "not-modified", "partial", "error"]


class FeedOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feed_id: str
    url: str
    status: PollStatus
    http_status: int | None = None
    not_modified: bool = False
    items_found: int = 0
    items_sent: int = 0
    items_failed: int = 0
    skipped: int = 0
    skip_reasons: dict[str, int] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list, description="What a limit changed (entry or size cap).")
    error: str | None = None
    consecutive_failures: int = 0
    next_poll_at: datetime


class PollReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    polled_at: datetime
    feeds_total: int = Field(description="Feeds in the registry.")
    feeds_due: int = Field(description="Enabled feeds whose next_poll_at has come.")
    feeds_deferred: int = Field(description="Due feeds left for the next run because of max_feeds.")
    outcomes: list[FeedOutcome] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def feeds_failed(self) -> int:
        return sum(1 for o in self.outcomes if o.status in {"error", "partial"})

    @computed_field  # type: ignore[prop-decorator]
    @property
    def items_sent(self) -> int:
        return sum(o.items_sent for o in self.outcomes)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def items_failed(self) -> int:
        return sum(o.items_failed for o in self.outcomes)


def poll_due_feeds(
    registry: FeedRegistry,
    fetcher: Fetcher,
    sink: ItemSink,
    now: datetime,
    max_feeds: int,
    *,
    parser: Parser = parse_feed,
) -> PollReport:
    """Poll at most `max_feeds` due feeds, most overdue first, and save each one's new state."""
    now = _as_utc(now)
    feeds = registry.list_feeds()
    due = due_feeds(feeds, now)
    selected = due[: max(0, max_feeds)]
    report = PollReport(
        polled_at=now, feeds_total=len(feeds), feeds_due=len(due), feeds_deferred=len(due) - len(selected)
    )
    for feed in selected:
        outcome = _poll_and_save(feed, registry, fetcher, sink, now, parser)
        report.outcomes.append(outcome)
        logger.info(
            "polled feed %s: %s (found %d, sent %d, failed %d, skipped %d)%s",
            outcome.feed_id,
            outcome.status,
            outcome.items_found,
            outcome.items_sent,
            outcome.items_failed,
            outcome.skipped,
            f": {outcome.error}" if outcome.error else "",
        )
    return report


def due_feeds(feeds: Sequence[FeedConfig], now: datetime) -> list[FeedConfig]:
    """Enabled feeds never polled or whose next_poll_at is at or before `now`, most overdue first."""
    now = _as_utc(now)
    never = datetime.min.replace(tzinfo=UTC)
    due = [f for f in feeds if f.enabled and (f.next_poll_at is None or _as_utc(f.next_poll_at) <= now)]
    return sorted(due, key=lambda f: (_as_utc(f.next_poll_at) if f.next_poll_at else never, f.feed_id))


def backoff_delay(
    interval_minutes: int, consecutive_failures: int, retry_after_seconds: float | None = None
) -> timedelta:
    """interval x 2^failures (no growth before the first failure), at least Retry-After, at most 24 h."""
    exponent = min(max(consecutive_failures, 0), 16)
    delay = timedelta(minutes=interval_minutes) * (2**exponent)
    if retry_after_seconds:
        delay = max(delay, timedelta(seconds=retry_after_seconds))
    return min(delay, MAX_BACKOFF)


def poll_feed(
    feed: FeedConfig, fetcher: Fetcher, sink: ItemSink, now: datetime, parser: Parser = parse_feed
) -> tuple[FeedConfig, FeedOutcome]:
    """Poll one feed; return its new state (to save) and the outcome. Raises nothing for feed errors."""
    now = _as_utc(now)
    try:
        result = fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    except FetchError as exc:
        return _failed(feed, now, str(exc), http_status=exc.status, retry_after=exc.retry_after_seconds)
    except FeedError as exc:
        return _failed(feed, now, str(exc))

    if result.not_modified:
        return _succeeded(feed, now, result, status="not-modified", found=0, sent=0, skip_reasons=Counter())

    source = SourceInfo(name=feed.name, feed_url=feed.url, feed_id=feed.feed_id, timezone=feed.timezone)
    try:
        cut = {"truncated": True} if result.truncated else {}
        parsed = parser(result.body, feed_url=result.final_url, content_type=result.content_type, source=source, **cut)
    except FeedError as exc:
        return _failed(feed, now, f"parse: {exc}", http_status=result.status)

    skip_reasons = Counter(s.reason for s in parsed.skipped)
    items = _with_full_text_mode(parsed.items, getattr(feed, "full_text", None))
    try:
        failures = sink.send(items) if items else []
    except Exception as exc:  # the sink is down: nothing of this feed was reliably sent
        logger.exception("sending the items of feed %s failed", feed.feed_id)
        failures = [SendFailure(index=i, reason=f"{type(exc).__name__}: {exc}") for i in range(len(items))]
    failed_indexes = {f.index for f in failures if 0 <= f.index < len(items)}
    if failed_indexes:
        first_reason = next(f.reason for f in failures if f.index in failed_indexes)
        error = f"{len(failed_indexes)} of {len(items)} items could not be sent: {first_reason}"
        state, outcome = _failed(feed, now, error, http_status=result.status)
        sent = len(items) - len(failed_indexes)
        state = state.model_copy(update={"items_sent": feed.items_sent + sent})
        outcome = outcome.model_copy(
            update={
                "status": "partial",
                "items_found": len(items),
                "items_sent": sent,
                "items_failed": len(failed_indexes),
                "skipped": len(parsed.skipped),
                "skip_reasons": dict(skip_reasons),
                "notes": parsed.notes[:10],
            }
        )
        return state, outcome
    state, outcome = _succeeded(
        feed, now, result, status="ok", found=len(items), sent=len(items), skip_reasons=skip_reasons
    )
    return state, outcome.model_copy(update={"notes": parsed.notes[:10]})


def _with_full_text_mode(items: list[FeedItem], mode: object) -> list[FeedItem]:
    """The feed's full-text setting (auto | always | never) on its items that carry none of their own."""
    if mode not in ("auto", "always", "never"):
        return items
    return [item if item.full_text else item.model_copy(update={"full_text": mode}) for item in items]


def _poll_and_save(
    feed: FeedConfig, registry: FeedRegistry, fetcher: Fetcher, sink: ItemSink, now: datetime, parser: Parser
) -> FeedOutcome:
    try:
        state, outcome = poll_feed(feed, fetcher, sink, now, parser)
    except Exception as exc:  # a bug or an unexpected failure must not stop the other feeds
        logger.exception("polling feed %s failed unexpectedly", feed.feed_id)
        state, outcome = _failed(feed, now, f"internal error: {type(exc).__name__}: {exc}")
    try:
        registry.save_feed(state)
    except Exception as exc:
        logger.exception("saving the state of feed %s failed", feed.feed_id)
        note = f"state not saved: {type(exc).__name__}: {exc}"
        outcome = outcome.model_copy(
            update={"status": "error", "error": f"{outcome.error}; {note}" if outcome.error else note}
        )
    return outcome


def _succeeded(
    feed: FeedConfig,
    now: datetime,
    result: FetchResult,
    *,
    status: PollStatus,
    found: int,
    sent: int,
    skip_reasons: Counter[str],
) -> tuple[FeedConfig, FeedOutcome]:
    next_poll_at = now + backoff_delay(feed.interval_minutes, 0)
    state = feed.model_copy(
        update={
            # A server that stops sending validators must not leave stale ones behind.
            "etag": result.etag,
            "last_modified": result.last_modified,
            "last_polled_at": now,
            "last_status": result.status,
            "last_error": None,
            "consecutive_failures": 0,
            "next_poll_at": next_poll_at,
            "items_sent": feed.items_sent + sent,
        }
    )
    outcome = FeedOutcome(
        feed_id=feed.feed_id,
        url=feed.url,
        status=status,
        http_status=result.status,
        not_modified=result.not_modified,
        items_found=found,
        items_sent=sent,
        skipped=sum(skip_reasons.values()),
        skip_reasons=dict(skip_reasons),
        next_poll_at=next_poll_at,
    )
    return state, outcome


def _failed(
    feed: FeedConfig,
    now: datetime,
    error: str,
    *,
    http_status: int | None = None,
    retry_after: float | None = None,
) -> tuple[FeedConfig, FeedOutcome]:
    # The validators (etag / last_modified) stay as they were: the next poll asks for the same
    # version again, so nothing that failed here is lost.
    failures = feed.consecutive_failures + 1
    next_poll_at = now + backoff_delay(feed.interval_minutes, failures, retry_after)
    error = error[:MAX_ERROR_CHARS]
    state = feed.model_copy(
        update={
            "last_polled_at": now,
            "last_status": http_status,
            "last_error": error,
            "consecutive_failures": failures,
            "next_poll_at": next_poll_at,
        }
    )
    outcome = FeedOutcome(
        feed_id=feed.feed_id,
        url=feed.url,
        status="error",
        http_status=http_status,
        error=error,
        consecutive_failures=failures,
        next_poll_at=next_poll_at,
    )
    return state, outcome


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
