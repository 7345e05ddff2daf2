"""`newsflow [--stage X] index-failures replay`: re-index what the index function gave up on.

The replay runs in the ops function (inside the VPC, next to OpenSearch; locally inside `newsflow dev`),
see ops/replay.py. This command starts it and prints what became of each message.
"""

from __future__ import annotations

import argparse
import sys

from newsflow.cli.invoke import invoker_for
from newsflow.ops.models import ReplayReport, ReplayRequest

INVOKE_TIMEOUT_SECONDS = 900


def format_report(report: ReplayReport, dry_run: bool) -> str:
    lines: list[str] = []
    for m in report.messages:
        where = f" shard {m.shard_id} seq {m.sequence_range}" if m.shard_id else ""
        what = f" {m.records} record(s); upserted {len(m.upserted)}, unindexed {len(m.deleted)}" if m.records else ""
        kept = " (message deleted)" if m.deleted_message else (" (message kept)" if not dry_run else "")
        lines.append(f"- {m.outcome}{where}:{what}{kept}")
        if m.upserted and dry_run:
            lines.append(f"    articles: {', '.join(m.upserted[:20])}{' ...' if len(m.upserted) > 20 else ''}")
        if m.detail:
            lines.append(f"    {m.detail}")
    counts = ", ".join(
        f"{n} {o}"
        for o in ("replayed", "would-replay", "failed", "incomplete", "expired", "malformed")
        if (n := report.count(o))
    )
    lines.append(f"{len(report.messages)} message(s): {counts or 'the index-failures queue is empty'}")
    if report.count("expired"):
        lines.append("expired batches cannot be replayed: run `newsflow reindex` (with the same --stage) to rebuild")
    if report.stopped_early:
        lines.append("stopped before the queue was empty (time or --max): run the replay again")
    return "\n".join(lines)


def _cmd_replay(args: argparse.Namespace) -> int:
    request = ReplayRequest(max_messages=args.max, dry_run=args.dry_run, discard_unreplayable=args.discard_unreplayable)
    invoke, where = invoker_for(args, INVOKE_TIMEOUT_SECONDS)
    print(f"replaying the index-failures queue in {where}" + (" (dry run)" if args.dry_run else ""), file=sys.stderr)
    report = ReplayReport.model_validate(invoke(request.model_dump()))
    print(format_report(report, args.dry_run))
    return 1 if report.count("failed") or report.count("incomplete") else 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("index-failures", help="the queue of stream batches the index function gave up on")
    actions = parser.add_subparsers(dest="index_failures_action", required=True)
    replay = actions.add_parser("replay", help="re-index the articles of each failed batch from the table")
    replay.add_argument("--dry-run", action="store_true", help="read the stream and list articles; change nothing")
    replay.add_argument(
        "--discard-unreplayable", action="store_true", help="delete malformed and expired messages after reporting"
    )
    replay.add_argument("--max", type=int, default=100, help="at most this many messages (default 100)")
    replay.set_defaults(func=_cmd_replay)
