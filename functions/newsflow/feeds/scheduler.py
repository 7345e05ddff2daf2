"""The scheduler's half of the fan-out: due feeds (from the registry's sparse index) -> fetch requests.

No network I/O and no cap: every due feed gets one message per tick. A feed whose host also serves another
due feed is marked `polite`, so its worker takes a slot of the host's politeness record; a feed alone on
its host skips that record (two writes saved per fetch).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def due_sort_key(moment: datetime | None, feed_id: str) -> str:
    """The due index's sort key of a feed (`gsi3sk`): a fetch request carries it, and its claim is
    conditional on it, so a request for an older due moment is stale."""
    when = (moment or _EPOCH).astimezone(UTC)
    return f"{when.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{feed_id}"


def host_of(url: str) -> str:
    try:
        parts = urlsplit(url)
        return (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return ""


class DueEntry(Protocol):
    feed_id: str
    due: str
    host: str | None
    consecutive_failures: int


class FetchRequest(BaseModel):
    """One message of the fetch queue: poll this feed, if it is still due as `due`."""

    model_config = ConfigDict(extra="forbid")

    feed_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    due: str = Field(min_length=1, max_length=200)
    host: str = Field(default="", max_length=300)
    polite: bool = False
    scheduled_at: datetime | None = None


class ScheduleReport(BaseModel):
    scheduled_at: datetime
    feeds_due: int = 0
    enqueued: int = 0
    enqueue_failed: int = 0
    feeds_failing: int = Field(default=0, description="Due feeds whose last poll failed (being retried).")
    polite: int = 0


def plan(due: Sequence[DueEntry], now: datetime) -> list[FetchRequest]:
    hosts = Counter(d.host or "" for d in due)
    return [
        FetchRequest(feed_id=d.feed_id, due=d.due, host=d.host or "", polite=_shared(d.host, hosts), scheduled_at=now)
        for d in due
    ]


def _shared(host: str | None, hosts: Counter[str]) -> bool:
    return bool(host) and hosts[host or ""] > 1


def poll_now_request(feed_id: str, url: str, next_poll_at: datetime | None, now: datetime) -> FetchRequest:
    """The fetch request an operator's poll-now enqueues at once, for the due moment it just wrote. Like the
    scheduler's, it is claimed only while the feed is still due as it says: if a tick enqueued the same feed
    meanwhile, one of the two fetches it, the other is acknowledged as stale. It is always `polite` (the
    operator's request does not know whether the host serves other feeds; the host record decides)."""
    return FetchRequest(
        feed_id=feed_id, due=due_sort_key(next_poll_at, feed_id), host=host_of(url), polite=bool(host_of(url)),
        scheduled_at=now,
    )  # fmt: skip
