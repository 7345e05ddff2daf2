"""One construct for every newsflow Lambda: own role, own log group, shared asset, common environment.

Each function gets a dedicated role without AWS managed policies: logging, tracing and (in a VPC) ENI
permissions are inline on the role; every resource grant lands in the role's DefaultPolicy. Keeping
the unavoidable `Resource: *` statements inline lets them be acknowledged on the role alone, so a
wildcard that slips into a grant later is still reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import StageConfig
from infra.log_groups import log_group
from infra.nag import acknowledge

RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64

_ENI_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)


@dataclass(frozen=True)
class FunctionSpec:
    handler: str
    description: str
    memory_mb: int
    timeout: Duration
    reserved_concurrency: int | None = None


@dataclass(frozen=True)
class VpcPlacement:
    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection
    security_group: ec2.ISecurityGroup


class NewsflowFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: FunctionSpec,
        code: lambda_.Code,
        config: StageConfig,
        environment: Mapping[str, str],
        placement: VpcPlacement | None = None,
        unscoped_actions: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = log_group(self, "Logs", config)

        inline: dict[str, iam.PolicyDocument] = {
            "Logging": iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                        resources=[self.log_group.log_group_arn],
                    )
                ]
            ),
            "Tracing": iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"])
                ]
            ),
        }
        unscoped = ["xray:PutTraceSegments/PutTelemetryRecords"]
        if placement is not None:
            inline["VpcNetworking"] = iam.PolicyDocument(
                statements=[iam.PolicyStatement(actions=list(_ENI_ACTIONS), resources=["*"])]
            )
            unscoped.append("the Lambda VPC ENI actions (ec2:*NetworkInterface*, ec2:DescribeSubnets)")
        if unscoped_actions:
            inline["Unscoped"] = iam.PolicyDocument(
                statements=[iam.PolicyStatement(actions=list(unscoped_actions), resources=["*"])]
            )
            unscoped.append(", ".join(unscoped_actions))
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=cast(iam.IPrincipal, iam.ServicePrincipal("lambda.amazonaws.com")),
            description=f"newsflow {config.stage}: {spec.description}",
            inline_policies=inline,
        )
        acknowledge(
            cast(Construct, self.role.node.default_child),
            "AwsSolutions-IAM5[Resource::*]",
            f"Inline role policies only: {'; '.join(unscoped)} support no resource-level permissions in "
            "IAM, so Resource must be '*'. Every grant on a data resource lives in the DefaultPolicy, "
            "where wildcards are still reported.",
        )

        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=spec.handler,
            code=code,
            description=spec.description,
            memory_size=spec.memory_mb,
            timeout=spec.timeout,
            role=self.role,
            log_group=self.log_group,
            environment=dict(environment),
            reserved_concurrent_executions=spec.reserved_concurrency,
            vpc=placement.vpc if placement else None,
            vpc_subnets=placement.subnets if placement else None,
            security_groups=[placement.security_group] if placement else None,
        )
        # Active tracing set on the L1 so that CDK does not add its own `xray:* on *` statement to the
        # DefaultPolicy: the permission is already in the inline "Tracing" policy above.
        cfn = cast(lambda_.CfnFunction, self.function.node.default_child)
        cfn.tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode="Active")

    def add_to_policy(
        self, actions: Sequence[str], resources: Sequence[str], conditions: Mapping[str, Any] | None = None
    ) -> None:
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(actions), resources=list(resources), conditions=dict(conditions or {}) or None
            )
        )
