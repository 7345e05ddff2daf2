"""A private, NAT-less VPC for the OpenSearch domain and the Lambdas that talk to it (index, api, ops, ingest).

Only PRIVATE_ISOLATED subnets: nothing in here can reach the internet. AWS services are reached
through endpoints: DynamoDB (gateway, free), SQS (interface: the api Lambda enqueues items, ingest parks
poison messages on the DLQ, the ops function reads the index-failures queue) and DynamoDB Streams
(interface, for the ops function's replay of failed stream batches; prod only by default, context
`streamsEndpoint`, $7.30 a month).
Ingest is inside since it reads the search index (story candidates); poll, fetch and full-text stay outside
(they fetch from the internet).
"""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.config import FixedCostOptions, StageConfig
from infra.log_groups import log_group


class Network(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24)
            ],
            # The default security group is never used; restricting it needs a custom-resource Lambda.
            restrict_default_security_group=False,
        )
        self.subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)

        self.flow_logs = log_group(self, "FlowLogs", config)
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_logs),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )

        self.dynamodb_endpoint = self.vpc.add_gateway_endpoint(
            "DynamoDbEndpoint",
            service=ec2.GatewayVpcEndpointAwsService.DYNAMODB,
            subnets=[self.subnets],
        )
        # An interface endpoint costs ~$7.30 a month per zone: dev keeps one (the other zone reaches it
        # across zones), prod one per zone so a zone outage leaves the functions able to reach the service.
        endpoint_subnets = (
            self.subnets if config.is_production else ec2.SubnetSelection(subnets=self.vpc.isolated_subnets[:1])
        )
        self.sqs_endpoint = self.vpc.add_interface_endpoint(
            "SqsEndpoint",
            service=ec2.InterfaceVpcEndpointAwsService.SQS,
            subnets=endpoint_subnets,
            private_dns_enabled=True,
            open=False,  # ingress is opened per client security group (see allow_sqs_from)
        )

        # The ops function replays failed stream batches: DynamoDB Streams has no gateway endpoint. Without
        # it (dev's default) the replay cannot reach the stream and fails with a connection error.
        self.streams_endpoint: ec2.InterfaceVpcEndpoint | None = None
        if FixedCostOptions.from_context(self.node.try_get_context, config.is_production).streams_endpoint:
            self.streams_endpoint = self.vpc.add_interface_endpoint(
                "DynamoDbStreamsEndpoint",
                service=ec2.InterfaceVpcEndpointAwsService.DYNAMODB_STREAMS,
                subnets=endpoint_subnets,
                private_dns_enabled=True,
                open=False,
            )

    def security_group(self, construct_id: str, description: str) -> ec2.SecurityGroup:
        return ec2.SecurityGroup(self, construct_id, vpc=self.vpc, description=description, allow_all_outbound=True)

    def allow_sqs_from(self, peer: ec2.IConnectable) -> None:
        self.sqs_endpoint.connections.allow_default_port_from(peer, "HTTPS to the SQS endpoint")

    def allow_streams_from(self, peer: ec2.IConnectable) -> None:
        if self.streams_endpoint is not None:
            self.streams_endpoint.connections.allow_default_port_from(peer, "HTTPS to the DynamoDB Streams endpoint")

    def restrict_dynamodb_endpoint(self, resources: list[str], actions: list[str]) -> None:
        """The gateway endpoint only serves the newsflow table (and its indexes), nothing else."""
        self.dynamodb_endpoint.add_to_policy(
            iam.PolicyStatement(principals=[iam.AnyPrincipal()], actions=actions, resources=resources)
        )
