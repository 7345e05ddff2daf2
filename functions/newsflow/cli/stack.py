"""Local stack commands: `dev`, `ingest`, `demo` (`dlq` lives in cli/dlq.py)."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


def _prepare_processes(asked: int | None) -> int:
    """One prepare worker per core by default: the stack's own process keeps the storage calls busy meanwhile."""
    import os

    if asked is not None:
        return max(0, asked)
    return os.cpu_count() or 1


def _cmd_dev(args: argparse.Namespace) -> int:
    from newsflow.local.snapshot import SnapshotError
    from newsflow.local.stack import LocalStack, read_state

    if read_state(args.data_dir) is not None:
        print(f"a local stack is already running (see {args.data_dir}/dev.json)", file=sys.stderr)
        return 1
    stack = LocalStack(
        data_dir=args.data_dir,
        api_port=args.port,
        api_key=args.api_key,
        poll_interval_seconds=args.poll_interval,
        verbose=args.verbose,
        fresh=args.fresh,
        full_text=not args.no_full_text,
        prepare_processes=_prepare_processes(args.prepare_processes),
    )
    try:
        stack.start()
    except (OSError, SnapshotError) as error:
        print(f"cannot start the local stack: {error}", file=sys.stderr)
        return 1
    stack.write_state()
    print(f"newsflow local stack running\n  API     {stack.api_url}/v1/health")
    if stack.site_dir is not None:
        print(f"  site    {stack.api_url}/  (the news site from {stack.site_dir})")
    print(f"  moto    {stack.moto_endpoint}  (for outside clients: aws --endpoint-url ...)")
    print(f"  data    {stack.data_dir}/  (table, queues and index kept across restarts; --fresh starts empty)")
    if stack.restored:
        kept = ", ".join(f"{name} {count}" for name, count in stack.restored.items())
        clean = "" if stack.restored_clean else "  (the last stop was not clean: the last snapshot)"
        print(f"  restored {kept}{clean}")
    print("  ingest with: newsflow ingest samples/      stop with Ctrl-C")
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from newsflow.local.ingest_run import (
        format_summary,
        http_status_reader,
        queue_for_stack,
        queue_for_state,
        run_ingest,
    )
    from newsflow.local.sources import collect
    from newsflow.local.stack import LocalStack, read_state

    messages = collect(args.targets)
    state = read_state(args.data_dir)
    if state is not None and state.api_url:
        print(f"sending to the running local stack ({state.api_url})", file=sys.stderr)
        summary = run_ingest(
            messages, queue_for_state(state), http_status_reader(state.api_url), args.timeout, not args.quiet
        )
    else:
        print("no local stack running: starting one in-process for this command", file=sys.stderr)
        with LocalStack(data_dir=args.data_dir, api_port=None) as stack:
            summary = run_ingest(messages, queue_for_stack(stack), stack.status, args.timeout, not args.quiet)
    print(format_summary(summary))
    return 0 if summary.completed else 1


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the local stack
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _show(api_url: str, path: str, render: Any) -> None:
    status, body = _get(api_url + path)
    print(f"\n$ curl '{api_url}{path}'   -> HTTP {status}")
    print(render(body))


def _card_line(a: dict[str, Any]) -> str:
    also = f"  also from: {', '.join(a['alsoFrom'])}" if a.get("alsoFrom") else ""
    return f"  [{a['category']['slug']}] {a['title'][:78]}  ({a.get('sourceDomain')}, {a.get('publishedAt')}){also}"


def _cards(body: dict[str, Any]) -> str:
    lines = [_card_line(a) for a in body.get("articles", [])]
    head = f"  totalResults={body.get('totalResults')} ({body.get('totalRelation')})"
    if body.get("facets"):
        head += "  facets: " + "; ".join(
            f"{name}: " + ", ".join(f"{k} {v}" for k, v in list(values.items())[:4])
            for name, values in body["facets"].items()
        )
    return "\n".join([head, *lines])


def _hot(body: dict[str, Any]) -> str:
    if not body.get("articles"):
        return "  (no story in this window: the samples are dated October-November 2026)"
    return "\n".join(
        f"  score {a['score']:.2f}, {a['sourceCount']} sources: {a['title'][:70]}" for a in body["articles"]
    )


def _article(body: dict[str, Any]) -> str:
    a = body["article"]
    lines = [
        f"  {a['title']}",
        f"  {a['source']['name']} | {a['readingTimeMinutes']} min read | {a['wordCount']} words | "
        f"{a['category']['name']} | story {a.get('storyId')}",
        f"  {a['content'][:150]}...",
    ]
    if a.get("previous"):
        lines.append(f"  < previous: {a['previous']['title'][:70]}")
    if a.get("next"):
        lines.append(f"  > next:     {a['next']['title'][:70]}")
    return "\n".join(lines)


def _cmd_demo(args: argparse.Namespace) -> int:
    from newsflow.local.ingest_run import format_summary, queue_for_stack, run_ingest
    from newsflow.local.sources import collect
    from newsflow.local.stack import LocalStack

    messages = collect(args.targets)
    # The demo shows a first ingest: it runs on a stack of its own (the data dir's stack is left as it is).
    with (
        tempfile.TemporaryDirectory(prefix="newsflow-demo-") as demo_dir,
        LocalStack(data_dir=demo_dir, api_port=args.port) as stack,
    ):
        summary = run_ingest(messages, queue_for_stack(stack), stack.status, args.timeout, progress=True)
        print(format_summary(summary))
        api = stack.api_url or ""
        print(f"\nExample queries against the local API at {api} (one request per page of the site)")
        _show(api, "/v1/health", lambda b: f"  {b}")
        _show(
            api,
            "/v1/categories",
            lambda b: "\n".join(
                f"  {c['name']:<30} {c['articleCount']:3d}  latest {c['latestAt']}" for c in b["categories"]
            ),
        )
        _show(api, "/v1/articles?pageSize=3", _cards)
        _show(api, "/v1/articles?category=energy-resources&pageSize=3", _cards)
        _show(api, "/v1/top-headlines?window=7d&pageSize=3", _hot)
        query = urllib.parse.urlencode({"q": "chip export", "pageSize": 3, "facets": "category,source"})
        _show(api, f"/v1/search?{query}", _cards)
        status, found = _get(api + "/v1/search?" + urllib.parse.urlencode({"q": '"oil prices"', "pageSize": 1}))
        if status == 200 and found["articles"]:
            article_id = found["articles"][0]["id"]
            _show(api, f"/v1/articles/{article_id}", _article)
            _show(api, f"/v1/articles/{article_id}/related?pageSize=3", _cards)
        _show(
            api,
            "/v1/archives",
            lambda b: "  " + ", ".join(f"{m['month']}: {m['articleCount']}" for m in b["months"]),
        )
        _show(api, "/v1/articles?pageSize=500", lambda b: f"  {b}")
        if stack.site_dir is not None:
            _site_hint(api, args.serve)
            if args.serve:
                _wait_for_stop()
    return 0 if summary.completed else 1


def _site_hint(api: str, serving: bool) -> None:
    if serving:
        print(f"\nThe news site: {api}/   (serving until Ctrl-C)")
    else:
        print(
            f"\nThe news site was served at {api}/ while this demo ran. To browse it: `newsflow demo --serve`"
            f" (keeps this stack up), or `make dev` (http://127.0.0.1:8000/) then `newsflow ingest samples/`."
        )


def _wait_for_stop() -> None:
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with contextlib.suppress(KeyboardInterrupt):
        stopped.wait()


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dev = commands.add_parser("dev", help="run the local stack until stopped")
    dev.add_argument("--port", type=int, default=8000, help="API port on 127.0.0.1 (default 8000)")
    dev.add_argument("--api-key", default=None, help="require this x-api-key on API requests")
    dev.add_argument("--poll-interval", type=float, default=60.0, help="seconds between feed polls (0: off)")
    dev.add_argument("--verbose", action="store_true", help="show Lambda logs and metrics")
    dev.add_argument("--fresh", action="store_true", help="discard the data dir's table, queues and index first")
    dev.add_argument(
        "--no-full-text", action="store_true", help="send teaser items straight to ingest (no article page fetch)"
    )
    dev.add_argument(
        "--prepare-processes",
        type=int,
        default=None,
        metavar="N",
        help="worker processes for ingest's pure work (default: one per core; 0: all in this process)",
    )
    dev.set_defaults(func=_cmd_dev)

    ingest = commands.add_parser("ingest", help="send feed files, JSON lines or URLs to the local stack")
    ingest.add_argument("targets", nargs="+", metavar="PATH_OR_URL")
    ingest.add_argument("--timeout", type=float, default=300.0)
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(func=_cmd_ingest)

    demo = commands.add_parser("demo", help="start the local stack, ingest, summarise, show example queries")
    demo.add_argument("targets", nargs="*", default=["samples"], metavar="PATH")
    demo.add_argument("--port", type=int, default=0, help="API port (default: any free port)")
    demo.add_argument("--timeout", type=float, default=300.0)
    demo.add_argument("--serve", action="store_true", help="keep the stack and the site up until Ctrl-C")
    demo.set_defaults(func=_cmd_demo)
