"""The full-text stage: a queue of teaser items (+ DLQ), the function that fetches and extracts their article
pages and sends them on to the items queue, and its alarms.

The poller sends teasers here instead of to the items queue (`NEWSFLOW_FULLTEXT_QUEUE_URL` on the poll
function), so a slow site holds only its own messages, never ingest. The function runs outside the VPC
(it reads the public web, like the poller). Its grants: its queue (the event source mapping's receive/delete),
SendMessage on the items queue and on its DLQ, and GetItem/UpdateItem in the feeds partition only (IAM
LeadingKeys): the fetch workers' per-host politeness records (`HOST#<host>`), shared so that K page fetches in
flight and the gap per host hold across every concurrent worker.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from newsflow import constants as c

from infra.config import StageConfig
from infra.ingestion import DLQ_RETENTION, Queues, feeds_partition_only, secure_queue
from infra.lambdas import FunctionAssets, FunctionSpec, NewsflowFunction

FULLTEXT_TIMEOUT = Duration.seconds(c.FULLTEXT_TIMEOUT_SECONDS)
FULLTEXT_BATCHING_WINDOW = Duration.seconds(5)
# AWS guidance for SQS event sources: visibility >= 6 x function timeout (+ the batching window).
FULLTEXT_VISIBILITY_TIMEOUT = Duration.seconds(6 * c.FULLTEXT_TIMEOUT_SECONDS + 5)
# Concurrent page workers: with the per-worker host gap this bounds the requests any one site receives.
FULLTEXT_MAX_CONCURRENCY = 10
# The shared host records: take a slot (conditional UpdateItem), read the record when it is busy, release.
HOST_RECORD_ACTIONS = ("dynamodb:GetItem", "dynamodb:UpdateItem")
FULLTEXT_BACKLOG_SECONDS = 30 * 60  # teasers wait more than 30 minutes for their page


class FullText(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        assets: FunctionAssets,
        environment: Mapping[str, str],
        queues: Queues,
        table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        self._stage = config.stage
        self.dlq = secure_queue(self, "FullTextDlq", retention_period=DLQ_RETENTION)
        self.queue = secure_queue(
            self,
            "FullTextQueue",
            visibility_timeout=FULLTEXT_VISIBILITY_TIMEOUT,
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dlq, max_receive_count=c.MAX_RECEIVE_COUNT),
        )
        self.handler = NewsflowFunction(
            self,
            "FullText",
            spec=FunctionSpec(
                handler=c.HANDLER_FULLTEXT,
                description="Fetches and extracts the article pages of teaser feed items, then sends them to ingest",
                memory_mb=1024,
                timeout=FULLTEXT_TIMEOUT,
            ),
            assets=assets,
            config=config,
            environment={
                **environment,
                c.ENV_FULLTEXT_DLQ_URL: self.dlq.queue_url,
                c.ENV_HOST_MAX_IN_FLIGHT: str(config.feeds.host_max_in_flight),
                c.ENV_HOST_MIN_GAP: str(config.feeds.host_min_gap_seconds),
            },
        )
        self.handler.consume_queue(
            "FullTextQueue",
            self.queue.queue_arn,
            batch_size=c.FULLTEXT_BATCH_SIZE,
            max_batching_window=FULLTEXT_BATCHING_WINDOW,
            max_concurrency=FULLTEXT_MAX_CONCURRENCY,
        )
        self.handler.add_to_policy(["sqs:SendMessage"], [queues.items.queue_arn, self.dlq.queue_arn])
        self.handler.add_to_policy(HOST_RECORD_ACTIONS, [table.table_arn], conditions=feeds_partition_only())

    def route_teasers_from(self, fetch: NewsflowFunction) -> None:
        """The fetch worker sends teaser items here (and may)."""
        fetch.function.add_environment(c.ENV_FULLTEXT_QUEUE_URL, self.queue.queue_url)
        fetch.add_to_policy(["sqs:SendMessage"], [self.queue.queue_arn])

    def add_alarms(self, topic: sns.ITopic) -> list[cloudwatch.Alarm]:
        period = Duration.minutes(5)
        action = actions.SnsAction(topic)
        alarms = [
            cloudwatch.Alarm(
                self,
                "FullTextDlqNotEmpty",
                alarm_description=f"newsflow {self._stage}: full-text messages were parked; their reason is an "
                "attribute of each message (`newsflow-reason`).",
                metric=self.dlq.metric_approximate_number_of_messages_visible(period=period, statistic="Maximum"),
                threshold=0,
                evaluation_periods=2,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            cloudwatch.Alarm(
                self,
                "FullTextBacklog",
                alarm_description=f"newsflow {self._stage}: the oldest teaser has waited more than "
                f"{FULLTEXT_BACKLOG_SECONDS // 60} minutes for its page (slow sites, or too few workers).",
                metric=self.queue.metric_approximate_age_of_oldest_message(period=period, statistic="Maximum"),
                threshold=FULLTEXT_BACKLOG_SECONDS,
                evaluation_periods=2,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
        ]
        for alarm in alarms:
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)
        return alarms
