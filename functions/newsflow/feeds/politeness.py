"""Per-host politeness across fetch workers: at most K fetches in flight and a minimum gap between starts.

The limiter is a port; `store/hosts.py` implements it with one conditional DynamoDB record per host, so it
holds across every concurrent Lambda. A slot is a lease (busy until start + hold): a worker that dies
mid-fetch frees its slot when the lease ends, never holding the host forever.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field


class Politeness(BaseModel):
    model_config = ConfigDict(frozen=True)

    max_in_flight: int = Field(default=2, ge=1, le=20)
    min_gap_seconds: float = Field(default=1.0, ge=0, le=300)
    hold_seconds: float = Field(default=70.0, gt=0, description="Lease of a slot (> the fetch timeout).")
    max_wait_seconds: float = Field(default=3.0, ge=0, description="Wait in the worker before re-queueing.")


class Grant(BaseModel):
    """A slot taken (`slot` set, `until` is its lease) or refused (`wait_seconds` until one may free)."""

    model_config = ConfigDict(frozen=True)

    slot: int | None = None
    until: float = 0.0
    wait_seconds: float = 0.0

    @property
    def granted(self) -> bool:
        return self.slot is not None


class HostLimiter(Protocol):
    def acquire(self, host: str, now: float, gap_seconds: float | None = None) -> Grant:
        """Take a slot of the host if one is free and the gap since the last start has passed. `gap_seconds`
        is the gap this start leaves before the next (default: the rules' minimum gap)."""
        ...

    def release(self, host: str, grant: Grant, now: float) -> None: ...


class NoLimit:
    """For hosts with a single feed (and tests): every request is granted at once."""

    def acquire(self, host: str, now: float, gap_seconds: float | None = None) -> Grant:
        return Grant(slot=0, until=now)

    def release(self, host: str, grant: Grant, now: float) -> None:
        return None
