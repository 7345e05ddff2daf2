"""SQS fetch queue -> fetch, parse and send one feed's new items per message. Partial batch failures.

- A stale or duplicate request (the feed is no longer due as the message says) is acknowledged: nothing is
  fetched or sent twice.
- A feed failure (HTTP error, timeout, parse error) is the feed's state, saved with the reason: the
  message succeeds.
- An infrastructure failure (DynamoDB, SQS) raises: the message is retried, and parked in the fetch DLQ
  with the reason on its last receive. A malformed message is parked at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from newsflow import wiring
from newsflow.constants import MAX_RECEIVE_COUNT
from newsflow.feeds.fetch import FeedFetcher  # noqa: F401 - built by newsflow.wiring, ships here
from newsflow.feeds.policy import feed_policy_from_env, politeness_from_env  # noqa: F401 - built by newsflow.wiring, ships here
from newsflow.feeds.scheduler import FetchRequest
from newsflow.feeds.sink import QueueSink  # noqa: F401 - built by newsflow.wiring, ships here
from newsflow.feeds.worker import WorkerDeps, WorkerResult, handle_request
from newsflow.observability import logger, metrics
from newsflow.store.feeds import DynamoFeedRepository  # noqa: F401 - built by newsflow.wiring, ships here
from newsflow.store.hosts import DynamoHostLimiter  # noqa: F401 - built by newsflow.wiring, ships here
from newsflow.store.ports import DeadLetter
from newsflow.store.queues import SqsDeadLetterQueue, SqsItemQueue  # noqa: F401 - built by newsflow.wiring, ships here

MAX_FEED_BYTES = 10 * 1024 * 1024
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _deps() -> WorkerDeps:
    return wiring.current().fetch_worker


def _park(record: SQSRecord, reason: str, detail: str) -> None:
    wiring.current().fetch_dead_letters.park(
        DeadLetter(body=record.body, reason=reason, detail=detail, message_id=record.message_id)
    )
    metrics.add_metric(name="FetchRequestsParked", unit=MetricUnit.Count, value=1)
    logger.warning("fetch request parked in DLQ", extra={"reason": reason, "detail": detail})


def record_handler(record: SQSRecord) -> dict[str, Any]:
    try:
        request = FetchRequest.model_validate_json(record.body)
    except ValidationError as error:
        _park(record, "schema_violation", str(error)[:1000])
        return {"status": "rejected"}
    try:
        result = handle_request(request, _deps(), datetime.now(UTC))
    except Exception as error:
        receives = int(record.attributes.approximate_receive_count or "1")
        if receives >= MAX_RECEIVE_COUNT:
            _park(record, "retries_exhausted", f"{type(error).__name__}: {error}")
            return {"status": "rejected"}
        logger.warning("fetch failed transiently, will retry", extra={"feed_id": request.feed_id, "error": repr(error)})
        raise
    _count(result)
    return result.model_dump(mode="json")


def _count(result: WorkerResult) -> None:
    metrics.add_metric(name=f"Fetch{result.status.title().replace('-', '')}", unit=MetricUnit.Count, value=1)
    outcome = result.outcome
    if outcome is None:
        return
    if outcome.items_sent:
        metrics.add_metric(name="ItemsEnqueued", unit=MetricUnit.Count, value=outcome.items_sent)
    if outcome.status in {"error", "partial"}:
        metrics.add_metric(name="FeedFetchFailed", unit=MetricUnit.Count, value=1)
    if result.newly_disabled:
        metrics.add_metric(name="FeedsDisabled", unit=MetricUnit.Count, value=1)
        logger.warning("feed disabled", extra={"feed_id": outcome.feed_id, "reason": outcome.disabled_reason})
    logger.info("fetched feed", extra={"outcome": outcome.model_dump(mode="json", exclude_none=True)})


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with processor(records=event.get("Records", []), handler=record_handler, lambda_context=context):
        processor.process()
    return dict(processor.response())
