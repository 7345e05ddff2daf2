"""The ops function: operator jobs next to the data, inside the VPC (OpenSearch is VPC-only).

Invoked synchronously by `newsflow --stage X index-failures replay` and `newsflow --stage X reindex`
(functions/newsflow/handlers/ops.py); no event source, no schedule. One at a time (reserved concurrency
1): two concurrent reindexes would each build an index version.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from constructs import Construct
from newsflow import constants as c

from infra.config import StageConfig
from infra.ingestion import Queues
from infra.lambdas import FunctionAssets, FunctionSpec, NewsflowFunction, VpcPlacement
from infra.network import Network
from infra.search import EsAccess, SearchDomain
from infra.storage import Storage

OPS_TIMEOUT = Duration.minutes(15)
# Replay re-indexes articles into the live alias; reindex builds <alias>-v<n>, fills it, swaps the alias
# and (when asked) drops the old versions. Exactly the paths the adapter calls for those (see
# tests/unit/ops/test_reindex_opensearch.py and tests/infra/test_permissions.py).
OPS_ACCESS: EsAccess = {
    "es:ESHttpHead": ["{index}", "{index}-v*", "_alias/{index}"],
    "es:ESHttpGet": ["{index}-v*", "_alias/{index}"],
    "es:ESHttpPut": ["{index}-v*"],
    "es:ESHttpPost": ["{index}/_bulk", "{index}-v*/_bulk", "{index}-v*/_refresh", "_aliases"],
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
