"""SQS items queue -> normalise, categorise, store (DynamoDB). Partial batch failures reported.

- A transient failure (throttling, timeout, a concurrent update) raises: the message is reported as a
  batch item failure, becomes visible again and is retried; SQS redrives it to the DLQ after
  maxReceiveCount receives. On the last receive we park it ourselves so the DLQ entry carries the reason.
- A permanent failure (invalid JSON, schema violation, oversize, nothing left after cleaning) is parked in
  the DLQ at once with its reason as a message attribute, and deleted from the queue: no pointless retries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsflow import wiring
from newsflow.constants import MAX_RECEIVE_COUNT
from newsflow.errors import UNPROCESSABLE, PermanentItemError, unprocessable_reason
from newsflow.messages import parse_message
from newsflow.observability import logger, metrics
from newsflow.pipeline import ingest_item
from newsflow.store.ports import DeadLetter
from newsflow.store.retry import RetryingClient  # noqa: F401 - built by newsflow.wiring; ships in this asset

# A batch where every record failed is still reported item by item (not raised): the outcome for SQS is the
# same (all retried), without counting a Lambda error for what is a per-item problem.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _park(record: SQSRecord, reason: str, detail: str) -> None:
    wiring.current().dead_letters.park(
        DeadLetter(body=record.body, reason=reason, detail=detail, message_id=record.message_id)
    )
    metrics.add_metric(name="ItemsParked", unit=MetricUnit.Count, value=1)
    logger.warning("item parked in DLQ", extra={"reason": reason, "detail": detail, "message_id": record.message_id})


# SQS keeps a message at most 14 days; a SentTimestamp outside [now - 14 days, now + skew] is not trusted.
SIGHTING_MAX_AGE = timedelta(days=14)
SIGHTING_MAX_SKEW = timedelta(minutes=5)


def sighting_time(record: SQSRecord, now: datetime) -> datetime:
    """When the message was queued (SentTimestamp): the same on every redelivery, unlike the processing time."""
    try:
        sent = datetime.fromtimestamp(int(record.attributes.sent_timestamp) / 1000, UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return now
    if now - SIGHTING_MAX_AGE <= sent <= now + SIGHTING_MAX_SKEW:
        return min(sent, now)
    return now


def record_handler(record: SQSRecord) -> dict[str, Any]:
    try:
        item = parse_message(record.body)
        deps = wiring.current()
        now = datetime.now(UTC)
        result = ingest_item(
            item,
            deps.ingest_repository,
            now=now,
            stories=deps.stories,
            delivery=record.message_id,
            categoriser=deps.categoriser,
            seen=sighting_time(record, now),
        )
    except PermanentItemError as error:
        _park(record, error.reason, error.detail)
        return {"outcome": "rejected", "reason": error.reason}
    except UNPROCESSABLE as error:  # what no retry can fix: park now, with the reason
        reason, detail = unprocessable_reason(error)
        _park(record, reason, detail)
        return {"outcome": "rejected", "reason": reason}
    except Exception as error:
        receives = int(record.attributes.approximate_receive_count or "1")
        if receives >= MAX_RECEIVE_COUNT:
            # Last attempt: park it with the reason rather than let the redrive lose it.
            _park(record, "retries_exhausted", f"{type(error).__name__}: {error}")
            return {"outcome": "rejected", "reason": "retries_exhausted"}
        logger.warning(
            "transient failure, will retry",
            extra={"message_id": record.message_id, "receives": receives, "error": repr(error)},
        )
        raise
    metrics.add_metric(name=f"Items{result.write.outcome.value.title()}", unit=MetricUnit.Count, value=1)
    logger.debug("item stored", extra={"article_id": result.write.article_id, "outcome": result.write.outcome})
    return {
        "outcome": result.write.outcome.value,
        "article_id": result.write.article_id,
        "category": result.category,
        "story_id": result.story_id,
    }


# What each record of the last batch came to; read by observers in the same process (the local stack's
# summary). Lambda runs one invocation per environment at a time, so this is never shared.
last_outcomes: list[dict[str, Any]] = []


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with processor(records=event.get("Records", []), handler=record_handler, lambda_context=context):
        results = processor.process()
    last_outcomes[:] = [result for status, result, _ in results if status == "success" and isinstance(result, dict)]
    return dict(processor.response())
