"""The single DynamoDB table: articles, dedupe keys, category markers and the feeds registry."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct
from newsflow import constants as c

from infra.config import StageConfig, TableCapacity

PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expires_at"
# (index name, partition key, sort key): the store/keys.py layout.
GLOBAL_INDEXES = (
    (c.GSI_CATEGORY, "gsi1pk", "gsi1sk"),
    # Sparse: only enabled feeds carry gsi3pk. The scheduler's one query (store/feeds.py).
    (c.GSI_DUE, "gsi3pk", "gsi3sk"),
)


class Storage(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        string = dynamodb.AttributeType.STRING
        self.capacity = TableCapacity.from_context(self.node.try_get_context)
        capacity = self.capacity
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=PARTITION_KEY, type=string),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=string),
            billing_mode=dynamodb.BillingMode.PROVISIONED
            if capacity.provisioned
            else dynamodb.BillingMode.PAY_PER_REQUEST,
            read_capacity=capacity.min_read if capacity.provisioned else None,
            write_capacity=capacity.min_write if capacity.provisioned else None,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            time_to_live_attribute=TTL_ATTRIBUTE,
            deletion_protection=config.is_production,
            removal_policy=RemovalPolicy.RETAIN if config.is_production else RemovalPolicy.DESTROY,
        )
        for name, pk, sk in GLOBAL_INDEXES:
            self.table.add_global_secondary_index(
                index_name=name,
                partition_key=dynamodb.Attribute(name=pk, type=string),
                sort_key=dynamodb.Attribute(name=sk, type=string),
                projection_type=dynamodb.ProjectionType.INCLUDE
                if name == c.GSI_DUE
                else dynamodb.ProjectionType(c.GSI_PROJECTION),
                non_key_attributes=list(c.GSI_DUE_ATTRIBUTES) if name == c.GSI_DUE else None,
                # The GSIs are read only when the search index is down: one RCU is their floor.
                read_capacity=1 if capacity.provisioned else None,
                write_capacity=capacity.min_write if capacity.provisioned else None,
            )
        if capacity.provisioned:
            self._auto_scale(capacity)

    def _auto_scale(self, capacity: TableCapacity) -> None:
        """Target tracking on every capacity of the table and its GSIs, between the configured bounds."""
        target = capacity.target_utilization
        self.table.auto_scale_read_capacity(
            min_capacity=capacity.min_read, max_capacity=capacity.max_read
        ).scale_on_utilization(target_utilization_percent=target)
        self.table.auto_scale_write_capacity(
            min_capacity=capacity.min_write, max_capacity=capacity.max_write
        ).scale_on_utilization(target_utilization_percent=target)
        for name, _, _ in GLOBAL_INDEXES:
            self.table.auto_scale_global_secondary_index_read_capacity(
                name, min_capacity=1, max_capacity=capacity.max_read
            ).scale_on_utilization(target_utilization_percent=target)
            self.table.auto_scale_global_secondary_index_write_capacity(
                name, min_capacity=capacity.min_write, max_capacity=capacity.max_write
            ).scale_on_utilization(target_utilization_percent=target)

    @property
    def index_arns(self) -> list[str]:
        """Each GSI by name: Query grants need no `index/*` wildcard."""
        return [f"{self.table.table_arn}/index/{name}" for name, _, _ in GLOBAL_INDEXES]
