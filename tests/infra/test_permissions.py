"""Every AWS and OpenSearch call the handlers make, checked against the synthesized policies.

Given the synthesized dev stack, moto holding its table and queues, and an OpenSearch stand-in that
authorizes like the service. When each handler runs its real paths under its own role (ingest with
new, repeated, near-duplicate, syndicated and poison items; index with the table's stream; api with
every route, admin included; poll with a feed on 127.0.0.1). Then no call is denied, and every grant
in the policies is used by some call, except the few that only the Lambda platform itself uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import Stack
from newsflow import constants as c
from newsflow.local.stack import reset_process_caches

from tests.iam.boto_enforcer import Enforcer, queue_arn, table_arn
from tests.iam.opensearch_standin import OpenSearchStandIn
from tests.iam.policy import Grant, Policy
from tests.iam.scenarios import SCENARIOS, Roles, Run, feed_server
from tests.iam.template import ACCOUNT, Deployment

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("cdk")]

# Grants no handler call can use, because the Lambda service itself makes those calls for the function
# (log delivery, X-Ray segments, VPC network interfaces). Any other unused grant fails the test.
PLATFORM_ACTIONS = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
}


@dataclass(frozen=True)
class Checked:
    deployment: Deployment
    run: Run
    role_of: dict[str, str]  # handler -> role logical id
    policies: dict[str, Policy]
    domain_policy: Policy


def _logical_id(construct: Any) -> str:
    return str(Stack.of(construct).get_logical_id(construct.node.default_child))


def _bind(deployment: Deployment, stack: Any, resources: Any, standin_domain: str) -> None:
    # Anything a policy may name gets a placeholder first; what the handlers touch gets its real value.
    for logical_id, resource in deployment.resources.items():
        deployment.bind(logical_id, Ref=logical_id, Arn=f"arn:aws:placeholder:::{logical_id}")
        if resource["Type"] == "AWS::IAM::Role":
            deployment.bind(logical_id, Arn=f"arn:aws:iam::{ACCOUNT}:role/{logical_id}")
        if resource["Type"] == "AWS::Logs::LogGroup":
            deployment.bind(logical_id, Arn=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{logical_id}:*")
    table = deployment.one("AWS::DynamoDB::Table")
    deployment.bind(
        table, Ref=resources.table_name, Arn=table_arn(resources.table_name), StreamArn=resources.stream_arn
    )
    for construct, url in (
        (stack.queues.items, resources.queue_url),
        (stack.queues.dlq, resources.dlq_url),
        (stack.queues.index_failures, resources.index_failures_url),
        (stack.fulltext.queue, resources.fulltext_queue_url),
        (stack.fulltext.dlq, resources.fulltext_dlq_url),
        (stack.queues.fetch, resources.fetch_queue_url),
        (stack.queues.fetch_dlq, resources.fetch_dlq_url),
    ):
        queue = _logical_id(construct)
        deployment.bind(queue, Ref=url, Arn=queue_arn(url), QueueName=url.rsplit("/", 1)[-1], QueueUrl=url)
    domain = deployment.one("AWS::OpenSearchService::Domain")
    arn = f"arn:aws:es:us-east-1:{ACCOUNT}:domain/{standin_domain}"
    deployment.bind(domain, Ref=standin_domain, Arn=arn, DomainArn=arn, DomainEndpoint="search.internal")


@pytest.fixture(scope="module")
def checked(synthesized: Any) -> Iterator[Checked]:
    from moto import mock_aws
    from newsflow.local.resources import create_resources

    deployment = Deployment(synthesized.template.to_json()["Resources"])
    domain_name = synthesized.config.opensearch_domain_name
    with pytest.MonkeyPatch.context() as monkeypatch, mock_aws():
        reset_process_caches()
        resources = create_resources()
        _bind(deployment, synthesized.stack, resources, domain_name)
        role_of = {handler: deployment.role_of_handler(handler) for handler in deployment.handlers()}
        policies = {role: deployment.role_policy(role) for role in role_of.values()}
        domain_id = deployment.one("AWS::OpenSearchService::Domain")
        domain_policy = Policy.from_documents(
            "domain", [deployment.resolve(deployment.resources[domain_id]["Properties"]["AccessPolicies"])]
        )
        standin = OpenSearchStandIn(
            domain_name, policies, domain_policy, {role: deployment.role_arn(role) for role in policies}
        ).start()
        enforcer = Enforcer(policies)
        enforcer.install()
        run = Run(enforcer=enforcer, standin=standin)
        try:
            with feed_server() as feed_url:
                roles = Roles(deployment, resources, standin, enforcer, monkeypatch, role_of, feed_url)
                for _handler, scenario in SCENARIOS.items():
                    scenario(roles, run)
            yield Checked(deployment, run, role_of, policies, domain_policy)
        finally:
            enforcer.uninstall()
            standin.stop()
            reset_process_caches()


def test_every_function_in_the_stack_has_a_scenario(checked: Checked) -> None:
    # Given the synthesized functions / Then each one's role was exercised by a scenario here
    assert set(checked.role_of) == set(SCENARIOS)


@pytest.mark.parametrize("handler", sorted(SCENARIOS))
def test_no_aws_call_is_denied(checked: Checked, handler: str) -> None:
    denied = checked.run.enforcer.denied(checked.role_of[handler])
    assert denied == [], "\n".join(
        f"{r.request.action} on {r.request.resource} {dict(r.request.context)}" for r in denied
    )


def test_no_opensearch_request_is_denied_by_the_role_or_the_domain(checked: Checked) -> None:
    denied = checked.run.standin.denied()
    lines = [
        f"{r.role}: {r.method} {r.path} (identity {'ok' if r.identity.allowed else 'DENIED'}, "
        f"domain {'ok' if r.domain.allowed else 'DENIED'})"
        for r in denied
    ]
    assert denied == [], "\n".join(lines)


def test_ingest_stored_new_items_found_duplicates_and_parked_poison(checked: Checked) -> None:
    results = checked.run.results
    assert "ingest_failures" not in results, results.get("ingest_failures")
    outcomes = [o["outcome"] for o in results["ingest"]]
    assert outcomes.count("created") >= 10
    assert "unchanged" in outcomes  # the repeated item
    assert "stale" in outcomes, " ".join(outcomes)  # the third item's old text re-polled after its edit without a clock
    assert "duplicate" in outcomes or "updated" in outcomes  # the syndicated copy
    assert outcomes.count("rejected") >= 4  # the sample poison messages and the invalid JSON
    assert any(o.get("story_id") for o in results["ingest"])  # the near-duplicate formed a story


def test_index_published_every_article_record(checked: Checked) -> None:
    assert checked.run.results["indexed_records"] > 0
    assert checked.run.results["index"] == {"batchItemFailures": []}
    assert sum(len(docs) for docs in checked.run.standin.indices.values()) > 0


def test_every_api_route_was_called_and_none_failed(checked: Checked) -> None:
    from newsflow.handlers import api

    route_keys = {f"{route.method} {route.path}" for route in api.ROUTES}
    assert route_keys <= checked.run.routes_called
    failures = {key: answer for key, answer in checked.run.api.items() if answer[0] >= 500}
    assert failures == {}
    assert {key: status for key, (status, _) in checked.run.api.items() if status >= 400} == {}


def test_listings_fall_back_to_the_table_when_the_index_is_down(checked: Checked) -> None:
    for key in ("GET /v1/articles fallback-latest", "GET /v1/articles fallback-category"):
        status, page = checked.run.api[key]
        assert status == 200, key
        assert page["articles"], key


def test_relevance_search_pages_through_a_point_in_time(checked: Checked) -> None:
    # Given the first page of a relevance search / Then the second page came from the same point in time
    status, first = checked.run.api["GET /v1/search"]
    assert status == 200
    assert first["nextCursor"]
    status, second = checked.run.api["GET /v1/search page-2"]  # (page size chosen in the scenario)
    assert status == 200
    assert not {a["id"] for a in first["articles"]} & {a["id"] for a in second["articles"]}
    paths = {(r.method, r.path) for r in checked.run.standin.records}
    assert ("POST", "/articles/_search/point_in_time") in paths
    assert ("POST", "/_search") in paths
    assert ("DELETE", "/_search/point_in_time") in paths  # closed after the last page
    # Only the probe's point in time is still open: that walk stopped after one page (keep_alive ends it)
    assert len(checked.run.standin.pits) == 1


def test_poll_scheduled_the_registered_feeds_and_fetch_polled_them(checked: Checked) -> None:
    report = checked.run.results["poll"]
    assert report["enqueued"] == 2
    assert report["polite"] == 2
    assert all(batch["failed"] == 0 for batch in checked.run.results["fetch"])
    feeds = {item["sk"]["S"]: item for item in checked.run.results["fetched_feeds"]}
    assert feeds["FEED#markets-daily"]["last_status"]["N"] == "200"
    assert int(feeds["FEED#markets-daily"]["items_sent"]["N"]) > 0


def test_fulltext_sent_the_teasers_on_to_ingest_and_parked_the_poison_message(checked: Checked) -> None:
    outcomes = checked.run.results["fulltext"]
    assert "fulltext_failures" not in checked.run.results
    reasons = [o.get("reason") for o in outcomes]
    assert "invalid_json" in reasons  # parked
    # the two 127.0.0.1 pages were fetched, taking turns on the shared host record
    assert reasons.count("not an HTML page (application/rss+xml)") == 2
    assert sum(1 for o in outcomes if o["outcome"] == "feed") >= 2  # the poll's teasers went on too


def test_ops_replayed_the_failed_batch_and_reindexed_the_table(checked: Checked) -> None:
    replay = checked.run.results["replay"]
    outcomes = {m["outcome"]: m for m in replay["messages"]}
    assert set(outcomes) == {"replayed", "malformed"}  # the malformed one is reported and kept
    assert outcomes["replayed"]["upserted"]
    reconciled = checked.run.results["reconcile"]
    assert reconciled["status"] == "ok", reconciled
    assert reconciled["months_checked"] >= 1
    steps = checked.run.results["reindex"]
    assert steps[-1].get("done") is True, steps[-1]
    assert steps[-1]["index"] == "articles-v2"
    final = checked.run.results["reindex_delete_old"]
    assert final.get("done") is True, final
    assert final["index"] == "articles-v3"
    assert checked.run.standin.aliases["articles"] == "articles-v3"
    assert set(checked.run.standin.indices) == {"articles-v1", "articles-v3"}  # v2, replaced by v3, was dropped


def test_the_key_authorizer_hands_the_key_to_api_gateway(checked: Checked) -> None:
    answer = checked.run.results["authorizer"]
    assert answer["usageIdentifierKey"] == "k-123"
    assert answer["policyDocument"]["Statement"][0]["Resource"].endswith("abc123/dev/GET/*")


def test_every_grant_is_used_by_some_call(checked: Checked) -> None:
    # Then the policies grant nothing beyond what the calls use (and what the Lambda platform uses)
    used = checked.run.enforcer.used_grants() | checked.run.standin.used_grants()
    grants: list[Grant] = [g for p in (*checked.policies.values(), checked.domain_policy) for g in p.grants()]
    unused = sorted(
        f"{g.policy}: {g.action} on {g.resource}" for g in grants if g not in used and g.action not in PLATFORM_ACTIONS
    )
    assert unused == []


def test_handlers_read_only_the_environment_the_stack_sets(checked: Checked) -> None:
    # The env every function gets names the stack's own resources (resolved above, so no dangling Ref)
    for handler in set(checked.role_of) - {c.HANDLER_AUTHORIZER}:  # the authorizer reads no setting
        function = next(
            r for r in checked.deployment.resources.values()
            if r["Type"] == "AWS::Lambda::Function" and r["Properties"]["Handler"] == handler
        )  # fmt: skip
        env = checked.deployment.resolve(function["Properties"]["Environment"]["Variables"])
        assert env[c.ENV_TABLE_NAME] == "newsflow-local"
