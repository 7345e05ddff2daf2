"""Search benchmark: tantivy adapter, 10,000 generated news documents in a temp directory.

Reports indexing throughput (upserts in batches of 500, one commit per batch, as the index
function does) and query latency p50/p95 for representative API queries (search box with
facets, filters, category page, deep page, categories counts). Runs in well under a minute.

    python -c "from benchmarks.bench_search import run; print(run())"
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

from newsflow.search.port import SearchDocument, SearchFilters, SearchQuery
from newsflow.search.tantivy_index import TantivyIndex

from benchmarks.common import percentile, table

N_DOCS = 10_000
BATCH = 500
REPEATS = 60
SEED = 20_261_120

CATEGORIES = [
    "aerospace-defense",
    "agriculture",
    "automation-process-control",
    "automotive-transportation",
    "banking-finance",
    "chemicals-materials",
    "consumer-goods-services",
    "economy",
    "electronics-semiconductor",
    "energy-resources",
    "food-beverage",
    "hospitality-tourism",
    "information-technology",
    "political",
]
DOMAINS = [f"{name}.com" for name in ("reuters", "cnbc", "ft", "bloomberg", "apnews", "wsj", "bbc", "heise")]
SUBJECTS = ["Tesla", "OPEC", "Airbus", "Nvidia", "The Fed", "The ECB", "Boeing", "Nestle", "Bayer", "Toyota"]
VERBS = ["raises", "cuts", "beats", "misses", "warns on", "expands", "delays", "boosts", "targets", "reviews"]
OBJECTS = [
    "oil prices",
    "interest rates",
    "quarterly earnings",
    "chip supply",
    "crop forecasts",
    "jet deliveries",
    "battery output",
    "tourism outlook",
    "crypto rules",
    "export controls",
]
# A small Zipf-ish vocabulary so that common words are common and rare ones rare.
_VOCAB_TEXT = (
    "market company shares growth demand supply price prices rate rates bank banks banking energy oil "
    "gas crude output production factory plant chip chips semiconductor memory cloud software data "
    "model models farmers wheat corn harvest exports imports tariff tariffs trade deal talks minister "
    "government election policy inflation economy recession jobs wages consumer retail sales brand "
    "hotel travel airline airport jet engine defense contract missile satellite launch vehicle electric "
    "battery charging car cars truck rail freight shipping port chemical plastics steel aluminium copper "
    "lithium mining investors analysts quarter revenue profit loss forecast outlook guidance dividend "
    "bond yields currency dollar euro yen stocks index futures regulator rules crypto bitcoin exchange"
)
VOCAB = _VOCAB_TEXT.split(" ")


def generate(n: int, seed: int = SEED) -> list[SearchDocument]:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(VOCAB))]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    docs = []
    for i in range(n):
        title = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        body_words = rng.choices(VOCAB, weights=weights, k=rng.randint(150, 450))
        primary = rng.choice(CATEGORIES)
        secondary = rng.sample(CATEGORIES, k=rng.randint(0, 2))
        at = start + timedelta(minutes=rng.randint(0, 60 * 24 * 300))
        docs.append(
            SearchDocument(
                id=f"doc-{i:05d}",
                url=f"https://news.example/{i}",
                title=title,
                summary=" ".join(body_words[:30]),
                body=" ".join(body_words),
                category=primary,
                categories=list(dict.fromkeys([primary, *secondary])),
                tags=rng.sample(OBJECTS, k=2),
                source_name="Example",
                source_domain=rng.choice(DOMAINS),
                language=rng.choice(["en"] * 9 + ["de"]),
                published_at=at,
                sort_at=at,
                reading_time_minutes=len(body_words) // 200 + 1,
                word_count=len(body_words),
            )
        )
    return docs


QUERIES: list[tuple[str, SearchQuery]] = [
    ("search box: 2 words + facets", SearchQuery(text="oil prices", facets=["category", "source"])),
    (
        "phrase, exclusion, category filter",
        SearchQuery(text='"interest rates" -crypto', filters=SearchFilters(category="banking-finance")),
    ),
    (
        "OR + date range, newest first",
        SearchQuery(
            text="tesla OR toyota",
            sort_by="publishedAt",
            filters=SearchFilters(
                published_from=datetime(2026, 3, 1, tzinfo=UTC), published_to=datetime(2026, 6, 1, tzinfo=UTC)
            ),
        ),
    ),
    (
        "category page (no text), domains",
        SearchQuery(filters=SearchFilters(category="energy-resources", source_domains=["reuters.com", "ft.com"])),
    ),
    ("deep page (offset 2000)", SearchQuery(text="market", offset=2_000, size=20)),
    ("category counts (facets only)", SearchQuery(size=1, facets=["category"])),
]


def _time(fn: Callable[[], object], repeats: int) -> list[float]:
    fn()  # warm up
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run(n_docs: int = N_DOCS, batch: int = BATCH, repeats: int = REPEATS) -> str:
    docs = generate(n_docs)
    lines = [f"tantivy adapter, {n_docs:,} generated documents, upserts in batches of {batch} (one commit each)"]
    with tempfile.TemporaryDirectory(prefix="newsflow-bench-") as tmp, TantivyIndex(tmp) as index:
        batch_ms: list[float] = []
        t0 = time.perf_counter()
        for start in range(0, len(docs), batch):
            b0 = time.perf_counter()
            failures = index.upsert(docs[start : start + batch])
            batch_ms.append((time.perf_counter() - b0) * 1000)
            if failures:
                raise RuntimeError(f"{len(failures)} documents failed: {failures[0]}")
        elapsed = time.perf_counter() - t0
        if index.count() != n_docs:
            raise RuntimeError(f"expected {n_docs} documents, index has {index.count()}")
        r0 = time.perf_counter()
        index.upsert(docs[:batch])  # the at-least-once retry path: same batch again
        retry_ms = (time.perf_counter() - r0) * 1000
        lines.append(
            f"indexing: {n_docs / elapsed:,.0f} docs/s ({elapsed:.2f} s); per batch p50 "
            f"{statistics.median(batch_ms):.0f} ms, max {max(batch_ms):.0f} ms; re-upsert of a batch {retry_ms:.0f} ms"
        )
        rows: list[list[object]] = []
        for label, query in QUERIES:
            result = index.search(query)
            samples = _time(partial(index.search, query), repeats)
            rows.append(
                [
                    label,
                    f"{percentile(samples, 50):.2f}",
                    f"{percentile(samples, 95):.2f}",
                    f"{len(result.hits)}/{result.total}",
                ]
            )
        samples = _time(partial(index.get, "doc-04242"), repeats)
        rows.append(["get by id", f"{percentile(samples, 50):.2f}", f"{percentile(samples, 95):.2f}", "1"])
    lines.append("")
    lines.append(table([f"query ({repeats} runs)", "p50 ms", "p95 ms", "hits/total"], rows))
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
