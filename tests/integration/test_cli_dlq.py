"""`newsflow --stage X dlq list | redrive` against a deployed stack found through CloudFormation (moto)."""

from __future__ import annotations

import json

import pytest
from newsflow import aws
from newsflow.cli import main
from newsflow.local.resources import LocalResources
from newsflow.store.ports import DeadLetter
from newsflow.store.queues import SqsDeadLetterQueue

from tests.integration.ops_helpers import deploy_stack, stack_outputs


@pytest.fixture
def deployed(stack_env: LocalResources) -> LocalResources:
    deploy_stack("test", stack_outputs(stack_env))
    dlq = SqsDeadLetterQueue(aws.sqs(), stack_env.dlq_url)
    dlq.park(
        DeadLetter(body='{"url": "x"}', reason="schema_violation", detail="title: field required", message_id="m1")
    )
    dlq.park(DeadLetter(body='{"url": "y"}', reason="retries_exhausted", detail="TimeoutError: slow", message_id="m2"))
    dlq.park(DeadLetter(body='{"url": "z"}', reason="retries_exhausted", detail="TimeoutError: slow", message_id="m3"))
    return stack_env


def bodies(url: str) -> list[str]:
    found: list[str] = []
    while True:
        got = aws.sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages", [])
        if not got:
            return sorted(found)
        found += [m["Body"] for m in got]


def test_list_shows_reason_detail_age_and_receives_and_moves_nothing(
    deployed: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--stage", "test", "dlq", "list"]) == 0

    out = capsys.readouterr().out
    assert "3 parked message(s) in the DLQ of NewsflowStack-test" in out
    assert "  retries_exhausted: 2" in out
    assert "  schema_violation: 1" in out
    assert out.count("- retries_exhausted  age ") == 2
    assert "receives 0" in out
    assert "detail: title: field required" in out
    # Listing released the messages: all three are still there, visible now
    assert bodies(deployed.dlq_url) == ['{"url": "x"}', '{"url": "y"}', '{"url": "z"}']


def test_list_filters_by_reason(deployed: LocalResources, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stage", "test", "dlq", "list", "--reason", "schema_violation"]) == 0

    out = capsys.readouterr().out
    assert "1 parked message(s)" in out
    assert "retries_exhausted" not in out


def test_redrive_by_reason_moves_only_those_messages(
    deployed: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--stage", "test", "dlq", "redrive", "--reason", "retries_exhausted"]) == 0

    out = capsys.readouterr().out
    assert "moved 2 message(s)" in out
    assert "1 left" in out
    assert bodies(deployed.queue_url) == ['{"url": "y"}', '{"url": "z"}']
    assert bodies(deployed.dlq_url) == ['{"url": "x"}']


def test_redriven_messages_carry_where_they_came_from(deployed: LocalResources) -> None:
    assert main(["--stage", "test", "dlq", "redrive", "--reason", "schema_violation"]) == 0

    (message,) = aws.sqs().receive_message(QueueUrl=deployed.queue_url, MessageAttributeNames=["All"])["Messages"]
    assert message["Body"] == '{"url": "x"}'
    assert message["MessageAttributes"]["newsflow-redriven-from"]["StringValue"]
    assert "newsflow-reason" not in message["MessageAttributes"]


def test_a_dry_run_moves_nothing(deployed: LocalResources, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stage", "test", "dlq", "redrive", "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "would move 3 message(s)" in out
    assert bodies(deployed.queue_url) == []
    assert len(bodies(deployed.dlq_url)) == 3


def test_redrive_without_filters_falls_back_when_move_tasks_are_unavailable(
    deployed: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    # moto has no StartMessageMoveTask: the command says so and moves the messages itself
    assert main(["--stage", "test", "dlq", "redrive"]) == 0

    captured = capsys.readouterr()
    assert "message move tasks are not available here" in captured.err
    assert "moved 3 message(s)" in captured.out
    assert len(bodies(deployed.queue_url)) == 3
    assert bodies(deployed.dlq_url) == []


def test_an_unknown_stage_is_a_clear_error_without_traceback(
    deployed: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--stage", "nope", "dlq", "list"]) == 2

    err = capsys.readouterr().err
    assert "no stack NewsflowStack-nope in us-east-1 (deployed stages here: test)" in err
    assert "Traceback" not in err


def test_an_invalid_stage_name_is_refused_before_any_call(
    deployed: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--stage", "Prod; rm -rf", "dlq", "list"]) == 2

    assert "invalid stage" in capsys.readouterr().err


def test_a_stack_missing_an_output_names_it(stack_env: LocalResources, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = stack_outputs(stack_env)
    del outputs["DlqUrl"]
    deploy_stack("old", outputs)

    assert main(["--stage", "old", "dlq", "list"]) == 2

    err = capsys.readouterr().err
    assert "stack NewsflowStack-old has no output 'DlqUrl'" in err
    assert "cdk deploy -c stage=old" in err


def test_a_refused_aws_call_is_one_line_naming_the_call(
    stack_env: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_stack("gone", stack_outputs(stack_env, DlqUrl="https://sqs.us-east-1.amazonaws.com/123456789012/deleted"))

    assert main(["--stage", "gone", "dlq", "list"]) == 2

    err = capsys.readouterr().err
    assert "newsflow: AWS refused ReceiveMessage" in err
    assert "Traceback" not in err


def test_without_a_stage_or_a_local_stack_it_says_how_to_start_one(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path), "dlq", "list"]) == 2

    assert "no local stack running" in capsys.readouterr().err


def test_the_move_task_is_started_from_the_dlq_to_the_items_queue() -> None:
    """The StartMessageMoveTask path, checked against the real SQS API model (botocore Stubber)."""
    import boto3
    from botocore.stub import Stubber
    from newsflow.cli.dlq import start_move_task, wait_move_task

    sqs = boto3.client("sqs", region_name="us-east-1")
    dlq_arn, items_arn = "arn:aws:sqs:us-east-1:123456789012:dlq", "arn:aws:sqs:us-east-1:123456789012:items"
    with Stubber(sqs) as stub:
        for arn in (dlq_arn, items_arn):
            stub.add_response("get_queue_attributes", {"Attributes": {"QueueArn": arn}})
        stub.add_response(
            "start_message_move_task",
            {"TaskHandle": "task-1"},
            {"SourceArn": dlq_arn, "DestinationArn": items_arn},
        )
        stub.add_response("get_queue_attributes", {"Attributes": {"QueueArn": dlq_arn}})
        stub.add_response(
            "list_message_move_tasks",
            {
                "Results": [
                    {
                        "TaskHandle": "task-1",
                        "Status": "COMPLETED",
                        "ApproximateNumberOfMessagesMoved": 3,
                        "ApproximateNumberOfMessagesToMove": 3,
                    }
                ]
            },
            {"SourceArn": dlq_arn, "MaxResults": 10},
        )
        task = start_move_task(sqs, "https://sqs/dlq", "https://sqs/items")
        final = wait_move_task(sqs, "https://sqs/dlq", task or "", pause=0)
        stub.assert_no_pending_responses()
    assert task == "task-1"
    assert final["Status"] == "COMPLETED"
    assert final["ApproximateNumberOfMessagesMoved"] == 3


def test_redrive_goes_through_many_messages_in_batches(
    stack_env: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_stack("test", stack_outputs(stack_env))
    dlq = SqsDeadLetterQueue(aws.sqs(), stack_env.dlq_url)
    for n in range(25):
        reason = "retries_exhausted" if n % 5 else "oversize"
        dlq.park(DeadLetter(body=json.dumps({"n": n}), reason=reason, detail="", message_id=f"m{n}"))

    assert main(["--stage", "test", "dlq", "redrive", "--reason", "retries_exhausted"]) == 0

    assert "moved 20 message(s)" in capsys.readouterr().out
    assert len(bodies(stack_env.queue_url)) == 20
    assert sorted(json.loads(b)["n"] for b in bodies(stack_env.dlq_url)) == [0, 5, 10, 15, 20]


def test_a_message_that_cannot_be_sent_stays_in_the_dlq(
    stack_env: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = "https://sqs.us-east-1.amazonaws.com/123456789012/no-such-items-queue"
    deploy_stack("test", stack_outputs(stack_env, QueueUrl=missing))
    SqsDeadLetterQueue(aws.sqs(), stack_env.dlq_url).park(DeadLetter(body="{}", reason="retries_exhausted"))

    assert main(["--stage", "test", "dlq", "redrive", "--reason", "retries_exhausted"]) == 1

    captured = capsys.readouterr()
    assert "1 could not be sent and stay in the DLQ" in captured.err
    assert bodies(stack_env.dlq_url) == ["{}"]
