"""Where an operator command acts: the deployed stack of a stage (`--stage`), or the running local stack.

With `--stage X` the resources come from the CloudFormation outputs of `NewsflowStack-X` (DescribeStacks),
in `--region` or the AWS CLI's default region, with the operator's own credentials. Without it, commands
act on the local stack that `newsflow dev` runs (its `.newsflow/dev.json`).
"""

from __future__ import annotations

import argparse
import os
import re
from typing import Any

from pydantic import BaseModel

from newsflow import constants as c

# The same rule as infra/config.py (the stack name and OpenSearch domain derive from the stage).
STAGE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,18}$")


# A stack in one of these states has no (or not all of its) resources.
_UNUSABLE = {"CREATE_FAILED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED", "ROLLBACK_COMPLETE", "DELETE_IN_PROGRESS"}
_UNUSABLE |= {"DELETE_FAILED", "DELETE_COMPLETE"}


class OperatorError(Exception):
    """A problem the operator can fix (unknown stage, missing output, no credentials): no traceback."""


class DeployedStack(BaseModel):
    stage: str
    region: str
    stack_name: str
    outputs: dict[str, str]

    def output(self, name: str) -> str:
        value = self.outputs.get(name)
        if not value:
            raise OperatorError(
                f"stack {self.stack_name} has no output {name!r} (it has: {', '.join(sorted(self.outputs)) or 'none'});"
                " deploy the current version of the stack (`npx cdk deploy -c stage=" + self.stage + "`)"
            )
        return value

    def client(self, service: str, **config: Any) -> Any:
        return aws_client(service, self.region, **config)


def aws_client(service: str, region: str, **config: Any) -> Any:
    import boto3
    from botocore.config import Config

    settings: dict[str, Any] = {"account_id_endpoint_mode": "disabled", "retries": {"mode": "standard"}}
    settings.update(config)
    return boto3.client(service, region_name=region, config=Config(**settings))


def default_region(explicit: str | None) -> str:
    if explicit:
        return explicit
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        import boto3

        region = boto3.session.Session().region_name
    if not region:
        raise OperatorError("no AWS region: pass --region, or set AWS_REGION / configure a default region")
    return region


def resolve_stack(stage: str, region: str | None = None, cloudformation: Any = None) -> DeployedStack:
    """The outputs of `NewsflowStack-<stage>`. Raises OperatorError when it cannot be found."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    if not STAGE_PATTERN.match(stage):
        raise OperatorError(f"invalid stage {stage!r}: lowercase letters, digits and '-', starting with a letter")
    where = default_region(region)
    name = f"{c.STACK_NAME_PREFIX}{stage}"
    client = cloudformation if cloudformation is not None else aws_client("cloudformation", where)
    try:
        stacks = client.describe_stacks(StackName=name)["Stacks"]
    except NoCredentialsError as error:
        raise OperatorError("no AWS credentials found (configure a profile or set AWS_PROFILE)") from error
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message", str(error))
        if "does not exist" in message:
            known = _deployed_stages(client)
            hint = f" (deployed stages here: {', '.join(known)})" if known else " (no newsflow stack in this region)"
            raise OperatorError(f"no stack {name} in {where}{hint}") from error
        raise OperatorError(f"cannot read stack {name}: {message}") from error
    except BotoCoreError as error:
        raise OperatorError(f"cannot reach CloudFormation in {where}: {error}") from error
    stack = stacks[0]
    status = str(stack.get("StackStatus", ""))
    if status in _UNUSABLE:
        raise OperatorError(f"stack {name} is {status}: its resources may be missing")
    outputs = {str(o["OutputKey"]): str(o.get("OutputValue", "")) for o in stack.get("Outputs", [])}
    return DeployedStack(stage=stage, region=where, stack_name=name, outputs=outputs)


def _deployed_stages(client: Any) -> list[str]:
    try:
        stacks = client.describe_stacks().get("Stacks", [])
    except Exception:
        return []
    return sorted(
        str(s["StackName"]).removeprefix(c.STACK_NAME_PREFIX)
        for s in stacks
        if str(s.get("StackName", "")).startswith(c.STACK_NAME_PREFIX)
    )


def stack_for(args: argparse.Namespace) -> DeployedStack | None:
    """The deployed stack when `--stage` was given, else None (the local stack)."""
    stage = getattr(args, "stage", None)
    return resolve_stack(stage, getattr(args, "region", None)) if stage else None


def local_state_or_fail(data_dir: str) -> Any:
    from newsflow.local.stack import read_state

    state = read_state(data_dir)
    if state is None:
        raise OperatorError("no local stack running (start one with `newsflow dev`, or pass --stage)")
    return state
