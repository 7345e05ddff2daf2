"""The embedded default at volume: `newsflow ingest` into a running `newsflow dev`, as a user runs them.

Both commands run as their own processes (the console script's code, `python -m newsflow.cli`), on a fresh data
dir and free ports on 127.0.0.1:
1. ingest of N generated items (default 5,000; NEWSFLOW_BENCH_LOCAL_ITEMS) from a .jsonl file: items/s from the
   command's start until it reports every item stored and indexed;
2. the same again (new items) with API load beside it (2 threads reading /v1/articles and /v1/search);
   then the time for a new article to become readable: items arriving steadily (NEWSFLOW_BENCH_LOCAL_STEADY_RATE
   items/s, default 20, for NEWSFLOW_BENCH_LOCAL_STEADY_SECONDS, default 45) with the API load beside them, and a
   probe item every second, timed from its SendMessage until /v1/search finds its unique word (probes sent during
   the loaded run are reported too: they wait behind its backlog, so they measure the backlog, not the stack);
3. a clean stop, then a restart with 50,000 articles stored (the data dir's articles, with their dedupe and story
   items, copied until there are 50,000): seconds until /v1/health answers, and the articles all there.
The first version's runtime (commit BASELINE_COMMIT's functions/, from git) runs step 1 on a subset
(NEWSFLOW_BENCH_LOCAL_BASELINE_ITEMS, default 300: it ran at ~5 items/s) in the same run.
"""

from __future__ import annotations

import html
import json
import os
import pickle
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.bench_normalise import generate_items
from benchmarks.bench_pipeline import _items
from benchmarks.common import REPO_ROOT, baseline_functions, percentile, table

BASELINE_COMMIT = "0ea6f46"
RESTART_ARTICLES = 50_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(functions_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "NEWSFLOW_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(functions_dir), str(REPO_ROOT)])
    return env


def _cli(functions_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from newsflow.cli import main; sys.exit(main())", *args]


class Dev:
    """A `newsflow dev` process on a data dir."""

    def __init__(self, functions_dir: Path, data_dir: Path) -> None:
        self.functions_dir = functions_dir
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 300) -> float:
        started = time.perf_counter()
        args = ["--data-dir", str(self.data_dir), "dev", "--port", str(self.port), "--poll-interval", "0"]
        self.process = subprocess.Popen(
            _cli(self.functions_dir, *args),
            env=_env(self.functions_dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"newsflow dev exited: {self.process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if (self.data_dir / "dev.json").exists() and get(self.url, "/v1/health")[0] in (200, 503):
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("newsflow dev did not come up")

    def stop(self) -> float:
        assert self.process is not None
        started = time.perf_counter()
        self.process.terminate()
        self.process.wait(timeout=300)
        return time.perf_counter() - started

    def moto(self) -> str:
        return str(json.loads((self.data_dir / "dev.json").read_text())["moto_endpoint"])

    def client(self, service: str) -> Any:
        """A boto3 client of the dev's moto server (what outside clients use)."""
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.moto(),
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )

    def queue_url(self) -> str:
        return str(json.loads((self.data_dir / "dev.json").read_text())["resources"]["queue_url"])


def get(base: str, path: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def ingest(dev: Dev, bodies: list[str], work: Path, name: str) -> tuple[float, str]:
    path = work / f"{name}.jsonl"
    path.write_text("\n".join(bodies) + "\n")
    started = time.perf_counter()
    done = subprocess.run(
        _cli(dev.functions_dir, "--data-dir", str(dev.data_dir), "ingest", str(path), "--quiet", "--timeout", "3600"),
        env=_env(dev.functions_dir),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    summary = next((line for line in done.stdout.splitlines() if "stored" in line), done.stdout[-300:])
    if done.returncode != 0:
        raise RuntimeError(f"newsflow ingest failed: {done.stdout[-1500:]} {done.stderr[-1500:]}")
    return seconds, summary.strip()


class ApiLoad:
    def __init__(self, base: str, threads: int = 2) -> None:
        self._base = base
        self._stop = threading.Event()
        self.latencies: list[float] = []
        self._threads = [threading.Thread(target=self._loop, args=(n,), daemon=True) for n in range(threads)]

    def _loop(self, n: int) -> None:
        paths = [
            "/v1/articles?pageSize=20",
            "/v1/search?q=market&pageSize=10",
            "/v1/articles?category=energy-resources",
        ]
        i = n
        while not self._stop.is_set():
            started = time.perf_counter()
            get(self._base, paths[i % len(paths)])
            self.latencies.append(time.perf_counter() - started)
            i += 1

    def __enter__(self) -> ApiLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


def readable_latencies(dev: Dev, stop: threading.Event, out: list[float]) -> None:
    """Send one item at a time; time until the API's search finds it."""
    sqs = dev.client("sqs")
    n = 0
    while not stop.is_set():
        word = f"probeword{n}x{os.getpid()}"
        body = {"url": f"https://probe.example.com/{word}", "title": f"Probe {word} arrives", "summary": word}
        started = time.perf_counter()
        sqs.send_message(QueueUrl=dev.queue_url(), MessageBody=json.dumps(body))
        while time.perf_counter() - started < 120:
            status, found = get(dev.url, "/v1/search?" + urllib.parse.urlencode({"q": word}))
            if status == 200 and found.get("totalResults"):
                out.append(time.perf_counter() - started)
                break
            time.sleep(0.05)
        n += 1
        stop.wait(1.0)


def steady_arrivals(dev: Dev, bodies: list[str], rate: float, stop: threading.Event) -> None:
    """Send `bodies` at `rate` items/s in batches of 10 (a feed poller's steady flow), until sent or stopped."""
    sqs = dev.client("sqs")
    started = time.perf_counter()
    for start in range(0, len(bodies), 10):
        due = started + start / rate
        if stop.wait(max(0.0, due - time.perf_counter())):
            return
        batch = bodies[start : start + 10]
        sqs.send_message_batch(
            QueueUrl=dev.queue_url(), Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(batch)]
        )


def sample_articles(dev: Dev, keys: list[str]) -> int:
    """How many of these article keys the restarted stack's table answers (GetItem through the moto server: a
    Scan through it sorts the whole table per page)."""
    dynamodb = dev.client("dynamodb")
    table = json.loads((dev.data_dir / "dev.json").read_text())["resources"]["table_name"]
    found = 0
    for pk in keys:
        item = dynamodb.get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": "ARTICLE"}}).get("Item")
        found += item is not None
    return found


def grow_snapshot(data_dir: Path, articles: int) -> tuple[int, list[str]]:
    """Copy the snapshot's articles (and their dedupe and story items) under new keys up to `articles`."""
    import copy

    from moto.dynamodb.models.dynamo_type import DynamoType
    from newsflow.local.lazy_table import encode
    from newsflow.local.moto_tuning import speed_up_moto_dynamodb

    speed_up_moto_dynamodb()  # the stack writes its snapshots so (one-pass item rebuild): write this one alike
    path = data_dir / "state.pickle"
    state = pickle.loads(path.read_bytes())
    (name, blobs), *_ = state["tables"].items()
    items = {DynamoType({kind: value}): pickle.loads(blob) for (kind, value), (_, blob) in blobs.items()}
    have = sum(1 for k in items if str(k.value).startswith("ART#"))
    original = [(k, dict(v)) for k, v in items.items()]
    copy_number = 0
    while have < articles:
        copy_number += 1
        for hash_key, by_range in original:
            new_hash = DynamoType({"S": f"{hash_key.value}~{copy_number}"})
            clones = {}
            for range_key, item in by_range.items():
                clone = copy.copy(item)
                clone.hash_key = new_hash
                clone.attrs = copy.copy(item.attrs)
                clone.attrs["pk"] = new_hash
                clones[range_key] = clone
            items[new_hash] = clones
            if str(hash_key.value).startswith("ART#"):
                have += 1
                if have >= articles:
                    break
    state["tables"][name] = encode(items)  # as the stack writes it: each partition pickled on its own
    path.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    article_keys = [str(k.value) for k in items if str(k.value).startswith("ART#")]
    sample = article_keys[:: max(1, len(article_keys) // 100)][:100]
    return have, sample


def _latencies(seconds: list[float]) -> str:
    if not seconds:
        return "no probe finished"
    return (
        f"median {statistics.median(seconds):.2f} s, p95 {percentile(seconds, 95):.2f} s, max {max(seconds):.2f} s"
        f" ({len(seconds)} probes)"
    )


def real_news_bodies() -> list[str]:
    """The BBC articles of ../shared/data as feed items (none when the data set is absent)."""
    from benchmarks.bench_dedupe import BBC, load_bbc

    if not BBC.is_dir():
        return []
    bodies = []
    for n, (name, title, body) in enumerate(load_bbc()):
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n") if p.strip())
        item = {
            "url": f"https://bbc.example/{name}",
            "guid": name,
            "title": title,
            "content_html": paragraphs,
            "published": f"2026-11-{1 + n % 28:02d}T{n % 24:02d}:00:00Z",
            "source": {"name": "BBC"},
        }
        bodies.append(json.dumps(item))
    return bodies


def run() -> str:
    count = int(os.environ.get("NEWSFLOW_BENCH_LOCAL_ITEMS", "5000"))
    baseline_count = int(os.environ.get("NEWSFLOW_BENCH_LOCAL_BASELINE_ITEMS", "300"))
    restart_articles = int(os.environ.get("NEWSFLOW_BENCH_LOCAL_RESTART_ARTICLES", str(RESTART_ARTICLES)))
    steady_rate = float(os.environ.get("NEWSFLOW_BENCH_LOCAL_STEADY_RATE", "20"))
    steady_seconds = float(os.environ.get("NEWSFLOW_BENCH_LOCAL_STEADY_SECONDS", "45"))
    steady_count = int(steady_rate * steady_seconds)
    bodies = _items(2 * count + baseline_count + steady_count)
    steady_bodies = bodies[2 * count + baseline_count :]
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        current = REPO_ROOT / "functions"
        dev = Dev(current, work / "data")
        first_start = dev.start()
        seconds, summary = ingest(dev, bodies[:count], work, "plain")
        rows.append(["ingest, idle API", count, f"{seconds:.1f}", f"{count / seconds:.1f}", summary, ""])
        readable: list[float] = []
        stop = threading.Event()
        with ApiLoad(dev.url) as load:
            prober = threading.Thread(target=readable_latencies, args=(dev, stop, readable), daemon=True)
            prober.start()
            seconds, summary = ingest(dev, bodies[count : 2 * count], work, "loaded")
            stop.set()
            prober.join(timeout=150)
        api = load.latencies
        # A new article's latency without a backlog in front of it: items arriving steadily (below capacity),
        # API load beside them, a probe every second.
        steady_readable: list[float] = []
        stop_steady = threading.Event()
        with ApiLoad(dev.url):
            sender = threading.Thread(
                target=steady_arrivals, args=(dev, steady_bodies, steady_rate, stop_steady), daemon=True
            )
            prober = threading.Thread(target=readable_latencies, args=(dev, stop_steady, steady_readable), daemon=True)
            sender.start()
            prober.start()
            sender.join(timeout=steady_seconds * 3)
            stop_steady.set()
            prober.join(timeout=150)
        api_note = f"{len(api)} API requests, p50 {percentile(api, 50) * 1000:.0f} ms"
        rows.append(
            [
                "ingest + API load (2 readers)",
                count,
                f"{seconds:.1f}",
                f"{count / seconds:.1f}",
                summary,
                f"{api_note}, p95 {percentile(api, 95) * 1000:.0f} ms",
            ]
        )
        stop_seconds = dev.stop()
        stored, sample = grow_snapshot(dev.data_dir, restart_articles)
        restart = Dev(current, dev.data_dir)
        restart_seconds = restart.start()
        held = sample_articles(restart, sample)
        restart.stop()
        # Items that share words and timestamps (template sentences over small vocabularies, a handful of
        # publication times): many near-duplicate candidates under each story key, as in real feeds.
        shared = Dev(current, work / "shared-data")
        shared.start()
        shared_bodies = [json.dumps(item) for item in generate_items(count, seed=11)]
        seconds, summary = ingest(shared, shared_bodies, work, "shared")
        shared.stop()
        rows.append(["ingest, items sharing words and times, idle API", count, f"{seconds:.1f}",
                     f"{count / seconds:.1f}", summary, ""])  # fmt: skip
        news = real_news_bodies()
        if news:  # real news text (../shared/data present): the BBC articles, minus the reserved ones
            real = Dev(current, work / "news-data")
            real.start()
            seconds, summary = ingest(real, news, work, "news")
            real.stop()
            rows.append(["ingest, BBC News articles (real text), idle API", len(news), f"{seconds:.1f}",
                         f"{len(news) / seconds:.1f}", summary, ""])  # fmt: skip
        old_rate = "not in this checkout"
        old = baseline_functions(work, BASELINE_COMMIT)
        if old is not None and baseline_count:
            old_dev = Dev(old, work / "old-data")
            old_dev.start()
            old_seconds, _ = ingest(old_dev, bodies[2 * count :], work, "old")
            old_dev.stop()
            old_rate = f"{baseline_count / old_seconds:.1f} items/s ({baseline_count} items, {old_seconds:.0f} s)"
    out = [
        f"## Local stack at volume: `newsflow ingest` into a running `newsflow dev` ({os.cpu_count()} cores)",
        "",
        table(["run", "items", "seconds", "items/s", "ingest summary", "API"], rows),
        "",
        table(
            ["measure", "value"],
            [
                ["first version's runtime (" + BASELINE_COMMIT + "), ingest, idle API", old_rate],
                [
                    f"new article readable (SendMessage -> found by /v1/search): {steady_rate:.0f} items/s arriving"
                    f" for {steady_seconds:.0f} s, API load (2 readers)",
                    _latencies(steady_readable),
                ],
                [
                    f"the same, sent behind the {count:,}-item backlog of the loaded run (waits for the backlog)",
                    _latencies(readable),
                ],
                ["first start, empty data dir (s)", f"{first_start:.1f}"],
                ["clean stop after the runs (s)", f"{stop_seconds:.1f}"],
                [f"restart with {stored:,} articles stored (s, until /v1/health answers)", f"{restart_seconds:.1f}"],
                ["sampled articles answered after the restart", f"{held} of {len(sample)}"],
            ],
        ),
    ]
    return "\n".join(out)


if __name__ == "__main__":
    print(run())
