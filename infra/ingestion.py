"""Items queue (+ DLQ), the ingest Lambda that drains it, and the scheduled feed poller that fills it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from newsflow import constants as c

from infra.config import StageConfig
from infra.lambdas import FunctionAssets, FunctionSpec, NewsflowFunction
from infra.nag import acknowledge
from infra.storage import Storage

INGEST_TIMEOUT = Duration.seconds(c.INGEST_TIMEOUT_SECONDS)
INGEST_BATCHING_WINDOW = Duration.seconds(5)
# AWS guidance for SQS event sources: visibility >= 6 x function timeout (+ the batching window).
ITEMS_VISIBILITY_TIMEOUT = Duration.seconds(6 * c.INGEST_TIMEOUT_SECONDS + 5)
POLL_TIMEOUT = Duration.minutes(5)
FEEDS_PARTITION = "FEEDS"  # store/keys.py FEEDS_PK: the registry's one partition
DLQ_RETENTION = Duration.days(14)

# What each function's calls need, no more (tests/infra/test_permissions.py runs the handlers against
# the synthesized policies: a missing grant and a grant no call uses both fail it).
INGEST_TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:BatchWriteItem",  # near-duplicate candidate entries are written in batches of up to 25
)
# What Lambda's SQS poller does with the function's role (AWSLambdaSQSQueueExecutionRole's actions).
SQS_POLLER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
POLL_TABLE_ACTIONS = ("dynamodb:Query", "dynamodb:PutItem")


def feeds_partition_only() -> dict[str, Any]:
    """IAM condition: every item key the call touches is in the feeds registry's partition."""
    return {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [FEEDS_PARTITION]}}


def secure_queue(
    scope: Construct,
    construct_id: str,
    *,
    retention_period: Duration,
    visibility_timeout: Duration | None = None,
    dead_letter_queue: sqs.DeadLetterQueue | None = None,
) -> sqs.Queue:
    """SSE with SQS-owned keys (no KMS calls, so no KMS endpoint needed in the VPC) and TLS only."""
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=retention_period,
        visibility_timeout=visibility_timeout,
        dead_letter_queue=dead_letter_queue,
    )


class Queues(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.dlq = secure_queue(self, "ItemsDlq", retention_period=DLQ_RETENTION)
        self.items = secure_queue(
            self,
            "Items",
            visibility_timeout=ITEMS_VISIBILITY_TIMEOUT,
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dlq, max_receive_count=c.MAX_RECEIVE_COUNT),
        )
        # On-failure destination of the table-stream mapping: records the index Lambda gave up on.
        self.index_failures = secure_queue(self, "IndexFailures", retention_period=DLQ_RETENTION)
        acknowledge(
            self.index_failures,
            "AwsSolutions-SQS3",
            "This queue is itself a dead-letter store: the on-failure destination of the DynamoDB "
            "stream event source mapping (cdk-nag only recognises queue redrive and Lambda async DLQs). "
            "Nothing consumes it automatically; its depth is alarmed.",
        )


class Ingestion(Construct):
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
    ) -> None:
        super().__init__(scope, construct_id)
        table = storage.table

        self.ingest = NewsflowFunction(
            self,
            "Ingest",
            spec=FunctionSpec(
                handler=c.HANDLER_INGEST,
                description="Normalises, categorises and stores feed items from the items queue",
                memory_mb=512,
                timeout=INGEST_TIMEOUT,
            ),
            assets=assets,
            config=config,
            environment=environment,
        )
        # A plain mapping rather than SqsEventSource, whose grantConsumeMessages also grants
        # ChangeMessageVisibility and GetQueueUrl, which neither the poller nor the handler calls.
        self.ingest.function.add_event_source_mapping(
            "ItemsQueue",
            event_source_arn=queues.items.queue_arn,
            batch_size=c.INGEST_BATCH_SIZE,
            max_batching_window=INGEST_BATCHING_WINDOW,
            report_batch_item_failures=True,
            max_concurrency=config.ingest_max_concurrency,
        )
        self.ingest.add_to_policy(SQS_POLLER_ACTIONS, [queues.items.queue_arn])
        self.ingest.add_to_policy(INGEST_TABLE_ACTIONS, [table.table_arn])
        # Poison messages are parked by the handler itself (with a reason attribute), not only by redrive.
        self.ingest.add_to_policy(["sqs:SendMessage"], [queues.dlq.queue_arn])

        self.poll = NewsflowFunction(
            self,
            "Poll",
            spec=FunctionSpec(
                handler=c.HANDLER_POLL,
                description="Fetches the registered feeds (conditional GET) and enqueues new items",
                memory_mb=512,
                timeout=POLL_TIMEOUT,
                reserved_concurrency=1,  # one poller at a time: feeds are fetched once per tick
            ),
            assets=assets,
            config=config,
            environment=environment,
        )
        # The poller reads and writes the feeds registry only: one partition of the table.
        self.poll.add_to_policy(POLL_TABLE_ACTIONS, [table.table_arn], conditions=feeds_partition_only())
        self.poll.add_to_policy(["sqs:SendMessage"], [queues.items.queue_arn])

        self.schedule = events.Rule(
            self,
            "Schedule",
            description=f"newsflow {config.stage}: poll the registered feeds",
            schedule=events.Schedule.rate(Duration.minutes(config.poll_rate_minutes)),
            targets=[
                targets.LambdaFunction(
                    self.poll.function,
                    retry_attempts=2,
                    max_event_age=Duration.minutes(config.poll_rate_minutes),
                )
            ],
        )
