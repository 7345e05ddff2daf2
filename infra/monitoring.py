"""Alarms to an encrypted SNS topic, and one dashboard for the whole pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import StageConfig
from infra.lambdas import NewsflowFunction

PERIOD = Duration.minutes(5)
INDEX_ITERATOR_AGE_MS = 5 * 60 * 1000  # the stream is more than 5 minutes behind
ITEMS_OLDEST_MESSAGE_SECONDS = 15 * 60  # ingest is more than 15 minutes behind the queue
OPENSEARCH_FREE_STORAGE_FRACTION = 0.2


@dataclass(frozen=True)
class Monitored:
    functions: Sequence[tuple[str, NewsflowFunction]]  # (label, function)
    index_function: NewsflowFunction
    items_queue: sqs.IQueue
    dlq: sqs.IQueue
    index_failures: sqs.IQueue
    rest_api: apigw.RestApi
    domain: opensearch.Domain


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, monitored: Monitored) -> None:
        super().__init__(scope, construct_id)
        self._stage = config.stage
        # CloudWatch cannot publish to a topic under the AWS-managed aws/sns key: a CMK whose policy
        # admits cloudwatch.amazonaws.com is required.
        self.key = kms.Key(
            self,
            "AlarmTopicKey",
            description=f"newsflow {config.stage}: encrypts the alarm topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN if config.is_production else RemovalPolicy.DESTROY,
        )
        self.key.grant(
            cast(iam.IGrantable, iam.ServicePrincipal("cloudwatch.amazonaws.com")),
            "kms:Decrypt",
            "kms:GenerateDataKey*",
        )
        self.topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name=f"newsflow {config.stage} alarms",
            master_key=self.key,
            enforce_ssl=True,
        )
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self._action = actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []

        m = monitored
        self._alarm(
            "DlqNotEmpty",
            m.dlq.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
            threshold=0,
            description="Items were parked in the DLQ (poison or repeatedly failing); inspect and redrive.",
        )
        self._alarm(
            "IndexFailuresNotEmpty",
            m.index_failures.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
            threshold=0,
            description="Stream records could not be indexed into OpenSearch; search is out of date.",
        )
        self._alarm(
            "IngestBacklog",
            m.items_queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum"),
            threshold=ITEMS_OLDEST_MESSAGE_SECONDS,
            description="The oldest message in the items queue is older than 15 minutes: ingest lags.",
        )
        self._alarm(
            "IndexIteratorAge",
            m.index_function.function.metric(
                "IteratorAge", period=PERIOD, statistic="Maximum", unit=cloudwatch.Unit.MILLISECONDS
            ),
            threshold=INDEX_ITERATOR_AGE_MS,
            description="The index Lambda is more than 5 minutes behind the table stream.",
        )
        for label, fn in m.functions:
            self._alarm(
                f"{label}Errors",
                fn.function.metric_errors(period=PERIOD, statistic="Sum"),
                threshold=0,
                description=f"The {label.lower()} Lambda raised errors.",
            )
            self._alarm(
                f"{label}Throttles",
                fn.function.metric_throttles(period=PERIOD, statistic="Sum"),
                threshold=0,
                description=f"The {label.lower()} Lambda was throttled.",
            )
        self._alarm(
            "Api5xx",
            m.rest_api.deployment_stage.metric_server_error(period=PERIOD, statistic="Sum"),
            threshold=0,
            description="The API returned 5xx responses.",
        )
        self._alarm(
            "SearchClusterRed",
            m.domain.metric_cluster_status_red(period=Duration.minutes(1), statistic="Maximum"),
            threshold=0,
            description="At least one primary shard is unassigned: searches and indexing fail.",
        )
        self._alarm(
            "SearchWritesBlocked",
            m.domain.metric_cluster_index_writes_blocked(period=PERIOD, statistic="Maximum"),
            threshold=0,
            description="The OpenSearch cluster blocks writes (disk or memory pressure).",
        )
        free_mb = config.opensearch.volume_gb * 1024 * OPENSEARCH_FREE_STORAGE_FRACTION
        self._alarm(
            "SearchLowStorage",
            m.domain.metric_free_storage_space(period=PERIOD, statistic="Minimum"),
            threshold=free_mb,
            comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            description="A data node has less than 20% of its volume free.",
        )

        self.dashboard = self._dashboard(m)

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        description: str,
        comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=f"newsflow {self._stage}: {description}",
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=comparison,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms.append(alarm)
        return alarm

    def _dashboard(self, m: Monitored) -> cloudwatch.Dashboard:
        def graph(title: str, metrics: Sequence[cloudwatch.IMetric], width: int = 8) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=list(metrics), width=width, height=6)

        fns = [fn.function for _, fn in m.functions]
        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"newsflow-{self._stage}")
        dashboard.add_widgets(
            graph(
                "Items queue",
                [
                    m.items_queue.metric_approximate_number_of_messages_visible(period=PERIOD),
                    m.items_queue.metric_number_of_messages_sent(period=PERIOD),
                    m.items_queue.metric_number_of_messages_deleted(period=PERIOD),
                ],
            ),
            graph(
                "Parked (DLQ, index failures)",
                [
                    m.dlq.metric_approximate_number_of_messages_visible(period=PERIOD),
                    m.index_failures.metric_approximate_number_of_messages_visible(period=PERIOD),
                ],
            ),
            graph(
                "Lag",
                [
                    m.items_queue.metric_approximate_age_of_oldest_message(period=PERIOD),
                    m.index_function.function.metric("IteratorAge", period=PERIOD, statistic="Maximum"),
                ],
            ),
        )
        dashboard.add_widgets(
            graph("Lambda invocations", [fn.metric_invocations(period=PERIOD) for fn in fns]),
            graph("Lambda errors", [fn.metric_errors(period=PERIOD) for fn in fns]),
            graph("Lambda duration p95", [fn.metric_duration(period=PERIOD, statistic="p95") for fn in fns]),
        )
        dashboard.add_widgets(
            graph(
                "API requests and errors",
                [
                    m.rest_api.deployment_stage.metric_count(period=PERIOD),
                    m.rest_api.deployment_stage.metric_client_error(period=PERIOD),
                    m.rest_api.deployment_stage.metric_server_error(period=PERIOD),
                ],
            ),
            graph("API latency p95", [m.rest_api.deployment_stage.metric_latency(period=PERIOD, statistic="p95")]),
            graph(
                "OpenSearch",
                [
                    m.domain.metric_search_latency(period=PERIOD),
                    m.domain.metric_indexing_latency(period=PERIOD),
                    m.domain.metric_jvm_memory_pressure(period=PERIOD),
                ],
            ),
        )
        return dashboard
