"""The scheduler's half of the fan-out: due feeds (from the registry's sparse index) -> fetch requests.

No network I/O and no cap: every due feed gets one message per tick. A feed whose host also serves another
due feed is marked `polite`, so its worker takes a slot of the host's politeness record; a feed alone on
its host skips that record (two writes saved per fetch).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field


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
