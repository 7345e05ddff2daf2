"""Stage settings from CDK context: per-stage defaults, string overrides from `-c`, loud failures."""

from __future__ import annotations

from typing import Any

import pytest

from infra.application import cdk_json_context
from infra.config import ConfigError, StageConfig

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("cdk")]


def config(**context: Any) -> StageConfig:
    return StageConfig.from_context(context.get)


def test_dev_is_the_default_and_is_small_and_disposable() -> None:
    dev = config()
    assert dev.stage == "dev"
    assert dev.stack_name == "NewsflowStack-dev"
    assert not dev.is_production
    assert dev.opensearch.data_nodes == 1
    assert not dev.opensearch.zone_aware
    assert not dev.opensearch.dedicated_masters
    assert not dev.public_read_api
    assert dev.cors_origins == ()
    assert dev.alarm_email is None
    assert dev.waf_enabled is False  # ~$9 a month fixed; API keys, usage plan and throttling still apply
    assert config(stage="prod", alarmEmail="ops@example.com").waf_enabled is True


def test_prod_refuses_to_deploy_without_someone_to_page() -> None:
    # Given prod without an alarm address or topic / Then synth fails and says which keys to set
    with pytest.raises(ConfigError, match=r"alarmEmail.*alarmTopicArn"):
        config(stage="prod")
    assert config(stage="prod", alarmEmail="ops@example.com").alarm_email == "ops@example.com"
    topic = "arn:aws:sns:eu-west-1:123456789012:oncall"
    assert config(stage="prod", alarmTopicArn=topic).alarm_topic_arn == topic


def test_prod_is_highly_available() -> None:
    prod = config(stage="prod", alarmEmail="ops@example.com")
    assert prod.is_production
    assert prod.stack_name == "NewsflowStack-prod"
    assert prod.opensearch.zone_aware
    assert prod.opensearch.availability_zones == 2
    assert prod.opensearch.master_nodes == 3
    assert prod.opensearch.data_nodes % 2 == 0
    assert prod.log_retention_days > config().log_retention_days


def test_cdk_json_context_is_valid_and_matches_the_code_defaults() -> None:
    # Given cdk.json (what `cdk synth` passes) / Then it parses, and `python app.py` gives the same stack
    from_json = StageConfig.from_context(cdk_json_context().get)
    assert from_json == config()


def test_string_values_from_the_command_line_are_parsed() -> None:
    # Given `-c` style values (always strings)
    parsed = config(
        pollRateMinutes="5",
        publicReadApi="true",
        corsOrigins="https://news.example.com, https://www.example.com/",
        alarmEmail="ops@example.com",
        apiThrottleRate="50",
        logRetentionDays="30",
    )
    assert parsed.poll_rate_minutes == 5
    assert parsed.public_read_api is True
    assert parsed.cors_origins == ("https://news.example.com", "https://www.example.com")
    assert parsed.alarm_email == "ops@example.com"
    assert parsed.api_throttle_rate == 50
    assert parsed.log_retention_days == 30


def test_cors_origins_accept_a_json_list_from_cdk_json_or_the_command_line() -> None:
    assert config(corsOrigins=["http://localhost:3000"]).cors_origins == ("http://localhost:3000",)
    assert config(corsOrigins='["https://a.example"]').cors_origins == ("https://a.example",)


@pytest.mark.parametrize(
    "context",
    [
        {"stage": "Prod!"},
        {"pollRateMinutes": "0"},
        {"pollRateMinutes": "often"},
        {"publicReadApi": "maybe"},
        {"corsOrigins": "*"},
        {"corsOrigins": "news.example.com"},
        {"alarmEmail": "not-an-email"},
        {"logRetentionDays": "10"},
        {"logLevel": "CHATTY"},
        {"stage": "prod", "alarmEmail": "ops@example.com", "openSearchDataNodes": "3"},
        {"alarmTopicArn": "arn:aws:sqs:us-east-1:123456789012:not-a-topic"},
    ],
)
def test_invalid_context_fails_before_anything_is_built(context: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        config(**context)
