"""`newsflow ingest`: send messages to a local stack's queue, wait until stored and indexed, summarise."""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from newsflow.local.sources import CollectedMessages, RejectedSource
from newsflow.local.stack import LocalStack, StackState, client_for
from newsflow.store.queues import SqsItemQueue

PROCESSED_KEYS = ("created", "updated", "unchanged", "duplicates", "rejected")


class IngestSummary(BaseModel):
    sent: int
    stored: int
    updated: int
    duplicates: int
    unchanged: int
    failed: int
    failure_reasons: dict[str, int]
    per_category: dict[str, int]
    rejected_sources: list[RejectedSource]
    skipped_entries: list[str]
    send_failures: int
    indexed: int
    completed: bool
    seconds: float
    errors: list[str] = Field(default_factory=list)


def _delta(after: dict[str, Any], before: dict[str, Any], key: str) -> int:
    return int(after.get(key, 0)) - int(before.get(key, 0))


def _dict_delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    changed = {k: v - before.get(k, 0) for k, v in after.items()}
    return {k: v for k, v in sorted(changed.items()) if v}


def http_status_reader(api_url: str) -> Callable[[], dict[str, Any]]:
    def read() -> dict[str, Any]:
        with urllib.request.urlopen(f"{api_url}/_local/status", timeout=5) as response:  # noqa: S310 - loopback
            return dict(json.loads(response.read()))

    return read


def run_ingest(
    messages: CollectedMessages,
    queue: SqsItemQueue,
    read_status: Callable[[], dict[str, Any]],
    timeout_seconds: float = 300,
    progress: bool = True,
) -> IngestSummary:
    started = time.monotonic()
    before = read_status()["stats"]
    failed_sends = queue.send_raw(messages.bodies)
    expected = len(messages.bodies) - len(failed_sends)

    bar: Any = None
    if progress and expected:
        from tqdm import tqdm

        # disable=None: a bar on a terminal, nothing when stderr is a file or a pipe (CI logs stay clean)
        bar = tqdm(total=expected, unit="item", desc="ingest", file=sys.stderr, leave=False, disable=None)
    completed = False
    status: dict[str, Any] = {"stats": before, "idle": False}
    deadline = started + timeout_seconds
    while time.monotonic() < deadline:
        status = read_status()
        processed = sum(_delta(status["stats"], before, k) for k in PROCESSED_KEYS)
        if bar is not None:
            bar.n = min(processed, expected)
            bar.refresh()
        if processed >= expected and status["idle"]:
            completed = True
            break
        time.sleep(0.2)
    if bar is not None:
        bar.close()
    after = status["stats"]
    return IngestSummary(
        sent=len(messages.bodies),
        stored=_delta(after, before, "created"),
        updated=_delta(after, before, "updated"),
        duplicates=_delta(after, before, "duplicates"),
        unchanged=_delta(after, before, "unchanged"),
        failed=_delta(after, before, "rejected"),
        failure_reasons=_dict_delta(after.get("rejections", {}), before.get("rejections", {})),
        per_category=_dict_delta(after.get("per_category", {}), before.get("per_category", {})),
        rejected_sources=messages.rejected_sources,
        skipped_entries=messages.skipped_entries,
        send_failures=len(failed_sends),
        indexed=_delta(after, before, "indexed"),
        completed=completed,
        seconds=round(time.monotonic() - started, 2),
        errors=after.get("errors", [])[-5:],
    )


def queue_for_state(state: StackState) -> SqsItemQueue:
    client = client_for(state, "sqs")
    return SqsItemQueue(client, state.resources.queue_url)


def queue_for_stack(stack: LocalStack) -> SqsItemQueue:
    from newsflow import aws

    assert stack.resources is not None
    return SqsItemQueue(aws.sqs(), stack.resources.queue_url)


def format_summary(summary: IngestSummary) -> str:
    from newsflow.taxonomy import CATEGORY_NAMES

    lines = [
        f"Ingest summary ({summary.seconds:.1f} s{'' if summary.completed else ', TIMED OUT before idle'})",
        f"  received   {summary.sent:5d}  messages sent to the items queue",
        f"  stored     {summary.stored:5d}  new articles",
        f"  updated    {summary.updated:5d}  changed articles (a correction, or a full text after a teaser)",
        f"  duplicates {summary.duplicates + summary.unchanged:5d}  "
        f"({summary.unchanged} identical redeliveries, {summary.duplicates} already held from another source or URL)",
        f"  failed     {summary.failed:5d}  parked in the DLQ with a reason",
    ]
    for reason, count in summary.failure_reasons.items():
        lines.append(f"               {count:3d} x {reason}")
    if summary.send_failures:
        lines.append(f"  not sent   {summary.send_failures:5d}  (SQS refused them; re-run to retry)")
    lines.append(f"  indexed    {summary.indexed:5d}  search-index updates")
    if summary.rejected_sources:
        lines.append(f"  rejected sources: {len(summary.rejected_sources)}")
        lines.extend(f"    - {r.source}: {r.reason}" for r in summary.rejected_sources)
    if summary.skipped_entries:
        lines.append(f"  skipped feed entries: {len(summary.skipped_entries)}")
        lines.extend(f"    - {s}" for s in summary.skipped_entries[:10])
    if summary.per_category:
        lines.append("  new articles per category:")
        width = max(len(CATEGORY_NAMES.get(k, k)) for k in summary.per_category)
        for slug, count in sorted(summary.per_category.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"    {CATEGORY_NAMES.get(slug, slug):<{width}}  {count:4d}")
    if summary.errors:
        lines.append("  recent runtime errors:")
        lines.extend(f"    - {e}" for e in summary.errors)
    return "\n".join(lines)
