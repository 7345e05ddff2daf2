"""`newsflow [--stage X] feeds list | show | add | remove | enable | disable | poll-now | reset | import | export`.

Acts on the feeds registry of the local stack (`newsflow dev`) or, with `--stage X`, of the deployed stack
(its table, with the operator's credentials), through the same rules as the admin API
(`newsflow.feeds.registry`): URLs are checked with the fetcher's address rules, a site or article URL is
accepted (the first fetch discovers its feed), OPML imports keep feeds already registered.
`--allow-private` accepts 127.0.0.1/private addresses (the local stack allows them by default).
`poll-now` (alias `poll`) makes the feed due and puts its fetch request on the stack's fetch queue at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from newsflow.cli.target import OperatorError, local_state_or_fail, stack_for
from newsflow.constants import OUTPUT_FETCH_QUEUE_URL, OUTPUT_TABLE_NAME


def _registry(args: argparse.Namespace, *, fetch_queue: bool = False) -> Any:
    """The registry of the target stack; with `fetch_queue`, able to queue fetch requests (poll-now)."""
    from newsflow.feeds.registry import FeedRegistry
    from newsflow.store.feeds import DynamoFeedRepository

    stack = stack_for(args)
    sqs: Any = None
    queue_url = ""
    if stack is not None:
        client, table = stack.client("dynamodb"), stack.output(OUTPUT_TABLE_NAME)
        allow_private = bool(args.allow_private)
        if fetch_queue:
            sqs, queue_url = stack.client("sqs"), stack.output(OUTPUT_FETCH_QUEUE_URL)
    else:
        from newsflow.local.stack import client_for

        state = local_state_or_fail(args.data_dir)
        client, table = client_for(state, "dynamodb"), state.resources.table_name
        allow_private = True
        if fetch_queue and state.resources.fetch_queue_url:
            sqs, queue_url = client_for(state, "sqs"), state.resources.fetch_queue_url
    enqueue = _enqueuer(sqs, queue_url) if sqs is not None else None
    return FeedRegistry(DynamoFeedRepository(client, table), allow_private=allow_private, enqueue=enqueue)


def _enqueuer(sqs: Any, queue_url: str) -> Any:
    from newsflow.store.queues import SqsItemQueue

    queue = SqsItemQueue(sqs, queue_url)

    def enqueue(request: Any) -> None:
        if queue.send_raw([request.model_dump_json(exclude_none=True)]):
            raise RuntimeError("the fetch queue refused the request")

    return enqueue


def _call(action: Any) -> Any:
    from newsflow.feeds.registry import RegistryError

    try:
        return action()
    except RegistryError as error:
        raise OperatorError(error.message) from error


def _row(feed: Any) -> str:
    health = "disabled" if not feed.enabled else ("failing" if feed.consecutive_failures else "ok")
    when = feed.next_poll_at.strftime("%Y-%m-%d %H:%M") if feed.next_poll_at else "-"
    note = feed.disabled_reason or feed.last_error or ""
    return f"{feed.feed_id:<32} {health:<8} {feed.consecutive_failures:>3} {when:<16} {feed.url}  {note[:80]}"


def _cmd_list(args: argparse.Namespace) -> int:
    feeds = _registry(args).all()
    if args.json:
        print(json.dumps([f.model_dump(mode="json", exclude={"etag", "last_modified"}) for f in feeds], indent=2))
        return 0
    print(f"{'FEED':<32} {'HEALTH':<8} {'ERR':>3} {'NEXT POLL (UTC)':<16} URL")
    for feed in feeds:
        print(_row(feed))
    disabled = sum(1 for f in feeds if not f.enabled)
    failing = sum(1 for f in feeds if f.enabled and f.consecutive_failures)
    print(f"{len(feeds)} feed(s): {disabled} disabled, {failing} failing", file=sys.stderr)
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    feed = _call(lambda: _registry(args).get(args.feed_id))
    print(json.dumps(feed.model_dump(mode="json"), indent=2))
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"url": args.url, "intervalMinutes": args.interval}
    if args.id:
        body["feedId"] = args.id
    if args.name:
        body["name"] = args.name
    if args.settings:
        body["settings"] = json.loads(Path(args.settings).read_text(encoding="utf-8"))
    created, feed = _call(lambda: _registry(args).save(body))
    print(f"{'added' if created else 'updated'} {feed.feed_id}: {feed.url}")
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    _call(lambda: _registry(args).delete(args.feed_id))
    print(f"removed {args.feed_id}")
    return 0


def _action(name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        registry = _registry(args)
        method = {"enable": registry.enable, "disable": registry.disable, "reset": registry.reset}[name]
        feed = _call(lambda: method(args.feed_id))
        print(_row(feed))
        return 0

    return run


def _cmd_poll_now(args: argparse.Namespace) -> int:
    registry = _registry(args, fetch_queue=True)
    requested = _call(lambda: registry.request_poll(args.feed_id))
    print(_row(requested.feed))
    if requested.fetch_queued:
        print(f"fetch of {args.feed_id} queued: a fetch worker polls it now", file=sys.stderr)
    else:
        print(f"{args.feed_id} is due now: the next scheduler tick polls it (the fetch queue was not reachable)",
              file=sys.stderr)  # fmt: skip
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    data = Path(args.file).read_bytes()
    report = _call(lambda: _registry(args).import_opml(data))
    print(f"created {len(report.created)}, already registered {len(report.existing)}, rejected {len(report.rejected)}")
    for rejected in report.rejected:
        print(f"  rejected {rejected['url']}: {rejected['reason']}", file=sys.stderr)
    return 0 if not report.rejected else 1


def _cmd_export(args: argparse.Namespace) -> int:
    document = _registry(args).export_opml()
    if args.output:
        Path(args.output).write_text(document, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(document)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    feeds = commands.add_parser("feeds", help="the feeds registry: list, add, remove, enable, poll, OPML")
    feeds.add_argument("--allow-private", action="store_true", help="accept private addresses (--stage only)")
    sub = feeds.add_subparsers(dest="feeds_command", required=True)
    listing = sub.add_parser("list", help="every feed with its health")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_cmd_list)
    show = sub.add_parser("show", help="one feed, all fields")
    show.add_argument("feed_id")
    show.set_defaults(func=_cmd_show)
    add = sub.add_parser("add", help="register a feed, or a site/article URL whose feed is discovered")
    add.add_argument("url")
    add.add_argument("--id", help="feed id (default: from the name or URL)")
    add.add_argument("--name")
    add.add_argument("--interval", type=int, default=15, help="minutes between polls until its rate is known")
    add.add_argument("--settings", help="a JSON file of per-feed settings (README, 'Per-feed settings')")
    add.set_defaults(func=_cmd_add)
    remove = sub.add_parser("remove", help="unregister a feed")
    remove.add_argument("feed_id")
    remove.set_defaults(func=_cmd_remove)
    for name, text in (
        ("enable", "re-enable a disabled feed (clears the reason; due now)"),
        ("disable", "stop polling a feed"),
        ("reset", "forget validators and failures (full fetch, due now)"),
    ):
        parser = sub.add_parser(name, help=text)
        parser.add_argument("feed_id")
        parser.set_defaults(func=_action(name))
    poll_now = sub.add_parser("poll-now", aliases=["poll"], help="fetch a feed now (its request is queued at once)")
    poll_now.add_argument("feed_id")
    poll_now.set_defaults(func=_cmd_poll_now)
    importing = sub.add_parser("import", help="register the feeds of an OPML file")
    importing.add_argument("file")
    importing.set_defaults(func=_cmd_import)
    export = sub.add_parser("export", help="the registry as OPML")
    export.add_argument("-o", "--output")
    export.set_defaults(func=_cmd_export)
