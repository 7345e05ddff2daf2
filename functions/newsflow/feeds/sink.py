"""The fetch worker's ItemSink: FeedItems as JSON messages, 10 per SendMessageBatch. Teasers go to the
full-text queue when there is one (`fulltext.split_for_full_text`), the rest straight to the items queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from newsflow.feeds.poller import SendFailure
from newsflow.fulltext.policy import split_for_full_text
from newsflow.models import FeedItem, FullTextMode


class RawQueue(Protocol):
    def send_raw(self, bodies: Sequence[str]) -> list[int]: ...


class QueueSink:
    def __init__(
        self, queue: RawQueue, fulltext: RawQueue | None = None, *, mode: FullTextMode = "auto", min_words: int = 150
    ) -> None:
        self._queue = queue
        self._fulltext = fulltext
        self._mode: FullTextMode = mode
        self._min_words = min_words

    def send(self, items: Sequence[FeedItem]) -> list[SendFailure]:
        if self._fulltext is None:
            return self._send(self._queue, items, list(range(len(items))))
        direct, pages = split_for_full_text(items, default_mode=self._mode, min_words=self._min_words)
        return self._send(self._queue, items, direct) + self._send(self._fulltext, items, pages)

    @staticmethod
    def _send(queue: RawQueue, items: Sequence[FeedItem], indexes: list[int]) -> list[SendFailure]:
        if not indexes:
            return []
        bodies = [items[i].model_dump_json(exclude_none=True) for i in indexes]
        try:
            failed = queue.send_raw(bodies)
        except Exception as error:  # the whole send failed: every item is unsent, the poller keeps the etag
            return [SendFailure(index=i, reason=f"{type(error).__name__}: {error}") for i in indexes]
        return [SendFailure(index=indexes[i], reason="SendMessageBatch refused the entry") for i in failed]
