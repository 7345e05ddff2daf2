"""Alarms that reach a person, and one dashboard for the whole pipeline.

Alarms go to an SNS topic: the stack's own (KMS-encrypted, with the `alarmEmail` subscription) or an
existing one (`alarmTopicArn`, e.g. a PagerDuty or Chatbot topic). Prod refuses to synthesize without
one of them (infra/config.py), so a production alarm always has a reader.

Thresholds page on a condition, not a blip: rates rather than counts where traffic varies, and
"M of N" datapoints. OpenSearch alarms follow AWS's recommended alarms for the service.

Small stages get a compact set by default (context `compactAlarms`, refused on prod; CloudWatch bills each
metric of an alarm, $0.10 a month): every kind of failure still alarms, with fewer metrics. Each function's
error alarm counts errors (3 of 5 periods with any) instead of dividing by its invocations; there are no
per-function throttle alarms (a throttled ingest, index or fetch shows as their backlog or iterator-age
alarm); the old-generation JVM alarm is left to the JVM pressure one, and the feed failure rate to the
failing-feeds count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct
from newsflow import constants as c

from infra.config import FixedCostOptions, StageConfig
from infra.lambdas import NewsflowFunction

PERIOD = Duration.minutes(5)
MINUTE = Duration.minutes(1)
GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
GTE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD

INDEX_ITERATOR_AGE_MS = 5 * 60 * 1000  # the stream is more than 5 minutes behind
ITEMS_OLDEST_MESSAGE_SECONDS = 15 * 60  # ingest is more than 15 minutes behind the queue
LAMBDA_ERROR_RATE_PERCENT = 5
API_5XX_RATE = 0.01  # API Gateway's 5XXError averaged is the share of requests that failed
API_P99_LATENCY_MS = 2500
FEED_FAILURE_RATE_PERCENT = 25
WAF_BLOCKS_PER_5_MINUTES = 500
OPENSEARCH_FREE_STORAGE_FRACTION = 0.2
OPENSEARCH_JVM_PRESSURE_PERCENT = 95
OPENSEARCH_OLD_GEN_PRESSURE_PERCENT = 80


@dataclass(frozen=True)
class Monitored:
    functions: Sequence[tuple[str, NewsflowFunction]]  # (label, function)
    index_function: NewsflowFunction
    items_queue: sqs.IQueue
    dlq: sqs.IQueue
    fetch_queue: sqs.IQueue
    fetch_dlq: sqs.IQueue
    index_failures: sqs.IQueue
    table: dynamodb.ITable
    rest_api: apigw.RestApi
    domain: opensearch.Domain
    web_acl: wafv2.CfnWebACL | None


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, monitored: Monitored) -> None:
        super().__init__(scope, construct_id)
        self._stage = config.stage
        # $3 a month beyond an account's 3 free dashboards: prod only by default (context `dashboard`).
        options = FixedCostOptions.from_context(self.node.try_get_context, config.is_production)
        compact = options.compact_alarms
        self.topic = self._topic(config)
        self._action = actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []
        m = monitored

        # Parked work: a message in a DLQ is a real event, but wait two periods so a redrive in
        # progress does not page.
        for name, queue, what in (
            ("DlqNotEmpty", m.dlq, "Items were parked in the DLQ; `newsflow dlq list` shows why."),
            ("IndexFailuresNotEmpty", m.index_failures, "Stream records were not indexed; replay them."),
            ("FetchDlqNotEmpty", m.fetch_dlq, "Fetch requests were parked (see their reason attribute)."),
        ):
            self._alarm(
                name,
                queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
                0,
                what,
                periods=2,
            )
        self._alarm(
            "IndexDrift",
            self._app_metric("IndexDrift").with_(period=Duration.days(1), statistic="Maximum"),
            0,
            "The daily reconciliation found the search index out of step with the table (and repaired it):"
            " look for index failures that were not replayed.",
        )
        self._alarm(
            "IngestBacklog",
            m.items_queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum"),
            ITEMS_OLDEST_MESSAGE_SECONDS,
            "The oldest message in the items queue is older than 15 minutes: ingest lags.",
            periods=2,
        )
        self._alarm(
            "IndexIteratorAge",
            m.index_function.function.metric("IteratorAge", period=PERIOD, statistic="Maximum"),
            INDEX_ITERATOR_AGE_MS,
            "The index Lambda is more than 5 minutes behind the table stream.",
            periods=3,
        )
        for label, fn in m.functions:
            if compact:
                self._alarm(
                    f"{label}Errors",
                    fn.function.metric_errors(period=PERIOD, statistic="Sum"),
                    0,
                    f"{label} invocations failed in 3 of 5 periods (compact alarms: a count, not a rate).",
                    periods=5,
                    datapoints=3,
                )
                continue
            errors = cloudwatch.MathExpression(
                expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                using_metrics={
                    "errors": fn.function.metric_errors(period=PERIOD, statistic="Sum"),
                    "invocations": fn.function.metric_invocations(period=PERIOD, statistic="Sum"),
                },
                label=f"{label} error rate (%)",
                period=PERIOD,
            )
            self._alarm(
                f"{label}ErrorRate",
                errors,
                LAMBDA_ERROR_RATE_PERCENT,
                f"More than {LAMBDA_ERROR_RATE_PERCENT}% of {label.lower()} invocations failed.",
                periods=5,
                datapoints=3,
            )
            self._alarm(
                f"{label}Throttles",
                fn.function.metric_throttles(period=PERIOD, statistic="Sum"),
                0,
                f"The {label.lower()} Lambda was throttled (concurrency limit).",
                periods=5,
                datapoints=3,
            )

        feed_period = Duration.minutes(max(config.poll_rate_minutes, 5) * 3)
        feeds = cloudwatch.MathExpression(
            expression="IF(polled > 0, 100 * failed / polled, 0)",
            using_metrics={
                "failed": self._app_metric("FeedFetchFailed"),
                "polled": self._app_metric("FetchPolled"),
            },
            label="Feed fetches failing (%)",
            period=feed_period,
        )
        if not compact:
            self._alarm(
                "FeedFetchFailureRate",
                feeds,
                FEED_FAILURE_RATE_PERCENT,
                f"More than {FEED_FAILURE_RATE_PERCENT}% of feed fetches failed; `newsflow feeds list` shows which.",
                periods=2,
            )
        # FeedsFailing: due feeds whose last poll failed, counted by the scheduler at every tick.
        self._alarm(
            "FeedsFailing",
            self._app_metric("FeedsFailing", statistic="Maximum", period=feed_period),
            config.feeds.failing_alarm,
            f"More than {config.feeds.failing_alarm} feeds are failing; `newsflow feeds list` shows their errors.",
            periods=2,
        )
        # FeedsDisabled: a feed was disabled (410, or too many failures) and needs an operator's look.
        self._alarm(
            "FeedsDisabled",
            self._app_metric("FeedsDisabled", statistic="Sum", period=feed_period),
            0,
            "A feed was disabled (HTTP 410 or repeated failures): README runbook 'A feed was disabled'.",
            periods=1,
        )
        self._alarm(
            "FetchBacklog",
            m.fetch_queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum"),
            max(config.poll_rate_minutes, 5) * 60,
            "The oldest fetch request is older than a scheduler tick: raise fetchMaxConcurrency.",
            periods=2,
        )

        throttles = cloudwatch.MathExpression(
            expression="reads + writes",
            using_metrics={
                "reads": m.table.metric("ReadThrottleEvents", period=PERIOD, statistic="Sum"),
                "writes": m.table.metric("WriteThrottleEvents", period=PERIOD, statistic="Sum"),
            },
            label="DynamoDB throttle events",
            period=PERIOD,
        )
        self._alarm(
            "TableThrottles", throttles, 0, "DynamoDB throttled requests to the table.", periods=3, datapoints=2
        )

        stage = m.rest_api.deployment_stage
        self._alarm(
            "Api5xxRate",
            stage.metric_server_error(period=PERIOD, statistic="Average"),
            API_5XX_RATE,
            "More than 1% of API requests failed with 5xx.",
            periods=5,
            datapoints=3,
        )
        self._alarm(
            "ApiLatencyP99",
            stage.metric_latency(period=PERIOD, statistic="p99"),
            API_P99_LATENCY_MS,
            f"API p99 latency is above {API_P99_LATENCY_MS} ms.",
            periods=5,
            datapoints=3,
        )
        if m.web_acl is not None:
            blocked = cloudwatch.Metric(
                namespace="AWS/WAFV2",
                metric_name="BlockedRequests",
                dimensions_map={"WebACL": str(m.web_acl.name), "Region": Stack.of(self).region, "Rule": "ALL"},
                period=PERIOD,
                statistic="Sum",
            )
            self._alarm(
                "WafBlocks",
                blocked,
                WAF_BLOCKS_PER_5_MINUTES,
                "The WAF blocked many requests: an attack, or legitimate traffic caught by a rule.",
                periods=3,
                datapoints=2,
            )

        d = m.domain
        self._alarm(
            "SearchClusterRed",
            d.metric_cluster_status_red(period=MINUTE, statistic="Maximum"),
            1,
            "At least one primary shard is unassigned: searches and indexing fail.",
            comparison=GTE,
        )
        if config.opensearch.data_nodes > 1:  # one node can never place replicas: yellow is its normal state
            self._alarm(
                "SearchClusterYellow",
                d.metric_cluster_status_yellow(period=MINUTE, statistic="Maximum"),
                1,
                "Replica shards are unassigned: one more node loss loses data.",
                comparison=GTE,
                periods=5,
            )
        self._alarm(
            "SearchWritesBlocked",
            d.metric_cluster_index_writes_blocked(period=PERIOD, statistic="Maximum"),
            1,
            "The OpenSearch cluster blocks writes (disk or memory pressure).",
            comparison=GTE,
        )
        free_mb = config.opensearch.volume_gb * 1024 * OPENSEARCH_FREE_STORAGE_FRACTION
        self._alarm(
            "SearchLowStorage",
            d.metric_free_storage_space(period=MINUTE, statistic="Minimum"),
            free_mb,
            "A data node has less than 20% of its volume free.",
            comparison=LT,
        )
        self._alarm(
            "SearchJvmPressure",
            d.metric_jvm_memory_pressure(period=MINUTE, statistic="Maximum"),
            OPENSEARCH_JVM_PRESSURE_PERCENT,
            "JVM memory pressure is critical: the node may reject requests.",
            comparison=GTE,
            periods=3,
        )
        if not compact:
            self._alarm(
                "SearchOldGenPressure",
                d.metric("OldGenJVMMemoryPressure", period=MINUTE, statistic="Maximum"),
                OPENSEARCH_OLD_GEN_PRESSURE_PERCENT,
                "Old-generation JVM pressure is high: scale the domain up.",
                comparison=GTE,
                periods=3,
            )

        self.dashboard = self._dashboard(m) if options.dashboard else None

    def _topic(self, config: StageConfig) -> sns.ITopic:
        if config.alarm_topic_arn:
            return sns.Topic.from_topic_arn(self, "AlarmTopic", config.alarm_topic_arn)
        # CloudWatch cannot publish to a topic under the AWS-managed aws/sns key: a CMK whose policy
        # admits cloudwatch.amazonaws.com is required.
        key = kms.Key(
            self,
            "AlarmTopicKey",
            description=f"newsflow {config.stage}: encrypts the alarm topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE if config.is_production else RemovalPolicy.DESTROY,
        )
        key.grant(
            cast(iam.IGrantable, iam.ServicePrincipal("cloudwatch.amazonaws.com")),
            "kms:Decrypt",
            "kms:GenerateDataKey*",
        )
        topic = sns.Topic(
            self, "AlarmTopic", display_name=f"newsflow {config.stage} alarms", master_key=key, enforce_ssl=True
        )
        if config.alarm_email:
            topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        return topic

    def _app_metric(self, name: str, statistic: str = "Sum", period: Duration = PERIOD) -> cloudwatch.Metric:
        """A metric the handlers emit with Powertools (EMF): namespace Newsflow, dimension service."""
        return cloudwatch.Metric(
            namespace=c.METRICS_NAMESPACE,
            metric_name=name,
            dimensions_map={"service": c.POWERTOOLS_SERVICE_NAME},
            statistic=statistic,
            period=period,
        )

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        description: str,
        *,
        comparison: cloudwatch.ComparisonOperator = GT,
        periods: int = 1,
        datapoints: int | None = None,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=f"newsflow {self._stage}: {description}",
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            datapoints_to_alarm=datapoints or periods,
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
        stage = m.rest_api.deployment_stage
        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"newsflow-{self._stage}")
        dashboard.add_widgets(cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms), width=24))
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
                "Feeds",
                [
                    self._app_metric("FeedsScheduled"),
                    self._app_metric("FetchPolled"),
                    self._app_metric("FeedFetchFailed"),
                    self._app_metric("FeedsDisabled"),
                    self._app_metric("ItemsEnqueued"),
                ],
            ),
            graph(
                "API requests and errors",
                [
                    stage.metric_count(period=PERIOD),
                    stage.metric_client_error(period=PERIOD),
                    stage.metric_server_error(period=PERIOD),
                ],
            ),
            graph(
                "API latency p50 / p99",
                [
                    stage.metric_latency(period=PERIOD, statistic="p50"),
                    stage.metric_latency(period=PERIOD, statistic="p99"),
                ],
            ),
        )
        dashboard.add_widgets(
            graph(
                "OpenSearch latency",
                [m.domain.metric_search_latency(period=PERIOD), m.domain.metric_indexing_latency(period=PERIOD)],
            ),
            graph(
                "OpenSearch memory",
                [
                    m.domain.metric_jvm_memory_pressure(period=PERIOD),
                    m.domain.metric("OldGenJVMMemoryPressure", period=PERIOD),
                ],
            ),
            graph("OpenSearch free storage", [m.domain.metric_free_storage_space(period=PERIOD)]),
        )
        return dashboard
