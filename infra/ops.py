"""The ops function: operator jobs next to the data, inside the VPC (OpenSearch is VPC-only).

Invoked synchronously by `newsflow --stage X index-failures replay` and `newsflow --stage X reindex`
(functions/newsflow/handlers/ops.py), and on two schedules: the index-failures replay every 15 minutes (so an
index outage heals by itself once the index is back) and the reconciliation of index and table once a day
(counts and version digests per month; the drift it repairs is the `IndexDrift` metric, alarmed in
monitoring). One at a time (reserved concurrency 1): two concurrent reindexes would each build an index
version; a scheduled run that finds the function busy is retried by EventBridge.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct
from newsflow import constants as c

from infra.config import StageConfig
from infra.ingestion import Queues
from infra.lambdas import FunctionAssets, FunctionSpec, NewsflowFunction, VpcPlacement
from infra.network import Network
from infra.search import EsAccess, SearchDomain
from infra.storage import Storage

OPS_TIMEOUT = Duration.minutes(15)
REPLAY_EVERY = Duration.minutes(15)
# The ops event the schedules send (ops/models.py): replay what the stream gave up on; reconcile recent months
# daily (the whole table when an operator asks: `{"action": "reconcile"}`).
SCHEDULED_REPLAY = {"action": "replay-index-failures", "max_messages": 1000}
SCHEDULED_RECONCILE = {"action": "reconcile", "months": 3}
# Replay re-indexes articles into the live alias; reindex builds <alias>-v<n>, fills it, swaps the alias
# and (when asked) drops the old versions. Exactly the paths the adapter calls for those (see
# tests/unit/ops/test_reindex_opensearch.py and tests/infra/test_permissions.py).
OPS_ACCESS: EsAccess = {
    "es:ESHttpHead": ["{index}", "{index}-v*", "_alias/{index}"],
    "es:ESHttpGet": ["{index}-v*", "_alias/{index}"],
    "es:ESHttpPut": ["{index}-v*"],
    "es:ESHttpPost": ["{index}/_bulk", "{index}/_search", "{index}-v*/_bulk", "{index}-v*/_refresh", "_aliases"],
    "es:ESHttpDelete": ["{index}-v*"],
}


class OpsFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        assets: FunctionAssets,
        environment: Mapping[str, str],
        storage: Storage,
        queues: Queues,
        search: SearchDomain,
        network: Network,
        stream_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        security_group = network.security_group("OpsSecurityGroup", "newsflow ops Lambda")
        self.handler = NewsflowFunction(
            self,
            "Ops",
            spec=FunctionSpec(
                handler=c.HANDLER_OPS,
                description="Operator jobs: replays the index-failures queue, reindexes the table",
                memory_mb=1024,
                timeout=OPS_TIMEOUT,
                reserved_concurrency=1,
            ),
            assets=assets,
            config=config,
            environment={**environment, c.ENV_INDEX_FAILURES_URL: queues.index_failures.queue_url},
            placement=VpcPlacement(vpc=network.vpc, subnets=network.subnets, security_group=security_group),
        )
        table = storage.table
        self.handler.add_to_policy(
            ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
            [queues.index_failures.queue_arn],
        )
        self.handler.add_to_policy(["dynamodb:GetShardIterator", "dynamodb:GetRecords"], [stream_arn])
        self.handler.add_to_policy(["dynamodb:GetItem", "dynamodb:Scan"], [table.table_arn])
        search.allow(self.handler, OPS_ACCESS, config.opensearch_index)
        network.allow_sqs_from(self.handler.function)
        network.allow_streams_from(self.handler.function)

        self.schedules = [
            events.Rule(
                self,
                rule_id,
                description=f"newsflow {config.stage}: {what}",
                schedule=schedule,
                targets=[
                    targets.LambdaFunction(
                        self.handler.function,
                        event=events.RuleTargetInput.from_object(payload),
                        retry_attempts=4,
                        max_event_age=Duration.hours(1),
                    )
                ],
            )
            for rule_id, what, schedule, payload in (
                (
                    "ReplaySchedule",
                    "replay the index-failures queue",
                    events.Schedule.rate(REPLAY_EVERY),
                    SCHEDULED_REPLAY,
                ),
                (
                    "ReconcileSchedule",
                    "reconcile the search index with the table",
                    events.Schedule.cron(minute="7", hour="3"),
                    SCHEDULED_RECONCILE,
                ),
            )
        ]
