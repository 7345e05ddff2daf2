"""Stage settings, read once from CDK context (cdk.json, `-c key=value`, or App(context=...)).

Every knob has a per-stage default here; context keys override single knobs. Values given with
`-c` arrive as strings, so each reader accepts both the JSON type and its string form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ContextGetter = Callable[[str], Any]

DEFAULT_STAGE = "dev"
PRODUCTION_STAGE = "prod"
_STAGE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,18}$")  # the OpenSearch domain name is "newsflow-<stage>" (<= 28)

# Context keys (camelCase, as they appear in cdk.json).
CTX_STAGE = "stage"
CTX_POLL_RATE_MINUTES = "pollRateMinutes"
CTX_PUBLIC_READ_API = "publicReadApi"
CTX_CORS_ORIGINS = "corsOrigins"
CTX_ALARM_EMAIL = "alarmEmail"
CTX_ALARM_TOPIC_ARN = "alarmTopicArn"
CTX_API_THROTTLE_RATE = "apiThrottleRate"
CTX_API_THROTTLE_BURST = "apiThrottleBurst"
CTX_WAF_RATE_LIMIT = "wafRateLimit"
CTX_LOG_RETENTION_DAYS = "logRetentionDays"
CTX_LOG_LEVEL = "logLevel"
CTX_OPENSEARCH_INSTANCE_TYPE = "openSearchInstanceType"
CTX_OPENSEARCH_DATA_NODES = "openSearchDataNodes"
CTX_OPENSEARCH_VOLUME_GB = "openSearchVolumeGb"
CTX_CREATE_OPENSEARCH_SLR = "createOpenSearchServiceLinkedRole"
CTX_LAMBDA_PYTHON = "lambdaPython"
CTX_WAF_ENABLED = "wafEnabled"
# Feed intake (the fetch fan-out): worker concurrency, per-host politeness, scheduling and health.
CTX_FETCH_MAX_CONCURRENCY = "fetchMaxConcurrency"
CTX_HOST_MAX_IN_FLIGHT = "hostMaxInFlight"
CTX_HOST_MIN_GAP_SECONDS = "hostMinGapSeconds"
CTX_FEED_MIN_INTERVAL = "feedMinIntervalMinutes"
CTX_FEED_MAX_INTERVAL = "feedMaxIntervalMinutes"
CTX_FEED_DISABLE_FAILURES = "feedDisableAfterFailures"
CTX_FEED_DISABLE_HOURS = "feedDisableAfterHours"
CTX_FEEDS_FAILING_ALARM = "feedsFailingAlarm"
LAMBDA_PYTHONS = ("3.11", "3.12", "3.13", "3.14")

# CloudWatch Logs accepts only these retention periods.
ALLOWED_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_ORIGIN_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


class ConfigError(ValueError):
    """A context value is missing or invalid."""


@dataclass(frozen=True)
class OpenSearchSize:
    data_node_type: str
    data_nodes: int
    volume_gb: int
    master_node_type: str | None
    master_nodes: int
    availability_zones: int  # 1 = no zone awareness

    @property
    def zone_aware(self) -> bool:
        return self.availability_zones > 1

    @property
    def dedicated_masters(self) -> bool:
        return self.master_nodes > 0


@dataclass(frozen=True)
class FeedIntake:
    """The fetch fan-out's knobs (README, "Feeds"); each is a CDK context key."""

    fetch_max_concurrency: int = 20  # maximum concurrency of the fetch queue's event source (2..1000)
    host_max_in_flight: int = 2
    host_min_gap_seconds: int = 1
    min_interval_minutes: int = 5
    max_interval_minutes: int = 24 * 60
    disable_after_failures: int = 10
    disable_after_hours: int = 24
    failing_alarm: int = 25  # alarm when more due feeds than this are failing in one tick

    @classmethod
    def from_context(cls, get: ContextGetter, base: FeedIntake) -> FeedIntake:
        intake = cls(
            fetch_max_concurrency=_int(get(CTX_FETCH_MAX_CONCURRENCY), CTX_FETCH_MAX_CONCURRENCY,
                                       base.fetch_max_concurrency, 2, 1000),
            host_max_in_flight=_int(get(CTX_HOST_MAX_IN_FLIGHT), CTX_HOST_MAX_IN_FLIGHT, base.host_max_in_flight,
                                    1, 20),
            host_min_gap_seconds=_int(get(CTX_HOST_MIN_GAP_SECONDS), CTX_HOST_MIN_GAP_SECONDS,
                                      base.host_min_gap_seconds, 0, 300),
            min_interval_minutes=_int(get(CTX_FEED_MIN_INTERVAL), CTX_FEED_MIN_INTERVAL, base.min_interval_minutes,
                                      1, 1440),
            max_interval_minutes=_int(get(CTX_FEED_MAX_INTERVAL), CTX_FEED_MAX_INTERVAL, base.max_interval_minutes,
                                      5, 7 * 1440),
            disable_after_failures=_int(get(CTX_FEED_DISABLE_FAILURES), CTX_FEED_DISABLE_FAILURES,
                                        base.disable_after_failures, 1, 10_000),
            disable_after_hours=_int(get(CTX_FEED_DISABLE_HOURS), CTX_FEED_DISABLE_HOURS, base.disable_after_hours,
                                     0, 24 * 90),
            failing_alarm=_int(get(CTX_FEEDS_FAILING_ALARM), CTX_FEEDS_FAILING_ALARM, base.failing_alarm, 1, 1_000_000),
        )  # fmt: skip
        if intake.min_interval_minutes > intake.max_interval_minutes:
            raise ConfigError(f"'{CTX_FEED_MIN_INTERVAL}' must not exceed '{CTX_FEED_MAX_INTERVAL}'")
        return intake


@dataclass(frozen=True)
class StageConfig:
    stage: str
    is_production: bool
    poll_rate_minutes: int
    public_read_api: bool
    cors_origins: tuple[str, ...]
    alarm_email: str | None
    alarm_topic_arn: str | None
    api_throttle_rate: int
    api_throttle_burst: int
    waf_rate_limit: int  # requests per 5 minutes per client IP
    log_retention_days: int
    log_level: str
    ingest_max_concurrency: int
    opensearch: OpenSearchSize
    create_opensearch_service_linked_role: bool
    lambda_python: str = "3.11"  # runtime and bytecode version: the asset is compiled by this Python
    waf_enabled: bool = True  # the API's web ACL (~$9 a month fixed): off by default on dev stages
    opensearch_index: str = "articles"
    feeds: FeedIntake = FeedIntake()

    @property
    def stack_name(self) -> str:
        return f"NewsflowStack-{self.stage}"

    @property
    def opensearch_domain_name(self) -> str:
        return f"newsflow-{self.stage}"

    @classmethod
    def from_context(cls, get: ContextGetter) -> StageConfig:
        stage = _text(get(CTX_STAGE)) or DEFAULT_STAGE
        if not _STAGE_PATTERN.match(stage):
            raise ConfigError(f"context '{CTX_STAGE}' must match {_STAGE_PATTERN.pattern}, got {stage!r}")
        prod = stage == PRODUCTION_STAGE
        base = _PROD_DEFAULTS if prod else _DEV_DEFAULTS

        size = base.opensearch
        data_nodes = _int(get(CTX_OPENSEARCH_DATA_NODES), CTX_OPENSEARCH_DATA_NODES, size.data_nodes, 1, 40)
        if size.zone_aware and data_nodes % size.availability_zones:
            raise ConfigError(
                f"'{CTX_OPENSEARCH_DATA_NODES}' must be a multiple of {size.availability_zones} (zone awareness)"
            )
        opensearch = OpenSearchSize(
            data_node_type=_text(get(CTX_OPENSEARCH_INSTANCE_TYPE)) or size.data_node_type,
            data_nodes=data_nodes,
            volume_gb=_int(get(CTX_OPENSEARCH_VOLUME_GB), CTX_OPENSEARCH_VOLUME_GB, size.volume_gb, 10, 1024),
            master_node_type=size.master_node_type,
            master_nodes=size.master_nodes,
            availability_zones=size.availability_zones,
        )

        retention = _int(get(CTX_LOG_RETENTION_DAYS), CTX_LOG_RETENTION_DAYS, base.log_retention_days, 1, 3653)
        if retention not in ALLOWED_RETENTION_DAYS:
            raise ConfigError(f"'{CTX_LOG_RETENTION_DAYS}' must be one of {ALLOWED_RETENTION_DAYS}")
        log_level = (_text(get(CTX_LOG_LEVEL)) or base.log_level).upper()
        if log_level not in _LOG_LEVELS:
            raise ConfigError(f"'{CTX_LOG_LEVEL}' must be one of {_LOG_LEVELS}")

        alarm_email = _email(get(CTX_ALARM_EMAIL))
        alarm_topic_arn = _topic_arn(get(CTX_ALARM_TOPIC_ARN))
        if prod and not (alarm_email or alarm_topic_arn):
            raise ConfigError(
                f"stage '{stage}' needs someone to page: set context '{CTX_ALARM_EMAIL}' (an address the stack "
                f"subscribes to its alarm topic) or '{CTX_ALARM_TOPIC_ARN}' (an existing SNS topic)"
            )

        burst = _int(get(CTX_API_THROTTLE_BURST), CTX_API_THROTTLE_BURST, base.api_throttle_burst, 1, 5000)
        rate = _int(get(CTX_API_THROTTLE_RATE), CTX_API_THROTTLE_RATE, base.api_throttle_rate, 1, 10000)
        lambda_python = _text(get(CTX_LAMBDA_PYTHON)) or base.lambda_python
        if lambda_python not in LAMBDA_PYTHONS:
            raise ConfigError(f"'{CTX_LAMBDA_PYTHON}' must be one of {LAMBDA_PYTHONS}, got {lambda_python!r}")
        return cls(
            stage=stage,
            lambda_python=lambda_python,
            waf_enabled=_bool(get(CTX_WAF_ENABLED), CTX_WAF_ENABLED, base.waf_enabled),
            is_production=prod,
            poll_rate_minutes=_int(get(CTX_POLL_RATE_MINUTES), CTX_POLL_RATE_MINUTES, base.poll_rate_minutes, 1, 1440),
            public_read_api=_bool(get(CTX_PUBLIC_READ_API), CTX_PUBLIC_READ_API, base.public_read_api),
            cors_origins=_origins(get(CTX_CORS_ORIGINS), base.cors_origins),
            alarm_email=alarm_email,
            alarm_topic_arn=alarm_topic_arn,
            api_throttle_rate=rate,
            api_throttle_burst=burst,
            waf_rate_limit=_int(get(CTX_WAF_RATE_LIMIT), CTX_WAF_RATE_LIMIT, base.waf_rate_limit, 10, 2_000_000),
            log_retention_days=retention,
            log_level=log_level,
            ingest_max_concurrency=base.ingest_max_concurrency,
            opensearch=opensearch,
            create_opensearch_service_linked_role=_bool(
                get(CTX_CREATE_OPENSEARCH_SLR), CTX_CREATE_OPENSEARCH_SLR, False
            ),
            feeds=FeedIntake.from_context(get, base.feeds),
        )


_DEV_DEFAULTS = StageConfig(
    stage=DEFAULT_STAGE,
    is_production=False,
    poll_rate_minutes=30,
    public_read_api=False,
    cors_origins=(),
    alarm_email=None,
    alarm_topic_arn=None,
    api_throttle_rate=20,
    api_throttle_burst=40,
    waf_rate_limit=1000,
    log_retention_days=14,
    log_level="DEBUG",
    ingest_max_concurrency=2,
    waf_enabled=False,
    feeds=FeedIntake(fetch_max_concurrency=5),
    opensearch=OpenSearchSize(
        data_node_type="t3.small.search",  # the smallest type with encryption at rest: ~$26 a month
        data_nodes=1,
        volume_gb=10,
        master_node_type=None,
        master_nodes=0,
        availability_zones=1,
    ),
    create_opensearch_service_linked_role=False,
)

_PROD_DEFAULTS = StageConfig(
    stage=PRODUCTION_STAGE,
    is_production=True,
    poll_rate_minutes=10,
    public_read_api=False,
    cors_origins=(),
    alarm_email=None,
    alarm_topic_arn=None,
    api_throttle_rate=200,
    api_throttle_burst=400,
    waf_rate_limit=2000,
    log_retention_days=90,
    log_level="INFO",
    ingest_max_concurrency=10,
    feeds=FeedIntake(fetch_max_concurrency=50),
    opensearch=OpenSearchSize(
        # Dedicated masters are what keeps a quorum in a 2-zone domain (two data nodes alone cannot lose one);
        # they cost about as much as the data nodes at this size: the price of surviving a node loss.
        data_node_type="r7g.large.search",
        data_nodes=2,
        volume_gb=50,
        master_node_type="m7g.large.search",
        master_nodes=3,
        availability_zones=2,
    ),
    create_opensearch_service_linked_role=False,
)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(value: Any, key: str, default: int, low: int, high: int) -> int:
    if value is None or _text(value) == "":
        return default
    if isinstance(value, bool):
        raise ConfigError(f"'{key}' must be an integer, got {value!r}")
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise ConfigError(f"'{key}' must be an integer, got {value!r}") from exc
    if not low <= number <= high:
        raise ConfigError(f"'{key}' must be between {low} and {high}, got {number}")
    return number


def _bool(value: Any, key: str, default: bool) -> bool:
    if value is None or _text(value) == "":
        return default
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no"}:
        return False
    raise ConfigError(f"'{key}' must be true or false, got {value!r}")


def _origins(value: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    """A JSON list (cdk.json), a JSON list as a string, or a comma-separated string (`-c`)."""
    if value is None:
        return default
    items: list[Any]
    if isinstance(value, list | tuple):
        items = list(value)
    else:
        text = _text(value)
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"'{CTX_CORS_ORIGINS}' is not a valid JSON list: {exc}") from exc
            if not isinstance(parsed, list):
                raise ConfigError(f"'{CTX_CORS_ORIGINS}' must be a list of origins")
            items = parsed
        else:
            items = [part for part in text.split(",") if part.strip()]
    origins = tuple(_text(item).rstrip("/") for item in items)
    for origin in origins:
        if origin == "*" or not _ORIGIN_PATTERN.match(origin):
            raise ConfigError(
                f"'{CTX_CORS_ORIGINS}' entries must be explicit origins such as https://news.example.com "
                f"(no wildcards), got {origin!r}"
            )
    return origins


def _topic_arn(value: Any) -> str | None:
    text = _text(value)
    if not text:
        return None
    if not re.fullmatch(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}", text):
        raise ConfigError(f"'{CTX_ALARM_TOPIC_ARN}' is not an SNS topic ARN: {text!r}")
    return text


def _email(value: Any) -> str | None:
    text = _text(value)
    if not text:
        return None
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise ConfigError(f"'{CTX_ALARM_EMAIL}' is not an email address: {text!r}")
    return text


# ---- DynamoDB capacity (issue 9, cost) ---------------------------------------------------------------------
# One block, read by infra/storage.py on its own so that it merges cleanly with StageConfig's knobs.
# On-demand (the default) bills every request; provisioned bills capacity by the hour and is ~2.4x cheaper per
# write at auto scaling's 70 % target for steady ingest (see README, "Cost"). Provisioned capacity throttles
# above `max`: ingest retries throttled items (transient), and the table throttle alarm says so.
CTX_TABLE_BILLING_MODE = "tableBillingMode"  # on-demand | provisioned
CTX_TABLE_READ_CAPACITY = "tableReadCapacity"  # provisioned: minimum RCU (auto scaling never goes below)
CTX_TABLE_WRITE_CAPACITY = "tableWriteCapacity"  # provisioned: minimum WCU
CTX_TABLE_MAX_READ_CAPACITY = "tableMaxReadCapacity"  # provisioned: auto scaling's ceiling, RCU
CTX_TABLE_MAX_WRITE_CAPACITY = "tableMaxWriteCapacity"  # provisioned: auto scaling's ceiling, WCU
CTX_TABLE_TARGET_UTILIZATION = "tableTargetUtilization"  # provisioned: auto scaling target, percent
TABLE_BILLING_MODES = ("on-demand", "provisioned")


@dataclass(frozen=True)
class TableCapacity:
    provisioned: bool
    min_read: int = 5
    min_write: int = 5
    max_read: int = 100
    max_write: int = 200
    target_utilization: int = 70

    @classmethod
    def from_context(cls, get: ContextGetter) -> TableCapacity:
        mode = (_text(get(CTX_TABLE_BILLING_MODE)) or "on-demand").lower()
        if mode not in TABLE_BILLING_MODES:
            raise ConfigError(f"'{CTX_TABLE_BILLING_MODE}' must be one of {TABLE_BILLING_MODES}, got {mode!r}")
        base = cls(provisioned=mode == "provisioned")
        capacity = cls(
            provisioned=base.provisioned,
            min_read=_int(get(CTX_TABLE_READ_CAPACITY), CTX_TABLE_READ_CAPACITY, base.min_read, 1, 40000),
            min_write=_int(get(CTX_TABLE_WRITE_CAPACITY), CTX_TABLE_WRITE_CAPACITY, base.min_write, 1, 40000),
            max_read=_int(get(CTX_TABLE_MAX_READ_CAPACITY), CTX_TABLE_MAX_READ_CAPACITY, base.max_read, 1, 40000),
            max_write=_int(get(CTX_TABLE_MAX_WRITE_CAPACITY), CTX_TABLE_MAX_WRITE_CAPACITY, base.max_write, 1, 40000),
            target_utilization=_int(
                get(CTX_TABLE_TARGET_UTILIZATION), CTX_TABLE_TARGET_UTILIZATION, base.target_utilization, 20, 90
            ),
        )
        if capacity.max_read < capacity.min_read or capacity.max_write < capacity.min_write:
            raise ConfigError(
                f"'{CTX_TABLE_MAX_READ_CAPACITY}' / '{CTX_TABLE_MAX_WRITE_CAPACITY}' must be at least the minimum "
                f"'{CTX_TABLE_READ_CAPACITY}' / '{CTX_TABLE_WRITE_CAPACITY}'"
            )
        return capacity


# ---- Fixed cost of small stages (issue 9, cost) ----------------------------------------------------------------
# One block, read by infra/network.py and infra/monitoring.py on their own (like TableCapacity above). The
# endpoint and the dashboard default to on for prod and off elsewhere: on dev they are ~$10 of a ~$40 month
# (README, "Cost"). Compact alarms are the other way round, and prod refuses them (every alarm stays on prod).
CTX_STREAMS_ENDPOINT = "streamsEndpoint"  # the DynamoDB Streams interface endpoint: index-failures replay needs it
CTX_DASHBOARD = "dashboard"  # the CloudWatch dashboard (alarms are kept on every stage)
CTX_COMPACT_ALARMS = "compactAlarms"  # one error-count alarm per function, no per-function throttle alarms, ...


@dataclass(frozen=True)
class FixedCostOptions:
    streams_endpoint: bool
    dashboard: bool
    compact_alarms: bool = False  # see infra/monitoring.py: 19 alarm metrics ($1.90 a month) fewer

    @classmethod
    def from_context(cls, get: ContextGetter, production: bool) -> FixedCostOptions:
        prod = production
        compact = _bool(get(CTX_COMPACT_ALARMS), CTX_COMPACT_ALARMS, not prod)
        if prod and compact:
            raise ConfigError(f"'{CTX_COMPACT_ALARMS}' is for small stages: prod keeps every alarm")
        return cls(
            streams_endpoint=_bool(get(CTX_STREAMS_ENDPOINT), CTX_STREAMS_ENDPOINT, prod),
            dashboard=_bool(get(CTX_DASHBOARD), CTX_DASHBOARD, prod),
            compact_alarms=compact,
        )
