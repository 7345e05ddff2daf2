"""DynamoDB stream -> search index. INSERT/MODIFY upsert the article, REMOVE deletes it.

The batch is written with one upsert and one delete call (a search-index commit costs ~100 ms, so
per-record commits would cap throughput at ~10 docs/s). Only the last change of each article in the
batch is applied, in stream order. Failures are reported as batch item failures (the earliest failed
sequence number): the event source bisects, retries, and sends what still fails to the on-failure
destination (the index-failures queue). Upserts are idempotent, so a retried record is harmless.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecordEventName,
    DynamoDBStreamEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsflow import wiring
from newsflow.indexing import StreamChange, apply_changes
from newsflow.observability import logger, metrics
from newsflow.search import SearchIndex


def search_index() -> SearchIndex:
    """The process-wide index (shared with the api handler when both run in one process, as locally)."""
    return wiring.current().search_index


def _changes(event: DynamoDBStreamEvent) -> list[StreamChange]:
    changes: list[StreamChange] = []
    for record in event.records:
        change = record.dynamodb
        if change is None:
            continue
        changes.append(
            StreamChange(
                sequence_number=change.sequence_number or "",
                keys=dict(change.keys or {}),
                removed=record.event_name == DynamoDBRecordEventName.REMOVE,
                new_image=dict(change.new_image or {}) or None,
            )
        )
    return changes


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    built = wiring.current()
    report = apply_changes(_changes(DynamoDBStreamEvent(event)), built.search_index, built.document_builder)
    metrics.add_metric(name="DocumentsIndexed", unit=MetricUnit.Count, value=report.upserted + report.deleted)
    if report.failed:
        metrics.add_metric(name="IndexFailures", unit=MetricUnit.Count, value=len(report.failed))
        logger.error("index failures", extra={"failures": report.failed})
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in report.failed_sequence_numbers()]}
