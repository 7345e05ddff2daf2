"""The full-text stage: article pages fetched and extracted per second per worker, on a local farm.

The farm: 8 sites (HTTP servers on 127.0.0.1, one port each = one host each) serving robots.txt and article
pages. The pages are generated (a news layout: header and navigation, an article of 6-14 paragraphs,
related links, a comment teaser, footer, inline scripts); when ../shared/data/extraction/scrapinghub is
present its real pages are served beside them (read for this benchmark only, never stored). Each worker is
one thread running the stage's `Enricher` on teaser items, one after the other, exactly as the Lambda does
for its batch (robots.txt once per site, the SSRF-checked fetcher, charset detection, the page path).

Baseline, side by side in the same run: urllib3 GET + trafilatura.extract (fast mode), which is what a
minimal "fetch the page, run the best open extractor" stage costs (no robots.txt, no address checks).

Rows: the server answering at once (the stage's own cost per page), and answering after 50-300 ms
(what a worker waits on real sites). The host gap is 0 here (8 sites would otherwise pace the run).

`python -m benchmarks fulltext [--pages=N] [--workers=1,4]`
"""

from __future__ import annotations

import gzip
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from benchmarks.common import SHARED_DATA, percentile, table

SITES = 8
_VOCABULARY = (
    "the port authority said volumes rose in october as shipping lines added calls exports machinery chemicals "
    "markets analysts banks freight rates remained volatile margins recovery regional trade imports flat demand "
    "furniture clothing containers terminal rail inland trucks highway residents officials cranes vessels berths "
    "turnaround hours record month year government minister policy budget energy prices inflation growth"
)
WORDS = _VOCABULARY.split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 28))]
    return " ".join(words).capitalize() + "."


def generated_page(rng: random.Random, n: int) -> tuple[str, str]:
    """(html, the article's text) of a realistic news page."""
    paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(6, 14))]
    nav = " ".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(14))
    related = " ".join(f'<li><a href="/story/{n}-{i}">{_sentence(rng)[:60]}</a></li>' for i in range(6))
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    title = _sentence(rng)[:80]
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Harbour News</title>
<meta name="description" content="{paragraphs[0][:150]}"><meta property="og:image" content="https://cdn.example/{n}.jpg">
<script>window.dataLayer=[];function track(){{return 1}}</script><style>body{{font:16px serif}}</style></head>
<body><header class="site-header"><a href="/">Harbour News</a><nav class="main-nav"><ul>{nav}</ul></nav>
<form class="search"><input name="q"></form></header>
<div class="cookie-banner">We use cookies. <button>Accept</button></div>
<main><article class="article"><h1>{title}</h1><div class="byline">By A. Writer, 2 November 2026</div>
<figure><img src="/img/{n}.jpg" alt="A photo"><figcaption>A photo of the port.</figcaption></figure>
<div class="article-body">{body}</div>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div></article>
<aside class="related-posts"><h2>Related</h2><ul>{related}</ul></aside>
<section class="comments"><h2>Comments</h2><p>Log in to comment.</p></section></main>
<footer class="site-footer"><p>© 2026 Harbour News. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
<script>track()</script></body></html>"""
    return page, "\n".join(paragraphs)


def real_pages(limit: int) -> list[tuple[str, str]]:
    """ScrapingHub benchmark pages with their expected article text (benchmark only; never stored)."""
    import json

    root = SHARED_DATA / "extraction" / "scrapinghub"
    if not root.exists():  # a worktree under <root>/wt/<name>: the data sits beside the main checkout
        root = SHARED_DATA.parent.parent.parent / "shared" / "data" / "extraction" / "scrapinghub"
    truth_file = root / "ground-truth.json"
    if not truth_file.exists():
        return []
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    pages: list[tuple[str, str]] = []
    for path in sorted((root / "html").glob("*.html.gz"))[:limit]:
        key = path.name.removesuffix(".html.gz")
        if key in truth:
            pages.append((gzip.decompress(path.read_bytes()).decode("utf-8", "replace"), truth[key]["articleBody"]))
    return pages


@dataclass
class Farm:
    pages: list[bytes]
    latency: Callable[[], float]
    servers: list[ThreadingHTTPServer]

    def url(self, index: int) -> str:
        server = self.servers[index % len(self.servers)]
        return f"http://127.0.0.1:{server.server_address[1]}/story/{index}"


def start_farm(pages: list[str], latency: Callable[[], float]) -> Farm:
    encoded = [p.encode("utf-8") for p in pages]
    farm = Farm(encoded, latency, [])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                body, kind = b"User-agent: *\nDisallow: /private/\n", "text/plain"
            else:
                body, kind = encoded[int(self.path.rsplit("/", 1)[-1]) % len(encoded)], "text/html; charset=utf-8"
                delay = farm.latency()
                if delay:
                    time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    for _ in range(SITES):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        farm.servers.append(server)
    return farm


def stop_farm(farm: Farm) -> None:
    for server in farm.servers:
        server.shutdown()
        server.server_close()


def _newsflow_worker() -> Callable[[str], tuple[bool, int]]:
    from newsflow.feeds.fetch import FeedFetcher
    from newsflow.fulltext import Enricher, HostGate, RobotsCache
    from newsflow.fulltext.enrich import PAGE_ACCEPT
    from newsflow.models import FeedItem

    pages = FeedFetcher(timeout_seconds=10, max_bytes=5 * 1024 * 1024, allow_private=True, accept=PAGE_ACCEPT)
    robots = FeedFetcher(timeout_seconds=5, max_bytes=512 * 1024, allow_private=True, oversize="truncate")
    stage = Enricher(pages, RobotsCache(robots), HostGate(0.0, 10.0))

    def work(url: str) -> tuple[bool, int]:
        item = stage.enrich(FeedItem(url=url, title="Teaser", summary="One sentence of teaser."))
        words = len((item.content_html or "").split())
        return item.body_source == "page", words

    return work


def _baseline_worker() -> Callable[[str], tuple[bool, int]]:
    import trafilatura
    import urllib3

    http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=10))

    def work(url: str) -> tuple[bool, int]:
        response = http.request("GET", url, preload_content=True)
        text = trafilatura.extract(response.data.decode("utf-8", "replace"), fast=True) or ""
        return len(text.split()) > 10, len(text.split())

    return work


def _measure(make: Callable[[], Callable[[str], tuple[bool, int]]], urls: list[str], workers: int) -> dict[str, Any]:
    shards = [urls[i::workers] for i in range(workers)]
    timings: list[float] = []
    full = 0
    lock = threading.Lock()
    prepared = [make() for _ in range(workers)]
    for work in prepared:  # warm: imports, robots.txt of every site, first extraction
        for url in urls[: SITES + 1]:
            work(url)

    def run(index: int) -> None:
        nonlocal full
        work = prepared[index]
        for url in shards[index]:
            started = time.perf_counter()
            ok, _words = work(url)
            elapsed = time.perf_counter() - started
            with lock:
                timings.append(elapsed)
                full += ok

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, range(workers)))
    wall = time.perf_counter() - started
    return {
        "rate": len(urls) / wall,
        "per_worker": len(urls) / wall / workers,
        "p50": statistics.median(timings) * 1000,
        "p95": percentile(timings, 95) * 1000,
        "full": full / len(urls),
    }


HEADERS = [
    "pages", "server latency", "workers", "pipeline", "pages/s per worker", "pages/s total", "p50 ms", "p95 ms",
    "full text",
]  # fmt: skip


def _option(name: str, default: str) -> str:
    for argument in sys.argv[1:]:
        if argument.startswith(f"--{name}="):
            return argument.split("=", 1)[1]
    return default


def run() -> str:
    count = int(_option("pages", "120"))
    worker_counts = [int(w) for w in _option("workers", "1,4").split(",")]
    rng = random.Random(20261102)
    generated = [generated_page(rng, n)[0] for n in range(count)]
    real = [page for page, _text in real_pages(count)]
    sets = [("generated", generated)] + ([("ScrapingHub pages", real)] if real else [])
    latency_rng = random.Random(7)
    rows: list[list[object]] = []
    for set_name, pages in sets:
        for latency_name, latency in (
            ("none", lambda: 0.0),
            ("50-300 ms", lambda: latency_rng.uniform(0.05, 0.3)),
        ):
            farm = start_farm(pages, latency)
            try:
                urls = [farm.url(i) for i in range(len(pages))]
                for workers in worker_counts:
                    for pipeline, make in (("newsflow full-text stage", _newsflow_worker),
                                           ("baseline: urllib3 + trafilatura fast", _baseline_worker)):  # fmt: skip
                        m = _measure(make, urls, workers)
                        rows.append([
                            set_name, latency_name, workers, pipeline, f"{m['per_worker']:.1f}", f"{m['rate']:.1f}",
                            f"{m['p50']:.0f}", f"{m['p95']:.0f}", f"{m['full']:.0%}",
                        ])  # fmt: skip
            finally:
                stop_farm(farm)
    note = "" if real else "\n(../shared/data/extraction/scrapinghub absent: generated pages only)\n"
    return (
        f"## full-text stage: pages fetched and extracted ({count} pages a set, {SITES} sites on 127.0.0.1)\n\n"
        + table(HEADERS, rows)
        + note
    )
