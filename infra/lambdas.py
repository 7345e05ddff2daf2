"""One construct for every newsflow Lambda: own role, own log group, shared asset, common environment.

Each function gets a dedicated role without AWS managed policies: logging, tracing and (in a VPC) ENI
permissions are inline on the role; every resource grant lands in the role's DefaultPolicy. Keeping
the unavoidable `Resource: *` statements inline lets them be acknowledged on the role alone, so a
wildcard that slips into a grant later is still reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from aws_cdk import AssetHashType, Duration, FileSystem
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.bundling import ASSET_EXCLUDES, bundling_options
from infra.config import StageConfig
from infra.log_groups import log_group
from infra.nag import acknowledge

ARCHITECTURE = lambda_.Architecture.ARM_64
RUNTIMES = {
    "3.11": lambda_.Runtime.PYTHON_3_11,
    "3.12": lambda_.Runtime.PYTHON_3_12,
    "3.13": lambda_.Runtime.PYTHON_3_13,
    "3.14": lambda_.Runtime.PYTHON_3_14,
}
LATEST_PYTHON = "3.14"
# Bump when the bundler's output changes for the same source (the asset hash must change with it).
BUNDLER_REVISION = "2"


@dataclass(frozen=True)
class FunctionAssets:
    """One asset per function: the handler's import closure of functions/, bundled for the runtime."""

    source_root: Path
    python_version: str

    @property
    def runtime(self) -> lambda_.Runtime:
        return RUNTIMES[self.python_version]

    def code(self, handler: str) -> lambda_.Code:
        module = handler.rsplit(".", 1)[0]
        fingerprint = FileSystem.fingerprint(str(self.source_root), exclude=list(ASSET_EXCLUDES))
        # Same source, different handler => a different asset: CDK would otherwise stage one bundle for all.
        asset_hash = hashlib.sha256(f"{fingerprint}|{module}|{self.python_version}|{BUNDLER_REVISION}".encode())
        return lambda_.Code.from_asset(
            str(self.source_root),
            bundling=bundling_options(self.source_root, self.runtime.bundling_image, module, self.python_version),
            exclude=list(ASSET_EXCLUDES),
            asset_hash_type=AssetHashType.CUSTOM,
            asset_hash=asset_hash.hexdigest(),
        )


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


# What the SQS event source mapping calls with the function's role.
SQS_POLLER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")


class NewsflowFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: FunctionSpec,
        assets: FunctionAssets,
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
            runtime=assets.runtime,
            architecture=ARCHITECTURE,
            handler=spec.handler,
            code=assets.code(spec.handler),
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
        if assets.python_version != LATEST_PYTHON:
            acknowledge(
                self.function,
                "AwsSolutions-L1",
                f"The runtime is Python {assets.python_version} (context lambdaPython) because the asset ships "
                "bytecode compiled by the Python that builds it, and bytecode only runs on its own version; "
                "without it every cold start compiles from source (2-3x the import time). Set "
                f"lambdaPython={LATEST_PYTHON} where a Python {LATEST_PYTHON} interpreter builds the asset.",
            )
        # Active tracing set on the L1 so that CDK does not add its own `xray:* on *` statement to the
        # DefaultPolicy: the permission is already in the inline "Tracing" policy above.
        cfn = cast(lambda_.CfnFunction, self.function.node.default_child)
        cfn.tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode="Active")

    def consume_queue(
        self,
        mapping_id: str,
        queue_arn: str,
        *,
        batch_size: int,
        max_concurrency: int,
        max_batching_window: Duration | None = None,
    ) -> None:
        """An SQS event source with partial batch failures, and exactly the calls the Lambda poller makes.

        A plain mapping rather than SqsEventSource, whose grantConsumeMessages also grants
        ChangeMessageVisibility and GetQueueUrl, which neither the poller nor the handlers call."""
        self.function.add_event_source_mapping(
            mapping_id,
            event_source_arn=queue_arn,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
            report_batch_item_failures=True,
            max_concurrency=max_concurrency,
        )
        self.add_to_policy(SQS_POLLER_ACTIONS, [queue_arn])

    def add_to_policy(
        self, actions: Sequence[str], resources: Sequence[str], conditions: Mapping[str, Any] | None = None
    ) -> None:
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(actions), resources=list(resources), conditions=dict(conditions or {}) or None
            )
        )
