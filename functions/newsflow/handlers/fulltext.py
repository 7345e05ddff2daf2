"""SQS full-text queue -> fetch and extract each teaser item's article page -> the items queue (ingest).

Every message ends one of three ways:
- sent on to ingest, with the page's text (`bodySource: page`) or the feed's and the reason (`feed`): a page
  that fails (robots.txt, 404, timeout, too large, too short) is the item's business, not a retry;
- parked in the full-text DLQ with a reason when the message is not a FeedItem (it would fail forever);
- reported in `batchItemFailures` (retried by SQS) when the host is rate-limited or the items queue refused
  it; on the last receive a rate-limited item goes on with the feed's body rather than to the DLQ.
Redelivery is harmless: the same item and page give the same message, and ingest stores it once.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsflow import wiring
from newsflow.constants import MAX_RECEIVE_COUNT, SIGHTING_ATTRIBUTE
from newsflow.errors import PermanentItemError
from newsflow.feeds.fetch import FeedFetcher  # noqa: F401 - built by newsflow.wiring, ships here
from newsflow.feeds.policy import politeness_from_env  # noqa: F401 - wiring builds it, ships here
from newsflow.fulltext import Enricher, HostBusy, HostGate, RobotsCache, SharedHostGate  # noqa: F401 - wiring builds them
from newsflow.fulltext.enrich import PAGE_ACCEPT  # noqa: F401 - built by newsflow.wiring, ships here
from newsflow.fulltext.robots import MAX_ROBOTS_BYTES  # noqa: F401 - built by newsflow.wiring, ships here
from newsflow.messages import parse_message
from newsflow.observability import logger, metrics
from newsflow.store.hosts import DynamoHostLimiter  # noqa: F401 - wiring builds it, ships here
from newsflow.store.ports import DeadLetter
from newsflow.store.queues import SqsDeadLetterQueue, SqsItemQueue

USER_AGENT = "newsflow-fulltext/0.1 (+https://github.com/newsflow)"
ROBOTS_PRODUCT = "newsflow"  # the product token robots.txt rules name


def _dependencies() -> tuple[Enricher, SqsItemQueue, SqsDeadLetterQueue]:
    return wiring.current().fulltext_stage


# What each record of the last batch came to (the local stack and tests read it; one invocation at a time).
last_outcomes: list[dict[str, Any]] = []


def _record(record: dict[str, Any], enricher: Enricher, items: SqsItemQueue, dlq: SqsDeadLetterQueue) -> dict[str, Any]:
    body = str(record.get("body", ""))
    message_id = str(record.get("messageId", ""))
    try:
        item = parse_message(body)
    except PermanentItemError as error:
        dlq.park(DeadLetter(body=body, reason=error.reason, detail=error.detail, message_id=message_id))
        metrics.add_metric(name="FullTextParked", unit=MetricUnit.Count, value=1)
        return {"outcome": "parked", "reason": error.reason}
    receives = int((record.get("attributes") or {}).get("ApproximateReceiveCount", "1"))
    try:
        enriched = enricher.enrich(item, final_attempt=receives >= MAX_RECEIVE_COUNT - 1)
    except HostBusy as busy:
        metrics.add_metric(name="FullTextDeferred", unit=MetricUnit.Count, value=1)
        return {"outcome": "retry", "reason": str(busy)}
    seen = _sighting_ms(record)
    attributes = {SIGHTING_ATTRIBUTE: seen} if seen else None
    if items.send_raw([enriched.model_dump_json(exclude_none=True)], attributes=attributes):
        return {"outcome": "retry", "reason": "the items queue refused the message"}
    name = "FullTextPage" if enriched.body_source == "page" else "FullTextFeed"
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
    return {"outcome": enriched.body_source or "feed", "url": item.url, "reason": enriched.body_source_reason}


def _sighting_ms(record: dict[str, Any]) -> str | None:
    """When the feed showed this teaser: the sighting time its producer passed on, else when it was queued here
    (ingest checks the value is plausible; a redelivery of this message gives the same)."""
    passed = ((record.get("messageAttributes") or {}).get(SIGHTING_ATTRIBUTE) or {}).get("stringValue")
    sent = passed or (record.get("attributes") or {}).get("SentTimestamp")
    return str(sent) if sent and str(sent).isdigit() and len(str(sent)) <= 16 else None


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    enricher, items, dlq = _dependencies()
    failures: list[dict[str, str]] = []
    outcomes: list[dict[str, Any]] = []
    for record in event.get("Records", []):
        try:
            outcome = _record(record, enricher, items, dlq)
        except Exception as error:  # the items queue or the DLQ is down: SQS retries the message
            logger.exception("full-text record failed", extra={"message_id": record.get("messageId")})
            outcome = {"outcome": "retry", "reason": f"{type(error).__name__}: {error}"}
        outcomes.append(outcome)
        if outcome["outcome"] == "retry":
            failures.append({"itemIdentifier": str(record.get("messageId", ""))})
    last_outcomes[:] = outcomes
    return {"batchItemFailures": failures}
