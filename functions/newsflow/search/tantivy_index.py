"""The embedded `SearchIndex`: tantivy on local disk (the local stack's default backend).

Layout: title/summary/body are full text (`en_stem`: split on non-alphanumerics, lower-case,
drop tokens >= 40 bytes, Snowball English stemmer) and stored; keyword fields are raw fast fields
(filters and terms aggregations, including `month` = "yyyy-mm" of sort_at, because tantivy date
histograms only take a fixed interval, never calendar months); `sort_at_us` is the exact sort/range
key (epoch microseconds: tantivy date fast fields keep only seconds). The rest of the SearchDocument
is stored as a JSON blob, so `get` and hits return a complete document.

Queries: `newsflow.search.plan.plan_query` decides what a search matches, ranks, pages, facets and highlights
(the same plan the OpenSearch adapter renders to DSL); `tantivy_query.TantivyQueries` renders it into tantivy
query objects. User text never reaches tantivy's query-language parser.

Paging. `publishedAt` order is (sort_at_us desc, id asc); `search_after` = [sort_at_us, id] becomes
a range filter `sort_at_us < last` plus, for the (rare) documents sharing `last`, those with a
larger id; so any page costs the same, however deep, and arrivals never shift it. Relevancy paging
pins a *snapshot*: the tantivy searcher of the first page's index generation (segments are immutable, so
it keeps seeing exactly that corpus), shared by every walk of that generation and kept for
SNAPSHOT_TTL_SECONDS after its last use (`_Pins`); pages are offsets into it. A cursor whose snapshot
expired raises `SnapshotExpired` (the API answers 410 cursorExpired): it never silently continues on the
live index, where scores have moved.

Concurrency: one process owns the index (tantivy allows one writer per index). One instance is
shared by a writer thread and API threads: writes are serialised by a lock and end with a commit
and a reader reload, so a search started after `upsert` returns sees the new documents. Reads take
no lock.

Generations (no-downtime rebuilds). `path` is either an index itself or a directory holding
generation sub-directories and a `CURRENT` file naming the live one. `newsflow reindex` builds a new
generation beside the live one and swaps `CURRENT` atomically (`os.replace`); a running process
notices within a second and reopens on the new generation.

Schema versioning: `newsflow-schema.json` beside the index records SCHEMA_VERSION. Opening an
index written with another version (or another tantivy schema) raises `IndexSchemaMismatch`
telling to rebuild; `TantivyIndex(path, rebuild=True)` wipes it and starts empty (then reindex).
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import tantivy

from newsflow.search.aggs import derived_source_fields, parse_story_sources, story_sources_aggs
from newsflow.search.plan import Facet, epoch_micros, plan_query
from newsflow.search.port import (
    IndexFailure,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResult,
    SnapshotExpired,
    SortValue,
    StorySources,
)
from newsflow.search.query import (
    TEXT_FIELD_BOOSTS,
)
from newsflow.search.tantivy_query import TantivyQueries, build_analyzer

SCHEMA_VERSION: Final = 4  # 3: syndicated + source_total (What's Hot counts verbatim copies); 4: story_keys
SCHEMA_MARKER: Final = "newsflow-schema.json"
CURRENT_FILE: Final = "CURRENT"
SNAPSHOT_TTL_SECONDS: Final = 300.0
MAX_PINNED_GENERATIONS: Final = 1024
MAX_TIES: Final = 10_000
FOLLOW_CHECK_SECONDS: Final = 1.0

TEXT_FIELDS: Final = TEXT_FIELD_BOOSTS

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_STORED_TEXT: Final = ("title", "summary", "body")
DECODED_CACHE: Final = 2048  # decoded documents kept (by stored content): a few front pages' worth
TIES_READ_MAX: Final = 64  # a tie group of up to this many hits is ordered by its stored ids, not by another search
_KEYWORDS: Final = (
    "category",
    "categories",
    "tags",
    "source_domain",
    "source_id",
    "publisher",
    "language",
    "month",
    "story_id",
    "syndicated",
    "story_keys",
)
PUBLISHER_SEPARATOR: Final = "\x1f"


_FacetCounts = tuple[dict[str, dict[str, int]], dict[str, dict[str, datetime]], dict[str, int]]
BESIDE_THREADS: Final = 4  # aggregations running beside their searches, process-wide
_beside_pool: ThreadPoolExecutor | None = None
_beside_lock = threading.Lock()


def _beside() -> ThreadPoolExecutor:
    """The threads that run a search's facet aggregation beside the search itself (created on first use)."""
    global _beside_pool
    with _beside_lock:
        if _beside_pool is None:
            _beside_pool = ThreadPoolExecutor(BESIDE_THREADS, thread_name_prefix="tantivy-facets")
        return _beside_pool


class IndexSchemaMismatch(RuntimeError):
    """The index on disk was written with another schema: rebuild it and reindex."""


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for name in TEXT_FIELDS:
        sb.add_text_field(name, stored=True, tokenizer_name="en_stem")
    for name in _KEYWORDS:
        sb.add_text_field(name, tokenizer_name="raw", fast=True)
    sb.add_date_field("sort_at", indexed=True, fast=True)
    sb.add_date_field("published_at", indexed=True, fast=True)
    sb.add_integer_field("sort_at_us", indexed=True, fast=True)
    for name in ("reading_time_minutes", "word_count", "version", "source_total"):
        sb.add_integer_field(name, indexed=True, fast=True)
    sb.add_bytes_field("doc", stored=True)
    return sb.build()


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def from_epoch_micros(value: float) -> datetime:
    return _EPOCH + timedelta(microseconds=int(value))


def all_categories(doc: SearchDocument) -> list[str]:
    """Primary first, then the secondary slugs, without duplicates."""
    return list(dict.fromkeys([doc.category, *doc.categories]))


def publisher_key(doc: SearchDocument) -> str | None:
    """id, name and domain of the source in one keyword (the /sources listing reads it back)."""
    if not doc.source_id:
        return None
    return PUBLISHER_SEPARATOR.join([doc.source_id, doc.source_name or "", (doc.source_domain or "").lower()])


def sort_values(doc: SearchDocument, score: float | None) -> list[SortValue]:
    key: list[SortValue] = [epoch_micros(doc.sort_at), doc.id]
    return key if score is None else [score, *key]


def render_snippet(text: str, snippet: tantivy.Snippet, whole: bool) -> str | None:
    """HTML-escaped text with the snippet's matches wrapped in <mark>; None when nothing matched.

    `whole`: mark the complete `text` (titles), else only the snippet's fragment. tantivy reports
    byte offsets (relative to the fragment), so the work is done on UTF-8 bytes.
    """
    spans = sorted((h.start, h.end) for h in snippet.highlighted())
    if not spans:
        return None
    if whole:
        source = text
        shift = snippet.fragment_range().start
    else:
        source = snippet.fragment()
        shift = 0
    # ASCII text (most of it): byte offsets are character offsets, so slice the string itself
    raw: str | bytes = source if source.isascii() else source.encode("utf-8")
    out: list[str] = []
    pos = 0
    for start, end in spans:
        start, end = start + shift, end + shift
        if start < pos or end > len(raw):
            continue
        out.append(html.escape(_text(raw[pos:start])))
        out.append("<mark>" + html.escape(_text(raw[start:end])) + "</mark>")
        pos = end
    out.append(html.escape(_text(raw[pos:])))
    return "".join(out)


def _text(piece: str | bytes) -> str:
    return piece if isinstance(piece, str) else piece.decode("utf-8", "replace")


class _Pins:
    """Searchers pinned for relevancy walks, one per index *generation* (a commit), not one per search.

    Every first page of a relevancy search pins the searcher of the generation it ran on, or joins the pin
    already held for that generation, so any number of concurrent searches share a handful of searchers
    and no search can push out another's (there is no size-based eviction). A pin expires
    SNAPSHOT_TTL_SECONDS after its last use; a cursor naming an expired pin gets `SnapshotExpired`. The
    snapshot id is `<index epoch>.<generation>`: the epoch changes when the index is reopened, so a cursor
    from before a restart or a reindex swap expires instead of reading another corpus. Memory is bounded by
    the commits made while someone is paging (each pin keeps its segments open); past MAX_PINNED_GENERATIONS
    a first page joins the newest pin instead of pinning a new one (a consistent snapshot at most that
    stale: paging stays exact).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, tuple[tantivy.Searcher, float]] = {}

    def get(self, snapshot_id: str) -> tantivy.Searcher | None:
        now = time.monotonic()
        with self._lock:
            found = self._held.get(snapshot_id)
            if found is None or found[1] < now:
                self._held.pop(snapshot_id, None)
                return None
            self._held[snapshot_id] = (found[0], now + SNAPSHOT_TTL_SECONDS)
            return found[0]

    def pin(self, snapshot_id: str, fresh: tantivy.Searcher) -> tuple[str, tantivy.Searcher]:
        """The searcher held for this generation (pinning `fresh` if none is); returns (id, searcher)."""
        now = time.monotonic()
        with self._lock:
            for key in [k for k, (_, expires) in self._held.items() if expires < now]:
                del self._held[key]
            found = self._held.get(snapshot_id)
            if found is None and len(self._held) >= MAX_PINNED_GENERATIONS:
                snapshot_id = max(self._held, key=_generation_of)
                found = self._held[snapshot_id]
            searcher = found[0] if found is not None else fresh
            self._held[snapshot_id] = (searcher, now + SNAPSHOT_TTL_SECONDS)
            return snapshot_id, searcher

    def __len__(self) -> int:
        with self._lock:
            return len(self._held)

    def clear(self) -> None:
        with self._lock:
            self._held.clear()


def _generation_of(snapshot_id: str) -> int:
    return int(snapshot_id.rsplit(".", 1)[-1])


def live_generation(root: Path) -> Path:
    """The directory holding the live index under `root` (root itself unless CURRENT names a generation)."""
    try:
        name = (root / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return root
    return root / name if name and "/" not in name and name not in {".", ".."} else root


def new_generation(root: Path) -> Path:
    """A fresh, empty generation directory under `root` (not live until `activate_generation`)."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
    path.mkdir()
    return path


def activate_generation(root: Path, generation: Path) -> None:
    """Make `generation` live (atomic rename of CURRENT); keep the previous one, drop older ones."""
    previous = live_generation(root)
    tmp = root / f".{CURRENT_FILE}.{uuid.uuid4().hex[:6]}"
    tmp.write_text(generation.name, encoding="utf-8")
    os.replace(tmp, root / CURRENT_FILE)
    keep = {generation.name, previous.name}
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith("gen-") and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


class TantivyIndex:
    """`SearchIndex` on a local directory. Thread-safe; one instance (one process) per directory."""

    def __init__(
        self,
        path: str | Path,
        *,
        rebuild: bool = False,
        writer_heap_bytes: int = 96_000_000,
        writer_threads: int | None = None,
        follow_generations: bool = True,
    ) -> None:
        self._root = Path(path)
        self._schema = build_schema()
        self._q = TantivyQueries(self._schema, build_analyzer())
        self._lock = threading.Lock()
        self._writer: tantivy.IndexWriter | None = None
        self._heap = writer_heap_bytes
        self._threads = writer_threads or max(1, min(os.cpu_count() or 1, 4))
        self._follow = follow_generations
        self._snapshots = _Pins()
        self._epoch = uuid.uuid4().hex[:12]
        self._generation = 0
        self._path = live_generation(self._root)
        self._checked_at = time.monotonic()
        self._index = self._open(rebuild)

    @property
    def path(self) -> Path:
        """The directory of the live generation."""
        return self._path

    # ------------------------------------------------------------------------------- lifecycle

    def _open(self, rebuild: bool) -> tantivy.Index:
        self._path.mkdir(parents=True, exist_ok=True)
        marker = self._path / SCHEMA_MARKER
        if tantivy.Index.exists(str(self._path)):
            found = _read_marker(marker)
            if found != SCHEMA_VERSION:
                if not rebuild:
                    raise IndexSchemaMismatch(self._mismatch(f"schema version {found}"))
                self._wipe()
        try:
            index = tantivy.Index(self._schema, path=str(self._path), reuse=True)
        except ValueError as exc:
            if "schema" not in str(exc).lower():
                raise
            if not rebuild:
                raise IndexSchemaMismatch(self._mismatch(f"a different tantivy schema ({exc})")) from exc
            self._wipe()
            index = tantivy.Index(self._schema, path=str(self._path), reuse=True)
        marker.write_text(json.dumps({"schema_version": SCHEMA_VERSION}), encoding="utf-8")
        index.reload()
        return index

    def _mismatch(self, found: str) -> str:
        return (
            f"search index at {self._path} was written with {found}; this code needs schema version "
            f"{SCHEMA_VERSION}. Rebuild it: delete the directory (or open with rebuild=True) and "
            "run `newsflow reindex` to repopulate it from the article table."
        )

    def _wipe(self) -> None:
        # Only ever called on a directory that tantivy recognised as an index.
        shutil.rmtree(self._path)
        self._path.mkdir(parents=True)

    def _follow_generation(self) -> None:
        """Reopen on the live generation when `newsflow reindex` swapped it (checked at most once a second)."""
        if not self._follow:
            return
        now = time.monotonic()
        if now - self._checked_at < FOLLOW_CHECK_SECONDS:
            return
        self._checked_at = now
        live = live_generation(self._root)
        if live == self._path:
            return
        with self._lock:
            if live == self._path:
                return
            writer, self._writer = self._writer, None
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.wait_merging_threads()
            self._path = live
            self._index = self._open(rebuild=False)
            self._snapshots.clear()
            self._epoch = uuid.uuid4().hex[:12]

    def close(self) -> None:
        """Release the writer (and its lock file) after letting pending merges finish."""
        with self._lock:
            writer, self._writer = self._writer, None
            if writer is not None:
                writer.wait_merging_threads()
        self._snapshots.clear()

    def __enter__(self) -> TantivyIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _get_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self._index.writer(heap_size=self._heap, num_threads=self._threads)
        return self._writer

    # ---------------------------------------------------------------------------------- writes

    def upsert(self, documents: Sequence[SearchDocument]) -> list[IndexFailure]:
        if not documents:
            return []
        self._follow_generation()
        failures: list[IndexFailure] = []
        prepared: list[tuple[str, tantivy.Document]] = []
        for doc in documents:
            try:
                prepared.append((doc.id, self._to_tantivy(doc)))
            except Exception as exc:  # one bad document must not sink the batch
                failures.append(IndexFailure(id=doc.id, reason=f"invalid document: {exc}"))
        if not prepared:
            return failures
        ids = [doc_id for doc_id, _ in prepared]
        with self._lock:
            try:
                writer = self._get_writer()
            except Exception as exc:
                return failures + _all_failed(ids, f"index writer unavailable: {exc}")
            try:
                for doc_id, tdoc in prepared:
                    writer.delete_documents_by_term("id", doc_id)
                    writer.add_document(tdoc)
                writer.commit()
            except Exception as exc:
                self._rollback()
                return failures + _all_failed(ids, f"index write failed: {exc}")
            self._index.reload()
            self._generation += 1
        return failures

    def delete(self, ids: Sequence[str]) -> list[IndexFailure]:
        if not ids:
            return []
        self._follow_generation()
        with self._lock:
            try:
                writer = self._get_writer()
                for doc_id in ids:
                    writer.delete_documents_by_term("id", doc_id)
                writer.commit()
            except Exception as exc:
                self._rollback()
                return _all_failed(ids, f"index delete failed: {exc}")
            self._index.reload()
            self._generation += 1
        return []

    def _rollback(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            with contextlib.suppress(Exception):  # the writer is dropped either way; the caller reports
                writer.rollback()

    def _to_tantivy(self, doc: SearchDocument) -> tantivy.Document:
        blob = doc.model_dump(mode="json", exclude=set(_STORED_TEXT))
        out = tantivy.Document()
        out.add_text("id", doc.id)
        out.add_text("title", doc.title)
        out.add_text("summary", doc.summary)
        out.add_text("body", doc.body)
        out.add_text("category", doc.category)
        for slug in all_categories(doc):
            out.add_text("categories", slug)
        for tag in doc.tags:
            out.add_text("tags", tag)
        if doc.source_domain:
            out.add_text("source_domain", doc.source_domain.lower())
        if doc.source_id:
            out.add_text("source_id", doc.source_id)
        publisher = publisher_key(doc)
        if publisher:
            out.add_text("publisher", publisher)
        if doc.language:
            out.add_text("language", doc.language)
        if doc.story_id:
            out.add_text("story_id", doc.story_id)
        for key in doc.story_keys:
            out.add_text("story_keys", key)
        out.add_text("month", doc.month)
        out.add_date("sort_at", _utc(doc.sort_at))
        out.add_integer("sort_at_us", epoch_micros(doc.sort_at))
        if doc.published_at is not None:
            out.add_date("published_at", _utc(doc.published_at))
        out.add_integer("reading_time_minutes", doc.reading_time_minutes)
        out.add_integer("word_count", doc.word_count)
        out.add_integer("version", doc.version)
        derived = derived_source_fields(doc)
        for key in derived["syndicated"]:
            out.add_text("syndicated", key)
        out.add_integer("source_total", derived["source_total"])
        out.add_bytes("doc", json.dumps(blob, ensure_ascii=False).encode("utf-8"))
        return out

    # ----------------------------------------------------------------------------------- reads

    def release_snapshot(self, snapshot: str) -> None:
        """A no-op: a pin is shared by every walk of its generation, so it only ever expires."""

    def get(self, doc_id: str) -> SearchDocument | None:
        self._follow_generation()
        searcher = self._index.searcher()
        hits = searcher.search(tantivy.Query.term_query(self._schema, "id", doc_id), limit=1).hits
        return _from_tantivy(searcher.doc(hits[0][1])) if hits else None

    def count(self) -> int:
        self._follow_generation()
        return int(self._index.searcher().num_docs)

    def ping(self) -> bool:
        try:
            return self._index.searcher().num_docs >= 0 and self._path.is_dir()
        except Exception:
            return False

    def search(self, query: SearchQuery) -> SearchResult:
        self._follow_generation()
        plan = plan_query(query)
        matching, text_query = self._q.text_parts(plan)
        full = self._q.with_filters(text_query, plan)
        by_date = plan.by_date or text_query is None  # text that analyses to nothing lists by date
        ascending = by_date and plan.reverse
        snapshot: str | None = None
        searcher = None
        if not by_date and plan.snapshot:
            searcher = self._snapshots.get(plan.snapshot)
            if searcher is None:
                raise SnapshotExpired(f"snapshot {plan.snapshot} has expired")
            snapshot = plan.snapshot
        elif not by_date and plan.keep_snapshot:
            generation = f"{self._epoch}.{self._generation}"
            snapshot, searcher = self._snapshots.pin(generation, self._index.searcher())
        if searcher is None:
            searcher = self._index.searcher()

        facets_pending: Future[_FacetCounts] | None = None
        if plan.facets:
            # Facets count the same documents without scoring them: the optional proximity clause
            # only adds to scores (never changes which documents match), so leave it out (~25 % of
            # the aggregation's cost on a broad query). tantivy releases the GIL while it aggregates
            # and searches, so the aggregation runs on another core beside the search below.
            facet_query = full if matching is text_query else self._q.with_filters(matching, plan)
            facets_pending = _beside().submit(self._facets, searcher, facet_query, plan.facets, plan.facet_latest)

        total: int | None = None
        if by_date:
            if plan.search_after:
                addrs = self._after_by_date(searcher, full, plan.search_after, plan.size, ascending)
            else:
                total, addrs = self._page_by_date(
                    searcher,
                    full,
                    plan.offset,
                    plan.offset + plan.size,
                    ascending=ascending,
                    ties_by_id=query.ties_by_id,
                    count=plan.count,
                )
            scored: list[tuple[float | None, tantivy.DocAddress]] = [(None, addr) for addr in addrs]
        else:
            limit = plan.offset + plan.size
            result = searcher.search(full, limit=limit, count=plan.count)
            total = _count(result) if plan.count else None
            scored = [(float(score), addr) for score, addr in result.hits[plan.offset : limit]]
        if total is None and plan.count:
            total = _count(searcher.search(full, limit=1, count=True))

        generators = self._snippet_generators(searcher, text_query, plan.highlights)
        hits = []
        for score, addr in scored:
            stored = searcher.doc(addr)
            doc = _from_tantivy(stored)
            highlights: dict[str, str] = {}
            for name, (generator, chars) in generators.items():
                text = getattr(doc, name)
                whole = name == "title" or len(text) <= chars  # short fields come back whole
                marked = render_snippet(text, generator.snippet_from_doc(stored), whole=whole)
                if marked:
                    highlights[name] = marked
            # typed values built here: no validation needed (a page's members are hundreds of hits)
            hits.append(
                SearchHit.model_construct(
                    id=doc.id,
                    score=score or 0.0,
                    document=doc,
                    sort=sort_values(doc, score),
                    highlights=highlights,
                )
            )
        facets, latest, other = facets_pending.result() if facets_pending is not None else ({}, {}, {})
        return SearchResult(
            total=total or 0,
            hits=hits,
            facets=facets,
            facet_latest=latest,
            facet_other=other,
            snapshot=snapshot,
        )

    def story_sources(self, query: SearchQuery, max_stories: int = 500) -> list[StorySources]:
        self._follow_generation()
        plan = plan_query(query)
        # An aggregation never scores: the matching part of the text query is enough (no proximity boost).
        matching, _ = self._q.text_parts(plan)
        full = self._q.with_filters(matching, plan)
        raw: dict[str, Any] = self._index.searcher().aggregate(full, story_sources_aggs(max_stories))
        return parse_story_sources(raw)

    def _snippet_generators(
        self, searcher: tantivy.Searcher, text_query: tantivy.Query | None, highlights: Sequence[tuple[str, int]]
    ) -> dict[str, tuple[tantivy.SnippetGenerator, int]]:
        """Per highlighted field: its snippet generator and snippet length."""
        if text_query is None:
            return {}
        generators = {}
        for name, chars in highlights:
            generator = tantivy.SnippetGenerator.create(searcher, text_query, self._schema, name)
            generator.set_max_num_chars(chars)
            generators[name] = (generator, chars)
        return generators

    def _after_by_date(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        after: Sequence[SortValue],
        size: int,
        reverse: bool,
    ) -> list[tantivy.DocAddress]:
        """The `size` hits strictly after the sort key `after` = [sort_at_us, id] (keyset paging)."""
        try:
            last_us, last_id = int(after[-2]), str(after[-1])
        except (IndexError, TypeError, ValueError):
            raise ValueError("search_after must end with [sort_at_us, id]") from None
        # Documents sharing the last timestamp: after the last id in id order (asc, or desc when reversed).
        tie_query = self._q.both(query, self._q.range("sort_at_us", last_us, last_us + 1))
        id_order = tantivy.Order.Desc if reverse else tantivy.Order.Asc
        tied = searcher.search(tie_query, limit=MAX_TIES, count=False, order_by_field="id", order=id_order)
        page = [addr for key, addr in tied.hits if (str(key) < last_id if reverse else str(key) > last_id)][:size]
        if len(page) < size:
            rest = (
                self._q.range("sort_at_us", last_us + 1, None)
                if reverse
                else self._q.range("sort_at_us", None, last_us)
            )
            _, more = self._page_by_date(searcher, self._q.both(query, rest), 0, size - len(page), ascending=reverse)
            page.extend(more)
        return page

    def _page_by_date(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        offset: int,
        limit: int,
        *,
        ascending: bool = False,
        ties_by_id: bool = True,
        count: bool = True,
    ) -> tuple[int | None, list[tantivy.DocAddress]]:
        """Hits [offset, limit) ordered by sort_at desc, then id asc (ascending: the exact inverse).

        tantivy orders by one fast field; equal timestamps come back in index order. Every group of
        equal timestamps that reaches into the page is re-read ordered by id (usually none: most
        timestamps are unique). Docs before a group all lie before it in the top-`limit` list,
        so a group's first position is known even when the group runs past the page.
        """
        order = tantivy.Order.Asc if ascending else tantivy.Order.Desc
        id_order = tantivy.Order.Desc if ascending else tantivy.Order.Asc
        result = searcher.search(query, limit=limit, count=count, order_by_field="sort_at_us", order=order)
        total = _count(result) if count else None
        keyed = [(int(key), addr) for key, addr in result.hits]
        if not ties_by_id:  # the caller takes equals in any order: no group is re-read (feeds share timestamps)
            return total, [addr for _, addr in keyed[offset:limit]]
        page: list[tantivy.DocAddress] = []
        pos = offset
        while pos < min(limit, len(keyed)):
            key = keyed[pos][0]
            first = pos
            while first > 0 and keyed[first - 1][0] == key:
                first -= 1
            end = pos
            while end + 1 < len(keyed) and keyed[end + 1][0] == key:
                end += 1
            runs_past = end == len(keyed) - 1 and len(keyed) == limit
            if first == end and not runs_past:
                page.append(keyed[pos][1])
                pos += 1
                continue
            stop = limit if runs_past else min(end + 1, limit)
            if not runs_past and end - first < TIES_READ_MAX:
                # The whole group is in hand: order it by the stored ids (a few doc reads) rather than by
                # another search (~2 ms each: with hour-rounded feed timestamps, most lookups had several)
                group = sorted(
                    (addr for _, addr in keyed[first : end + 1]),
                    key=lambda addr: str(searcher.doc(addr).get_first("id")),
                    reverse=ascending,
                )
                page.extend(group[pos - first : stop - first])
                pos = stop
                continue
            ties = self._q.both(query, self._q.range("sort_at_us", key, key + 1))
            tied = searcher.search(ties, limit=stop - first, count=False, order_by_field="id", order=id_order)
            page.extend(addr for _, addr in tied.hits[pos - first : stop - first])
            pos = stop
        return total, page

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query, facets: Sequence[Facet], with_latest: bool
    ) -> _FacetCounts:
        aggs: dict[str, Any] = {}
        for facet in facets:
            agg: dict[str, Any] = {"terms": {"field": facet.field, "size": facet.size}}
            if with_latest:
                agg["aggs"] = {"latest": {"max": {"field": "sort_at_us"}}}
            aggs[facet.name] = agg
        raw: dict[str, Any] = searcher.aggregate(query, aggs)
        counts: dict[str, dict[str, int]] = {}
        latest: dict[str, dict[str, datetime]] = {}
        other: dict[str, int] = {}
        for name in aggs:
            buckets = (raw.get(name) or {}).get("buckets", [])
            other[name] = int((raw.get(name) or {}).get("sum_other_doc_count") or 0)
            if name == "month":
                buckets = sorted(buckets, key=lambda b: str(b["key"]), reverse=True)
            counts[name] = {str(b["key"]): int(b["doc_count"]) for b in buckets}
            if with_latest:
                latest[name] = {
                    str(b["key"]): from_epoch_micros(b["latest"]["value"])
                    for b in buckets
                    if (b.get("latest") or {}).get("value") is not None
                }
        return counts, latest, other


def _from_tantivy(stored: tantivy.Document) -> SearchDocument:
    raw = stored.get_first("doc")
    texts = tuple(stored.get_first(name) or "" for name in _STORED_TEXT)
    return _decoded(bytes(raw) if raw is not None else b"", *texts)


@functools.lru_cache(maxsize=DECODED_CACHE)
def _decoded(blob: bytes, title: str, summary: str, body: str) -> SearchDocument:
    """The document these stored bytes hold, decoded once: the same stored content always decodes to the same
    document, so the key is the content itself (never stale, whatever commits or reindexes happen). The front
    pages' articles and their story members are read by nearly every request; validating them again cost
    ~40 % of a page's Python time. The instance is shared: callers never modify it."""
    payload = json.loads(blob.decode("utf-8")) if blob else {}
    payload.update(title=title, summary=summary, body=body)
    return SearchDocument.model_validate(payload)


def _count(result: tantivy.SearchResult) -> int:
    # `count` exists at runtime (search(..., count=True)) but is missing from tantivy's stub.
    return int(getattr(result, "count", 0) or 0)


def _read_marker(marker: Path) -> int | None:
    try:
        value = json.loads(marker.read_text(encoding="utf-8")).get("schema_version")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def _all_failed(ids: Iterable[str], reason: str) -> list[IndexFailure]:
    return [IndexFailure(id=doc_id, reason=reason) for doc_id in dict.fromkeys(ids)]
