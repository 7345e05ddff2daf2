"""NewsflowStack-<stage>: storage, ingestion, search, API and monitoring, wired together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct
from newsflow import constants as c

from infra.api import Api
from infra.cdn import SiteDistribution
from infra.config import StageConfig
from infra.fulltext import FullText
from infra.ingestion import Ingestion, Queues
from infra.lambdas import FunctionAssets, VpcPlacement
from infra.monitoring import Monitored, Monitoring
from infra.network import Network
from infra.ops import OpsFunction
from infra.search import SearchDomain, StreamIndexer
from infra.storage import Storage

# What the functions inside the VPC call on the table (api: reads, feed writes; ops: GetItem, Scan; ingest:
# GetItem, PutItem).
ENDPOINT_TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PutItem",
    "dynamodb:DeleteItem",
]


class NewsflowStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, source_root: Path, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        Tags.of(self).add("project", "newsflow")
        Tags.of(self).add("stage", config.stage)

        # One asset per function: its handler's import closure, with bytecode (infra/bundling.py).
        assets = FunctionAssets(source_root=source_root, python_version=config.lambda_python)

        self.storage = Storage(self, "Storage", config=config)
        self.queues = Queues(self, "Queues")
        self.network = Network(self, "Network", config=config)
        self.search = SearchDomain(self, "Search", config=config, network=self.network)

        environment = {
            c.ENV_TABLE_NAME: self.storage.table.table_name,
            c.ENV_QUEUE_URL: self.queues.items.queue_url,
            c.ENV_DLQ_URL: self.queues.dlq.queue_url,
            c.ENV_FETCH_QUEUE_URL: self.queues.fetch.queue_url,
            c.ENV_SEARCH_BACKEND: "opensearch",
            c.ENV_OPENSEARCH_URL: self.search.endpoint_url,
            c.ENV_OPENSEARCH_INDEX: config.opensearch_index,
            c.ENV_STAGE: config.stage,
            "POWERTOOLS_SERVICE_NAME": c.POWERTOOLS_SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": c.METRICS_NAMESPACE,
            "POWERTOOLS_LOG_LEVEL": config.log_level,
        }

        self.ingestion = Ingestion(
            self,
            "Ingestion",
            config=config,
            assets=assets,
            environment=environment,
            storage=self.storage,
            queues=self.queues,
            search=self.search,
            placement=VpcPlacement(
                vpc=self.network.vpc,
                subnets=self.network.subnets,
                security_group=self.network.security_group("IngestSecurityGroup", "newsflow ingest Lambda"),
            ),
        )
        self.fulltext = FullText(
            self, "FullText", config=config, assets=assets, environment=environment, queues=self.queues,
            table=self.storage.table,
        )  # fmt: skip
        self.fulltext.route_teasers_from(self.ingestion.fetch)
        self.indexer = StreamIndexer(
            self,
            "Indexer",
            config=config,
            assets=assets,
            environment=environment,
            table_stream_arn=self._stream_arn(),
            failure_queue=self.queues.index_failures,
            search=self.search,
            placement=VpcPlacement(
                vpc=self.network.vpc,
                subnets=self.network.subnets,
                security_group=self.network.security_group("IndexSecurityGroup", "newsflow index Lambda"),
            ),
        )
        self.api = Api(
            self,
            "Api",
            config=config,
            assets=assets,
            environment=environment,
            storage=self.storage,
            queues=self.queues,
            search=self.search,
            placement=VpcPlacement(
                vpc=self.network.vpc,
                subnets=self.network.subnets,
                security_group=self.network.security_group("ApiSecurityGroup", "newsflow api Lambda"),
            ),
        )
        self.ops = OpsFunction(
            self,
            "Ops",
            config=config,
            assets=assets,
            environment=environment,
            storage=self.storage,
            queues=self.queues,
            search=self.search,
            network=self.network,
            stream_arn=self._stream_arn(),
        )
        self.network.allow_sqs_from(self.api.handler.function)
        self.network.allow_sqs_from(self.ingestion.ingest.function)  # it parks poison messages on the DLQ
        self.network.restrict_dynamodb_endpoint(
            [self.storage.table.table_arn, *self.storage.index_arns], ENDPOINT_TABLE_ACTIONS
        )

        self.site = SiteDistribution(
            self,
            "Site",
            config=config,
            rest_api=self.api.rest_api,
            site_dir=source_root.parent / "web",
            site_key=self.api.site_key_secret,
        )

        self.monitoring = Monitoring(
            self,
            "Monitoring",
            config=config,
            monitored=Monitored(
                functions=(
                    ("Ingest", self.ingestion.ingest),
                    ("Index", self.indexer.handler),
                    ("Api", self.api.handler),
                    ("Poll", self.ingestion.poll),
                    ("Fetch", self.ingestion.fetch),
                    ("FullText", self.fulltext.handler),
                    ("Ops", self.ops.handler),
                    *((("KeyAuthorizer", self.api.authorizer_function),) if self.api.authorizer_function else ()),
                ),
                index_function=self.indexer.handler,
                items_queue=self.queues.items,
                dlq=self.queues.dlq,
                fetch_queue=self.queues.fetch,
                fetch_dlq=self.queues.fetch_dlq,
                index_failures=self.queues.index_failures,
                table=self.storage.table,
                rest_api=self.api.rest_api,
                domain=self.search.domain,
                web_acl=self.api.web_acl,
            ),
        )

        self.monitoring.alarms.extend(self.fulltext.add_alarms(self.monitoring.topic))

        CfnOutput(
            self, "SiteUrl", value=self.site.url, description="The reference site, and /v1 reads through CloudFront"
        )
        CfnOutput(self, "ApiUrl", value=self.api.url, description="Base URL of the v1 API (admin calls go here)")
        CfnOutput(
            self,
            "NewsApiBaseUrl",
            value=self.api.rest_api.url,
            description="Replaces https://newsapi.org/ in NewsAPI clients (the /v2 routes)",
        )
        CfnOutput(self, "QueueUrl", value=self.queues.items.queue_url, description="Items queue (producers)")
        CfnOutput(self, "DlqUrl", value=self.queues.dlq.queue_url, description="Dead-letter queue")
        CfnOutput(
            self,
            c.OUTPUT_FETCH_QUEUE_URL,
            value=self.queues.fetch.queue_url,
            description="Feed fetch requests (one per due feed per tick)",
        )
        CfnOutput(self, "TableName", value=self.storage.table.table_name, description="DynamoDB table")
        CfnOutput(self, "OpenSearchEndpoint", value=self.search.endpoint_url, description="OpenSearch (VPC only)")
        CfnOutput(
            self,
            c.OUTPUT_INDEX_FAILURES_URL,
            value=self.queues.index_failures.queue_url,
            description="Stream batches the indexer gave up on (`newsflow --stage X index-failures replay`)",
        )
        CfnOutput(
            self,
            c.OUTPUT_OPS_FUNCTION_NAME,
            value=self.ops.handler.function.function_name,
            description="The ops function the CLI invokes (replay, reindex)",
        )
        if self.api.usage_plan is not None:
            CfnOutput(
                self,
                c.OUTPUT_READ_USAGE_PLAN_ID,
                value=self.api.usage_plan.usage_plan_id,
                description="The read usage plan (`newsflow --stage X api-key rotate` attaches new keys to it)",
            )
        if self.api.api_key is not None:
            CfnOutput(
                self,
                "ReadApiKeyId",
                value=self.api.api_key.key_id,
                description="aws apigateway get-api-key --include-value --api-key <id>",
            )

    def _stream_arn(self) -> str:
        arn = self.storage.table.table_stream_arn
        if arn is None:  # the table is declared with a stream; this only narrows the type
            raise ValueError("the newsflow table has no stream")
        return arn
