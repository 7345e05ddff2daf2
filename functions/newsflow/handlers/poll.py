"""EventBridge schedule -> the due feeds (one query of the sparse due index) -> one fetch request each.

No network I/O and no cap: the fetch workers (handlers/fetch.py) do the fetching, in parallel.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsflow import wiring
from newsflow.feeds.scheduler import ScheduleReport, plan
from newsflow.observability import logger, metrics
from newsflow.store.feeds import DynamoFeedRepository
from newsflow.store.queues import SqsItemQueue


def _dependencies() -> tuple[DynamoFeedRepository, SqsItemQueue]:
    deps = wiring.current()
    return deps.feeds, deps.fetch_queue


def schedule_due(registry: DynamoFeedRepository, queue: SqsItemQueue, now: datetime) -> ScheduleReport:
    due = registry.due_feeds(now)
    requests = plan(due, now)
    failed = queue.send_raw([r.model_dump_json(exclude_none=True) for r in requests]) if requests else []
    return ScheduleReport(
        scheduled_at=now,
        feeds_due=len(due),
        enqueued=len(requests) - len(failed),
        enqueue_failed=len(failed),
        feeds_failing=sum(1 for d in due if d.consecutive_failures > 0),
        polite=sum(1 for r in requests if r.polite),
    )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    registry, queue = _dependencies()
    report = schedule_due(registry, queue, datetime.now(UTC))
    metrics.add_metric(name="FeedsScheduled", unit=MetricUnit.Count, value=report.enqueued)
    metrics.add_metric(name="FeedsFailing", unit=MetricUnit.Count, value=report.feeds_failing)
    if report.enqueue_failed:
        metrics.add_metric(name="FetchEnqueueFailed", unit=MetricUnit.Count, value=report.enqueue_failed)
    logger.info("scheduled due feeds", extra={"report": report.model_dump(mode="json")})
    return report.model_dump(mode="json")
