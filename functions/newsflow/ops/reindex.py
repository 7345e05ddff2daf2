"""Rebuild the search index from the article table in resumable steps, then swap it in atomically.

One step scans table pages into a new index (`VersionedIndex.create`: OpenSearch `<alias>-v<n+1>`, or a
tantivy generation) until its time budget is spent, and returns a cursor (the new index's name, the phase
and the scan key to continue from). The caller passes the cursor back until the report says `done`, so a
rebuild larger than one Lambda invocation (15 minutes) completes over several. Phases:

- fill: every article of the table;
- catch-up: a second scan, for articles written while the fill ran (upserts are idempotent);
- swap: make the new index live in one atomic step (alias swap / CURRENT rename); optionally drop the old.

A write that lands between the catch-up scan and the swap is only in the old index until the article
changes again: run reindex when ingest is quiet, or twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from newsflow.ops.models import ReindexCursor, ReindexReport, ReindexRequest
from newsflow.ops.ports import ArticleTable, VersionedIndex
from newsflow.search.port import SearchDocument
from newsflow.store.codec import item_to_article
from newsflow.stories.indexed import indexed_document

MAX_REPORTED_FAILURES = 5


class ReindexError(RuntimeError):
    """The reindex cannot continue (e.g. the index a cursor names is gone)."""


def _documents(items: list[dict[str, object]], problems: list[str]) -> list[SearchDocument]:
    documents: list[SearchDocument] = []
    for item in items:
        try:
            documents.append(indexed_document(item_to_article(dict(item))))
        except Exception as exc:
            problems.append(f"{item.get('pk')}: undecodable article: {exc}")
    return documents


def reindex_step(
    request: ReindexRequest,
    table: ArticleTable,
    target: VersionedIndex,
    *,
    now: datetime,
    seconds_left: Callable[[], float],
) -> ReindexReport:
    """Run one step (at least one scan page, then until `seconds_left()` drops below zero)."""
    if request.cursor is None:
        cursor = ReindexCursor(index=target.create(request.shards, request.replicas), started_at=now)
    else:
        cursor = request.cursor.model_copy(deep=True)
        if not target.exists(cursor.index):
            raise ReindexError(f"the index being built ({cursor.index}) no longer exists: start the reindex again")
    problems: list[str] = []
    first = True
    while cursor.phase in ("fill", "catch-up"):
        if not first and seconds_left() <= 0:
            target.flush(cursor.index)
            return _report(cursor, done=False, problems=problems)
        first = False
        items, next_key = table.article_page(cursor.start_key, request.page_size)
        documents = _documents(items, problems)
        failures = target.upsert(cursor.index, documents) if documents else []
        problems += [f"{f.id}: {f.reason}" for f in failures]
        bad = len(items) - len(documents) + len(failures)
        if cursor.phase == "fill":
            cursor.written += len(items) - bad
            cursor.failed += bad
        else:
            cursor.caught_up += len(items) - bad
        cursor.pages += 1
        cursor.start_key = next_key
        if next_key is None:
            cursor.phase = "catch-up" if cursor.phase == "fill" else "swap"
    target.flush(cursor.index)
    old = target.swap(cursor.index)
    deleted: list[str] = []
    if request.delete_old:
        for name in old:
            target.drop(name)
            deleted.append(name)
    report = _report(cursor, done=True, problems=problems)
    report.old_indices, report.deleted_indices = old, deleted
    return report


def _report(cursor: ReindexCursor, *, done: bool, problems: list[str]) -> ReindexReport:
    return ReindexReport(
        done=done,
        cursor=None if done else cursor,
        index=cursor.index,
        written=cursor.written,
        failed=cursor.failed,
        caught_up=cursor.caught_up,
        failures=problems[:MAX_REPORTED_FAILURES],
    )
