"""The fetch worker's ItemSink: FeedItems as JSON messages on the items queue (10 per SendMessageBatch)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from newsflow.feeds.poller import SendFailure
from newsflow.models import FeedItem


class RawQueue(Protocol):
    def send_raw(self, bodies: Sequence[str]) -> list[int]: ...


class QueueSink:
    def __init__(self, queue: RawQueue) -> None:
        self._queue = queue

    def send(self, items: Sequence[FeedItem]) -> list[SendFailure]:
        bodies = [item.model_dump_json(exclude_none=True) for item in items]
        try:
            failed = self._queue.send_raw(bodies)
        except Exception as error:  # the whole send failed: every item is unsent, the poller keeps the etag
            return [SendFailure(index=i, reason=f"{type(error).__name__}: {error}") for i in range(len(items))]
        return [SendFailure(index=i, reason="SendMessageBatch refused the entry") for i in failed]
