"""Infra test fixtures: the CDK app is synthesized once per session (no bundling), as app.py builds it.

Every test module here sets `pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("cdk")]`, so
`pytest -n 2 --dist loadgroup` runs them on one worker and the session fixtures below run once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

from aws_cdk import App, Stack
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

import infra.nag
from infra.api import Api
from infra.application import FUNCTIONS_DIR, build_app, cdk_json_context
from infra.config import StageConfig
from infra.ingestion import Queues
from infra.lambdas import FunctionAssets, VpcPlacement
from infra.network import Network
from infra.search import SearchDomain
from infra.stack import NewsflowStack
from infra.storage import Storage

NAG_PLUGIN = "AwsSolutions"
CORS_ORIGIN = "https://news.example.com"
ALARM_EMAIL = "ops@example.com"
# cdk.json context (what `cdk synth` uses), plus knobs the defaults leave off, so their code paths are
# exercised too. Bundling is skipped: it needs PyPI and is tested on its own (test_bundling.py).
TEST_CONTEXT: dict[str, Any] = {
    "stage": "dev",
    "corsOrigins": [CORS_ORIGIN],
    "alarmEmail": ALARM_EMAIL,
    "wafEnabled": True,  # off by default on dev (fixed cost); prod's default
    "dashboard": True,  # off by default on dev (fixed cost); prod's default
    "compactAlarms": False,  # on by default on dev (fixed cost): prod's full set is what these tests check
    "aws:cdk:bundling-stacks": [],
}


@dataclass(frozen=True)
class Synthesized:
    app: App
    stack: NewsflowStack
    config: StageConfig
    template: Template
    synth_error: str | None
    validation_report: dict[str, Any]

    def nag_violations(self) -> list[dict[str, Any]]:
        return [
            violation
            for report in self.validation_report.get("pluginReports", [])
            if report.get("pluginName") == NAG_PLUGIN
            for violation in report.get("violations", [])
        ]


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app, stack = build_app({**cdk_json_context(), **TEST_CONTEXT}, outdir=str(outdir))
    synth_error: str | None = None
    try:
        app.synth()
    except RuntimeError as exc:  # jsii surfaces "ValidationFailed" (cdk-nag findings) as RuntimeError
        synth_error = str(exc)
    template_file = outdir / f"{stack.stack_name}.template.json"
    report_file = outdir / "validation-report.json"
    return Synthesized(
        app=app,
        stack=stack,
        config=StageConfig.from_context(app.node.try_get_context),
        template=Template.from_json(json.loads(template_file.read_text())),
        synth_error=synth_error,
        validation_report=json.loads(report_file.read_text()) if report_file.is_file() else {},
    )


@pytest.fixture(scope="session")
def template(synthesized: Synthesized) -> Template:
    return synthesized.template


@pytest.fixture(scope="session")
def resources(template: Template) -> dict[str, dict[str, Any]]:
    """logical id -> resource, for assertions that need to follow references."""
    return dict(template.to_json()["Resources"])


@dataclass(frozen=True)
class Acknowledgement:
    path: str
    rule_id: str
    reason: str


@dataclass(frozen=True)
class RawNag:
    """The same app built without applying any acknowledgement, checked directly by the nag pack."""

    findings: list[tuple[str, str]]  # (rule id, construct path of the CfnResource)
    acknowledgements: list[Acknowledgement]


class _RecordingValidations:
    def __init__(self) -> None:
        self.recorded: list[Acknowledgement] = []

    def of(self, scope: Any) -> _RecordingValidations._Scope:
        return _RecordingValidations._Scope(self, scope.node.path)

    class _Scope:
        def __init__(self, owner: _RecordingValidations, path: str) -> None:
            self._owner, self._path = owner, path

        def acknowledge(self, *rules: Any) -> None:
            for rule in rules:
                self._owner.recorded.append(Acknowledgement(self._path, rule.id, rule.reason))


@contextmanager
def _recording_acknowledgements() -> Iterator[_RecordingValidations]:
    recorder = _RecordingValidations()
    original = infra.nag.Validations
    infra.nag.Validations = recorder  # type: ignore[assignment,misc]
    try:
        yield recorder
    finally:
        infra.nag.Validations = original  # type: ignore[misc]


@pytest.fixture(scope="session")
def raw_nag() -> RawNag:
    with _recording_acknowledgements() as recorder:
        app, _ = build_app({**cdk_json_context(), **TEST_CONTEXT}, nag=False)
    report = AwsSolutionsChecks().validate_scope(app)
    findings = [
        (violation.rule_name, resource.construct_path)
        for violation in report.violations
        for resource in violation.violating_resources
        if resource.construct_path
    ]
    return RawNag(findings=findings, acknowledgements=recorder.recorded)


@dataclass(frozen=True)
class ProdParts:
    config: StageConfig
    template: Template


@pytest.fixture(scope="session")
def prod_parts() -> ProdParts:
    """Only the prod-sized stateful parts (table, VPC, domain), in a bare stack: no second full synth."""
    config = StageConfig.from_context({"stage": "prod", "alarmEmail": ALARM_EMAIL}.get)
    app = App(context={"aws:cdk:bundling-stacks": []})
    stack = Stack(app, "ProdParts")
    Storage(stack, "Storage", config=config)
    SearchDomain(stack, "Search", config=config, network=Network(stack, "Network", config=config))
    return ProdParts(config=config, template=Template.from_stack(stack))


@pytest.fixture(scope="session")
def public_api_template() -> Template:
    """Only the API (and what it needs) with context publicReadApi=true, in a bare stack."""
    config = StageConfig.from_context({"stage": "dev", "publicReadApi": "true"}.get)
    stack = Stack(App(context={"aws:cdk:bundling-stacks": []}), "PublicApi")
    network = Network(stack, "Network", config=config)
    Api(
        stack,
        "Api",
        config=config,
        assets=FunctionAssets(source_root=FUNCTIONS_DIR, python_version=config.lambda_python),
        environment={},
        storage=Storage(stack, "Storage", config=config),
        queues=Queues(stack, "Queues"),
        search=SearchDomain(stack, "Search", config=config, network=network),
        placement=VpcPlacement(
            vpc=network.vpc, subnets=network.subnets, security_group=network.security_group("Sg", "api")
        ),
    )
    return Template.from_stack(stack)
