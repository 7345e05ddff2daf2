"""Failure vocabulary shared across modules.

A `PermanentItemError` means retrying can never help (bad JSON, schema violation, oversize,
nothing left after cleaning): ingest parks the message in the DLQ at once with `reason`.
Anything else raised while processing an item is treated as transient and retried by SQS.
"""

from __future__ import annotations


class PermanentItemError(Exception):
    """An item that can never be ingested. `reason` is a short machine-readable code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class FeedError(Exception):
    """A feed could not be fetched or parsed; the poller records it on the feed and backs off."""


# Errors that the same input raises every time, whatever the weather: a retry can never fix them. Raised from
# deep inside a parser or an encoder (past the input checks), they are still the item's fault, not the network's.
UNPROCESSABLE: tuple[type[BaseException], ...] = (RecursionError, UnicodeError)


def unprocessable_reason(error: BaseException) -> tuple[str, str]:
    """(reason, detail) for an UNPROCESSABLE error, in the DLQ's vocabulary."""
    if isinstance(error, RecursionError):
        return "too_deep", f"the item is nested too deep to process ({error})"
    return "invalid_encoding", f"{type(error).__name__}: {error}"[:500]
