"""NewsAPI-compatibility benchmark: each /v2 query beside the native /v1 query it maps onto (the baseline),
in the same run, on generated articles in a tantivy index (temp dir, in-process, services called directly).

Rows: everything by date (= /v1/search sortBy=publishedAt), by relevancy, page 10 (offset paging; /v1 walks
nine cursors to get there), sortBy=popularity (no /v1 counterpart: it ranks the matches by distinct
sources of their story), top-headlines (= /v1/top-headlines) and sources (= /v1/sources).
p50/p95 over REPEATS runs (popularity: SLOW_REPEATS) after a warm-up. The corpus's small vocabulary makes
"oil prices" match ~96 % of the articles: every row is the broad worst case.

    python -m benchmarks newsapi
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from newsflow.api.newsapi.mapping import NewsApiConfig
from newsflow.api.newsapi.params import EverythingParams, SourcesParams, TopHeadlinesParams
from newsflow.api.newsapi.service import NewsApiService
from newsflow.api.params import SearchParams
from newsflow.api.params import SourcesParams as NativeSourcesParams
from newsflow.api.params import TopHeadlinesParams as NativeTopHeadlinesParams
from newsflow.api.service import QueryService
from newsflow.search.tantivy_index import TantivyIndex

from benchmarks.bench_api import BATCH, _NoTable, _time, generate
from benchmarks.common import percentile, table

N_DOCS = 20_000
REPEATS = 100
SLOW_REPEATS = 20  # popularity: two aggregations over every match
PAGE = 10
WORDS = "oil prices"


def _native_page(queries: QueryService, page: int) -> Callable[[], object]:
    def walk() -> object:
        cursor = None
        for _ in range(page):
            params = SearchParams(q=WORDS, sortBy="publishedAt", pageSize=20, cursor=cursor)
            result = queries.search(params)
            cursor = result.next_cursor
        return result

    return walk


def run() -> str:
    docs = generate(N_DOCS)
    now = max(d.sort_at for d in docs) + timedelta(hours=1)
    with tempfile.TemporaryDirectory() as tmp:
        index = TantivyIndex(tmp, writer_threads=1)
        for start in range(0, len(docs), BATCH):
            index.upsert(docs[start : start + BATCH])
        queries = QueryService(cast(Any, _NoTable()), index, now=lambda: now)
        compat = NewsApiService(queries, index, NewsApiConfig(), now=lambda: now)
        cases: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = [
            (
                f'everything q="{WORDS}" sortBy=publishedAt',
                lambda: compat.everything(EverythingParams(q=WORDS, sortBy="publishedAt", pageSize=20)),
                lambda: queries.search(SearchParams(q=WORDS, sortBy="publishedAt", pageSize=20)),
            ),
            (
                f'everything q="{WORDS}" sortBy=relevancy',
                lambda: compat.everything(EverythingParams(q=WORDS, sortBy="relevancy", pageSize=20)),
                lambda: queries.search(SearchParams(q=WORDS, sortBy="relevancy", pageSize=20)),
            ),
            (
                f"everything page={PAGE} (v1: {PAGE} cursor pages)",
                lambda: compat.everything(EverythingParams(q=WORDS, sortBy="publishedAt", pageSize=20, page=PAGE)),
                _native_page(queries, PAGE),
            ),
            (
                "everything sortBy=popularity (depth 20)",
                lambda: compat.everything(EverythingParams(q=WORDS, sortBy="popularity", pageSize=20)),
                None,
            ),
            (
                "everything sortBy=popularity page=5 (depth 100)",
                lambda: compat.everything(EverythingParams(q=WORDS, sortBy="popularity", pageSize=20, page=5)),
                None,
            ),
            (
                "top-headlines language=en (What's Hot)",
                lambda: compat.top_headlines(TopHeadlinesParams(language="en", pageSize=20)),
                lambda: queries.top_headlines(NativeTopHeadlinesParams(language="en", pageSize=20)),
            ),
            (
                "sources language=en",
                lambda: compat.sources(SourcesParams(language="en")),
                lambda: queries.sources(NativeSourcesParams(language="en")),
            ),
        ]
        rows = []
        for name, v2, v1 in cases:
            new = _time(v2, SLOW_REPEATS if "popularity" in name else REPEATS)
            old = _time(v1, REPEATS) if v1 else []
            rows.append(
                [
                    name,
                    f"{percentile(new, 50):.2f}",
                    f"{percentile(new, 95):.2f}",
                    f"{percentile(old, 50):.2f}" if old else "—",
                    f"{percentile(old, 95):.2f}" if old else "—",
                ]
            )
    runs = f"{REPEATS} runs, popularity {SLOW_REPEATS}"
    head = f"## NewsAPI compatibility: /v2 beside /v1 ({N_DOCS:,} articles, tantivy, {runs}; ms)\n\n"
    return head + table(["query", "/v2 p50", "/v2 p95", "/v1 p50", "/v1 p95"], rows)
