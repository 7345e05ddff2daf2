"""SQS items queue -> normalise, categorise, store (DynamoDB). Partial batch failures reported.

- A transient failure (throttling, timeout, a concurrent update) raises: the message is reported as a
  batch item failure, becomes visible again and is retried; SQS redrives it to the DLQ after
  maxReceiveCount receives. On the last receive we park it ourselves so the DLQ entry carries the reason.
- A permanent failure (invalid JSON, schema violation, oversize, nothing left after cleaning) is parked in
  the DLQ at once with its reason as a message attribute, and deleted from the queue: no pointless retries.

A batch's items are prepared one after another (CPU work), then stored side by side on the wiring's store threads
(`ingest_store_concurrency`): each item's storage is a chain of DynamoDB and search round trips, and Lambda bills
the invocation's wall time, so overlapping the chains is what makes a batch cheap. Items of one batch were never
ordered (a standard queue, several invocations at once): the store decides every race by conditional writes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsflow import wiring
from newsflow.constants import MAX_RECEIVE_COUNT, SIGHTING_ATTRIBUTE
from newsflow.errors import UNPROCESSABLE, PermanentItemError, unprocessable_reason
from newsflow.messages import parse_message
from newsflow.observability import logger, metrics
from newsflow.pipeline import PreparedArticle, PrepareFailure, prepare_article, prepare_or_failure, store_article
from newsflow.store.ports import DeadLetter
from newsflow.store.retry import RetryingClient  # noqa: F401 - built by newsflow.wiring; ships in this asset

if TYPE_CHECKING:
    from concurrent.futures import Future


def _park(record: SQSRecord, reason: str, detail: str) -> None:
    wiring.current().dead_letters.park(
        DeadLetter(body=record.body, reason=reason, detail=detail, message_id=record.message_id)
    )
    logger.warning("item parked in DLQ", extra={"reason": reason, "detail": detail, "message_id": record.message_id})


# SQS keeps a message at most 14 days; a SentTimestamp outside [now - 14 days, now + skew] is not trusted.
SIGHTING_MAX_AGE = timedelta(days=14)
SIGHTING_MAX_SKEW = timedelta(minutes=5)


def sighting_time(record: SQSRecord, now: datetime) -> datetime:
    """When the feed showed the item: the sighting time the full-text stage passed on with a teaser's page text
    (SIGHTING_ATTRIBUTE), else when the message was queued (SentTimestamp); the same on every redelivery, unlike
    the processing time. A value that is missing or implausible is not used."""
    attributes = record.get("messageAttributes")
    passed = attributes.get(SIGHTING_ATTRIBUTE) if isinstance(attributes, dict) else None
    given = passed.get("stringValue") if isinstance(passed, dict) else None
    for raw in (given, (record.get("attributes") or {}).get("SentTimestamp")):
        try:
            sent = datetime.fromtimestamp(int(str(raw)) / 1000, UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            continue
        if now - SIGHTING_MAX_AGE <= sent <= now + SIGHTING_MAX_SKEW:
            return min(sent, now)
    return now


def record_handler(
    record: SQSRecord, ahead: Mapping[str, PreparedArticle | PrepareFailure] | None = None
) -> dict[str, Any]:
    """`ahead`: the batch's items already prepared by the wiring's preparer (the local stack's prepare workers),
    by message id; without it (Lambda) the item is prepared here."""
    try:
        deps = wiring.current()
        done = ahead.get(record.message_id) if ahead else None
        if isinstance(done, PrepareFailure):
            raise done.error()
        if done is None:
            item = parse_message(record.body)
            now = datetime.now(UTC)
            done = prepare_article(
                item, now, deps.categoriser, with_sketch=deps.stories is not None, seen=sighting_time(record, now)
            )
        result = store_article(done, deps.ingest_repository, stories=deps.stories, delivery=record.message_id)
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
    logger.debug("item stored", extra={"article_id": result.write.article_id, "outcome": result.write.outcome})
    return {
        "outcome": result.write.outcome.value,
        "article_id": result.write.article_id,
        "category": result.category,
        "story_id": result.story_id,
    }


class _ThreadOutcomes:
    """What each record of the last batch came to, for observers in the same process (the local stack's summary,
    tests): one list per thread, since the local stack runs several ingest invocations at once (Lambda runs one
    per execution environment)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _list(self) -> list[dict[str, Any]]:
        if not hasattr(self._local, "outcomes"):
            self._local.outcomes = []
        return list(self._local.outcomes)

    def set(self, outcomes: list[dict[str, Any]]) -> None:
        self._local.outcomes = outcomes

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._list())

    def __len__(self) -> int:
        return len(self._list())

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self._list()[index]


last_outcomes = _ThreadOutcomes()


def _prepare_batch(records: list[dict[str, Any]], deps: wiring.Wiring) -> dict[str, PreparedArticle | PrepareFailure]:
    """Every record prepared, by message id: by the wiring's preparer (the local stack's worker processes), else
    here, one at a time."""
    now = datetime.now(UTC)
    sighted = [(r["messageId"], r["body"], sighting_time(SQSRecord(r), now)) for r in records]
    if deps.preparer:
        return deps.preparer.prepare(sighted)
    with_sketch = deps.stories is not None
    categoriser = deps.categoriser
    return {
        message_id: prepare_or_failure(body, now, categoriser, with_sketch=with_sketch, seen=seen)
        for message_id, body, seen in sighted
    }


def _count(result: dict[str, Any]) -> None:
    """An item's outcome as a metric (in the handler's thread: the metrics buffer is not shared across threads)."""
    name = "ItemsParked" if result["outcome"] == "rejected" else f"Items{str(result['outcome']).title()}"
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records", [])
    deps = wiring.current()
    try:
        ahead = _prepare_batch(records, deps) if records else {}
    except Exception:  # the categoriser or the preparer could not be built: each record tries for itself,
        logger.exception("batch preparation failed")  # and is retried or parked with its own reason
        ahead = {}
    pool = deps.ingest_store_pool
    stored: dict[str, Future[dict[str, Any]]] = {}
    if pool is not None and len(records) > 1:
        for raw in records:
            stored[raw["messageId"]] = pool.submit(record_handler, SQSRecord(raw), ahead)

    def reported(record: SQSRecord) -> dict[str, Any]:
        # Powertools calls this for each record in order: the stored item's result (or its error) is its outcome.
        future = stored.get(record.message_id)
        result = future.result() if future is not None else record_handler(record, ahead)
        _count(result)
        return result

    # One processor per invocation: it holds the batch's state, and the local stack runs invocations side by side.
    # A batch where every record failed is still reported item by item (not raised): the outcome for SQS is the
    # same (all retried), without counting a Lambda error for what is a per-item problem.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    with processor(records=records, handler=reported, lambda_context=context):
        results = processor.process()
    last_outcomes.set([result for status, result, _ in results if status == "success" and isinstance(result, dict)])
    return dict(processor.response())
