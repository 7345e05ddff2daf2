"""`newsflow --stage X api-key list | rotate | retire KEY_ID`: rotating the read API key without downtime.

The read routes require an API key attached to the stack's read usage plan. Rotation is additive:
`rotate` creates a new key on the plan and prints its value once (hand it to the websites); both keys
work until `retire` disables (or `--delete` deletes) the old one. `retire` refuses while the newest other
key is younger than the grace period (`--grace-hours`, default 24: time for every client to switch), and
refuses to retire the last enabled key. The stack's own key (output ReadApiKeyId) belongs to
CloudFormation: it can be disabled here, never deleted (the next deploy would fail on it).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from newsflow.cli.target import DeployedStack, OperatorError, stack_for
from newsflow.constants import OUTPUT_READ_API_KEY_ID, OUTPUT_READ_USAGE_PLAN_ID


class PlanKey(BaseModel):
    id: str
    name: str
    enabled: bool
    created: datetime | None
    managed_by_stack: bool


def usage_plan_id(stack: DeployedStack, apigateway: Any) -> str:
    """The read usage plan: the ReadUsagePlanId output, else the plan the stack's key is attached to."""
    if stack.outputs.get(OUTPUT_READ_USAGE_PLAN_ID):
        return stack.outputs[OUTPUT_READ_USAGE_PLAN_ID]
    key_id = stack.outputs.get(OUTPUT_READ_API_KEY_ID)
    if not key_id:
        raise OperatorError(f"stack {stack.stack_name} has no read API key (is the read API public?)")
    plans = apigateway.get_usage_plans(keyId=key_id).get("items", [])
    if len(plans) != 1:
        raise OperatorError(f"expected one usage plan holding key {key_id}, found {len(plans)}")
    return str(plans[0]["id"])


def plan_keys(apigateway: Any, plan_id: str, stack_key_id: str | None) -> list[PlanKey]:
    keys: list[PlanKey] = []
    kwargs: dict[str, Any] = {"usagePlanId": plan_id, "limit": 500}
    while True:
        page = apigateway.get_usage_plan_keys(**kwargs)
        for item in page.get("items", []):
            key = apigateway.get_api_key(apiKey=item["id"], includeValue=False)
            created = key.get("createdDate")
            keys.append(
                PlanKey(
                    id=str(key["id"]),
                    name=str(key.get("name", "")),
                    enabled=bool(key.get("enabled", False)),
                    created=created.astimezone(UTC) if isinstance(created, datetime) else None,
                    managed_by_stack=key["id"] == stack_key_id,
                )
            )
        if not page.get("position"):
            return sorted(keys, key=lambda k: k.created or datetime.min.replace(tzinfo=UTC))
        kwargs["position"] = page["position"]


def rotate(apigateway: Any, plan_id: str, stage: str, now: datetime) -> tuple[str, str]:
    """A new enabled key on the plan. Returns (key id, key value)."""
    created = apigateway.create_api_key(
        name=f"newsflow-{stage}-read-{now.strftime('%Y%m%dT%H%M%SZ')}",
        description=f"newsflow {stage}: read access (rotated {now.isoformat(timespec='seconds')})",
        enabled=True,
        generateDistinctId=True,
    )
    try:
        apigateway.create_usage_plan_key(usagePlanId=plan_id, keyId=created["id"], keyType="API_KEY")
    except Exception:
        apigateway.delete_api_key(apiKey=created["id"])  # never leave a key that works nowhere
        raise
    return str(created["id"]), str(created["value"])


def check_retirable(keys: list[PlanKey], key_id: str, grace: timedelta, now: datetime, delete: bool) -> PlanKey:
    """The key to retire, or OperatorError saying why it must not be retired (yet)."""
    target = next((k for k in keys if k.id == key_id), None)
    if target is None:
        raise OperatorError(f"key {key_id} is not on the read usage plan (see `api-key list`)")
    others = [k for k in keys if k.id != key_id and k.enabled]
    if not others:
        raise OperatorError(f"key {key_id} is the last enabled key on the plan: `api-key rotate` first")
    newest = max((k.created for k in others if k.created), default=None)
    if newest is not None and now - newest < grace:
        wait = grace - (now - newest)
        raise OperatorError(
            f"the newest other key is only {(now - newest).total_seconds() / 3600:.1f} h old; clients may still use "
            f"{key_id}: wait {wait.total_seconds() / 3600:.1f} h more, or pass --force"
        )
    if delete and target.managed_by_stack:
        raise OperatorError(
            f"key {key_id} is the stack's own (output {OUTPUT_READ_API_KEY_ID}): CloudFormation owns it, so it can be "
            "disabled here but not deleted"
        )
    return target


def retire(apigateway: Any, plan_id: str, key: PlanKey, delete: bool) -> None:
    if delete:
        apigateway.delete_usage_plan_key(usagePlanId=plan_id, keyId=key.id)
        apigateway.delete_api_key(apiKey=key.id)
    else:
        apigateway.update_api_key(
            apiKey=key.id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
        )


# ------------------------------------------------------------------------------------------------ commands


def _context(args: argparse.Namespace) -> tuple[DeployedStack, Any, str]:
    stack = stack_for(args)
    if stack is None:
        raise OperatorError("api-key acts on a deployed stack: pass --stage (the local stack takes `dev --api-key`)")
    apigateway = stack.client("apigateway")
    return stack, apigateway, usage_plan_id(stack, apigateway)


def _cmd_list(args: argparse.Namespace) -> int:
    stack, apigateway, plan = _context(args)
    keys = plan_keys(apigateway, plan, stack.outputs.get(OUTPUT_READ_API_KEY_ID))
    print(f"read usage plan {plan} of {stack.stack_name}: {len(keys)} key(s)")
    for k in keys:
        state = "enabled " if k.enabled else "disabled"
        created = k.created.strftime("%Y-%m-%d %H:%M UTC") if k.created else "?"
        owner = "  (the stack's own key)" if k.managed_by_stack else ""
        print(f"  {k.id}  {state}  created {created}  {k.name}{owner}")
    return 0


def _cmd_rotate(args: argparse.Namespace) -> int:
    stack, apigateway, plan = _context(args)
    key_id, value = rotate(apigateway, plan, stack.stage, datetime.now(UTC))
    print(f"new read API key {key_id} on usage plan {plan}; its value (shown once, store it now):", file=sys.stderr)
    print(value)
    print(
        f"once every client sends it, retire the old key: newsflow --stage {stack.stage} api-key retire OLD_KEY_ID",
        file=sys.stderr,
    )
    return 0


def _cmd_retire(args: argparse.Namespace) -> int:
    stack, apigateway, plan = _context(args)
    keys = plan_keys(apigateway, plan, stack.outputs.get(OUTPUT_READ_API_KEY_ID))
    grace = timedelta(hours=0 if args.force else args.grace_hours)
    key = check_retirable(keys, args.key_id, grace, datetime.now(UTC), args.delete)
    retire(apigateway, plan, key, args.delete)
    print(f"{'deleted' if args.delete else 'disabled'} key {key.id} ({key.name})")
    if key.managed_by_stack:
        print(
            "note: this is the stack's own key; CloudFormation still records it as enabled, so a deploy that updates"
            " the key resource enables it again",
            file=sys.stderr,
        )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("api-key", help="--stage: list, rotate and retire the read API keys")
    actions = parser.add_subparsers(dest="api_key_action", required=True)
    actions.add_parser("list", help="keys on the read usage plan (never their values)").set_defaults(func=_cmd_list)
    actions.add_parser("rotate", help="create a key on the read usage plan; print its value once").set_defaults(
        func=_cmd_rotate
    )
    retire_cmd = actions.add_parser("retire", help="disable (or --delete) an old key after the grace period")
    retire_cmd.add_argument("key_id")
    retire_cmd.add_argument("--delete", action="store_true", help="delete the key instead of disabling it")
    retire_cmd.add_argument("--grace-hours", type=float, default=24.0, help="newest other key must be this old")
    retire_cmd.add_argument("--force", action="store_true", help="skip the grace period check")
    retire_cmd.set_defaults(func=_cmd_retire)
