"""Read a synthesized CloudFormation template as AWS would see it once deployed.

`Deployment` resolves the intrinsic functions newsflow's policies use (Ref, Fn::GetAtt, Fn::Join,
Fn::Sub, Fn::Select, Fn::Split and the pseudo parameters) against the physical names of the resources
the test created in moto, so a statement's Resource is the very ARN the handler's call carries.
A reference to anything not mapped is an error: an unresolved ARN would silently match nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.iam.policy import Policy

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
PARTITION = "aws"

Resources = Mapping[str, Mapping[str, Any]]


class UnresolvedReference(KeyError):
    """A policy refers to a resource attribute the test did not map to a physical value."""


@dataclass
class Deployment:
    resources: Resources
    # logical id -> {"Ref": value, "<Attribute>": value}
    physical: dict[str, dict[str, str]] = field(default_factory=dict)

    def bind(self, logical_id: str, **attributes: str) -> None:
        self.physical.setdefault(logical_id, {}).update(attributes)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, Mapping):
            return value
        if len(value) != 1:
            return {k: self.resolve(v) for k, v in value.items()}
        ((key, arg),) = value.items()
        if key == "Ref":
            return self._ref(str(arg))
        if key == "Fn::GetAtt":
            logical_id, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
            return self._attribute(str(logical_id), str(attribute))
        if key == "Fn::Join":
            separator, parts = arg
            return str(separator).join(str(self.resolve(p)) for p in parts)
        if key == "Fn::Sub":
            template, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1), variables), template)
        if key == "Fn::Select":
            index, items = arg
            return self.resolve(items)[int(index)]
        if key == "Fn::Split":
            separator, text = arg
            return str(self.resolve(text)).split(separator)
        return {key: self.resolve(arg)}

    def _sub(self, name: str, variables: Mapping[str, Any]) -> str:
        if name in variables:
            return str(self.resolve(variables[name]))
        if "." in name:
            logical_id, attribute = name.split(".", 1)
            return self._attribute(logical_id, attribute)
        return str(self._ref(name))

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": PARTITION,
                  "AWS::URLSuffix": "amazonaws.com"}  # fmt: skip
        if name in pseudo:
            return pseudo[name]
        return self._attribute(name, "Ref")

    def _attribute(self, logical_id: str, attribute: str) -> str:
        try:
            return self.physical[logical_id][attribute]
        except KeyError:
            kind = self.resources.get(logical_id, {}).get("Type", "unknown resource")
            raise UnresolvedReference(f"{logical_id} ({kind}).{attribute} is not bound to a physical value") from None

    # ------------------------------------------------------------------------------------ readers

    def logical_ids(self, resource_type: str, path_contains: str = "") -> list[str]:
        return [
            logical_id
            for logical_id, r in self.resources.items()
            if r["Type"] == resource_type and path_contains in str((r.get("Metadata") or {}).get("aws:cdk:path", ""))
        ]

    def one(self, resource_type: str, path_contains: str = "") -> str:
        found = self.logical_ids(resource_type, path_contains)
        if len(found) != 1:
            raise AssertionError(f"expected one {resource_type} at *{path_contains}*, found {found}")
        return found[0]

    def role_of_handler(self, handler: str) -> str:
        functions = [
            r
            for r in self.resources.values()
            if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("Handler") == handler
        ]
        if len(functions) != 1:
            raise AssertionError(f"expected one function with handler {handler}, found {len(functions)}")
        return str(functions[0]["Properties"]["Role"]["Fn::GetAtt"][0])

    def handlers(self) -> list[str]:
        """newsflow's own functions (CDK's deploy-time custom-resource handlers are not in scope)."""
        return sorted(
            str(r["Properties"]["Handler"])
            for r in self.resources.values()
            if r["Type"] == "AWS::Lambda::Function" and str(r["Properties"].get("Handler", "")).startswith("newsflow.")
        )

    def role_policy(self, role_id: str) -> Policy:
        """Every policy document attached to the role: inline policies and AWS::IAM::Policy resources."""
        role = self.resources[role_id]
        documents: list[Mapping[str, Any]] = [p["PolicyDocument"] for p in role["Properties"].get("Policies", [])]
        if role["Properties"].get("ManagedPolicyArns"):
            raise AssertionError(f"{role_id} uses managed policies, which this test cannot evaluate")
        for r in self.resources.values():
            if r["Type"] != "AWS::IAM::Policy":
                continue
            roles = [self.resolve(x) for x in r["Properties"].get("Roles", [])]
            if self.resolve({"Ref": role_id}) in roles:
                documents.append(r["Properties"]["PolicyDocument"])
        return Policy.from_documents(role_id, self.resolve(documents))

    def role_arn(self, role_id: str) -> str:
        return self._attribute(role_id, "Arn")
