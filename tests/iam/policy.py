"""IAM policy evaluation for the permission tests: enough of AWS's algorithm to judge newsflow's calls.

A request is allowed when some Allow statement matches its action, its resource and its conditions, and
no Deny statement matches. Wildcards (`*`, `?`) follow IAM: actions match case-insensitively, resources
case-sensitively. A condition operator or key this evaluator does not know is an error, never a pass:
a grant must not look narrower (or wider) here than it is in AWS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

ContextValues = Mapping[str, Sequence[str]]  # condition key -> the request's values for it


class UnsupportedCondition(ValueError):
    """The policy uses a condition this evaluator cannot judge."""


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{regex}$", re.IGNORECASE if ignore_case else 0)


def action_matches(pattern: str, action: str) -> bool:
    return bool(_glob(pattern, True).match(action))


def resource_matches(pattern: str, resource: str) -> bool:
    return bool(_glob(pattern, False).match(resource))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    principals: tuple[str, ...] = ()  # resource policies only: principal ARNs ("*" for anyone)
    sid: str = ""

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Statement:
        if "NotAction" in raw or "NotResource" in raw or "NotPrincipal" in raw:
            raise UnsupportedCondition(f"Not* elements are not evaluated here: {raw}")
        principal = raw.get("Principal")
        principals: list[str] = []
        if principal == "*":
            principals = ["*"]
        elif isinstance(principal, Mapping):
            for kind, values in principal.items():
                principals += (
                    [str(v) for v in _as_list(values)] if kind == "AWS" else [f"{kind}:{v}" for v in _as_list(values)]
                )
        return cls(
            effect=str(raw["Effect"]),
            actions=tuple(str(a) for a in _as_list(raw.get("Action"))),
            resources=tuple(str(r) for r in _as_list(raw.get("Resource", "*"))),
            conditions=dict(raw.get("Condition") or {}),
            principals=tuple(principals),
            sid=str(raw.get("Sid", "")),
        )

    def matching_action(self, action: str) -> str | None:
        return next((p for p in self.actions if action_matches(p, action)), None)

    def matching_resource(self, resource: str) -> str | None:
        return next((p for p in self.resources if resource_matches(p, resource)), None)

    def names_principal(self, principal_arn: str) -> bool:
        return any(p == "*" or p == principal_arn for p in self.principals)

    def conditions_hold(self, context: ContextValues) -> bool:
        for operator, tests in self.conditions.items():
            for key, expected in tests.items():
                if not _condition(operator, key, _as_list(expected), context):
                    return False
        return True


def _condition(operator: str, key: str, expected: list[Any], context: ContextValues) -> bool:
    qualifier, _, base = operator.rpartition(":")
    if base not in {"StringEquals", "StringLike", "Bool"}:
        raise UnsupportedCondition(f"condition operator {operator!r} is not evaluated here")
    if key not in context:
        # AWS: a missing key fails a plain operator and passes ForAllValues (vacuously).
        return qualifier == "ForAllValues"
    values = [str(v) for v in context[key]]
    wanted = [str(e) for e in expected]

    def one(value: str) -> bool:
        if base == "StringLike":
            return any(resource_matches(w, value) for w in wanted)
        if base == "Bool":
            return value.lower() in {w.lower() for w in wanted}
        return value in wanted

    if qualifier == "ForAllValues":
        return all(one(v) for v in values)
    if qualifier in {"ForAnyValue", ""}:
        return any(one(v) for v in values)
    raise UnsupportedCondition(f"condition qualifier {qualifier!r} is not evaluated here")


@dataclass(frozen=True)
class Grant:
    """One (statement, action pattern, resource pattern) triple: the unit that is used or not."""

    policy: str
    statement: int
    action: str
    resource: str


@dataclass(frozen=True)
class Decision:
    allowed: bool
    grants: tuple[Grant, ...] = ()  # every Allow that matched (each of them counts as used)
    denied_by: str | None = None


@dataclass(frozen=True)
class Policy:
    name: str
    statements: tuple[Statement, ...]

    @classmethod
    def from_documents(cls, name: str, documents: Sequence[Mapping[str, Any]]) -> Policy:
        statements = [Statement.from_json(s) for doc in documents for s in _as_list(doc.get("Statement"))]
        return cls(name=name, statements=tuple(statements))

    def grants(self) -> list[Grant]:
        return [
            Grant(self.name, i, action, resource)
            for i, s in enumerate(self.statements)
            if s.effect == "Allow"
            for action in s.actions
            for resource in s.resources
        ]

    def decide(
        self, action: str, resource: str, context: ContextValues | None = None, principal: str | None = None
    ) -> Decision:
        context = context or {}
        allows: list[Grant] = []
        for i, statement in enumerate(self.statements):
            if principal is not None and not statement.names_principal(principal):
                continue
            matched_action = statement.matching_action(action)
            matched_resource = statement.matching_resource(resource)
            if matched_action is None or matched_resource is None or not statement.conditions_hold(context):
                continue
            if statement.effect == "Deny":
                return Decision(False, denied_by=statement.sid or f"{self.name}#{i}")
            allows.append(Grant(self.name, i, matched_action, matched_resource))
        return Decision(bool(allows), grants=tuple(allows))
