"""The single DynamoDB table: articles, dedupe keys, month markers and the feeds registry."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct
from newsflow import constants as c

from infra.config import StageConfig

PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expires_at"
# (index name, partition key, sort key): the store/keys.py layout.
GLOBAL_INDEXES = (
    (c.GSI_CATEGORY, "gsi1pk", "gsi1sk"),
    (c.GSI_LATEST, "gsi2pk", "gsi2sk"),
)


class Storage(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        string = dynamodb.AttributeType.STRING
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=PARTITION_KEY, type=string),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=string),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
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
                projection_type=dynamodb.ProjectionType(c.GSI_PROJECTION),
            )

    @property
    def index_arns(self) -> list[str]:
        """Each GSI by name: Query grants need no `index/*` wildcard."""
        return [f"{self.table.table_arn}/index/{name}" for name, _, _ in GLOBAL_INDEXES]
