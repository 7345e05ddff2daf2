"""A botocore hook that makes every AWS call pass the synthesized role policy, as IAM would in AWS.

Registered on boto3's default session (which `newsflow.aws` builds its clients from), it turns each
API call into the IAM requests AWS would authorize: batch operations authorize as their single-item
action (SendMessageBatch -> sqs:SendMessage), transactions as each item's action, and every request
names the ARN of the table, index, queue or stream it touches, with `dynamodb:LeadingKeys` for item
writes. A call the acting role's policy does not allow fails with AccessDenied before it reaches moto.
Every decision is recorded, so a test can also list the grants that no call used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.iam.policy import Decision, Grant, Policy
from tests.iam.template import ACCOUNT, PARTITION, REGION

_BATCH_ACTIONS = {
    ("sqs", "SendMessageBatch"): "SendMessage",
    ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
}
_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
_IAM_PREFIX = {"dynamodbstreams": "dynamodb"}


@dataclass(frozen=True)
class AuthRequest:
    action: str
    resource: str
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    role: str
    request: AuthRequest
    decision: Decision


def table_arn(name: str, index: str | None = None) -> str:
    base = f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    return f"{base}/index/{index}" if index else base


def queue_arn(url_or_name: str) -> str:
    return f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{url_or_name.rstrip('/').rsplit('/', 1)[-1]}"


def _pk(attributes: Mapping[str, Any] | None) -> list[str]:
    value = (attributes or {}).get("pk") or {}
    return [str(next(iter(value.values())))] if isinstance(value, Mapping) and value else []


def _leading(keys: list[str]) -> dict[str, tuple[str, ...]]:
    return {"dynamodb:LeadingKeys": tuple(dict.fromkeys(keys))} if keys else {}


def _query_leading_key(params: Mapping[str, Any]) -> list[str]:
    """The partition value of a base-table Query (`pk = :v`), for dynamodb:LeadingKeys."""
    if params.get("IndexName"):
        return []
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    for name, placeholder in re.findall(r"(#?\w+)\s*=\s*(:\w+)", params.get("KeyConditionExpression", "")):
        if names.get(name, name) == "pk" and placeholder in values:
            return [str(next(iter(values[placeholder].values())))]
    return []


class Enforcer:
    def __init__(self, policies: Mapping[str, Policy]) -> None:
        self.policies = dict(policies)
        self.role: str | None = None
        self.records: list[Recorded] = []
        self._iterators: dict[str, str] = {}  # shard iterator -> stream ARN (GetRecords carries no ARN)
        self._last_stream = ""
        self._registered = False

    # ------------------------------------------------------------------------------ wiring

    def install(self) -> None:
        """Hook boto3's default session: clients created afterwards (newsflow.aws) are enforced."""
        session = boto3._get_default_session()
        if not self._registered:
            session.events.register("before-parameter-build", self._before_call, unique_id="newsflow-iam")
            session.events.register("after-call.dynamodb-streams", self._after_streams, unique_id="newsflow-iam-s")
            self._registered = True

    def uninstall(self) -> None:
        session = boto3._get_default_session()
        session.events.unregister("before-parameter-build", unique_id="newsflow-iam")
        session.events.unregister("after-call.dynamodb-streams", unique_id="newsflow-iam-s")
        self._registered = False

    @contextmanager
    def acting_as(self, role: str) -> Iterator[None]:
        previous, self.role = self.role, role
        try:
            yield
        finally:
            self.role = previous

    # ------------------------------------------------------------------------------ decisions

    def requests_for(self, service: str, operation: str, params: Mapping[str, Any]) -> list[AuthRequest]:
        prefix = _IAM_PREFIX.get(service, service)
        if service == "dynamodb":
            return self._dynamodb(operation, params)
        if service == "dynamodbstreams":
            stream = params.get("StreamArn") or self._iterators.get(params.get("ShardIterator", ""), "")
            self._last_stream = stream
            return [AuthRequest(f"{prefix}:{operation}", stream or "*")]
        if service == "sqs":
            action = _BATCH_ACTIONS.get((service, operation), operation)
            target = params.get("QueueUrl") or params.get("QueueName")
            return [AuthRequest(f"sqs:{action}", queue_arn(target) if target else "*")]
        if service == "ssm":  # GetParameter(s) by name: the parameter's ARN has no leading slash
            name = str(params.get("Name", "*")).lstrip("/")
            return [AuthRequest(f"ssm:{operation}", f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:parameter/{name}")]
        if service == "lambda":
            name = str(params.get("FunctionName", "*"))
            arn = name if name.startswith("arn:") else f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{name}"
            return [AuthRequest(f"lambda:{operation}", arn)]
        raise AssertionError(f"the permission tests do not model {service}:{operation}; add it to boto_enforcer")

    def _dynamodb(self, operation: str, params: Mapping[str, Any]) -> list[AuthRequest]:
        if operation == "BatchWriteItem":
            out = []
            for table, writes in (params.get("RequestItems") or {}).items():
                keys = [
                    k
                    for w in writes
                    for k in _pk((w.get("PutRequest") or {}).get("Item") or (w.get("DeleteRequest") or {}).get("Key"))
                ]
                out.append(AuthRequest("dynamodb:BatchWriteItem", table_arn(table), _leading(keys)))
            return out
        if operation == "BatchGetItem":
            return [
                AuthRequest(
                    "dynamodb:BatchGetItem",
                    table_arn(table),
                    _leading([k for key in spec.get("Keys", []) for k in _pk(key)]),
                )
                for table, spec in (params.get("RequestItems") or {}).items()
            ]
        if operation in {"TransactWriteItems", "TransactGetItems"}:
            out = []
            for entry in params.get("TransactItems") or []:
                ((kind, spec),) = entry.items()
                keys = _pk(spec.get("Item") or spec.get("Key"))
                out.append(
                    AuthRequest(f"dynamodb:{_TRANSACT_ACTIONS[kind]}", table_arn(spec["TableName"]), _leading(keys))
                )
            return out
        table = params.get("TableName")
        if not table:
            return [AuthRequest(f"dynamodb:{operation}", "*")]
        keys = _pk(params.get("Item") or params.get("Key")) or (
            _query_leading_key(params) if operation == "Query" else []
        )
        return [AuthRequest(f"dynamodb:{operation}", table_arn(table, params.get("IndexName")), _leading(keys))]

    def _before_call(self, params: Mapping[str, Any], model: Any, **_: Any) -> None:
        if self.role is None:
            return  # test set-up (creating moto resources) runs as the administrator
        service = model.service_model.service_name
        requests = self.requests_for(service, model.name, params)
        policy = self.policies[self.role]
        for request in requests:
            decision = policy.decide(request.action, request.resource, request.context)
            self.records.append(Recorded(self.role, request, decision))
            if not decision.allowed:
                raise ClientError(
                    {
                        "Error": {
                            "Code": "AccessDeniedException",
                            "Message": f"User: {self.role} is not authorized to perform: {request.action} on "
                            f"resource: {request.resource} (context {dict(request.context)}) "
                            "because no identity-based policy allows the action",
                        },
                        "ResponseMetadata": {"HTTPStatusCode": 400},
                    },
                    model.name,
                )

    def _after_streams(self, parsed: Mapping[str, Any], **_: Any) -> None:
        stream = self._last_stream
        for key in ("ShardIterator", "NextShardIterator"):
            if stream and parsed.get(key):
                self._iterators[str(parsed[key])] = str(stream)

    # ------------------------------------------------------------------------------ reports

    def denied(self, role: str | None = None) -> list[Recorded]:
        return [r for r in self.records if not r.decision.allowed and (role is None or r.role == role)]

    def used_grants(self) -> set[Grant]:
        return {g for r in self.records for g in r.decision.grants}
