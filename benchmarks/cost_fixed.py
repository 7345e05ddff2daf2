"""The dev stage's fixed monthly cost, modelled from the resources of a synthesized template.

Synthesizes the CDK app (stage dev, no bundling, no cdk-nag) and prices what bills by the hour or by the
month whatever the traffic. Skipped when the app cannot be synthesized here (no Node).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import table

HOURS_PER_MONTH = 730
# us-east-1 on-demand list prices (USD). The OpenSearch instance and storage rates are the published ones as
# far as this benchmark knows them: check the pricing page before budgeting on them.
OPENSEARCH_HOURLY = {
    "t3.small.search": 0.036,
    "t3.medium.search": 0.073,
    "m7g.medium.search": 0.068,
    "m7g.large.search": 0.136,
    "r7g.large.search": 0.167,
}
OPENSEARCH_GP3_GB_MONTH = 0.122
INTERFACE_ENDPOINT_AZ_HOUR = 0.01  # $7.30 per endpoint per AZ per month (+ $0.01 per GB processed)
NAT_GATEWAY_HOUR = 0.045
ALARM_METRIC_MONTH = 0.10  # standard resolution, per metric in the alarm
DASHBOARD_MONTH = 3.00  # beyond the 3 free ones
WAF_ACL_MONTH = 5.00
WAF_RULE_MONTH = 1.00  # each rule or managed rule group
KMS_KEY_MONTH = 1.00
SECRET_MONTH = 0.40
# Lambda polls an SQS event source with long polling (20 s) from ~5 pollers even when the queue is empty.
SQS_EMPTY_RECEIVES_MONTH = 5 * 3 * 60 * HOURS_PER_MONTH * 0.40 / 1e6


def synthesized_resources() -> dict[str, Any]:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from infra.application import build_app, cdk_json_context

    with tempfile.TemporaryDirectory() as outdir:
        context = {**cdk_json_context(), "stage": "dev", "aws:cdk:bundling-stacks": []}
        app, stack = build_app(context, outdir=outdir, nag=False)
        app.synth()
        template = json.loads((Path(outdir) / f"{stack.stack_name}.template.json").read_text())
    return dict(template["Resources"])


def price_resources(resources: dict[str, Any]) -> list[tuple[str, str, float]]:
    """(what, how many / which, USD per month) for everything with a fixed monthly price."""
    rows: list[tuple[str, str, float]] = []
    polled_queues = 0
    by_type: Counter[str] = Counter(r["Type"] for r in resources.values())
    for resource in resources.values():
        props = resource.get("Properties", {})
        kind = resource["Type"]
        if kind == "AWS::OpenSearchService::Domain":
            cluster = props.get("ClusterConfig", {})
            data_type, data_nodes = cluster.get("InstanceType", "?"), int(cluster.get("InstanceCount", 1))
            rows.append(
                (
                    "OpenSearch data nodes",
                    f"{data_nodes} x {data_type}",
                    data_nodes * OPENSEARCH_HOURLY.get(data_type, float("nan")) * HOURS_PER_MONTH,
                )
            )
            if cluster.get("DedicatedMasterEnabled"):
                master_type, masters = (
                    cluster.get("DedicatedMasterType", "?"),
                    int(cluster.get("DedicatedMasterCount", 0)),
                )
                rows.append(
                    (
                        "OpenSearch dedicated masters",
                        f"{masters} x {master_type}",
                        masters * OPENSEARCH_HOURLY.get(master_type, float("nan")) * HOURS_PER_MONTH,
                    )
                )
            volume = int(props.get("EBSOptions", {}).get("VolumeSize", 0))
            rows.append(
                (
                    "OpenSearch storage (gp3)",
                    f"{data_nodes} x {volume} GB",
                    data_nodes * volume * OPENSEARCH_GP3_GB_MONTH,
                )
            )
        elif kind == "AWS::EC2::VPCEndpoint" and props.get("VpcEndpointType") == "Interface":
            service = props.get("ServiceName", "")
            name = service if isinstance(service, str) else _join_text(service)
            azs = len(props.get("SubnetIds", [])) or 1
            rows.append(
                (
                    f"VPC interface endpoint {name.rsplit('.', 1)[-1]}",
                    f"{azs} AZ",
                    azs * INTERFACE_ENDPOINT_AZ_HOUR * HOURS_PER_MONTH,
                )
            )
        elif kind == "AWS::EC2::NatGateway":
            rows.append(("NAT gateway", "1", NAT_GATEWAY_HOUR * HOURS_PER_MONTH))
        elif kind == "AWS::WAFv2::WebACL":
            rules = len(props.get("Rules", []))
            rows.append(("WAF web ACL", f"{rules} rules", WAF_ACL_MONTH + rules * WAF_RULE_MONTH))
        elif kind == "AWS::Lambda::EventSourceMapping" and "Queue" in json.dumps(props.get("EventSourceArn", "")):
            polled_queues += 1
    if polled_queues:
        rows.append(
            (
                "SQS empty receives (event source polling)",
                f"{polled_queues} queue{'s' if polled_queues > 1 else ''}",
                polled_queues * SQS_EMPTY_RECEIVES_MONTH,
            )
        )
    alarms = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    if alarms:
        metrics = sum(max(1, sum(1 for m in a["Properties"].get("Metrics", []) if "MetricStat" in m)) for a in alarms)
        rows.append(("CloudWatch alarms", f"{len(alarms)} alarms, {metrics} metrics", metrics * ALARM_METRIC_MONTH))
    if by_type["AWS::CloudWatch::Dashboard"]:
        rows.append(
            (
                "CloudWatch dashboards",
                str(by_type["AWS::CloudWatch::Dashboard"]),
                by_type["AWS::CloudWatch::Dashboard"] * DASHBOARD_MONTH,
            )
        )
    if by_type["AWS::KMS::Key"]:
        rows.append(("KMS keys", str(by_type["AWS::KMS::Key"]), by_type["AWS::KMS::Key"] * KMS_KEY_MONTH))
    if by_type["AWS::SecretsManager::Secret"]:
        rows.append(
            (
                "Secrets Manager secrets",
                str(by_type["AWS::SecretsManager::Secret"]),
                by_type["AWS::SecretsManager::Secret"] * SECRET_MONTH,
            )
        )
    return sorted(rows, key=lambda r: -r[2])


def _join_text(value: Any) -> str:
    """An Fn::Join service name ("com.amazonaws.", region, ".sqs") as text."""
    if isinstance(value, dict) and "Fn::Join" in value:
        return "".join(p if isinstance(p, str) else "" for p in value["Fn::Join"][1])
    return str(value)


def fixed_cost_section() -> str:
    try:
        resources = synthesized_resources()
    except Exception as error:  # no Node / jsii here: the variable costs above still stand
        return f"## Dev stage fixed monthly cost: skipped (the CDK app did not synthesize: {type(error).__name__})"
    rows = price_resources(resources)
    total = sum(r[2] for r in rows)
    body: list[list[object]] = [
        [what, which, f"${usd:.2f}", f"{usd / total:.0%}" if total else "-"] for what, which, usd in rows
    ]
    body.append(["total", "", f"${total:.2f}", "100%"])
    return "\n".join(
        [
            "## Dev stage fixed monthly cost (from the synthesized dev template; us-east-1 list prices)",
            "",
            table(["resource", "sized", "$ / month", "share"], body),
            "",
            f"{HOURS_PER_MONTH} h per month. Not fixed, so not here: DynamoDB on-demand requests and storage, Lambda, "
            "API Gateway requests, CloudWatch Logs ingestion, data processed by endpoints. OpenSearch: "
            + ", ".join(f"{k} ${v}/h" for k, v in OPENSEARCH_HOURLY.items())
            + f", gp3 ${OPENSEARCH_GP3_GB_MONTH}/GB-month; interface endpoint $0.01 per AZ-hour; alarm $0.10 per "
            "metric; WAF $5 per ACL + $1 per rule.",
        ]
    )
