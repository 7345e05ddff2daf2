"""EventBridge schedule -> poll due feeds from the registry -> FeedItems onto the items queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsflow import aws
from newsflow.feeds.fetch import FeedFetcher
from newsflow.feeds.poller import SendFailure, poll_due_feeds
from newsflow.fulltext.policy import split_for_full_text
from newsflow.models import FeedItem, FullTextMode
from newsflow.observability import logger, metrics
from newsflow.settings import get_settings
from newsflow.store.feeds import DynamoFeedRepository
from newsflow.store.queues import SqsItemQueue

MAX_FEED_BYTES = 10 * 1024 * 1024


class QueueSink:
    """The poller's ItemSink: FeedItems as JSON messages, 10 per SendMessageBatch: teasers to the full-text
    queue when there is one (`fulltext.split_for_full_text`), the rest to the items queue."""

    def __init__(
        self, queue: SqsItemQueue, fulltext: SqsItemQueue | None = None, *, mode: FullTextMode = "auto",
        min_words: int = 150,
    ) -> None:  # fmt: skip
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
    def _send(queue: SqsItemQueue, items: Sequence[FeedItem], indexes: list[int]) -> list[SendFailure]:
        if not indexes:
            return []
        bodies = [items[i].model_dump_json(exclude_none=True) for i in indexes]
        try:
            failed = queue.send_raw(bodies)
        except Exception as error:  # the whole send failed: every item is unsent, the poller keeps the etag
            return [SendFailure(index=i, reason=f"{type(error).__name__}: {error}") for i in indexes]
        return [SendFailure(index=indexes[i], reason="SendMessageBatch refused the entry") for i in failed]


@lru_cache(maxsize=1)
def _dependencies() -> tuple[DynamoFeedRepository, FeedFetcher, QueueSink]:
    settings = get_settings()
    if not settings.queue_url:
        raise RuntimeError("NEWSFLOW_QUEUE_URL is not set: poll has nowhere to send items")
    return (
        DynamoFeedRepository(aws.dynamodb(), settings.table_name),
        FeedFetcher(
            timeout_seconds=settings.fetch_timeout_seconds,
            max_bytes=MAX_FEED_BYTES,
            allow_private=settings.allow_private_fetch,
            oversize="truncate",  # a feed over the cap yields what arrived within it, not an error every poll
        ),
        QueueSink(
            SqsItemQueue(aws.sqs(), settings.queue_url),
            SqsItemQueue(aws.sqs(), settings.fulltext_queue_url) if settings.fulltext_queue_url else None,
            mode=settings.fulltext_mode,
            min_words=settings.fulltext_min_words,
        ),
    )


def reset() -> None:
    _dependencies.cache_clear()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    registry, fetcher, sink = _dependencies()
    report = poll_due_feeds(registry, fetcher, sink, datetime.now(UTC), get_settings().poll_max_feeds)
    metrics.add_metric(name="FeedsPolled", unit=MetricUnit.Count, value=len(report.outcomes))
    metrics.add_metric(name="FeedsFailed", unit=MetricUnit.Count, value=report.feeds_failed)
    metrics.add_metric(name="ItemsEnqueued", unit=MetricUnit.Count, value=report.items_sent)
    logger.info("poll finished", extra={"report": report.model_dump(mode="json", exclude={"outcomes"})})
    return report.model_dump(mode="json")
