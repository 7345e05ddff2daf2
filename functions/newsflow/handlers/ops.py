"""Operator jobs next to the data (the ops Lambda, inside the VPC): index-failures replay, reconciliation of the
index with the table, and resumable reindex. Replay and reconcile also run on schedules (infra/ops.py).

Invoked synchronously by the CLI (`newsflow --stage X index-failures replay | reindex`) with
`{"action": "replay-index-failures", ...}` or `{"action": "reindex", "cursor": ..., ...}` (ops/models.py).
Bad input answers `{"status": "error", "message": ...}` rather than a function error.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from newsflow import aws, wiring
from newsflow.observability import logger, metrics
from newsflow.ops.adapters import DynamoArticleTable, DynamoShardReader, SqsFailureQueue, versioned_index
from newsflow.ops.models import OpsEnvelope, OpsError, ReconcileRequest, ReplayRequest
from newsflow.ops.reconcile import reconcile
from newsflow.ops.reindex import ReindexError, reindex_step
from newsflow.ops.replay import replay_failures

# Left for answering (and flushing the index) when a reindex step stops on its own.
RESERVE_SECONDS = 60.0


def _problems(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'][1:])) or 'event'}: {e['msg']}" for e in error.errors())


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        request = OpsEnvelope.parse(event)
    except ValidationError as error:
        return OpsError(message=f"invalid ops request: {_problems(error)}").model_dump()
    deps = wiring.current()
    settings = deps.settings
    table = DynamoArticleTable(aws.dynamodb(), settings.table_name)

    def remaining() -> float:
        return context.get_remaining_time_in_millis() / 1000

    if isinstance(request, ReconcileRequest):
        reconciled = reconcile(request, table, deps.search_index, seconds_left=remaining)
        metrics.add_metric(name="IndexDrift", unit=MetricUnit.Count, value=reconciled.drift)
        metrics.add_metric(name="IndexDriftRepaired", unit=MetricUnit.Count, value=reconciled.repaired)
        logger.info("reconcile", extra={"drift": reconciled.drift, "repaired": reconciled.repaired})
        return reconciled.model_dump(mode="json")

    if isinstance(request, ReplayRequest):
        if not settings.index_failures_url:
            return OpsError(message="NEWSFLOW_INDEX_FAILURES_URL is not set on the ops function").model_dump()
        replay = replay_failures(
            request,
            SqsFailureQueue(aws.sqs(), settings.index_failures_url),
            DynamoShardReader(aws.dynamodb_streams()),
            table,
            deps.search_index,
            now=datetime.now(UTC),
            seconds_left=remaining,
        )
        outcomes = sorted({m.outcome for m in replay.messages})
        metrics.add_metric(name="IndexFailuresReplayed", unit=MetricUnit.Count, value=replay.count("replayed"))
        metrics.add_metric(
            name="IndexFailuresUnreplayable",
            unit=MetricUnit.Count,
            value=replay.count("expired") + replay.count("malformed") + replay.count("failed"),
        )
        logger.info("replay", extra={"outcomes": outcomes, "messages": len(replay.messages)})
        return replay.model_dump(mode="json")

    stop_at = time.monotonic() + request.budget_seconds
    try:
        step = reindex_step(
            request,
            table,
            versioned_index(settings),
            now=datetime.now(UTC),
            seconds_left=lambda: min(stop_at - time.monotonic(), remaining() - RESERVE_SECONDS),
        )
    except ReindexError as error:
        return OpsError(message=str(error)).model_dump()
    logger.info("reindex step", extra={"done": step.done, "index": step.index, "written": step.written})
    return step.model_dump(mode="json")
