"""cdk-nag v3 (AwsSolutionsChecks through Validations.of(app).add_plugins): no unacknowledged finding,
and every acknowledgement is specific, justified and still needed."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_sqs as sqs

from infra.nag import MIN_REASON_LENGTH, acknowledge, apply_checks

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("cdk")]

_VAGUE = re.compile(r"^(n/?a|ok|todo|tbd|fine|false positive|not needed|suppress(ed)?|ignore[d]?)\b", re.IGNORECASE)


def test_synth_with_the_nag_pack_reports_no_unacknowledged_finding(synthesized: Any) -> None:
    # Given the app built like app.py (AwsSolutionsChecks registered as a validation plugin)
    # When it was synthesized (once, in conftest)
    # Then synthesis did not fail and the validation report lists no AwsSolutions violation, of any severity
    violations = synthesized.nag_violations()
    listing = json.dumps(
        [(v["ruleName"], [r["constructPath"] for r in v["violatingConstructs"]]) for v in violations], indent=1
    )
    assert synthesized.synth_error is None, synthesized.synth_error
    assert violations == [], f"unacknowledged cdk-nag findings:\n{listing}"


def test_the_nag_pack_fails_synthesis_on_a_finding() -> None:
    # Given an app with the same plugin wiring and a queue that breaks two AwsSolutions rules
    app = App()
    stack = Stack(app, "Canary")
    sqs.Queue(stack, "PlainQueue")  # no DLQ (SQS3), TLS not enforced (SQS4)
    apply_checks(app)
    # When it is synthesized / Then synthesis fails and names the rules
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()


def test_an_acknowledged_finding_does_not_fail_synthesis() -> None:
    # Given the same non-compliant queue with only one of its two findings acknowledged
    app = App()
    queue = sqs.Queue(Stack(app, "Canary"), "PlainQueue", enforce_ssl=True)
    acknowledge(queue, "AwsSolutions-SQS3", "A canary queue in a unit test; it never receives messages at all.")
    apply_checks(app)
    # When synthesized / Then nothing is reported, because the remaining rule (SQS4) is satisfied
    app.synth()


@pytest.mark.parametrize("reason", ["", "ok", "false positive", "   short reason   "])
def test_acknowledge_refuses_a_vague_reason(reason: str) -> None:
    queue = sqs.Queue(Stack(App(), "Canary"), "PlainQueue")
    with pytest.raises(ValueError, match="specific reason"):
        acknowledge(queue, "AwsSolutions-SQS3", reason)


def _acknowledgements(app: App) -> list[tuple[str, str, str]]:
    """(construct path, rule id, reason) of every acknowledgement recorded in the construct tree.

    Ids namespaced by another validator (e.g. CDK's own "CloudFormation-Validate::W3010") are not ours.
    """
    found = []
    for construct in app.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY and isinstance(entry.data, dict):
                for qualified_id, reason in entry.data.items():
                    rule_id = re.sub(r"^annotation::", "", qualified_id, flags=re.IGNORECASE)
                    if "::" not in rule_id.split("[", 1)[0]:
                        found.append((construct.node.path, rule_id, reason))
    return found


def test_every_acknowledgement_has_a_specific_reason(synthesized: Any) -> None:
    acknowledgements = _acknowledgements(synthesized.app)
    assert acknowledgements, "the stack is expected to acknowledge a few findings (OS4/OS7 on dev, IAM5, ...)"
    for path, rule_id, reason in acknowledgements:
        assert rule_id.startswith("AwsSolutions-"), (path, rule_id)
        assert len(reason.strip()) >= MIN_REASON_LENGTH, (path, rule_id, reason)
        assert not _VAGUE.match(reason.strip()), (path, rule_id, reason)
        assert len(set(reason.lower().split())) >= 8, f"{path} {rule_id}: reason too thin: {reason!r}"


def test_every_acknowledgement_is_still_needed(raw_nag: Any) -> None:
    # Given the app built with acknowledgements recorded but not applied, and checked by the pack directly
    # Then each acknowledgement matches a real finding on its construct or below it (no stale, no typo)
    assert raw_nag.acknowledgements
    stale = [
        (ack.path, ack.rule_id)
        for ack in raw_nag.acknowledgements
        if not any(
            rule_id == ack.rule_id and (path == ack.path or path.startswith(ack.path + "/"))
            for rule_id, path in raw_nag.findings
        )
    ]
    assert stale == []


def test_wildcard_acknowledgements_are_confined_to_inline_role_policies_and_opensearch_paths(raw_nag: Any) -> None:
    # IAM5 is acknowledged only for Resource::* on the roles' inline policies (X-Ray, ENI, ListStreams)
    # and for the OpenSearch document and index-version path wildcards, and the fetch worker's one SSM
    # parameter path (per-feed secret headers, /newsflow/feeds/*); never for a wildcard action.
    for ack in raw_nag.acknowledgements:
        if "/Custom::CDKBucketDeployment" in ack.path:
            continue  # CDK's own deploy-time copier of web/ (its policy is fixed by aws-cdk-lib; see infra/cdn.py)
        if ack.rule_id.startswith("AwsSolutions-IAM5"):
            assert "[Action::" not in ack.rule_id, ack
            if ack.rule_id == "AwsSolutions-IAM5[Resource::*]":
                assert ack.path.endswith("/Role/Resource"), ack
            elif ":ssm:" in ack.rule_id:
                assert ack.path.endswith("/Fetch/Role"), ack
                assert ack.rule_id.endswith(":parameter/newsflow/feeds/*]"), ack
            else:
                assert re.fullmatch(
                    r"AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:es:.*:domain/[a-z0-9-]+/"
                    r"articles(/_doc/\*|-v\*(/_bulk|/_refresh)?)\]",
                    ack.rule_id,
                ), ack
