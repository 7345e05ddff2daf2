"""The permission layer itself: it must deny what a policy does not grant (or the suite proves nothing)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.iam.boto_enforcer import Enforcer, table_arn
from tests.iam.opensearch_standin import OpenSearchStandIn
from tests.iam.policy import Policy, UnsupportedCondition

TABLE = "t"


def _policy(*statements: dict[str, object]) -> Policy:
    return Policy.from_documents("role", [{"Statement": list(statements)}])


@pytest.fixture
def table() -> Iterator[None]:
    with mock_aws():
        boto3.client("dynamodb", region_name="us-east-1").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield


def test_a_batch_write_without_its_grant_is_denied_and_recorded(table: None) -> None:
    # Given a role that may PutItem but not BatchWriteItem
    enforcer = Enforcer({"r": _policy({"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": table_arn(TABLE)})})
    enforcer.install()
    try:
        client = boto3.client("dynamodb", region_name="us-east-1")
        with enforcer.acting_as("r"):
            client.put_item(TableName=TABLE, Item={"pk": {"S": "a"}})
            # When it batch-writes / Then AccessDenied, as in AWS
            with pytest.raises(ClientError, match="dynamodb:BatchWriteItem"):
                client.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": {"pk": {"S": "b"}}}}]})
    finally:
        enforcer.uninstall()
    assert [r.request.action for r in enforcer.denied()] == ["dynamodb:BatchWriteItem"]


def test_leading_keys_confine_writes_to_one_partition(table: None) -> None:
    only_feeds = {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["FEEDS"]}}
    enforcer = Enforcer(
        {
            "r": _policy(
                {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": table_arn(TABLE), "Condition": only_feeds}
            )
        }
    )
    enforcer.install()
    try:
        client = boto3.client("dynamodb", region_name="us-east-1")
        with enforcer.acting_as("r"):
            client.put_item(TableName=TABLE, Item={"pk": {"S": "FEEDS"}})
            with pytest.raises(ClientError, match="AccessDenied"):
                client.put_item(TableName=TABLE, Item={"pk": {"S": "ART#1"}})
    finally:
        enforcer.uninstall()


def test_batch_sends_authorize_as_the_single_action() -> None:
    enforcer = Enforcer({})
    (request,) = enforcer.requests_for("sqs", "SendMessageBatch", {"QueueUrl": "https://sqs/1/q", "Entries": []})
    assert request.action == "sqs:SendMessage"
    assert request.resource.endswith(":q")


def test_unknown_condition_operators_are_refused_not_passed() -> None:
    policy = _policy(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "1.2.3.4"}},
        }
    )
    with pytest.raises(UnsupportedCondition):
        policy.decide("s3:GetObject", "arn:aws:s3:::b/k")


def test_opensearch_needs_both_the_role_and_the_domain_to_allow_a_path() -> None:
    domain = "arn:aws:es:us-east-1:123456789012:domain/d"
    identity = _policy(
        {"Effect": "Allow", "Action": "es:ESHttpPost", "Resource": [f"{domain}/a/_search", f"{domain}/a/_bulk"]}
    )
    access = Policy.from_documents("domain", [{"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/r"}, "Action": "es:ESHttpPost",
         "Resource": f"{domain}/a/_search"},
    ]}])  # fmt: skip
    standin = OpenSearchStandIn("d", {"r": identity}, access, {"r": "arn:aws:iam::123456789012:role/r"}).start()
    try:
        with standin.acting_as("r"):
            for path, expected in (("/a/_search", 404), ("/a/_bulk", 403), ("/b/_search", 403)):
                request = urllib.request.Request(f"{standin.url}{path}", data=json.dumps({}).encode(), method="POST")
                try:
                    status = urllib.request.urlopen(request, timeout=5).status
                except urllib.error.HTTPError as error:
                    status = error.code
                assert status == expected, path  # 404: allowed, and the index does not exist yet
    finally:
        standin.stop()
    assert [(r.path, r.identity.allowed, r.domain.allowed) for r in standin.records] == [
        ("/a/_search", True, True),
        ("/a/_bulk", True, False),
        ("/b/_search", False, False),
    ]
