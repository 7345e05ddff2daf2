"""What ingesting an item costs in AWS, measured on the real ingest and index handlers under moto.

Every DynamoDB and SQS call the handlers make is billed by `cost_meter` (request units from item sizes and
the table's GSI projections, the way DynamoDB bills), for each kind of delivery: new items, unchanged
redeliveries, rewrites joining a story, updates, duplicates and redelivered duplicates. The same scenarios run,
in the same run, on the first version's code (its `functions/` from git, with its own table layout), so the
two columns compare like with like. Lambda time is this machine's compute scaled to the function's CPU share
plus a modelled latency per AWS call (moto answers in-process, AWS over the network); the waits of items stored
side by side overlap (`invocation_ms`).

`python -m benchmarks cost` prints the tables; the fixed monthly cost of the dev stage is modelled from a
synthesized template when the CDK app synthesizes here (Node), and skipped otherwise.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import REPO_ROOT, SHARED_DATA, baseline_functions, table
from benchmarks.cost_fixed import fixed_cost_section

BASELINE_COMMIT = "ffa8c85"  # the first version that issue 9 measured (20.6 WRU / $14.71 per million new items)
BASELINE_QUOTED = "20.6 WRU, $14.71 per million new items (issue 9)"

# us-east-1 list prices after AWS's November 2024 on-demand cut (as quoted by public pricing write-ups).
PRICE_WRU = 0.625 / 1e6  # on-demand, per write request unit
PRICE_RRU = 0.125 / 1e6  # on-demand, per read request unit
PRICE_WCU_HOUR = 0.00065  # provisioned
PRICE_RCU_HOUR = 0.00013
PROVISIONED_UTILISATION = 0.70  # what target tracking at 70 % leaves unused on average
# DynamoDB reserved capacity (provisioned mode, bought in blocks of 100 WCU/RCU): ~77 % off the provisioned rate
# for a 3-year term, ~54 % for 1 year (as public write-ups quote it; not read from AWS's price list here).
RESERVED_3Y_DISCOUNT = 0.77
RESERVED_1Y_DISCOUNT = 0.54
PRICE_SQS_REQUEST = 0.40 / 1e6  # standard queue, per 64 KB request
PRICE_LAMBDA_GB_SECOND = 0.0000133334  # arm64
PRICE_LAMBDA_REQUEST = 0.20 / 1e6

INGEST_MEMORY_MB = 512  # infra/ingestion.py
INDEX_MEMORY_MB = 512  # infra/search.py
INGEST_BATCH = 10  # constants.INGEST_BATCH_SIZE
INDEX_BATCH = 100  # infra/search.py INDEX_STREAM_BATCH_SIZE
FULL_VCPU_MB = 1769  # Lambda gives one vCPU at 1,769 MB; less memory, proportionally less CPU
DYNAMODB_LATENCY_MS = 5.0  # modelled round trip per call from Lambda, in region
SQS_LATENCY_MS = 10.0
OPENSEARCH_BULK_MS = 30.0  # modelled _bulk request of a batch
OPENSEARCH_SEARCH_MS = 10.0  # modelled story-candidate search (a filtered terms query, no scoring)
SAMPLES = REPO_ROOT / "samples"

# The feed guid kinds of a new item: its guid is its URL (RSS permalinks, most WordPress and news feeds), it has
# no guid, or another guid (tag: URIs, ids, WordPress `?p=` links). They decide the dedupe claims an item
# writes. samples/ is hand-written and has few of the first two, so the benchmark re-labels its items'
# guids to the shares counted in real publishers' feeds (`guid_shares`): from ../shared/data/feeds when it
# is present (counting only), else these, counted there on 2026-12-01 (26 feeds with items, each feed
# weighing the same; by item, the 229 items give 50 % / 27 % / 23 %).
GUID_KINDS = ("url", "none", "other")
COUNTED_GUID_SHARES = {"url": 12 / 26, "none": 5 / 26, "other": 9 / 26}

SCENARIOS = (
    ("new", "new items (samples/)"),
    ("unchanged", "unchanged redeliveries"),
    ("rewrite", "rewrites by another outlet (new article, joins a story)"),
    ("updated", "updates (corrected title and summary)"),
    ("duplicate", "duplicates (same body, another URL and source)"),
    ("duplicate-again", "redelivered duplicates"),
    ("real-news", "new items, real news text (BBC, ../shared/data)"),
)
REAL_NEWS_ITEMS = 99  # as many as samples/ has distinct items, spread over the whole set


# -- the items ---------------------------------------------------------------------------------------------


def guid_shares(feeds_dir: Path | None = None) -> tuple[dict[str, float], str]:
    """The share of each guid kind over real feeds, each feed weighing the same (a feed's kind is nearly always
    one for all its items, and the item counts of captured test feeds are arbitrary); and where it came from."""
    from newsflow.feeds.parse import parse_feed
    from newsflow.normalise.stages import identify
    from newsflow.normalise.urls import canonical_url

    folder = feeds_dir or Path(os.environ.get("NEWSFLOW_SHARED_DATA") or SHARED_DATA) / "feeds"
    if not folder.is_dir():
        return COUNTED_GUID_SHARES, f"counted earlier in ../shared/data/feeds ({folder} is absent)"
    totals: Counter[str] = Counter()
    feeds = items = 0
    for path in sorted(folder.iterdir()):
        try:
            parsed = parse_feed(path.read_bytes(), feed_url=f"https://{path.stem}.example/feed").items
        except Exception:
            continue
        kinds: Counter[str] = Counter()
        for item in parsed:
            try:
                identity = identify(item)
            except Exception:
                continue
            if not identity.guid:
                kinds["none"] += 1
            elif identity.url and canonical_url(identity.guid) == identity.url:
                kinds["url"] += 1
            else:
                kinds["other"] += 1
        if kinds:
            feeds += 1
            items += sum(kinds.values())
            for kind, count in kinds.items():
                totals[kind] += count / sum(kinds.values())
    if not feeds:
        return COUNTED_GUID_SHARES, f"counted earlier ({folder} has no parsable feed)"
    return {kind: totals[kind] / feeds for kind in GUID_KINDS}, f"counted in {folder} ({feeds} feeds, {items} items)"


def with_guid_mix(items: list[Any], shares: dict[str, float]) -> list[Any]:
    """The items with their guids re-labelled so the kinds have `shares` (largest remainder, in a fixed order
    by a hash of the URL): "url" -> the guid is the item's URL, "none" -> no guid, "other" -> a guid that is no
    URL (the item's own when it is one, else `tag:` + its URL)."""
    import hashlib

    order = sorted(range(len(items)), key=lambda n: hashlib.sha256(str(items[n].url).encode()).hexdigest())
    quotas = {kind: shares[kind] * len(items) for kind in GUID_KINDS}
    counts = {kind: int(quotas[kind]) for kind in GUID_KINDS}
    left = len(items) - sum(counts.values())
    for kind in sorted(GUID_KINDS, key=lambda k: quotas[k] - counts[k], reverse=True)[:left]:
        counts[kind] += 1
    labels = [kind for kind in GUID_KINDS for _ in range(counts[kind])]
    out = list(items)
    for n, kind in zip(order, labels, strict=True):
        item = items[n]
        if kind == "url":
            guid = item.url
        elif kind == "none":
            guid = None
        else:
            is_url = str(item.guid or "").startswith(("http://", "https://"))
            guid = item.guid if item.guid and not is_url else f"tag:{item.url}"
        out[n] = item.model_copy(update={"guid": guid})
    return out


def sample_messages() -> dict[str, list[str]]:
    """Queue message bodies for every scenario, built from samples/ (parsed with the current code)."""
    from newsflow.feeds.parse import parse_feed
    from newsflow.models import FeedItem

    items: list[FeedItem] = []
    for path in sorted((SAMPLES / "feeds").iterdir()):
        if path.name.startswith("broken"):
            continue
        items.extend(parse_feed(path.read_bytes(), feed_url=f"https://{path.stem}.example/feed").items)
    for line in (SAMPLES / "items.jsonl").read_text().splitlines():
        if line.strip():
            items.append(FeedItem.model_validate_json(line))
    shares = guid_shares()[0]
    distinct = with_guid_mix(list({(i.url, i.guid, i.title): i for i in items}.values()), shares)
    new = [i.model_dump_json() for i in distinct]

    def changed(item: FeedItem, **update: Any) -> FeedItem:
        return item.model_copy(update=update)

    rewrites, updates, duplicates = [], [], []
    for n, item in enumerate(distinct):
        html = item.content_html or ""
        paragraphs = [p for p in html.split("</p>") if p.strip()]
        if len(paragraphs) >= 3:  # another outlet: new URL, headline and boilerplate, last paragraph dropped
            body = "<p>Share this article on Facebook, Twitter and LinkedIn</p>" + "</p>".join(paragraphs[:-1]) + "</p>"
            rewrites.append(
                changed(
                    item,
                    url=f"https://copy-desk.example/story/{n}",
                    guid=f"copy-{n}",
                    title=f"Report: {item.title}",
                    content_html=body,
                    source=item.source.model_copy(update={"name": "Copy Desk", "feed_url": None}),
                )
            )
        updates.append(changed(item, title=f"{item.title} (updated)", summary=f"Updated: {item.summary or ''}"))
        duplicates.append(
            changed(
                item,
                title=f"{item.title} (updated)",
                summary=f"Updated: {item.summary or ''}",
                url=f"https://mirror.example/{n}",
                guid=f"mirror-{n}",
                source=item.source.model_copy(update={"name": "Mirror Wire", "feed_url": None}),
            )
        )
    # Another outlet's items follow the real feeds' guid mix too (their hand-made guids are all of one kind).
    rewritten = [i.model_dump_json() for i in with_guid_mix(rewrites, shares)]
    copied = [i.model_dump_json() for i in with_guid_mix(duplicates, shares)]
    scenarios = {
        "new": new,
        "unchanged": new,
        "rewrite": rewritten,
        "updated": [i.model_dump_json() for i in updates],
        "duplicate": copied,
        "duplicate-again": copied,
    }
    news = real_news_items(shares)
    if news:
        scenarios["real-news"] = news
    return scenarios


def real_news_items(shares: dict[str, float]) -> list[str]:
    """REAL_NEWS_ITEMS BBC articles of ../shared/data as feed items, with the real feeds' guid mix: samples/'
    bodies are 3-4 short paragraphs, a real article's text is what its item pays for. None without the data."""
    from newsflow.models import FeedItem

    from benchmarks.bench_localrate import real_news_bodies

    bodies = real_news_bodies()
    if not bodies:
        return []
    step = max(1, len(bodies) // REAL_NEWS_ITEMS)
    items = [FeedItem.model_validate_json(body) for body in bodies[::step][:REAL_NEWS_ITEMS]]
    return [i.model_dump_json() for i in with_guid_mix(items, shares)]


# -- one code version, in its own process ------------------------------------------------------------------


def worker(messages_path: str, output_path: str) -> None:
    """Run every scenario through this process's `newsflow` (whatever PYTHONPATH selected) under mock_aws."""
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
            "POWERTOOLS_SERVICE_NAME": "newsflow",
        }
    )
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    import boto3
    from moto import mock_aws

    from benchmarks.cost_meter import DynamoMeter, Lane, SqsMeter

    scenarios: dict[str, list[str]] = json.loads(Path(messages_path).read_text())
    with tempfile.TemporaryDirectory() as index_dir, mock_aws():
        from newsflow import aws
        from newsflow import constants as c
        from newsflow.handlers import index, ingest
        from newsflow.local.context import LocalLambdaContext
        from newsflow.local.events import sqs_event, stream_event
        from newsflow.local.resources import create_resources
        from newsflow.local.stack import reset_process_caches

        try:  # the local stack's fix for moto's quadratic base-table Query (both versions have it)
            from newsflow.local.moto_tuning import speed_up_moto_dynamodb

            speed_up_moto_dynamodb()
        except ImportError:
            pass
        reset_process_caches()
        resources = create_resources()
        os.environ.update(resources.environment())
        os.environ[c.ENV_SEARCH_BACKEND] = "tantivy"
        os.environ[c.ENV_TANTIVY_PATH] = index_dir
        reset_process_caches()
        raw = boto3.client("dynamodb")
        raw_sqs = boto3.client("sqs")
        streams = boto3.client("dynamodbstreams")
        meter = DynamoMeter(aws.dynamodb(), raw, resources.table_name)
        SqsMeter(aws.sqs(), meter.bill, meter.flight)

        from newsflow.search import shared_search_index

        search_seconds = [0.0, 0]
        search = shared_search_index()
        for method in ("upsert", "delete"):
            original = getattr(search, method)

            def timed(documents: Any, _original: Any = original) -> Any:
                started = time.thread_time()
                try:
                    return _original(documents)
                finally:
                    search_seconds[0] += time.thread_time() - started
                    search_seconds[1] += 1

            setattr(search, method, timed)

        # Ingest's story-candidate searches: an OpenSearch request in AWS (modelled latency), tantivy CPU here;
        # counted in the lane of the thread that searched.
        original_search = search.search
        lanes = meter.flight.lanes

        def timed_search(query: Any) -> Any:
            started = time.thread_time()
            try:
                return original_search(query)
            finally:
                lane = lanes.current()
                lane.search_seconds += time.thread_time() - started
                lane.searches += 1

        search.search = timed_search  # type: ignore[method-assign]

        # The CPU time of the store threads (handlers/ingest.py stores a batch's items side by side): the handler's
        # own thread is timed around the invocation.
        main_thread = threading.get_ident()
        thread_cpu: dict[int, float] = {}
        real_record_handler = ingest.record_handler

        def timed_record_handler(*args: Any, **kwargs: Any) -> Any:
            ident = threading.get_ident()
            if ident == main_thread:
                return real_record_handler(*args, **kwargs)
            started = time.thread_time()
            try:
                return real_record_handler(*args, **kwargs)
            finally:
                thread_cpu[ident] = thread_cpu.get(ident, 0.0) + time.thread_time() - started

        ingest.record_handler = timed_record_handler

        def gate_waits() -> int:
            """Items of this container that waited for another's story keys (the first version has no gate)."""
            try:
                from newsflow import wiring
            except ImportError:
                return 0
            gate = getattr(wiring.current().built("stories"), "gate", None)
            return int(getattr(gate, "waits", 0))

        def records_since(mark: int) -> list[dict[str, Any]]:
            description = streams.describe_stream(StreamArn=resources.stream_arn)["StreamDescription"]
            found: list[dict[str, Any]] = []
            for shard in description["Shards"]:
                iterator = streams.get_shard_iterator(
                    StreamArn=resources.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
                while iterator:
                    page = streams.get_records(ShardIterator=iterator, Limit=1000)
                    found.extend(page["Records"])
                    if not page["Records"]:
                        break
                    iterator = page.get("NextShardIterator")
            return found[mark:]

        def ingest_batch(bodies: list[str]) -> tuple[dict[str, Any], list[str]]:
            """Run one invocation; its lanes: the handler's thread first, then each store thread it used."""
            for body in bodies:
                raw_sqs.send_message(QueueUrl=resources.queue_url, MessageBody=body)
            messages: list[dict[str, Any]] = []
            while len(messages) < len(bodies):
                got = raw_sqs.receive_message(
                    QueueUrl=resources.queue_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
                ).get("Messages", [])
                if not got:
                    break
                messages.extend(got)
            event = sqs_event(messages, resources.queue_arn, "us-east-1")
            before, cpu_before, waits_before = lanes.snapshot(), dict(thread_cpu), gate_waits()
            started = time.thread_time()
            response = ingest.lambda_handler(event, LocalLambdaContext("ingest"))
            main_cpu = time.thread_time() - started
            after = lanes.snapshot()
            if response.get("batchItemFailures"):
                raise RuntimeError(f"ingest failed items: {response}")
            for message in messages:
                raw_sqs.delete_message(QueueUrl=resources.queue_url, ReceiptHandle=message["ReceiptHandle"])
            cpu = {ident: seconds - cpu_before.get(ident, 0.0) for ident, seconds in thread_cpu.items()}
            cpu[main_thread] = main_cpu
            invocation_lanes = []
            for ident in sorted(cpu, key=lambda i: i != main_thread):
                now_lane, was = after.get(ident, Lane()), before.get(ident, Lane())
                spent = cpu[ident]
                if spent <= 0 and now_lane.round_trips == was.round_trips:
                    continue  # a store thread this invocation did not use
                inside = (now_lane.aws_seconds - was.aws_seconds) + (now_lane.meter_seconds - was.meter_seconds)
                inside += now_lane.search_seconds - was.search_seconds
                invocation_lanes.append(
                    {
                        "compute_ms": max(0.0, spent - inside) * 1000,
                        "round_trips": now_lane.round_trips - was.round_trips,
                        "searches": now_lane.searches - was.searches,
                    }
                )
            invocation = {
                "lanes": invocation_lanes,
                "gate_waits": gate_waits() - waits_before,
                "bytes": [len(b.encode()) for b in bodies],
            }
            return invocation, [o["outcome"] for o in ingest.last_outcomes]

        # A running deployment has a category marker for every category (store/dynamo.py): without them the
        # first article of each category in this short run would pay the marker a container writes once.
        try:
            from newsflow.taxonomy import CATEGORY_SLUGS
        except ImportError:  # the first version: no taxonomy module, and no markers to read
            CATEGORY_SLUGS = frozenset()
        for slug in sorted({*CATEGORY_SLUGS, "general"}):
            raw.put_item(TableName=resources.table_name, Item={"pk": {"S": "CATEGORIES"}, "sk": {"S": slug}})
        # Warm up (imports, caches) on an item no scenario uses.
        warm = json.loads(scenarios["new"][0])
        warm.update(url="https://warm-up.example/1", guid="warm-up", title="Warm-up item for the cost benchmark")
        ingest_batch([json.dumps(warm)])
        stream_mark = len(records_since(0))
        index.lambda_handler(stream_event(records_since(0), resources.stream_arn), LocalLambdaContext("index"))

        results: dict[str, Any] = {"projections": meter.projections, "scenarios": {}}
        for name, bodies in scenarios.items():
            bill = meter.bill
            bill.reset()
            outcomes: Counter[str] = Counter()
            invocations = []
            for start in range(0, len(bodies), INGEST_BATCH):
                invocation, got = ingest_batch(bodies[start : start + INGEST_BATCH])
                invocations.append(invocation)
                outcomes.update(got)
            ingest_bill = {
                "requests": dict(bill.requests),
                "table_wru": bill.table_wru,
                "index_wru": bill.index_wru,
                "rru": bill.rru,
                "stream_records": bill.stream_records,
                "item_sizes": bill.item_sizes,
                "wru_by": dict(bill.wru_by),
                "rru_by": dict(bill.rru_by),
                "handler_sqs_requests": bill.sqs_requests,
            }
            records = records_since(stream_mark)
            stream_mark += len(records)
            index_runs = []
            for start in range(0, len(records), INDEX_BATCH):
                chunk = records[start : start + INDEX_BATCH]
                search_seconds[:] = [0.0, 0]
                started = time.thread_time()
                index.lambda_handler(stream_event(chunk, resources.stream_arn), LocalLambdaContext("index"))
                wall = time.thread_time() - started
                index_runs.append(
                    {"compute_ms": max(0.0, wall - search_seconds[0]) * 1000, "bulk_calls": search_seconds[1]}
                )
            results["scenarios"][name] = {
                "items": len(bodies),
                "outcomes": dict(outcomes),
                "ingest": ingest_bill,
                "invocations": invocations,
                "index_runs": index_runs,
                "stream_records_read": len(records),
            }
    Path(output_path).write_text(json.dumps(results))  # not stdout: the handlers' metrics and logs print there


def run_worker(functions_dir: Path, messages_path: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(functions_dir), str(REPO_ROOT)])}
    output = messages_path.with_name(f"result-{abs(hash(str(functions_dir)))}.json")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_cost", "--worker", str(messages_path), str(output)],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "worker failed")
    return dict(json.loads(output.read_text()))


# -- money -------------------------------------------------------------------------------------------------


def invocation_ms(invocation: dict[str, Any], cpu_share: float) -> int:
    """Billed milliseconds of one ingest invocation. Its lanes are the handler's thread (preparing the batch,
    reporting it) and the threads that stored its items side by side. All their CPU time runs on the function's
    one CPU share, one thread at a time; the waits (modelled round trips) of different threads overlap. The
    thread that finishes last waited only for its own round trips, or for the CPU while someone computed, so
    the invocation lasts at most all the CPU time plus the handler thread's waits plus the longest store
    thread's waits: that bound is what is billed. An invocation where items of one story waited for each other
    (stories/gate.py) is billed as if its items were stored one after another (all waits added)."""
    lanes = invocation["lanes"]
    waits = [lane["round_trips"] * DYNAMODB_LATENCY_MS + lane["searches"] * OPENSEARCH_SEARCH_MS for lane in lanes]
    compute = sum(lane["compute_ms"] for lane in lanes) / cpu_share
    handler_waits, store_waits = waits[0] if waits else 0.0, waits[1:]
    stored = sum(store_waits) if invocation.get("gate_waits") else max(store_waits, default=0.0)
    return math.ceil(compute + handler_waits + stored)


def per_item(result: dict[str, Any]) -> dict[str, float]:
    """Per item of a scenario: request units, requests and Lambda time, and what they cost."""
    items = result["items"]
    bill = result["ingest"]
    wru = bill["table_wru"] + bill["index_wru"]
    rru = bill["rru"]
    ingest_share = INGEST_MEMORY_MB / FULL_VCPU_MB
    ingest_ms = sum(invocation_ms(i, ingest_share) for i in result["invocations"])
    index_share = INDEX_MEMORY_MB / FULL_VCPU_MB
    index_ms = sum(
        math.ceil(r["compute_ms"] / index_share + r["bulk_calls"] * OPENSEARCH_BULK_MS) for r in result["index_runs"]
    )
    invocations = len(result["invocations"]) + len(result["index_runs"])
    # The event source mapping: SendMessageBatch by the poller, ReceiveMessage and DeleteMessageBatch per batch
    # (10 messages), each billed per 64 KB chunk.
    esm_sqs = sum(3 * max(1, -(-sum(i["bytes"]) // (64 * 1024))) for i in result["invocations"])
    sqs = esm_sqs + bill["handler_sqs_requests"]
    gb_seconds = ingest_ms / 1000 * INGEST_MEMORY_MB / 1024 + index_ms / 1000 * INDEX_MEMORY_MB / 1024
    lambda_cost = gb_seconds * PRICE_LAMBDA_GB_SECOND + invocations * PRICE_LAMBDA_REQUEST
    sqs_cost = sqs * PRICE_SQS_REQUEST
    on_demand = wru * PRICE_WRU + rru * PRICE_RRU
    provisioned = (wru * PRICE_WCU_HOUR + rru * PRICE_RCU_HOUR) / 3600 / PROVISIONED_UTILISATION
    requests = sum(bill["requests"].values())
    return {
        "requests": requests / items,
        "table_wru": bill["table_wru"] / items,
        "index_wru": bill["index_wru"] / items,
        "wru": wru / items,
        "rru": rru / items,
        "stream": bill["stream_records"] / items,
        "sqs": sqs / items,
        "ingest_ms": ingest_ms / items,
        "index_ms": index_ms / items,
        "usd_on_demand": (on_demand + sqs_cost + lambda_cost) / items * 1e6,
        "usd_provisioned": (provisioned + sqs_cost + lambda_cost) / items * 1e6,
        "usd_reserved": (provisioned * (1 - RESERVED_3Y_DISCOUNT) + sqs_cost + lambda_cost) / items * 1e6,
        "usd_reserved_1y": (provisioned * (1 - RESERVED_1Y_DISCOUNT) + sqs_cost + lambda_cost) / items * 1e6,
        "usd_lambda": lambda_cost / items * 1e6,
        "usd_dynamodb_on_demand": on_demand / items * 1e6,
        "usd_other": (sqs_cost + lambda_cost) / items * 1e6,
    }


def _outcomes(result: dict[str, Any]) -> str:
    return ", ".join(f"{v} {k}" for k, v in sorted(result["outcomes"].items()))


def breakdown(current: dict[str, Any], baseline: dict[str, Any] | None, scenario: str = "new") -> str:
    """WRU and RRU per item of one scenario, by what was written (item kind, GSI) or read (call, item kind)."""
    now = current["scenarios"][scenario]
    before = baseline["scenarios"][scenario] if baseline else None
    rows: list[list[object]] = []
    for unit, field_name in (("WRU", "wru_by"), ("RRU", "rru_by")):
        parts_now = now["ingest"].get(field_name, {})
        parts_before = before["ingest"].get(field_name, {}) if before else {}
        for part in sorted({*parts_now, *parts_before}):
            first = parts_before.get(part, 0.0) / before["items"] if before else None
            rows.append(
                [
                    unit,
                    part,
                    f"{first:.2f}" if first is not None else "",
                    f"{parts_now.get(part, 0.0) / now['items']:.2f}",
                ]
            )
        total_before = sum(parts_before.values()) / before["items"] if before else None
        rows.append(
            [
                unit,
                "total",
                f"{total_before:.2f}" if total_before is not None else "",
                f"{sum(parts_now.values()) / now['items']:.2f}",
            ]
        )
    label = dict(SCENARIOS)[scenario]
    return "\n".join(
        [
            f"### Where the units of {label} go (per item; table = item kind by its pk prefix, GSI = index entry)",
            "",
            table(["unit", "written / read", "first version", "now"], rows),
        ]
    )


def report(current: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    rows: list[list[object]] = []
    for key, label in SCENARIOS:
        if key not in current["scenarios"]:
            continue  # the real news row without ../shared/data
        now = per_item(current["scenarios"][key])
        before = per_item(baseline["scenarios"][key]) if baseline else None
        rows.append(
            [
                label,
                _outcomes(current["scenarios"][key]),
                f"{before['requests']:.1f} → {now['requests']:.1f}" if before else f"{now['requests']:.1f}",
                f"{before['wru']:.1f} → {now['wru']:.1f}" if before else f"{now['wru']:.1f}",
                f"{now['table_wru']:.1f} + {now['index_wru']:.1f}",
                f"{before['rru']:.1f} → {now['rru']:.1f}" if before else f"{now['rru']:.1f}",
                f"{now['stream']:.1f}",
                f"{now['sqs']:.2f}",
                f"{now['ingest_ms']:.1f} + {now['index_ms']:.1f}",
                f"${before['usd_on_demand']:.2f} → ${now['usd_on_demand']:.2f}"
                if before
                else f"${now['usd_on_demand']:.2f}",
                f"${now['usd_provisioned']:.2f}",
                f"${now['usd_reserved_1y']:.2f}",
                f"${now['usd_reserved']:.2f}",
                f"${now['usd_lambda']:.2f}",
            ]
        )
    sizes = sorted(current["scenarios"]["new"]["ingest"]["item_sizes"])
    old_sizes = sorted(baseline["scenarios"]["new"]["ingest"]["item_sizes"]) if baseline else []
    lines = [
        "## Cost per ingested item (real ingest + index handlers on moto, billed by item size and GSI projection)",
        "",
        f"First version: commit {BASELINE_COMMIT}, measured in this run"
        + (f" ({baseline['projections']})" if baseline else f" — not in this checkout; quoted: {BASELINE_QUOTED}")
        + f"; now: {current['projections']}. Cells with → are first version → now.",
        "",
        table(
            [
                "delivery",
                "outcomes (now)",
                "DynamoDB requests",
                "WRU",
                "WRU table + GSI",
                "RRU",
                "stream records",
                "SQS requests",
                "Lambda ms ingest + index",
                "$ / million, on-demand",
                "$ / million, provisioned",
                "$ / million, provisioned + 1-yr reserved",
                "$ / million, provisioned + 3-yr reserved",
                "of which Lambda",
            ],
            rows,
        ),
        "",
        f"Article items written for new items: median {sizes[len(sizes) // 2]} B, max {sizes[-1]} B"
        + (f" (first version: median {old_sizes[len(old_sizes) // 2]} B)" if old_sizes else "")
        + "; samples/ bodies are 3-4 paragraphs, a full-length article adds ~1 WRU per 1 KB of compressed text.",
        "",
        "Prices assumed (us-east-1): DynamoDB on-demand $0.625 per million WRU, $0.125 per million RRU; provisioned "
        f"$0.00065 per WCU-hour and $0.00013 per RCU-hour at {PROVISIONED_UTILISATION:.0%} average utilisation "
        "(auto scaling's target), and with 1-year / 3-year reserved capacity "
        f"{RESERVED_1Y_DISCOUNT:.0%} / {RESERVED_3Y_DISCOUNT:.0%} off that (bought in blocks of 100 WCU/RCU, "
        "paid whether used or not, sized to the steady floor); "
        "SQS $0.40 per million requests (64 KB each); Lambda arm64 $0.0000133334 per GB-s "
        "and $0.20 per million requests. Lambda time: this machine's compute scaled to a "
        f"{INGEST_MEMORY_MB} MB function's CPU share ({INGEST_MEMORY_MB}/{FULL_VCPU_MB} of a vCPU), plus "
        f"{DYNAMODB_LATENCY_MS:.0f} ms per DynamoDB round trip and "
        f"{OPENSEARCH_BULK_MS:.0f} ms per OpenSearch _bulk and {OPENSEARCH_SEARCH_MS:.0f} ms per story-candidate "
        "search (modelled). An ingest invocation stores its items side by side: it is billed all its CPU time "
        "plus the handler thread's waits plus the longest store thread's waits (an upper bound; every wait added "
        "up when items of one story waited for each other). SQS: the event source mapping's receive + delete "
        f"and the poller's send, per batch of {INGEST_BATCH}. "
        "Not included: storage, PITR, CloudWatch Logs, OpenSearch (fixed, below).",
        "",
        breakdown(current, baseline, "new"),
        "",
        breakdown(current, baseline, "rewrite"),
    ]
    return "\n".join(lines)


def run() -> str:
    limit = int(os.environ.get("NEWSFLOW_BENCH_COST_ITEMS", "0")) or None  # fewer items while iterating
    with tempfile.TemporaryDirectory() as work:
        messages_path = Path(work) / "messages.json"
        messages_path.write_text(json.dumps({k: v[:limit] for k, v in sample_messages().items()}))
        started = time.perf_counter()
        current = run_worker(REPO_ROOT / "functions", messages_path)
        elapsed = time.perf_counter() - started
        baseline = None
        old = baseline_functions(Path(work), BASELINE_COMMIT)
        if old is not None:
            baseline = run_worker(old, messages_path)
    shares, origin = guid_shares()
    out = [
        report(current, baseline),
        "",
        "Feed guids of the new items, and of the rewrites and duplicates by other outlets, re-labelled to real "
        "feeds' shares ("
        + ", ".join(f"{kind} {share:.0%}" for kind, share in shares.items())
        + f"; {origin}): `url` = the guid is the item's URL, `none` = no guid (no guid claim), `other` = any other "
        "guid.",
        "",
        f"(measured {sum(s['items'] for s in current['scenarios'].values())} "
        f"deliveries per code version; current code took {elapsed:.0f} s on moto)",
        "",
        fixed_cost_section(),
    ]
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3])
    else:
        print(run())
