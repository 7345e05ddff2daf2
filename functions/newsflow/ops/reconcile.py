"""Reconcile the search index with the table (the source of truth), month by month, and repair the drift.

The stream keeps the index in step, and the index-failures replay re-applies what the stream gave up on. What
neither can see (an on-failure record that expired, an index restored from an old snapshot, a bug) is drift:
an article missing from the index, indexed at an older version, or indexed but gone from the table.

For every month (of `sort_at`) the table side and the index side each give a count and a version digest
(sha256 over the sorted `id:version` lines). Months whose count and digest agree are in step. In the others,
the articles missing or stale in the index are upserted from the table, and the orphans are deleted. The
report carries the figures per month; the ops handler publishes the drift as the `IndexDrift` metric, which
the monitoring alarm watches.

Plain Python: the table and the index come in through the ops ports.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from newsflow.ops.models import ReconcileRequest
from newsflow.ops.ports import ArticleTable
from newsflow.ops.replay import reindex_articles
from newsflow.search.port import SearchFilters, SearchIndex, SearchQuery
from newsflow.store import keys
from newsflow.store.codec import article_keys

PAGE_SIZE = 1000


class MonthDrift(BaseModel):
    month: str
    table_count: int
    index_count: int
    table_digest: str
    index_digest: str
    missing: int = Field(default=0, description="In the table, not in the index.")
    stale: int = Field(default=0, description="In the index at another version than the table's.")
    orphans: int = Field(default=0, description="In the index, not in the table.")
    repaired: int = 0

    @property
    def in_step(self) -> bool:
        return self.table_count == self.index_count and self.table_digest == self.index_digest


class ReconcileReport(BaseModel):
    status: str = "ok"
    months_checked: int = 0
    drift: int = Field(default=0, description="Articles missing, stale or orphaned, over every month checked.")
    repaired: int = 0
    problems: list[str] = Field(default_factory=list)
    months: list[MonthDrift] = Field(default_factory=list, description="Only the months that were out of step.")


def digest(versions: dict[str, int]) -> str:
    lines = "\n".join(f"{article_id}:{versions[article_id]}" for article_id in sorted(versions))
    return hashlib.sha256(lines.encode()).hexdigest()[:16]


def table_versions(table: ArticleTable, page_size: int = PAGE_SIZE) -> dict[str, dict[str, int]]:
    """month -> {article id -> version}, from a scan of the article items (keys and clear attributes only)."""
    months: dict[str, dict[str, int]] = defaultdict(dict)
    start: dict[str, str] | None = None
    while True:
        items, start = table.article_page(start, page_size)
        for item in items:
            article_id, sort_at, version = article_keys(item)
            months[keys.month_of(sort_at)][article_id] = version
        if start is None:
            return dict(months)


def _month_bounds(month: str) -> tuple[datetime, datetime]:
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=UTC)
    return start, end


def index_versions(index: SearchIndex, month: str) -> dict[str, int]:
    """{article id -> version} of every document the index holds for the month (sort_at), paged in order."""
    start, end = _month_bounds(month)
    found: dict[str, int] = {}
    after: list[Any] | None = None
    while True:
        query = SearchQuery(
            filters=SearchFilters(published_from=start, published_to=end),
            sort_by="publishedAt",
            size=PAGE_SIZE,
            search_after=after,
            count=False,
        )
        hits = index.search(query).hits
        for hit in hits:
            found[hit.id] = hit.document.version
        if len(hits) < PAGE_SIZE:
            return found
        after = hits[-1].sort


def reconcile(
    request: ReconcileRequest,
    table: ArticleTable,
    index: SearchIndex,
    *,
    seconds_left: Callable[[], float] = lambda: float("inf"),
) -> ReconcileReport:
    report = ReconcileReport()
    by_month = table_versions(table)
    months = sorted(by_month, reverse=True)
    if request.months:
        months = months[: request.months]
    for month in months:
        if seconds_left() < 30:
            report.problems.append(f"stopped before {month}: out of time (run again)")
            break
        in_table = by_month[month]
        in_index = index_versions(index, month)
        report.months_checked += 1
        drift = MonthDrift(
            month=month,
            table_count=len(in_table),
            index_count=len(in_index),
            table_digest=digest(in_table),
            index_digest=digest(in_index),
        )
        if drift.in_step:
            continue
        missing = [i for i in in_table if i not in in_index]
        stale = [i for i in in_table if i in in_index and in_index[i] != in_table[i]]
        orphans = [i for i in in_index if i not in in_table]
        drift.missing, drift.stale, drift.orphans = len(missing), len(stale), len(orphans)
        report.drift += len(missing) + len(stale) + len(orphans)
        if not request.dry_run:
            # Orphans are re-read too: an article whose sort_at moved to another month is upserted, not lost.
            upserted, deleted, problems = reindex_articles([*missing, *stale, *orphans], table, index)
            drift.repaired = len(upserted) + len(deleted)
            report.repaired += drift.repaired
            if problems:
                report.problems.append(f"{month}: {problems}"[:500])
        report.months.append(drift)
    return report
