"""Starting the ops function: `lambda:Invoke` on the deployed stack, or the local stack's stand-in for it.

Both take the request as a dict and return the function's JSON answer. A function error (an exception in
the function) or an `{"status": "error"}` answer becomes an OperatorError with the function's message.
"""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from newsflow.cli.target import OperatorError, local_state_or_fail, stack_for
from newsflow.constants import OUTPUT_OPS_FUNCTION_NAME

Invoker = Callable[[dict[str, Any]], dict[str, Any]]
LOCAL_INVOKE_PATH = "/_local/invoke/ops"


def checked(answer: Any) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise OperatorError(f"the ops function answered {answer!r}")
    if "errorMessage" in answer:
        raise OperatorError(f"the ops function failed: {answer.get('errorType', 'Error')}: {answer['errorMessage']}")
    if answer.get("status") == "error":
        raise OperatorError(f"the ops function refused: {answer.get('message')}")
    return answer


def lambda_invoker(client: Any, function_name: str) -> Invoker:
    def invoke(payload: dict[str, Any]) -> dict[str, Any]:
        response = client.invoke(
            FunctionName=function_name, InvocationType="RequestResponse", Payload=json.dumps(payload).encode()
        )
        body = response["Payload"].read()
        try:
            answer = json.loads(body or b"null")
        except json.JSONDecodeError as error:
            raise OperatorError(f"the ops function answered something that is not JSON: {body[:200]!r}") from error
        if response.get("FunctionError") and isinstance(answer, dict):
            answer.setdefault("errorMessage", "function error")
        return checked(answer)

    return invoke


def http_invoker(url: str, timeout: float) -> Invoker:
    def invoke(payload: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the local stack on 127.0.0.1
            url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return checked(json.loads(response.read()))
        except urllib.error.HTTPError as error:
            detail = error.read()[:200]
            raise OperatorError(f"the local stack refused the invoke: HTTP {error.code} {detail!r}") from error
        except urllib.error.URLError as error:
            raise OperatorError(f"cannot reach the local stack at {url}: {error.reason}") from error

    return invoke


def invoker_for(args: argparse.Namespace, timeout: float) -> tuple[Invoker, str]:
    """The ops function of `--stage`, else of the running local stack; and a description of where it runs."""
    stack = stack_for(args)
    if stack is not None:
        name = stack.output(OUTPUT_OPS_FUNCTION_NAME)
        client = stack.client(
            "lambda", read_timeout=int(timeout) + 30, retries={"mode": "standard", "total_max_attempts": 1}
        )
        return lambda_invoker(client, name), f"{name} ({stack.stack_name}, {stack.region})"
    state = local_state_or_fail(args.data_dir)
    if not state.api_url:
        raise OperatorError("the running local stack has no HTTP front to invoke the ops function through")
    return http_invoker(state.api_url + LOCAL_INVOKE_PATH, timeout), f"the local stack ({state.api_url})"
