"""`newsflow --stage X index-failures replay` and `newsflow --stage X reindex` start the ops function.

moto cannot run Lambda code, so the Lambda client is replaced at the CLI boundary by one whose `invoke`
runs the ops handler in process, with the payload through JSON both ways as lambda:Invoke does.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from newsflow.cli import main
from newsflow.cli.target import DeployedStack
from newsflow.handlers import index, ingest, ops
from newsflow.local.resources import LocalResources
from newsflow.search import tantivy_index

from tests.integration.helpers import body, context, receive_event, send_items
from tests.integration.ops_helpers import (
    article_records,
    deploy_stack,
    failures_left,
    on_failure_record,
    ops_context,
    park_failure,
    stack_outputs,
)

FUNCTION = "NewsflowStack-test-Ops1234"


class InProcessLambda:
    def __init__(self, fail_with: str | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail_with = fail_with

    def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        assert FunctionName == FUNCTION
        assert InvocationType == "RequestResponse"
        event = json.loads(Payload)
        self.calls.append(event)
        if self.fail_with:
            answer: Any = {"errorMessage": self.fail_with, "errorType": "RuntimeError"}
            return {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(json.dumps(answer).encode())}
        answer = ops.lambda_handler(event, ops_context())
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(answer).encode())}


@pytest.fixture
def lambda_client(stack_env: LocalResources, monkeypatch: pytest.MonkeyPatch) -> InProcessLambda:
    deploy_stack("test", stack_outputs(stack_env, OpsFunctionName=FUNCTION))
    fake = InProcessLambda()
    real = DeployedStack.client

    def client(self: DeployedStack, service: str, **config: Any) -> Any:
        return fake if service == "lambda" else real(self, service, **config)

    monkeypatch.setattr(DeployedStack, "client", client)
    return fake


def ingest_two(resources: LocalResources) -> None:
    send_items(
        resources,
        [body(), body(url="https://news.example.com/b", guid="b", title="Wheat harvest", content_html="<p>Wheat.</p>")],
    )
    ingest.lambda_handler(receive_event(resources), context("ingest"))


def test_replay_reports_each_message_and_the_index_is_repaired(
    stack_env: LocalResources, lambda_client: InProcessLambda, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest_two(stack_env)
    park_failure(stack_env, on_failure_record(stack_env, article_records(stack_env)))
    park_failure(stack_env, "garbage")

    assert main(["--stage", "test", "index-failures", "replay"]) == 0

    out = capsys.readouterr().out
    assert "- replayed shard " in out
    # the range holds every record between the two articles' (dedupe keys, month markers...): only articles count
    assert re.search(r" \d+ record\(s\); upserted 2, unindexed 0 \(message deleted\)", out)
    assert "- malformed:" in out
    assert "2 message(s): 1 replayed, 1 malformed" in out
    assert lambda_client.calls == [
        {"action": "replay-index-failures", "max_messages": 100, "dry_run": False, "discard_unreplayable": False}
    ]
    assert index.search_index().count() == 2
    assert failures_left(stack_env) == ["garbage"]


def test_replay_of_expired_batches_points_to_reindex(
    stack_env: LocalResources, lambda_client: InProcessLambda, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    ingest_two(stack_env)
    record = on_failure_record(stack_env, article_records(stack_env), datetime.now(UTC) - timedelta(days=2))
    park_failure(stack_env, record)

    assert main(["--stage", "test", "index-failures", "replay"]) == 0

    out = capsys.readouterr().out
    assert "1 message(s): 1 expired" in out
    assert "run `newsflow reindex` (with the same --stage)" in out


def test_a_function_error_is_reported_without_traceback(
    stack_env: LocalResources, lambda_client: InProcessLambda, capsys: pytest.CaptureFixture[str]
) -> None:
    lambda_client.fail_with = "Task timed out after 900.00 seconds"

    assert main(["--stage", "test", "index-failures", "replay"]) == 2

    err = capsys.readouterr().err
    assert "the ops function failed: RuntimeError: Task timed out after 900.00 seconds" in err
    assert "Traceback" not in err


def test_a_stack_without_the_ops_function_says_to_deploy(
    stack_env: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_stack("old", stack_outputs(stack_env))

    assert main(["--stage", "old", "index-failures", "replay"]) == 2

    assert "has no output 'OpsFunctionName'" in capsys.readouterr().err


def test_reindex_drives_the_function_step_by_step_until_swapped(
    stack_env: LocalResources,
    lambda_client: InProcessLambda,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(tantivy_index, "FOLLOW_CHECK_SECONDS", 0.0)
    ingest_two(stack_env)

    assert main(["--stage", "test", "reindex", "--batch", "1", "--step-seconds", "0.001"]) == 0

    captured = capsys.readouterr()
    assert len(lambda_client.calls) > 2
    assert lambda_client.calls[0]["cursor"] is None
    assert all(call["cursor"] for call in lambda_client.calls[1:])
    assert captured.err.count(": fill, ") + captured.err.count(": catch-up, ") == len(lambda_client.calls) - 1
    assert ": done, 2 written, 0 failed, 2 caught up" in captured.err
    generation = (tmp_path / "index" / "CURRENT").read_text()
    assert f"{generation}: 2 documents (0 failed); now live" in captured.out
    assert index.search_index().count() == 2


def test_reindex_resumes_from_a_printed_cursor_and_refuses_a_bad_one(
    stack_env: LocalResources, lambda_client: InProcessLambda, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest_two(stack_env)
    first = ops.lambda_handler({"action": "reindex", "page_size": 1, "budget_seconds": 0.001}, ops_context())
    assert first["done"] is False

    assert main(["--stage", "test", "reindex", "--resume", json.dumps(first["cursor"])]) == 0
    assert lambda_client.calls[0]["cursor"]["index"] == first["index"]
    assert f"{first['index']}: 2 documents" in capsys.readouterr().out

    assert main(["--stage", "test", "reindex", "--resume", "{not a cursor"]) == 2
    assert "--resume is not a reindex cursor" in capsys.readouterr().err
    assert main(["--stage", "test", "reindex", "--step-seconds", "5000"]) == 2
    assert "invalid reindex options: budget_seconds" in capsys.readouterr().err
