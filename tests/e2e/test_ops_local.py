"""The ops commands against a running local stack: index failures travel as Lambda on-failure records,
and `newsflow index-failures replay` / `dlq` reach the stack through its local stand-in for lambda:Invoke."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsflow import aws
from newsflow.cli import main
from newsflow.handlers import index as index_handler
from newsflow.indexing import IndexReport
from newsflow.local.stack import LocalStack
from newsflow.ops.replay import parse_failure
from newsflow.search.port import SearchQuery

from tests.integration.helpers import body

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LocalStack]:
    from moto.moto_api._internal.models import moto_api_backend

    # moto's backends are process-wide: start from empty, as `mock_aws()` does, not from an earlier module's stack
    moto_api_backend.reset()
    with LocalStack(data_dir=tmp_path / "newsflow", api_port=0) as running:
        running.write_state()
        yield running


def wait_for(predicate: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_failed_index_batch_is_parked_as_lambda_would_and_replayed_from_the_cli(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert stack.resources is not None

    # Given an index function that fails every batch
    def failing(changes: list, index: object, build: object) -> IndexReport:  # type: ignore[type-arg]
        return IndexReport(failed={c.sequence_number: "cluster unavailable" for c in changes})

    monkeypatch.setattr(index_handler, "apply_changes", failing)
    aws.sqs().send_message(QueueUrl=stack.resources.queue_url, MessageBody=body())

    # When the stream emulation gives up, the index-failures queue holds an on-failure record
    bodies: list[str] = []

    def parked() -> bool:
        got = aws.sqs().receive_message(QueueUrl=stack.resources.index_failures_url, VisibilityTimeout=0)
        bodies[:] = [m["Body"] for m in got.get("Messages", [])]
        return bool(bodies)

    wait_for(parked)
    wait_for(stack.runtime.is_idle)  # type: ignore[union-attr]
    failure = parse_failure(bodies[0])
    assert failure.batch.stream_arn == stack.resources.stream_arn
    assert failure.request_context.condition == "RetryAttemptsExhausted"
    # (moto's backends are process-wide: articles of earlier tests in this process may share the batch)
    assert failure.batch.batch_size >= 1
    assert index_handler.search_index().count() == 0

    # Then, the index healthy again, the replay started from the CLI re-indexes the article in the stack
    monkeypatch.undo()
    data_dir = str(stack.data_dir)
    assert main(["--data-dir", data_dir, "index-failures", "replay"]) == 0
    out = capsys.readouterr().out
    replayed = re.search(r"(\d+) message\(s\): (\d+) replayed\n", out)
    assert replayed, out
    assert replayed.group(1) == replayed.group(2)
    hits = index_handler.search_index().search(SearchQuery(text="OPEC output cut")).hits
    assert any(h.document.title.startswith("OPEC+ agrees deeper oil output cut") for h in hits)


def test_the_local_invoke_endpoint_only_takes_json_for_known_functions(stack: LocalStack) -> None:
    def post(path: str, content_type: str) -> int:
        request = urllib.request.Request(
            f"{stack.api_url}{path}", data=b"{}", headers={"Content-Type": content_type}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    assert post("/_local/invoke/ops", "text/plain") == 415
    assert post("/_local/invoke/nothing", "application/json") == 404
    request = urllib.request.Request(
        f"{stack.api_url}/_local/invoke/ops",
        data=json.dumps({"action": "nope"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["status"] == "error"


def test_dlq_without_a_stage_still_reads_the_local_stack(stack: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    assert stack.resources is not None
    dlq_url = stack.resources.dlq_url

    def parked_count() -> int:
        attributes = aws.sqs().get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])

    before = parked_count()  # moto is process-wide: earlier tests may have left messages here
    aws.sqs().send_message(QueueUrl=stack.resources.queue_url, MessageBody="{broken")

    def parked() -> bool:
        return parked_count() > before

    wait_for(parked)
    data_dir = str(stack.data_dir)
    assert main(["--data-dir", data_dir, "dlq", "list"]) == 0
    assert "- invalid_json" in capsys.readouterr().out
    assert main(["--data-dir", data_dir, "dlq", "redrive", "--reason", "invalid_json", "--dry-run"]) == 0
    assert re.search(r"would move [1-9]\d* message\(s\)", capsys.readouterr().out)
