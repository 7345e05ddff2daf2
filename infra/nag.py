"""cdk-nag v3 wiring: the AwsSolutions pack runs on every synth, acknowledgements carry real reasons."""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

MIN_REASON_LENGTH = 40


def apply_checks(app: App) -> None:
    """Register the AwsSolutions pack: synth reports (and, in-memory, fails on) unacknowledged findings."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding on `scope` and its children.

    `rule_id` is exact (v3 has no prefix matching): "AwsSolutions-OS4", or with a finding suffix such as
    "AwsSolutions-IAM5[Resource::*]". The reason must say why the finding is acceptable here.
    """
    if not rule_id.startswith("AwsSolutions-"):
        raise ValueError(f"not an AwsSolutions rule id: {rule_id!r}")
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValueError(f"acknowledgement of {rule_id} needs a specific reason, got {reason!r}")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason.strip()))
