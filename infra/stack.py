"""NewsflowStack-<stage>: storage, ingestion, search, API and monitoring, wired together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from aws_cdk import aws_lambda as lambda_
from constructs import Construct
from newsflow import constants as c

from infra.api import Api
from infra.bundling import ASSET_EXCLUDES, bundling_options
from infra.config import StageConfig
from infra.ingestion import Ingestion, Queues
from infra.lambdas import RUNTIME, VpcPlacement
from infra.monitoring import Monitored, Monitoring
from infra.network import Network
from infra.search import SearchDomain, StreamIndexer
from infra.storage import Storage

ENDPOINT_TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
]


class NewsflowStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, source_root: Path, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        Tags.of(self).add("project", "newsflow")
        Tags.of(self).add("stage", config.stage)

        # One asset for all four functions: bundled once, uploaded once.
        code = lambda_.Code.from_asset(
            str(source_root),
            bundling=bundling_options(source_root, RUNTIME.bundling_image),
            exclude=list(ASSET_EXCLUDES),
        )

        self.storage = Storage(self, "Storage", config=config)
        self.queues = Queues(self, "Queues")
        self.network = Network(self, "Network", config=config)
        self.search = SearchDomain(self, "Search", config=config, network=self.network)

        environment = {
            c.ENV_TABLE_NAME: self.storage.table.table_name,
            c.ENV_QUEUE_URL: self.queues.items.queue_url,
            c.ENV_DLQ_URL: self.queues.dlq.queue_url,
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
            code=code,
            environment=environment,
            storage=self.storage,
            queues=self.queues,
        )
        self.indexer = StreamIndexer(
            self,
            "Indexer",
            config=config,
            code=code,
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
            code=code,
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
        self.network.allow_sqs_from(self.api.handler.function)
        self.network.restrict_dynamodb_endpoint(
            [self.storage.table.table_arn, *self.storage.index_arns], ENDPOINT_TABLE_ACTIONS
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
                ),
                index_function=self.indexer.handler,
                items_queue=self.queues.items,
                dlq=self.queues.dlq,
                index_failures=self.queues.index_failures,
                rest_api=self.api.rest_api,
                domain=self.search.domain,
            ),
        )

        CfnOutput(self, "ApiUrl", value=self.api.url, description="Base URL of the v1 API")
        CfnOutput(self, "QueueUrl", value=self.queues.items.queue_url, description="Items queue (producers)")
        CfnOutput(self, "DlqUrl", value=self.queues.dlq.queue_url, description="Dead-letter queue")
        CfnOutput(self, "TableName", value=self.storage.table.table_name, description="DynamoDB table")
        CfnOutput(self, "OpenSearchEndpoint", value=self.search.endpoint_url, description="OpenSearch (VPC only)")
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
