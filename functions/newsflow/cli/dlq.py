"""`newsflow [--stage X] dlq list | redrive`: what the items DLQ holds and why, and moving it back.

`list` shows each parked message's reason and detail (the attributes ingest writes when it parks an
item), its age and how often it was received. Listing receives the messages with a short visibility
timeout and makes them visible again at once, so it moves nothing.

`redrive` moves messages back onto the items queue. Without filters it starts an SQS message move task
(`StartMessageMoveTask`, done by SQS itself); with `--reason` (or where move tasks are not available, as on
the local stack) it receives, re-sends and then deletes each message. A message is deleted from the DLQ
only after it was sent, so a failure half-way can duplicate an item but never lose one (ingest is
idempotent: a duplicate is harmless). `--dry-run` shows what would move.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel, Field

from newsflow.cli.target import OperatorError, local_state_or_fail, stack_for
from newsflow.constants import DLQ_DETAIL_ATTRIBUTE, DLQ_REASON_ATTRIBUTE, OUTPUT_DLQ_URL, OUTPUT_QUEUE_URL

NO_REASON = "no-reason"  # moved by SQS's own redrive (not parked by ingest): no reason attribute
SOURCE_ID_ATTRIBUTE = "newsflow-source-message-id"
REDRIVEN_FROM_ATTRIBUTE = "newsflow-redriven-from"
# Long enough that one listing or redrive never receives a message twice.
HOLD_SECONDS = 120
_NO_MOVE_TASKS = {"InvalidAction", "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation"}


class ParkedMessage(BaseModel):
    message_id: str
    receipt_handle: str
    body: str
    reason: str
    detail: str = ""
    age_seconds: float | None = None
    receive_count: int = 0
    source_message_id: str | None = None


class RedriveResult(BaseModel):
    moved: dict[str, int] = Field(default_factory=dict, description="reason -> messages moved (or that would be)")
    skipped: int = 0
    failed: int = 0
    task: str | None = None


def _parked(message: dict[str, Any], now: float) -> ParkedMessage:
    attributes = message.get("MessageAttributes", {})
    system = message.get("Attributes", {})
    sent = system.get("SentTimestamp")
    return ParkedMessage(
        message_id=message["MessageId"],
        receipt_handle=message["ReceiptHandle"],
        body=message.get("Body", ""),
        reason=attributes.get(DLQ_REASON_ATTRIBUTE, {}).get("StringValue") or NO_REASON,
        detail=attributes.get(DLQ_DETAIL_ATTRIBUTE, {}).get("StringValue", ""),
        age_seconds=max(0.0, now - int(sent) / 1000) if sent and str(sent).isdigit() else None,
        # This listing is one receive: report the ones before it.
        receive_count=max(0, int(system.get("ApproximateReceiveCount", "1")) - 1),
        source_message_id=attributes.get(SOURCE_ID_ATTRIBUTE, {}).get("StringValue"),
    )


def receive_batches(
    sqs: Any, dlq_url: str, limit: int, now: Callable[[], float] = time.time
) -> Iterator[list[ParkedMessage]]:
    """Up to `limit` messages, ten at a time, each once. They are held invisible for HOLD_SECONDS:
    whatever the caller does not delete it must release."""
    seen: set[str] = set()
    while len(seen) < limit:
        response = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=min(10, limit - len(seen)),
            VisibilityTimeout=HOLD_SECONDS,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        )
        messages = [m for m in response.get("Messages", []) if m["MessageId"] not in seen]
        if not response.get("Messages"):  # a long poll that finds nothing: nothing visible is left
            return
        seen.update(m["MessageId"] for m in messages)
        yield [_parked(m, now()) for m in messages]


def receive_all(sqs: Any, dlq_url: str, limit: int) -> list[ParkedMessage]:
    return [m for batch in receive_batches(sqs, dlq_url, limit) for m in batch]


def release(sqs: Any, queue_url: str, messages: list[ParkedMessage]) -> None:
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        sqs.change_message_visibility_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m.receipt_handle, "VisibilityTimeout": 0} for i, m in enumerate(chunk)
            ],
        )


def redrive_by_receiving(
    sqs: Any, dlq_url: str, queue_url: str, reasons: set[str], dry_run: bool, limit: int
) -> RedriveResult:
    """Re-send matching messages to the items queue, then delete each from the DLQ, ten at a time (a message
    is deleted well within the time it is held). Others (and all of a dry run) are released at the end."""
    result = RedriveResult()
    keep: list[ParkedMessage] = []
    try:
        for batch in receive_batches(sqs, dlq_url, limit):
            for message in batch:
                if reasons and message.reason not in reasons:
                    result.skipped += 1
                    keep.append(message)
                    continue
                if dry_run:
                    result.moved[message.reason] = result.moved.get(message.reason, 0) + 1
                    keep.append(message)
                    continue
                try:
                    sqs.send_message(
                        QueueUrl=queue_url,
                        MessageBody=message.body,
                        MessageAttributes={
                            REDRIVEN_FROM_ATTRIBUTE: {"DataType": "String", "StringValue": message.message_id}
                        },
                    )
                except Exception as error:
                    print(f"  could not send {message.message_id}: {error}", file=sys.stderr)
                    result.failed += 1
                    keep.append(message)
                    continue
                # Sent first, deleted second: an interruption in between duplicates the item, never loses it.
                sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message.receipt_handle)
                result.moved[message.reason] = result.moved.get(message.reason, 0) + 1
    finally:
        release(sqs, dlq_url, keep)
    return result


def queue_arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def start_move_task(sqs: Any, dlq_url: str, queue_url: str) -> str | None:
    """Start an SQS message move task DLQ -> items queue. None when the endpoint does not offer move tasks."""
    from botocore.exceptions import ClientError

    try:
        response = sqs.start_message_move_task(
            SourceArn=queue_arn(sqs, dlq_url), DestinationArn=queue_arn(sqs, queue_url)
        )
    except NotImplementedError:  # moto in process (tests): no move tasks
        return None
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        message = str(error.response.get("Error", {}).get("Message", ""))
        if code in _NO_MOVE_TASKS or "implemented" in message.lower():
            return None
        raise OperatorError(f"StartMessageMoveTask refused: {code}: {message}") from error
    return str(response["TaskHandle"])


def wait_move_task(sqs: Any, dlq_url: str, task: str, timeout: float = 600, pause: float = 2.0) -> dict[str, Any]:
    """Follow the move task until it is no longer RUNNING; prints progress."""
    source = queue_arn(sqs, dlq_url)
    deadline = time.monotonic() + timeout
    while True:
        tasks = sqs.list_message_move_tasks(SourceArn=source, MaxResults=10).get("Results", [])
        mine = next((t for t in tasks if t.get("TaskHandle") == task), tasks[0] if tasks else {})
        status = mine.get("Status", "UNKNOWN")
        moved = mine.get("ApproximateNumberOfMessagesMoved", 0)
        total = mine.get("ApproximateNumberOfMessagesToMove", "?")
        print(f"  move task {status}: {moved}/{total} moved", file=sys.stderr)
        if status != "RUNNING" or time.monotonic() > deadline:
            return dict(mine)
        time.sleep(pause)


# ------------------------------------------------------------------------------------------------ commands


def _queues(args: argparse.Namespace) -> tuple[Any, str, str, str, bool]:
    """(sqs client, DLQ url, items queue url, where, whether SQS move tasks can be used)."""
    stack = stack_for(args)
    if stack is not None:
        sqs = stack.client("sqs")
        return sqs, stack.output(OUTPUT_DLQ_URL), stack.output(OUTPUT_QUEUE_URL), stack.stack_name, True
    from newsflow.local.stack import client_for

    state = local_state_or_fail(args.data_dir)
    return client_for(state, "sqs"), state.resources.dlq_url, state.resources.queue_url, "the local stack", False


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def _cmd_list(args: argparse.Namespace) -> int:
    sqs, dlq_url, _, where, _ = _queues(args)
    messages = receive_all(sqs, dlq_url, args.limit)
    try:
        shown = [m for m in messages if not args.reason or m.reason in set(args.reason)]
        limited = " (limit reached)" if len(messages) >= args.limit else ""
        print(f"{len(shown)} parked message(s) in the DLQ of {where}{limited}")
        for reason, count in Counter(m.reason for m in shown).most_common():
            print(f"  {reason}: {count}")
        for m in shown:
            print(f"- {m.reason}  age {_age(m.age_seconds)}  receives {m.receive_count}  id {m.message_id}")
            if m.detail:
                print(f"    detail: {m.detail[:300]}")
            print(f"    body:   {m.body[:200]}")
    finally:
        release(sqs, dlq_url, messages)
    return 0


def _cmd_redrive(args: argparse.Namespace) -> int:
    sqs, dlq_url, queue_url, where, move_tasks = _queues(args)
    reasons = set(args.reason or [])
    if move_tasks and not reasons and not args.dry_run:
        task = start_move_task(sqs, dlq_url, queue_url)
        if task is not None:
            print(f"started an SQS message move task from the DLQ of {where} to its items queue")
            final = wait_move_task(sqs, dlq_url, task, timeout=args.wait)
            if final.get("Status") == "FAILED":
                print(f"move task failed: {final.get('FailureReason', '?')}", file=sys.stderr)
                return 1
            return 0
        print("message move tasks are not available here: moving messages one by one", file=sys.stderr)
    result = redrive_by_receiving(sqs, dlq_url, queue_url, reasons, args.dry_run, args.limit)
    verb = "would move" if args.dry_run else "moved"
    total = sum(result.moved.values())
    print(
        f"{verb} {total} message(s) from the DLQ of {where} to its items queue; {result.skipped} left (other reasons)"
    )
    for reason, count in sorted(result.moved.items(), key=lambda kv: -kv[1]):
        print(f"  {reason}: {count}")
    if result.failed:
        print(f"{result.failed} could not be sent and stay in the DLQ", file=sys.stderr)
        return 1
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dlq = commands.add_parser("dlq", help="the items DLQ of the local stack, or of --stage: list, redrive")
    actions = dlq.add_subparsers(dest="dlq_action")
    dlq.set_defaults(func=_cmd_list, limit=100, reason=None)

    listing = actions.add_parser("list", help="parked messages with reason, detail, age and receive count")
    listing.add_argument(
        "--reason", action="append", help="only this reason (repeatable; 'no-reason' for SQS's own redrives)"
    )
    listing.add_argument("--limit", type=int, default=100, help="at most this many messages (default 100)")
    listing.set_defaults(func=_cmd_list)

    redrive = actions.add_parser("redrive", help="move parked messages back onto the items queue")
    redrive.add_argument("--reason", action="append", help="only messages parked for this reason (repeatable)")
    redrive.add_argument("--dry-run", action="store_true", help="show what would move, move nothing")
    redrive.add_argument("--limit", type=int, default=1000, help="at most this many messages (receive/send mode)")
    redrive.add_argument("--wait", type=float, default=600, help="seconds to follow a move task (default 600)")
    redrive.set_defaults(func=_cmd_redrive)
