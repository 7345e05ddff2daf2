"""EventBridge schedule -> poll due feeds from the registry -> FeedItems onto the items queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsflow import wiring
from newsflow.feeds.fetch import FeedFetcher
from newsflow.feeds.poller import SendFailure, poll_due_feeds
from newsflow.models import FeedItem
from newsflow.observability import logger, metrics
from newsflow.store.feeds import DynamoFeedRepository
from newsflow.store.queues import SqsItemQueue


class QueueSink:
    """The poller's ItemSink: FeedItems as JSON messages on the items queue, 10 per SendMessageBatch."""

    def __init__(self, queue: SqsItemQueue) -> None:
        self._queue = queue

    def send(self, items: Sequence[FeedItem]) -> list[SendFailure]:
        bodies = [item.model_dump_json(exclude_none=True) for item in items]
        try:
            failed = self._queue.send_raw(bodies)
        except Exception as error:  # the whole send failed: every item is unsent, the poller keeps the etag
            return [SendFailure(index=i, reason=f"{type(error).__name__}: {error}") for i in range(len(items))]
        return [SendFailure(index=i, reason="SendMessageBatch refused the entry") for i in failed]


def _dependencies() -> tuple[DynamoFeedRepository, FeedFetcher, QueueSink]:
    deps = wiring.current()
    return deps.feeds, deps.fetcher, QueueSink(deps.item_queue)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    registry, fetcher, sink = _dependencies()
    report = poll_due_feeds(registry, fetcher, sink, datetime.now(UTC), wiring.current().settings.poll_max_feeds)
    metrics.add_metric(name="FeedsPolled", unit=MetricUnit.Count, value=len(report.outcomes))
    metrics.add_metric(name="FeedsFailed", unit=MetricUnit.Count, value=report.feeds_failed)
    metrics.add_metric(name="ItemsEnqueued", unit=MetricUnit.Count, value=report.items_sent)
    logger.info("poll finished", extra={"report": report.model_dump(mode="json", exclude={"outcomes"})})
    return report.model_dump(mode="json")
