"""Small readers for a synthesized CloudFormation template (resources dict: logical id -> resource)."""

from __future__ import annotations

from typing import Any

Resources = dict[str, dict[str, Any]]


def find(resources: Resources, resource_type: str) -> list[tuple[str, dict[str, Any]]]:
    return [(logical_id, r) for logical_id, r in resources.items() if r["Type"] == resource_type]


def find_one(resources: Resources, resource_type: str) -> tuple[str, dict[str, Any]]:
    found = find(resources, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return found[0]


def ref_target(value: Any) -> str:
    """The logical id behind {"Ref": id} or {"Fn::GetAtt": [id, attr]}."""
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    raise AssertionError(f"not a reference: {value!r}")


def function_by_handler(resources: Resources, handler: str) -> tuple[str, dict[str, Any]]:
    matches = [(i, f) for i, f in find(resources, "AWS::Lambda::Function") if f["Properties"]["Handler"] == handler]
    assert len(matches) == 1, handler
    return matches[0]


def logical_id_of_function(resources: Resources, handler: str) -> str:
    return function_by_handler(resources, handler)[0]


def actions_of(statement: dict[str, Any]) -> list[str]:
    actions = statement.get("Action", [])
    return [actions] if isinstance(actions, str) else list(actions)


def policy_statements_of_role(resources: Resources, handler: str) -> list[dict[str, Any]]:
    """Every Allow statement attached to the function's role: inline role policies and AWS::IAM::Policy."""
    role_id = function_by_handler(resources, handler)[1]["Properties"]["Role"]["Fn::GetAtt"][0]
    statements: list[dict[str, Any]] = []
    for policy in resources[role_id]["Properties"].get("Policies", []):
        statements += policy["PolicyDocument"]["Statement"]
    for _, policy in find(resources, "AWS::IAM::Policy"):
        if any(ref_target(role) == role_id for role in policy["Properties"].get("Roles", [])):
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return [s for s in statements if s["Effect"] == "Allow"]
