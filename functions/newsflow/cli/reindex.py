"""`newsflow [--stage X] reindex`: rebuild the search index from the article table, with no downtime.

The table is the source of truth: every `ART#` item is decoded and written to a *new* index, which is
then swapped in atomically (ops/reindex.py, the same logic everywhere):

- OpenSearch: a new concrete index `<alias>-v<n+1>` with the current mapping; when it is full, one
  `_aliases` call moves the alias (`NEWSFLOW_OPENSEARCH_INDEX`, e.g. `articles`) onto it. Readers and
  the index function only ever use the alias. The old index is kept (drop it with --delete-old).
- tantivy: a new generation directory beside the live one; `CURRENT` is then replaced with
  `os.replace`, and a running local stack reopens on it within a second.

With `--stage X` the rebuild runs in the stack's ops function (inside the VPC, where OpenSearch is): each
invocation works for at most `--step-seconds` and returns a cursor that this command passes to the next
invocation, printing progress, until the alias is swapped. Interrupted, it prints `--resume` to carry on.

Without `--stage`: with a local stack running (`newsflow dev`) reindex reads its table and rebuilds its
index; otherwise it uses the NEWSFLOW_* environment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsflow.ops.models import ReindexCursor, ReindexReport, ReindexRequest

# In process, steps are short only so that progress is printed.
LOCAL_STEP_SECONDS = 5.0


def run_steps(
    step: Callable[[ReindexRequest], ReindexReport], first: ReindexRequest, progress: Callable[[ReindexReport], None]
) -> ReindexReport:
    """Call `step` with each returned cursor until the reindex is done."""
    request = first
    while True:
        report = step(request)
        progress(report)
        if report.done:
            return report
        request = request.model_copy(update={"cursor": report.cursor})


def in_process_step(table_name: str, target: Any, step_seconds: float) -> Callable[[ReindexRequest], ReindexReport]:
    from newsflow import aws
    from newsflow.ops.adapters import DynamoArticleTable
    from newsflow.ops.reindex import reindex_step

    table = DynamoArticleTable(aws.dynamodb(), table_name)

    def step(request: ReindexRequest) -> ReindexReport:
        stop_at = time.monotonic() + step_seconds
        return reindex_step(
            request, table, target, now=datetime.now(UTC), seconds_left=lambda: stop_at - time.monotonic()
        )

    return step


def reindex_tantivy(root: Path, table_name: str, batch: int = 500) -> tuple[Path, int, int]:
    """Rebuild a tantivy index root in this process. Returns (new generation, written, failed)."""
    from newsflow.ops.adapters import TantivyVersions

    report = run_steps(
        in_process_step(table_name, TantivyVersions(root), LOCAL_STEP_SECONDS),
        ReindexRequest(page_size=batch),
        lambda _: None,
    )
    return root / report.index, report.written, report.failed


def _progress(started: float) -> Callable[[ReindexReport], None]:
    def show(report: ReindexReport) -> None:
        phase = "done" if report.done else (report.cursor.phase if report.cursor else "?")
        print(
            f"  {report.index}: {phase}, {report.written} written, {report.failed} failed, "
            f"{report.caught_up} caught up ({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
        )
        for failure in report.failures[:3]:
            print(f"    failed {failure}", file=sys.stderr)

    return show


def _summary(report: ReindexReport) -> None:
    print(f"{report.index}: {report.written} documents ({report.failed} failed); now live")
    for name in report.old_indices:
        if name in report.deleted_indices:
            print(f"  deleted {name}")
        else:
            print(f"  kept {name} (drop it once satisfied: next time run reindex with --delete-old)")


def _first_request(args: argparse.Namespace) -> ReindexRequest:
    from pydantic import ValidationError

    from newsflow.cli.target import OperatorError

    cursor = None
    if args.resume:
        try:
            cursor = ReindexCursor.model_validate(json.loads(args.resume))
        except ValueError as error:  # JSONDecodeError and ValidationError are ValueErrors
            raise OperatorError(f"--resume is not a reindex cursor: {error}") from error
    try:
        return ReindexRequest(
            cursor=cursor,
            page_size=args.batch,
            delete_old=args.delete_old,
            budget_seconds=args.step_seconds,
            shards=args.shards,
            replicas=args.replicas,
        )
    except ValidationError as error:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in error.errors())
        raise OperatorError(f"invalid reindex options: {problems}") from error


def _run(step: Callable[[ReindexRequest], ReindexReport], first: ReindexRequest, stage: str | None) -> int:
    started = time.perf_counter()
    last: dict[str, ReindexCursor | None] = {"cursor": first.cursor}

    def progress(report: ReindexReport) -> None:
        last["cursor"] = report.cursor
        _progress(started)(report)

    try:
        report = run_steps(step, first, progress)
    except KeyboardInterrupt:
        cursor = last["cursor"]
        if cursor is not None:
            stage_flag = f"--stage {stage} " if stage else ""
            resume = f"newsflow {stage_flag}reindex --resume '{cursor.model_dump_json()}'"
            print(f"\ninterrupted; carry on with:\n  {resume}")
        return 130
    _summary(report)
    print(f"reindex took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def _cmd_reindex(args: argparse.Namespace) -> int:
    from newsflow.cli.target import stack_for

    first = _first_request(args)
    if stack_for(args) is not None:
        from newsflow.cli.invoke import invoker_for

        invoke, where = invoker_for(args, args.step_seconds + 60)
        print(f"reindexing in {where}", file=sys.stderr)

        def step(request: ReindexRequest) -> ReindexReport:
            return ReindexReport.model_validate(invoke(request.model_dump(mode="json")))

        return _run(step, first, args.stage)
    return _reindex_here(args, first)


def _reindex_here(args: argparse.Namespace, first: ReindexRequest) -> int:
    from newsflow import aws
    from newsflow.local.stack import aws_environment, read_state
    from newsflow.ops.adapters import TantivyVersions, versioned_index
    from newsflow.settings import SettingsError, get_settings, reset_settings_cache

    state = read_state(args.data_dir)
    if state is not None:
        os.environ.update(aws_environment(state.moto_endpoint))
        os.environ.update(state.resources.environment())
        aws.reset_clients()
        print(f"reindexing the running local stack ({state.moto_endpoint})", file=sys.stderr)
    reset_settings_cache()
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"{exc}\n(no local stack is running: start one with `newsflow dev`, or set NEWSFLOW_*)", file=sys.stderr)
        return 2
    target = TantivyVersions(Path(state.data_dir) / "index") if state is not None else versioned_index(settings)
    step_seconds = min(args.step_seconds, LOCAL_STEP_SECONDS)
    return _run(in_process_step(settings.table_name, target, step_seconds), first, None)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("reindex", help="rebuild the search index from the article table (no downtime)")
    parser.add_argument("--batch", type=int, default=500, help="articles per scan page and index write")
    parser.add_argument("--delete-old", action="store_true", help="drop the indices the alias (or CURRENT) left")
    parser.add_argument(
        "--step-seconds", type=float, default=600, help="--stage: work per ops-function invocation (default 600)"
    )
    parser.add_argument("--shards", type=int, default=1, help="OpenSearch: primary shards of the new index (1)")
    parser.add_argument("--replicas", type=int, default=None, help="OpenSearch: replicas of the new index")
    parser.add_argument("--resume", default=None, help="carry on from a cursor an interrupted reindex printed")
    parser.set_defaults(func=_cmd_reindex)
