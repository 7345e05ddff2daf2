"""API benchmark: 100,000 generated articles in a tantivy index (temp dir, in-process), served by the
QueryService and by the api Lambda handler (API Gateway REST proxy events), plus the handler's cold import.

Rows: the search box with filters + facets + highlights (a typical query, and the worst case of this
synthetic corpus, whose small vocabulary makes "oil prices" match 96 % of the articles), a category page,
page 500 of "Latest" (keyset paging: the cursor of page 499 is walked to first), collapse=story,
What's Hot, categories. p50/p95 over REPEATS runs after a warm-up. Indexing throughput counts
SearchDocument -> tantivy upserts in batches (one commit each), as the index function does.

    python -m benchmarks api
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from newsflow.api.params import ArticlesParams, SearchParams, TopHeadlinesParams
from newsflow.api.service import QueryService
from newsflow.search.port import SearchDocument
from newsflow.search.tantivy_index import TantivyIndex

from benchmarks.bench_search import CATEGORIES, DOMAINS, OBJECTS, SUBJECTS, VERBS, VOCAB
from benchmarks.common import REPO_ROOT, import_time_ms, percentile, table

N_DOCS = 100_000
BATCH = 5_000
REPEATS = 200
DEEP_PAGE = 500
SEED = 20_261_120
START = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 60 * 24 * 300
NAIVE = "aws_lambda_powertools.event_handler, boto3, pydantic"


def generate(n: int, seed: int = SEED) -> list[SearchDocument]:
    """News-like documents; ~35 % belong to multi-source stories published within six hours."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(VOCAB))]
    open_stories: list[tuple[str, datetime, str]] = []
    docs = []
    for i in range(n):
        story_id = None
        if open_stories and rng.random() < 0.35:
            story_id, base, title = rng.choice(open_stories)
            at = base + timedelta(minutes=rng.randint(0, 360))
        else:
            title = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
            at = START + timedelta(minutes=rng.randint(0, SPAN_MINUTES), seconds=rng.randint(0, 59))
            if rng.random() < 0.3:
                open_stories.append((f"story-{i}", at, title))
                open_stories = open_stories[-200:]
                story_id = f"story-{i}"
        body_words = rng.choices(VOCAB, weights=weights, k=rng.randint(150, 450))
        primary = rng.choice(CATEGORIES)
        domain = rng.choice(DOMAINS)
        docs.append(
            SearchDocument(
                id=f"{i:032x}",
                url=f"https://{domain}/{i}",
                title=title,
                summary=" ".join(body_words[:30]),
                body=" ".join(body_words),
                category=primary,
                categories=list(dict.fromkeys([primary, *rng.sample(CATEGORIES, k=rng.randint(0, 2))])),
                tags=rng.sample(OBJECTS, k=2),
                source_name=domain.split(".")[0].title(),
                source_domain=domain,
                language=rng.choice(["en"] * 9 + ["de"]),
                published_at=at,
                sort_at=at,
                reading_time_minutes=len(body_words) // 200 + 1,
                word_count=len(body_words),
                story_id=story_id,
            )
        )
    return docs


class _NoTable:
    def get(self, article_id: str) -> None:
        return None

    def ping(self) -> bool:
        return True


def _time(fn: Callable[[], object], repeats: int) -> list[float]:
    fn()  # warm up
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _naive_import_ms(runs: int = 3) -> float:
    code = f"import time; t=time.perf_counter(); import {NAIVE}; print((time.perf_counter()-t)*1000)"
    best = float("inf")
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
        ).stdout
        best = min(best, float(out))
    return best


def _first_request_ms(runs: int = 3) -> float:
    """Handler import plus what the first request loads lazily (boto3 clients' modules, store, search)."""
    code = (
        "import time; t=time.perf_counter(); import newsflow.handlers.api; "
        "import newsflow.api.service, newsflow.aws, newsflow.store.dynamo, newsflow.handlers.index, "
        "newsflow.search.tantivy_index; print((time.perf_counter()-t)*1000)"
    )
    best = float("inf")
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO_ROOT,
            env={"PYTHONPATH": str(REPO_ROOT / "functions"), "PATH": "/usr/bin:/bin"},
        ).stdout
        best = min(best, float(out))
    return best


def run(n_docs: int = N_DOCS, batch: int = BATCH, repeats: int = REPEATS) -> str:
    from newsflow.handlers import api as handler
    from newsflow.local.context import LocalLambdaContext
    from newsflow.local.events import api_gateway_event

    g0 = time.perf_counter()
    docs = generate(n_docs)
    generated_s = time.perf_counter() - g0
    lines = [f"api over tantivy: {n_docs:,} generated articles ({generated_s:.1f} s to generate)"]
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory(prefix="newsflow-bench-api-") as tmp, TantivyIndex(tmp) as index:
        t0 = time.perf_counter()
        for start in range(0, len(docs), batch):
            failures = index.upsert(docs[start : start + batch])
            if failures:
                raise RuntimeError(f"{len(failures)} documents failed: {failures[0]}")
        elapsed = time.perf_counter() - t0
        lines.append(f"indexing: {n_docs / elapsed:,.0f} articles/s ({elapsed:.1f} s, batches of {batch:,})")
        now = max(d.sort_at for d in docs)
        service = QueryService(_NoTable(), index, now=lambda: now)  # type: ignore[arg-type]

        def latest_cursor(page: int) -> str:
            cursor = None
            for _ in range(page - 1):
                params = {"pageSize": 20, **({"cursor": cursor} if cursor else {})}
                cursor = service.list_articles(ArticlesParams.model_validate(params)).next_cursor
                assert cursor
            return cursor or ""

        w0 = time.perf_counter()
        deep = latest_cursor(DEEP_PAGE)
        walk_ms = (time.perf_counter() - w0) * 1000 / (DEEP_PAGE - 1)
        search_params = {
            "q": "oil prices",
            "category": "energy-resources",
            "language": "en",
            "from": "2026-03-01",
            "facets": "category,source,language,month",
            "highlight": "true",
        }
        typical = {**search_params, "q": "tesla battery"}
        cases: list[tuple[str, dict[str, Any], Callable[[], Any]]] = [
            (
                "search 'tesla battery' (0.6 % match) + filters + facets + hl",
                {"path": "/v1/search", "q": typical},
                lambda: service.search(SearchParams.model_validate(typical)),
            ),
            (
                "search 'oil prices' (96 % match) + filters + 4 facets + hl",
                {"path": "/v1/search", "q": search_params},
                lambda: service.search(SearchParams.model_validate(search_params)),
            ),
            (
                "articles by category (page 1)",
                {"path": "/v1/articles", "q": {"category": "energy-resources"}},
                lambda: service.list_articles(ArticlesParams(category="energy-resources")),
            ),
            (
                f"latest, page {DEEP_PAGE} (keyset cursor)",
                {"path": "/v1/articles", "q": {"cursor": deep}},
                lambda: service.list_articles(ArticlesParams(cursor=deep)),
            ),
            (
                "latest, collapse=story",
                {"path": "/v1/articles", "q": {"collapse": "story"}},
                lambda: service.list_articles(ArticlesParams(collapse="story")),
            ),
            (
                "top-headlines window=7d",
                {"path": "/v1/top-headlines", "q": {"window": "7d"}},
                lambda: service.top_headlines(TopHeadlinesParams(window="7d")),
            ),
            ("categories (counts + latestAt)", {"path": "/v1/categories", "q": {}}, service.categories),
        ]
        handler.service = lambda: service  # type: ignore[assignment]  # serve this index through the handler
        context = LocalLambdaContext("api")
        for label, request, direct in cases:
            in_process = _time(direct, repeats)
            query = "&".join(f"{k}={v}" for k, v in request["q"].items())
            event = api_gateway_event("GET", f"{request['path']}?{query}", {"Host": "bench"}, b"", "127.0.0.1")

            def via_handler(event: dict[str, Any] = event, label: str = label) -> None:
                response = handler.lambda_handler(event, context)
                if response["statusCode"] != 200:
                    raise RuntimeError(f"{label}: {response['statusCode']} {response['body'][:200]}")

            through = _time(via_handler, repeats)
            rows.append(
                [
                    label,
                    f"{percentile(in_process, 50):.2f}",
                    f"{percentile(in_process, 95):.2f}",
                    f"{percentile(through, 50):.2f}",
                    f"{percentile(through, 95):.2f}",
                ]
            )
    lines.append(f"walking to page {DEEP_PAGE} of latest: {walk_ms:.2f} ms per page on average")
    lines.append("")
    lines.append(
        table([f"query ({repeats} runs)", "service p50 ms", "service p95 ms", "handler p50 ms", "handler p95 ms"], rows)
    )
    api_cumulative, api_wall = import_time_ms("newsflow.handlers.api")
    naive = _naive_import_ms()
    first = _first_request_ms()
    lines.append("")
    lines.append(
        table(
            ["cold import", "ms"],
            [
                ["newsflow.handlers.api (importtime cumulative)", f"{api_cumulative:.0f}"],
                ["newsflow.handlers.api (wall)", f"{api_wall:.0f}"],
                ["+ modules the first request loads (boto3, store, tantivy adapter), wall", f"{first:.0f}"],
                [f"naive baseline: import {NAIVE} (wall)", f"{naive:.0f}"],
            ],
        )
    )
    return "## API (QueryService and api handler)\n\n" + "\n".join(lines)


if __name__ == "__main__":
    print(run())
