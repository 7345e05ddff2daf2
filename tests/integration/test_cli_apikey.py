"""`newsflow --stage X api-key list | rotate | retire` on API Gateway (moto) found through the stack outputs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from newsflow.cli import main

from tests.integration.ops_helpers import deploy_stack


@pytest.fixture
def gateway() -> Iterator[dict[str, Any]]:
    with mock_aws():
        client = boto3.client("apigateway", region_name="us-east-1")
        plan = client.create_usage_plan(name="newsflow-test-read")["id"]
        key = client.create_api_key(name="stack-key", enabled=True, generateDistinctId=True)
        client.create_usage_plan_key(usagePlanId=plan, keyId=key["id"], keyType="API_KEY")
        yield {"client": client, "plan": plan, "key": key["id"], "value": key["value"]}


def deploy(gateway: dict[str, Any], with_plan_output: bool = True) -> None:
    outputs = {"ApiUrl": "https://x.execute-api.us-east-1.amazonaws.com/v1/", "ReadApiKeyId": gateway["key"]}
    if with_plan_output:
        outputs["ReadUsagePlanId"] = gateway["plan"]
    deploy_stack("test", outputs)


def plan_key_ids(gateway: dict[str, Any]) -> set[str]:
    return {k["id"] for k in gateway["client"].get_usage_plan_keys(usagePlanId=gateway["plan"])["items"]}


@pytest.mark.parametrize("with_plan_output", [True, False], ids=["plan-output", "plan-found-from-key"])
def test_rotate_adds_a_key_to_the_read_plan_and_prints_its_value_once(
    gateway: dict[str, Any], with_plan_output: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy(gateway, with_plan_output)

    assert main(["--stage", "test", "api-key", "rotate"]) == 0

    captured = capsys.readouterr()
    new_value = captured.out.strip()
    keys = plan_key_ids(gateway)
    assert len(keys) == 2
    (new_id,) = keys - {gateway["key"]}
    stored = gateway["client"].get_api_key(apiKey=new_id, includeValue=True)
    assert stored["value"] == new_value
    assert stored["enabled"] is True
    assert new_id in captured.err
    # list never shows values, and marks the stack's own key
    assert main(["--stage", "test", "api-key", "list"]) == 0
    listing = capsys.readouterr().out
    assert "2 key(s)" in listing
    assert new_value not in listing
    assert gateway["value"] not in listing
    assert f"{gateway['key']}  enabled" in listing
    assert "(the stack's own key)" in listing


def test_retire_waits_for_the_grace_period_then_disables(
    gateway: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    deploy(gateway)
    assert main(["--stage", "test", "api-key", "rotate"]) == 0
    capsys.readouterr()

    # Right after a rotation clients may still send the old key: refused
    assert main(["--stage", "test", "api-key", "retire", gateway["key"]]) == 2
    err = capsys.readouterr().err
    assert "clients may still use" in err
    assert gateway["client"].get_api_key(apiKey=gateway["key"])["enabled"] is True

    # With --force (the grace period is over) it is disabled, still on the plan
    assert main(["--stage", "test", "api-key", "retire", gateway["key"], "--force"]) == 0
    assert gateway["client"].get_api_key(apiKey=gateway["key"])["enabled"] is False
    assert gateway["key"] in plan_key_ids(gateway)
    assert "CloudFormation still records it as enabled" in capsys.readouterr().err


def test_the_last_enabled_key_cannot_be_retired(gateway: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    deploy(gateway)

    assert main(["--stage", "test", "api-key", "retire", gateway["key"], "--force"]) == 2

    assert "last enabled key" in capsys.readouterr().err
    assert gateway["client"].get_api_key(apiKey=gateway["key"])["enabled"] is True


def test_delete_removes_a_rotated_key_but_never_the_stacks_own(
    gateway: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    deploy(gateway)
    assert main(["--stage", "test", "api-key", "rotate"]) == 0
    (new_id,) = plan_key_ids(gateway) - {gateway["key"]}
    capsys.readouterr()

    assert main(["--stage", "test", "api-key", "retire", gateway["key"], "--force", "--delete"]) == 2
    assert "CloudFormation owns it" in capsys.readouterr().err
    assert plan_key_ids(gateway) == {gateway["key"], new_id}

    assert main(["--stage", "test", "api-key", "retire", new_id, "--force", "--delete"]) == 0
    assert plan_key_ids(gateway) == {gateway["key"]}
    assert new_id not in {k["id"] for k in gateway["client"].get_api_keys()["items"]}


def test_unknown_keys_and_missing_stage_are_clear_errors(
    gateway: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    deploy(gateway)

    assert main(["--stage", "test", "api-key", "retire", "nokey123", "--force"]) == 2
    assert "not on the read usage plan" in capsys.readouterr().err
    assert main(["api-key", "list"]) == 2
    assert "pass --stage" in capsys.readouterr().err
