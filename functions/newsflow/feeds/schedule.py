"""When to poll a feed next: Miniflux's entry_frequency scheduler plus the server's own freshness hints.

- Entry frequency (as Miniflux's `entry_frequency` scheduler): with `weekly` entries published in the last
  7 days, the interval is round(7 x 24 x 60 / (weekly x factor)) minutes; no entry in a week means the
  maximum interval. Before a feed has been parsed once, its configured `interval_minutes` is used.
- Hints only ever lengthen the interval (a server asking to be polled less often): RSS `<ttl>` (minutes),
  `Cache-Control: max-age`, `Expires`. The result is clamped to [min, max].
- Failures back off: interval x 2^failures, capped at 24 h; `Retry-After` (429, 503) is a floor.
- Jitter of +/- `jitter` x interval spreads feeds added together over the tick instead of one burst.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from pydantic import BaseModel, ConfigDict, Field

from newsflow.models import FeedItem

WEEK_MINUTES = 7 * 24 * 60
MAX_BACKOFF = timedelta(hours=24)
_MAX_AGE = re.compile(r"(?:^|[,\s])(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
_TTL = re.compile(rb"<ttl>\s*(\d{1,6})\s*</ttl>", re.IGNORECASE)


class SchedulePolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    min_interval_minutes: int = Field(default=5, ge=1)
    max_interval_minutes: int = Field(default=24 * 60, ge=1)
    factor: float = Field(default=1.0, gt=0)
    jitter: float = Field(default=0.1, ge=0, le=0.5)


class Hints(BaseModel):
    """What the server said about freshness in this answer."""

    model_config = ConfigDict(frozen=True)

    ttl_minutes: int | None = None
    max_age_seconds: int | None = None
    expires_at: datetime | None = None


def entry_interval_minutes(weekly_count: float | None, fallback_minutes: int, policy: SchedulePolicy) -> float:
    if weekly_count is None:
        base: float = fallback_minutes
    elif weekly_count <= 0:
        base = policy.max_interval_minutes
    else:
        base = round(WEEK_MINUTES / (weekly_count * policy.factor))
    return float(min(max(base, policy.min_interval_minutes), policy.max_interval_minutes))


def next_success_poll(
    now: datetime,
    *,
    weekly_count: float | None,
    fallback_minutes: int,
    hints: Hints,
    policy: SchedulePolicy,
    rng: random.Random | None = None,
) -> datetime:
    minutes = entry_interval_minutes(weekly_count, fallback_minutes, policy)
    if hints.ttl_minutes:
        minutes = max(minutes, float(hints.ttl_minutes))
    if hints.max_age_seconds:
        minutes = max(minutes, hints.max_age_seconds / 60)
    if hints.expires_at is not None:
        minutes = max(minutes, (hints.expires_at - now).total_seconds() / 60)
    minutes = min(max(minutes, policy.min_interval_minutes), policy.max_interval_minutes)
    return now + _jittered(timedelta(minutes=minutes), policy, rng)


def next_failure_poll(
    now: datetime,
    *,
    base_minutes: float,
    failures: int,
    retry_after_seconds: float | None,
    policy: SchedulePolicy,
    rng: random.Random | None = None,
) -> datetime:
    delay = timedelta(minutes=max(base_minutes, policy.min_interval_minutes)) * (2 ** min(max(failures, 0), 16))
    delay = min(_jittered(delay, policy, rng), MAX_BACKOFF)
    if retry_after_seconds:
        delay = max(delay, min(timedelta(seconds=retry_after_seconds), MAX_BACKOFF))
    return now + delay


def weekly_entries(items: list[FeedItem], now: datetime) -> int | None:
    """Entries published in the 7 days before `now`; None when no entry has a readable date.

    RFC 822 and ISO 8601 dates only (what feeds write): the worker does not load the normaliser."""
    known = [d for d in (_light_date(item.published or item.updated) for item in items) if d is not None]
    if not known:
        return None
    week_ago = now - timedelta(days=7)
    return sum(1 for d in known if week_ago <= d <= now + timedelta(hours=1))


def hints_of(body: bytes | None, cache_control: str | None, expires: str | None, now: datetime) -> Hints:
    ttl = None
    if body:
        found = _TTL.search(body[:65536])
        ttl = int(found.group(1)) if found else None
    max_age = None
    if cache_control and "no-cache" not in cache_control.lower() and "no-store" not in cache_control.lower():
        found_age = _MAX_AGE.search(cache_control)
        max_age = int(found_age.group(1)) if found_age else None
    expires_at = None
    if expires:
        try:
            when = parsedate_to_datetime(expires.strip())
            expires_at = when if when.tzinfo else when.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError):
            expires_at = None
        if expires_at is not None and expires_at <= now:
            expires_at = None
    return Hints(ttl_minutes=ttl, max_age_seconds=max_age, expires_at=expires_at)


def _jittered(delay: timedelta, policy: SchedulePolicy, rng: random.Random | None) -> timedelta:
    if policy.jitter <= 0:
        return delay
    spread = (rng or random).uniform(-policy.jitter, policy.jitter)
    return delay * (1 + spread)


def _light_date(raw: str | None) -> datetime | None:
    if not raw:
        return None
    text = raw.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
