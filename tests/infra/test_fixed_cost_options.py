"""Small stages leave out what only prod needs by default: the Streams endpoint and the dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from infra.config import ConfigError, FixedCostOptions, StageConfig
from infra.network import Network

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
    assert FixedCostOptions.from_context({}.get, production=True) == FixedCostOptions(True, True)
    assert FixedCostOptions.from_context({}.get, production=False) == FixedCostOptions(False, False)
    assert FixedCostOptions.from_context({"streamsEndpoint": "true"}.get, production=False).streams_endpoint
    assert not FixedCostOptions.from_context({"dashboard": "false"}.get, production=True).dashboard
    with pytest.raises(ConfigError, match="streamsEndpoint"):
        FixedCostOptions.from_context({"streamsEndpoint": "sometimes"}.get, production=False)


def test_dev_has_only_the_sqs_interface_endpoint_unless_asked() -> None:
    assert interface_endpoints(stage="dev") == [".sqs"]
    assert interface_endpoints(stage="dev", streamsEndpoint="true") == [".dynamodb-streams", ".sqs"]
    assert interface_endpoints(stage="prod", alarmEmail="ops@example.com") == [".dynamodb-streams", ".sqs"]
