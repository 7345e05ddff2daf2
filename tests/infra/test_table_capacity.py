"""The table's billing mode from CDK context: on-demand by default, provisioned with auto scaling on request."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template
from newsflow import constants as c

from infra.config import ConfigError, StageConfig, TableCapacity
from infra.storage import Storage

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("cdk")]


def storage_template(**context: Any) -> dict[str, Any]:
    app = App(context={"aws:cdk:bundling-stacks": [], **context})
    stack = Stack(app, "StorageOnly")
    Storage(stack, "Storage", config=StageConfig.from_context(app.node.try_get_context))
    return dict(Template.from_stack(stack).to_json()["Resources"])


def of_type(resources: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in resources.values() if r["Type"] == kind]


def test_on_demand_is_the_default() -> None:
    assert TableCapacity.from_context({}.get) == TableCapacity(provisioned=False)


def test_provisioned_reads_its_bounds_from_strings_as_given_with_dash_c() -> None:
    capacity = TableCapacity.from_context(
        {
            "tableBillingMode": "provisioned",
            "tableWriteCapacity": "20",
            "tableMaxWriteCapacity": "400",
            "tableTargetUtilization": "80",
        }.get
    )
    assert capacity == TableCapacity(provisioned=True, min_write=20, max_write=400, target_utilization=80)


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"tableBillingMode": "reserved"}, "tableBillingMode"),
        ({"tableBillingMode": "provisioned", "tableWriteCapacity": "50", "tableMaxWriteCapacity": "10"}, "at least"),
        ({"tableTargetUtilization": "99"}, "tableTargetUtilization"),
        ({"tableReadCapacity": "lots"}, "tableReadCapacity"),
    ],
)
def test_bad_capacity_settings_fail_loudly(context: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TableCapacity.from_context(context.get)


def test_on_demand_table_has_no_capacity_and_no_scaling() -> None:
    resources = storage_template()
    [table] = of_type(resources, "AWS::DynamoDB::Table")
    assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in table["Properties"]
    assert of_type(resources, "AWS::ApplicationAutoScaling::ScalableTarget") == []


def test_provisioned_table_and_each_gsi_scale_between_the_bounds_on_utilisation() -> None:
    # Given context asking for provisioned capacity
    resources = storage_template(
        tableBillingMode="provisioned", tableWriteCapacity=10, tableMaxWriteCapacity=300, tableTargetUtilization=70
    )
    # Then the table and the two GSIs have capacity (GSI reads start at 1)
    [table] = of_type(resources, "AWS::DynamoDB::Table")
    props = table["Properties"]
    assert "BillingMode" not in props or props["BillingMode"] == "PROVISIONED"
    assert props["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 10}
    gsis = {g["IndexName"]: g for g in props["GlobalSecondaryIndexes"]}
    assert set(gsis) == {c.GSI_CATEGORY, c.GSI_DUE}
    for gsi in gsis.values():
        assert gsi["ProvisionedThroughput"] == {"ReadCapacityUnits": 1, "WriteCapacityUnits": 10}
    # And target tracking scales all six capacities between their bounds
    targets = of_type(resources, "AWS::ApplicationAutoScaling::ScalableTarget")
    dimensions = sorted(t["Properties"]["ScalableDimension"] for t in targets)
    assert dimensions == sorted(
        ["dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"]
        + ["dynamodb:index:ReadCapacityUnits", "dynamodb:index:WriteCapacityUnits"] * 2
    )
    writes = [t["Properties"] for t in targets if t["Properties"]["ScalableDimension"].endswith("WriteCapacityUnits")]
    assert {(w["MinCapacity"], w["MaxCapacity"]) for w in writes} == {(10, 300)}
    policies = of_type(resources, "AWS::ApplicationAutoScaling::ScalingPolicy")
    assert len(policies) == 6
    assert {p["Properties"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] for p in policies} == {70}
