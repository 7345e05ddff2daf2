"""Small stages leave out what only prod needs by default: the Streams endpoint, the dashboard, and part of
the alarm metrics (compact alarms: still an alarm for every failure issue 9 lists)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from infra.application import build_app, cdk_json_context
from infra.config import ConfigError, FixedCostOptions, StageConfig
from infra.network import Network
from tests.infra.conftest import TEST_CONTEXT

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("cdk")]


def interface_endpoints(**context: Any) -> list[str]:
    app = App(context={"aws:cdk:bundling-stacks": [], **context})
    stack = Stack(app, "NetworkOnly")
    network = Network(stack, "Network", config=StageConfig.from_context(app.node.try_get_context))
    network.allow_streams_from(network.security_group("Peer", "a client"))  # a no-op without the endpoint
    resources = Template.from_stack(stack).to_json()["Resources"]
    return sorted(
        r["Properties"]["ServiceName"]["Fn::Join"][1][-1]
        for r in resources.values()
        if r["Type"] == "AWS::EC2::VPCEndpoint" and r["Properties"]["VpcEndpointType"] == "Interface"
    )


def test_prod_keeps_both_by_default_and_other_stages_leave_them_out() -> None:
    assert FixedCostOptions.from_context({}.get, production=True) == FixedCostOptions(True, True, False)
    assert FixedCostOptions.from_context({}.get, production=False) == FixedCostOptions(False, False, True)
    assert not FixedCostOptions.from_context({"compactAlarms": "false"}.get, production=False).compact_alarms
    with pytest.raises(ConfigError, match="prod keeps every alarm"):
        FixedCostOptions.from_context({"compactAlarms": "true"}.get, production=True)
    assert FixedCostOptions.from_context({"streamsEndpoint": "true"}.get, production=False).streams_endpoint
    assert not FixedCostOptions.from_context({"dashboard": "false"}.get, production=True).dashboard
    with pytest.raises(ConfigError, match="streamsEndpoint"):
        FixedCostOptions.from_context({"streamsEndpoint": "sometimes"}.get, production=False)


def test_dev_has_only_the_sqs_interface_endpoint_unless_asked() -> None:
    assert interface_endpoints(stage="dev") == [".sqs"]
    assert interface_endpoints(stage="dev", streamsEndpoint="true") == [".dynamodb-streams", ".sqs"]
    assert interface_endpoints(stage="prod", alarmEmail="ops@example.com") == [".dynamodb-streams", ".sqs"]


def _alarms(outdir: Path, **context: Any) -> list[dict[str, Any]]:
    app, stack = build_app({**cdk_json_context(), **TEST_CONTEXT, **context}, outdir=str(outdir), nag=False)
    app.synth()
    resources = json.loads((outdir / f"{stack.stack_name}.template.json").read_text())["Resources"]
    return [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]


def _metrics(alarm: dict[str, Any]) -> list[str]:
    if "MetricName" in alarm:
        return [alarm["MetricName"]]
    return [q["MetricStat"]["Metric"]["MetricName"] for q in alarm["Metrics"] if "MetricStat" in q]


def test_compact_alarms_cover_every_failure_with_fewer_metrics(tmp_path: Path) -> None:
    # Given the dev stack with compact alarms (dev's default) and with the full set
    compact = _alarms(tmp_path / "compact", compactAlarms=True)
    full = _alarms(tmp_path / "full", compactAlarms=False)
    # Then every alarm still reaches the topic, and each kind of failure issue 9 lists is watched
    assert all(a["AlarmActions"] and a["OKActions"] for a in compact)
    watched = {name for a in compact for name in _metrics(a)}
    assert {
        "ApproximateNumberOfMessagesVisible",  # DLQ depth
        "ApproximateAgeOfOldestMessage",
        "IteratorAge",
        "Errors",  # handler errors
        "FeedsFailing",
        "FeedsDisabled",
        "ReadThrottleEvents",
        "WriteThrottleEvents",
        "ClusterStatus.red",
        "JVMMemoryPressure",
        "FreeStorageSpace",
        "5XXError",
        "Latency",  # p99
        "BlockedRequests",  # WAF (on in this context)
        "IndexDrift",
    } <= watched
    # And one error alarm per function, on its error count, over 3 of 5 periods (no single blip)
    errors = [a for a in compact if _metrics(a) == ["Errors"]]
    functions = [a for a in full if "Errors" in _metrics(a)]
    assert len(errors) == len(functions)
    assert all((a["Threshold"], a["DatapointsToAlarm"], a["EvaluationPeriods"]) == (0, 3, 5) for a in errors)
    # And 19 alarm metrics fewer: per function one instead of three (error rate + throttles), no old-generation
    # JVM alarm (JVM pressure stays), no feed failure rate (the failing feeds count stays)
    assert sum(len(_metrics(a)) for a in full) - sum(len(_metrics(a)) for a in compact) == 2 * len(functions) + 3
