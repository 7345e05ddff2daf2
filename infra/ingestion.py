"""Items queue (+ DLQ), the ingest Lambda that drains it, and the feed intake that fills it.

Feed intake fans out: the scheduled `poll` function only queries the due feeds (no network I/O) and
enqueues one fetch request per feed on the fetch queue; the `fetch` worker (SQS-triggered, maximum
concurrency `fetchMaxConcurrency`) fetches, parses and sends each feed's new items.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from newsflow import constants as c

from infra.config import StageConfig
from infra.lambdas import FunctionAssets, FunctionSpec, NewsflowFunction, VpcPlacement
from infra.nag import acknowledge
from infra.search import INGEST_ACCESS, SearchDomain
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
# (Story candidates are looked up in the search index, not in the table: no Query, no BatchWriteItem.)
INGEST_TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:DeleteItem",  # a syndicator's copy stored before the publisher's original, folded into it
)
# What Lambda's SQS poller does with the function's role (AWSLambdaSQSQueueExecutionRole's actions).
FETCH_TIMEOUT = Duration.seconds(c.FETCH_TIMEOUT_SECONDS)
FETCH_VISIBILITY_TIMEOUT = Duration.seconds(6 * c.FETCH_TIMEOUT_SECONDS)
# The fetch worker touches only the FEEDS partition: claim (UpdateItem), state (PutItem), fingerprints
# (GetItem, PutItem), the host politeness records (UpdateItem, GetItem).
FETCH_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")
# Per-feed secret headers are SSM parameters under this path (feeds/settings_model.py PARAMETER_PREFIX).
FEED_PARAMETER_PATH = "newsflow/feeds/*"


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
        # Feed fetch requests (one per due feed per tick), and the requests the fetch worker parked.
        self.fetch_dlq = secure_queue(self, "FetchDlq", retention_period=DLQ_RETENTION)
        self.fetch = secure_queue(
            self,
            "Fetch",
            visibility_timeout=FETCH_VISIBILITY_TIMEOUT,
            retention_period=Duration.days(1),  # a request older than a day is superseded by newer ticks
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.fetch_dlq, max_receive_count=c.MAX_RECEIVE_COUNT),
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
        search: SearchDomain,
        placement: VpcPlacement,
    ) -> None:
        super().__init__(scope, construct_id)
        table = storage.table

        # In the VPC: it reads the search index (story candidates); DynamoDB and SQS through the endpoints.
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
            placement=placement,
        )
        search.allow(self.ingest, INGEST_ACCESS, config.opensearch_index)
        self.ingest.consume_queue(
            "ItemsQueue",
            queues.items.queue_arn,
            batch_size=c.INGEST_BATCH_SIZE,
            max_batching_window=INGEST_BATCHING_WINDOW,
            max_concurrency=config.ingest_max_concurrency,
        )
        self.ingest.add_to_policy(INGEST_TABLE_ACTIONS, [table.table_arn])
        # Poison messages are parked by the handler itself (with a reason attribute), not only by redrive.
        self.ingest.add_to_policy(["sqs:SendMessage"], [queues.dlq.queue_arn])

        self.poll = NewsflowFunction(
            self,
            "Poll",
            spec=FunctionSpec(
                handler=c.HANDLER_POLL,
                description="Selects the due feeds (one index query) and enqueues one fetch request per feed",
                memory_mb=256,
                timeout=Duration.minutes(2),
                reserved_concurrency=1,  # one scheduler at a time: each due feed is enqueued once per tick
            ),
            assets=assets,
            config=config,
            environment=environment,
        )
        # The scheduler reads the sparse due index only (it holds nothing but enabled feeds' keys, host and
        # failure count) and writes fetch requests.
        self.poll.add_to_policy(["dynamodb:Query"], [f"{table.table_arn}/index/{c.GSI_DUE}"])
        self.poll.add_to_policy(["sqs:SendMessage"], [queues.fetch.queue_arn])

        feeds = config.feeds
        self.fetch = NewsflowFunction(
            self,
            "Fetch",
            spec=FunctionSpec(
                handler=c.HANDLER_FETCH,
                description="Fetches one feed per request (conditional GET), sends its new items, saves its state",
                memory_mb=256,
                timeout=FETCH_TIMEOUT,
            ),
            assets=assets,
            config=config,
            environment={
                **environment,
                c.ENV_FETCH_DLQ_URL: queues.fetch_dlq.queue_url,
                c.ENV_HOST_MAX_IN_FLIGHT: str(feeds.host_max_in_flight),
                c.ENV_HOST_MIN_GAP: str(feeds.host_min_gap_seconds),
                c.ENV_FEED_MIN_INTERVAL: str(feeds.min_interval_minutes),
                c.ENV_FEED_MAX_INTERVAL: str(feeds.max_interval_minutes),
                c.ENV_FEED_DISABLE_FAILURES: str(feeds.disable_after_failures),
                c.ENV_FEED_DISABLE_HOURS: str(feeds.disable_after_hours),
            },
        )
        self.fetch.consume_queue(
            "FetchQueue",
            queues.fetch.queue_arn,
            batch_size=c.FETCH_BATCH_SIZE,
            max_concurrency=feeds.fetch_max_concurrency,
        )
        self.fetch.add_to_policy(FETCH_TABLE_ACTIONS, [table.table_arn], conditions=feeds_partition_only())
        # Items out; delayed re-queues of requests whose host is busy; requests parked with a reason.
        self.fetch.add_to_policy(
            ["sqs:SendMessage"], [queues.items.queue_arn, queues.fetch.queue_arn, queues.fetch_dlq.queue_arn]
        )
        stack = Stack.of(self)
        self.fetch.add_to_policy(
            ["ssm:GetParameter"],
            [f"arn:{stack.partition}:ssm:{stack.region}:{stack.account}:parameter/{FEED_PARAMETER_PATH}"],
        )
        acknowledge(
            self.fetch.role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/"
            f"{FEED_PARAMETER_PATH}]",
            "Per-feed secret headers are SSM SecureString parameters an operator adds at any time under "
            "/newsflow/feeds/ (feeds/settings_model.py refuses any other path): the prefix is the scope.",
        )

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
