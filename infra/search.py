"""OpenSearch Service domain (inside the VPC) and the stream -> index Lambda that feeds it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import jsii
from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from newsflow import constants as c

from infra.config import StageConfig
from infra.lambdas import FunctionAssets, FunctionSpec, NewsflowFunction, VpcPlacement
from infra.log_groups import log_group
from infra.nag import acknowledge
from infra.network import Network

ENGINE_VERSION = opensearch.EngineVersion.OPENSEARCH_3_7

# Exactly the HTTP method and path each function uses (OpenSearch authorizes es:ESHttp<Method> on
# <domain-arn>/<path>). "{index}" is the alias readers and writers use; tests/infra/test_permissions.py
# runs the handlers against these grants and fails on a missing one or on one that no call uses.
EsAccess = Mapping[str, Sequence[str]]  # action -> path templates
INDEX_ACCESS: EsAccess = {
    "es:ESHttpHead": ["{index}"],  # does the alias exist?
    "es:ESHttpPut": ["{index}-v1"],  # first write creates <alias>-v1 with the mapping (reindex makes the others)
    "es:ESHttpPost": ["{index}/_bulk"],
}
# Ingest finds a new article's story candidates with one terms query on their band keys (stories/indexed.py).
INGEST_ACCESS: EsAccess = {"es:ESHttpPost": ["{index}/_search"]}
API_ACCESS: EsAccess = {
    "es:ESHttpHead": ["{index}"],  # health
    "es:ESHttpGet": ["{index}/_doc/*"],  # one document by id (ids are only known at run time)
    "es:ESHttpPost": [
        "{index}/_search",
        "{index}/_search/point_in_time",  # relevance paging opens a point in time ...
        "_search",  # ... and pages inside it: a search with a pit names no index
    ],
    "es:ESHttpDelete": ["_search/point_in_time"],  # ... and closes it after the last page
}
ARTICLE_KEY_PREFIX = "ART#"  # store/keys.py article_pk(): only article items are indexed

INDEX_STREAM_BATCH_SIZE = 100
INDEX_STREAM_RETRY_ATTEMPTS = 5
INDEX_STREAM_MAX_RECORD_AGE = Duration.hours(6)
INDEX_TIMEOUT = Duration.seconds(60)


class SearchDomain(Construct):
    """The domain, its logs and an access policy naming exactly the roles allowed in."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, network: Network) -> None:
        super().__init__(scope, construct_id)
        size = config.opensearch
        stack = Stack.of(self)
        self.domain_name = config.opensearch_domain_name
        # Built from the explicit name, not domain.domain_arn: the access policy is a property of the
        # domain itself, so referencing its own Arn attribute would be a circular reference.
        self.domain_arn = stack.format_arn(service="es", resource="domain", resource_name=self.domain_name)

        self.security_group = network.security_group("DomainSecurityGroup", "newsflow OpenSearch domain (HTTPS)")
        self.slow_search_logs = log_group(self, "SlowSearchLogs", config)
        self.slow_index_logs = log_group(self, "SlowIndexLogs", config)
        self.app_logs = log_group(self, "AppLogs", config)

        self._access_policy = iam.PolicyDocument()
        subnets = network.vpc.isolated_subnets[: size.availability_zones]
        self.domain = opensearch.Domain(
            self,
            "Domain",
            domain_name=self.domain_name,
            version=ENGINE_VERSION,
            capacity=opensearch.CapacityConfig(
                data_nodes=size.data_nodes,
                data_node_instance_type=size.data_node_type,
                master_nodes=size.master_nodes if size.dedicated_masters else None,
                master_node_instance_type=size.master_node_type if size.dedicated_masters else None,
                multi_az_with_standby_enabled=False,
            ),
            zone_awareness=opensearch.ZoneAwarenessConfig(
                enabled=size.zone_aware,
                availability_zone_count=size.availability_zones if size.zone_aware else None,
            ),
            ebs=opensearch.EbsOptions(volume_size=size.volume_gb, volume_type=ec2.EbsDeviceVolumeType.GP3),
            encryption_at_rest=opensearch.EncryptionAtRestOptions(enabled=True),
            node_to_node_encryption=True,
            enforce_https=True,
            tls_security_policy=opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
            logging=opensearch.LoggingOptions(
                slow_search_log_enabled=True,
                slow_search_log_group=self.slow_search_logs,
                slow_index_log_enabled=True,
                slow_index_log_group=self.slow_index_logs,
                app_log_enabled=True,
                app_log_group=self.app_logs,
            ),
            # The CloudWatch Logs resource policy is declared below as a plain CloudFormation resource
            # instead of CDK's custom-resource Lambda.
            suppress_logs_resource_policy=True,
            vpc=network.vpc,
            vpc_subnets=[ec2.SubnetSelection(subnets=subnets)],
            security_groups=[self.security_group],
            enable_auto_software_update=True,
            # Kept on delete and replacement, but removed when a failed first deploy rolls back: the domain
            # name is fixed, so a retained half-created domain would block every later deploy.
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE if config.is_production else RemovalPolicy.DESTROY,
        )
        cfn_domain = cast(opensearch.CfnDomain, self.domain.node.default_child)
        cfn_domain.access_policies = self._access_policy

        logs.ResourcePolicy(
            self,
            "LogsResourcePolicy",
            policy_statements=[
                iam.PolicyStatement(
                    principals=[cast(iam.IPrincipal, iam.ServicePrincipal("es.amazonaws.com"))],
                    actions=["logs:PutLogEvents", "logs:CreateLogStream"],
                    resources=[lg.log_group_arn for lg in (self.slow_search_logs, self.slow_index_logs, self.app_logs)],
                    conditions={
                        "StringEquals": {"aws:SourceAccount": stack.account},
                        "ArnLike": {"aws:SourceArn": self.domain_arn},
                    },
                )
            ],
        )

        if config.create_opensearch_service_linked_role:
            linked_role = iam.CfnServiceLinkedRole(
                self, "ServiceLinkedRole", aws_service_name="opensearchservice.amazonaws.com"
            )
            self.domain.node.add_dependency(linked_role)

        if not size.dedicated_masters:
            acknowledge(
                self.domain,
                "AwsSolutions-OS4",
                f"Stage '{config.stage}' runs a single-node development domain; three dedicated master "
                "nodes would triple its cost for no benefit at one data node. The prod stage uses them.",
            )
        if not size.zone_aware:
            acknowledge(
                self.domain,
                "AwsSolutions-OS7",
                f"Stage '{config.stage}' runs one data node, which cannot be spread over zones; the index "
                "is rebuildable from the DynamoDB table. The prod stage enables 2-AZ zone awareness.",
            )
        acknowledge(
            self.domain,
            "AwsSolutions-OS3",
            "The domain has no public endpoint: it lives in PRIVATE_ISOLATED subnets, its security group "
            "admits HTTPS only from the newsflow Lambdas that use it, and its resource policy names only their "
            "roles. IP allowlisting does not apply to VPC domains.",
        )

    def allow(self, function: NewsflowFunction, access: EsAccess, index: str) -> None:
        """Network path (security group), domain access policy and identity policy, all three, per path."""
        self.domain.connections.allow_default_port_from(function.function, "HTTPS from a newsflow Lambda")
        for action, paths in access.items():
            resources = [f"{self.domain_arn}/{path.format(index=index)}" for path in paths]
            self._access_policy.add_statements(
                iam.PolicyStatement(
                    principals=[cast(iam.IPrincipal, iam.ArnPrincipal(function.role.role_arn))],
                    actions=[action],
                    resources=resources,
                )
            )
            function.add_to_policy([action], resources)
            for path, resource in zip(paths, resources, strict=True):
                if "*" in path:
                    acknowledge(
                        function.role, f"AwsSolutions-IAM5[Resource::{_flat(resource, self)}]", _wildcard_reason(path)
                    )

    @property
    def endpoint_url(self) -> str:
        return f"https://{self.domain.domain_endpoint}"


def _wildcard_reason(path: str) -> str:
    if "_doc/*" in path:
        return (
            "OpenSearch authorizes HTTP paths and document ids are only known at run time: the wildcard covers "
            "the documents of this one index of this one domain, for one verb."
        )
    return (
        "The versioned indices behind the alias (<alias>-v1, -v2, ...) are created by reindex at run time, so "
        "their names end in a wildcard; it covers only this alias's versions in this one domain, for one verb."
    )


def _flat(arn: str, scope: Construct) -> str:
    """The string cdk-nag shows for a resource (Fn::Join flattened, refs as <Name>)."""
    resolved = Stack.of(scope).resolve(arn)
    if isinstance(resolved, str):
        return resolved
    parts: list[str] = []
    for item in resolved["Fn::Join"][1]:
        parts.append(item if isinstance(item, str) else f"<{item['Ref']}>")
    return "".join(parts)


@jsii.implements(lambda_.IEventSourceDlq)
class SendOnlyQueueDestination:
    """The on-failure queue of an event source mapping, granting only sqs:SendMessage.

    `SqsDlq` grants `grantSendMessages` (SendMessage, GetQueueAttributes, GetQueueUrl); the mapping
    only ever sends, so the other two would be grants that nothing uses.
    """

    def __init__(self, queue: sqs.IQueue, function: NewsflowFunction) -> None:
        self._queue = queue
        self._function = function

    def bind(self, _target: Any, _target_handler: Any) -> lambda_.DlqDestinationConfig:
        self._function.add_to_policy(["sqs:SendMessage"], [self._queue.queue_arn])
        return lambda_.DlqDestinationConfig(destination=self._queue.queue_arn)


class StreamIndexer(Construct):
    """DynamoDB stream -> index Lambda -> OpenSearch, failures parked on the index-failure queue."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        assets: FunctionAssets,
        environment: Mapping[str, str],
        table_stream_arn: str,
        failure_queue: sqs.IQueue,
        search: SearchDomain,
        placement: VpcPlacement,
    ) -> None:
        super().__init__(scope, construct_id)
        self.handler = NewsflowFunction(
            self,
            "Index",
            spec=FunctionSpec(
                handler=c.HANDLER_INDEX,
                description="Publishes article changes from the table stream to OpenSearch",
                memory_mb=512,
                timeout=INDEX_TIMEOUT,
            ),
            assets=assets,
            config=config,
            environment=environment,
            placement=placement,
            # Lambda checks, when it creates the mapping, that the role may list streams; ListStreams
            # has no resource-level permission.
            unscoped_actions=["dynamodb:ListStreams"],
        )
        fn = self.handler.function
        self.mapping = fn.add_event_source_mapping(
            "TableStream",
            event_source_arn=table_stream_arn,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=INDEX_STREAM_BATCH_SIZE,
            max_batching_window=Duration.seconds(2),
            bisect_batch_on_error=True,
            retry_attempts=INDEX_STREAM_RETRY_ATTEMPTS,
            max_record_age=INDEX_STREAM_MAX_RECORD_AGE,
            report_batch_item_failures=True,
            on_failure=cast(lambda_.IEventSourceDlq, SendOnlyQueueDestination(failure_queue, self.handler)),
            filters=[
                lambda_.FilterCriteria.filter(
                    {"dynamodb": {"Keys": {"pk": {"S": lambda_.FilterRule.begins_with(ARTICLE_KEY_PREFIX)}}}}
                )
            ],
        )
        # What DynamoEventSource grants, minus ListStreams (inline above): reads of this one stream.
        self.handler.add_to_policy(
            ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], [table_stream_arn]
        )
        search.allow(self.handler, INDEX_ACCESS, config.opensearch_index)
