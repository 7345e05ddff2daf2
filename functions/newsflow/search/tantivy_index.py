"""The embedded `SearchIndex`: tantivy on local disk (the local stack's default backend).

Layout: title/summary/body are full text (`en_stem`: split on non-alphanumerics, lower-case,
drop tokens >= 40 bytes, Snowball English stemmer) and stored; keyword fields are raw fast fields
(filters and terms aggregations); `sort_at_us` is the exact sort/range key (epoch microseconds:
tantivy date fast fields keep only seconds), `sort_at`/`published_at` are date fast fields for
date histograms. The rest of the SearchDocument is stored as a JSON blob, so `get` and hits return
a complete document.

Concurrency: one process owns the index (tantivy allows one writer per index). One instance is
shared by a writer thread and API threads: writes are serialised by a lock and end with a commit
and a reader reload, so a search started after `upsert` returns sees the new documents. Reads take
no lock.

Schema versioning: `newsflow-schema.json` beside the index records SCHEMA_VERSION. Opening an
index written with another version (or another tantivy schema) raises `IndexSchemaMismatch`
telling to rebuild; `TantivyIndex(path, rebuild=True)` wipes it and starts empty (then reindex).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import tantivy

from newsflow.search.port import IndexFailure, SearchDocument, SearchHit, SearchQuery, SearchResult
from newsflow.search.query import (
    FACET_FIELDS,
    FACET_SIZE,
    PROXIMITY_BOOST,
    PROXIMITY_SLOP,
    TEXT_FIELD_BOOSTS,
    TIE_BREAKER,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Word,
    parse_query,
)

SCHEMA_VERSION: Final = 1
SCHEMA_MARKER: Final = "newsflow-schema.json"

TEXT_FIELDS: Final = TEXT_FIELD_BOOSTS

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_STORED_TEXT: Final = ("title", "summary", "body")


class IndexSchemaMismatch(RuntimeError):
    """The index on disk was written with another schema: rebuild it and reindex."""


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for name in TEXT_FIELDS:
        sb.add_text_field(name, stored=True, tokenizer_name="en_stem")
    for name in ("category", "categories", "tags", "source_domain", "language"):
        sb.add_text_field(name, tokenizer_name="raw", fast=True)
    sb.add_date_field("sort_at", indexed=True, fast=True)
    sb.add_date_field("published_at", indexed=True, fast=True)
    sb.add_integer_field("sort_at_us", indexed=True, fast=True)
    for name in ("reading_time_minutes", "word_count", "version"):
        sb.add_integer_field(name, indexed=True, fast=True)
    sb.add_bytes_field("doc", stored=True)
    return sb.build()


def build_analyzer() -> tantivy.TextAnalyzer:
    """The same pipeline as tantivy's built-in `en_stem`, for analysing query words."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def epoch_micros(value: datetime) -> int:
    return (_utc(value) - _EPOCH) // timedelta(microseconds=1)


def all_categories(doc: SearchDocument) -> list[str]:
    """Primary first, then the secondary slugs, without duplicates."""
    return list(dict.fromkeys([doc.category, *doc.categories]))


class TantivyIndex:
    """`SearchIndex` on a local directory. Thread-safe; one instance (one process) per directory."""

    def __init__(
        self,
        path: str | Path,
        *,
        rebuild: bool = False,
        writer_heap_bytes: int = 96_000_000,
        writer_threads: int | None = None,
    ) -> None:
        self._path = Path(path)
        self._schema = build_schema()
        self._analyzer = build_analyzer()
        self._lock = threading.Lock()
        self._writer: tantivy.IndexWriter | None = None
        self._heap = writer_heap_bytes
        self._threads = writer_threads or max(1, min(os.cpu_count() or 1, 4))
        self._index = self._open(rebuild)

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

    def close(self) -> None:
        """Release the writer (and its lock file) after letting pending merges finish."""
        with self._lock:
            writer, self._writer = self._writer, None
            if writer is not None:
                writer.wait_merging_threads()

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
        return failures

    def delete(self, ids: Sequence[str]) -> list[IndexFailure]:
        if not ids:
            return []
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
        if doc.language:
            out.add_text("language", doc.language)
        out.add_date("sort_at", _utc(doc.sort_at))
        out.add_integer("sort_at_us", epoch_micros(doc.sort_at))
        if doc.published_at is not None:
            out.add_date("published_at", _utc(doc.published_at))
        out.add_integer("reading_time_minutes", doc.reading_time_minutes)
        out.add_integer("word_count", doc.word_count)
        out.add_integer("version", doc.version)
        out.add_bytes("doc", json.dumps(blob, ensure_ascii=False).encode("utf-8"))
        return out

    # ----------------------------------------------------------------------------------- reads

    def get(self, doc_id: str) -> SearchDocument | None:
        searcher = self._index.searcher()
        hits = searcher.search(tantivy.Query.term_query(self._schema, "id", doc_id), limit=1).hits
        return _from_tantivy(searcher.doc(hits[0][1])) if hits else None

    def count(self) -> int:
        return int(self._index.searcher().num_docs)

    def ping(self) -> bool:
        try:
            return self._index.searcher().num_docs >= 0 and self._path.is_dir()
        except Exception:
            return False

    def search(self, query: SearchQuery) -> SearchResult:
        parsed = parse_query(query.text)
        text_query = self._compile_text(parsed)
        full = self._with_filters(text_query, query)
        searcher = self._index.searcher()
        limit = query.offset + query.size
        by_date = query.sort_by == "publishedAt" or text_query is None or not parsed.scores
        if by_date:
            total, page = self._page_by_date(searcher, full, query.offset, limit)
            scored = [(0.0, addr) for addr in page]
        else:
            result = searcher.search(full, limit=limit, count=True)
            total = _count(result)
            scored = [(float(score), addr) for score, addr in result.hits[query.offset : limit]]
        hits = []
        for score, addr in scored:
            doc = _from_tantivy(searcher.doc(addr))
            hits.append(SearchHit(id=doc.id, score=score, document=doc))
        facets = self._facets(searcher, full, query.facets) if query.facets else {}
        return SearchResult(total=total, hits=hits, facets=facets)

    def _page_by_date(
        self, searcher: tantivy.Searcher, query: tantivy.Query, offset: int, limit: int
    ) -> tuple[int, list[tantivy.DocAddress]]:
        """Hits [offset, limit) ordered by sort_at desc, then id asc: exact even across page edges.

        tantivy orders by one fast field; equal timestamps come back in index order. Every group of
        equal timestamps that reaches into the page is re-read ordered by id (usually none: most
        timestamps are unique). Docs newer than a group all lie before it in the top-`limit` list,
        so a group's first position is known even when the group runs past the page.
        """
        result = searcher.search(query, limit=limit, count=True, order_by_field="sort_at_us", order=tantivy.Order.Desc)
        total = _count(result)
        keyed = [(int(key), addr) for key, addr in result.hits]
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
            ties = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, query),
                    (tantivy.Occur.Must, self._range("sort_at_us", key, key + 1)),
                ]
            )
            tied = searcher.search(ties, limit=stop - first, count=False, order_by_field="id", order=tantivy.Order.Asc)
            page.extend(addr for _, addr in tied.hits[pos - first : stop - first])
            pos = stop
        return total, page

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query, names: Iterable[str]
    ) -> dict[str, dict[str, int]]:
        aggs = {name: {"terms": {"field": FACET_FIELDS[name], "size": FACET_SIZE}} for name in names}
        raw: dict[str, Any] = searcher.aggregate(query, aggs)
        return {
            name: {str(b["key"]): int(b["doc_count"]) for b in (raw.get(name) or {}).get("buckets", [])}
            for name in aggs
        }

    # ------------------------------------------------------------------------- query building

    def _range(self, field: str, lower: int | None, upper: int | None) -> tantivy.Query:
        """[lower, upper) on an integer field; an open side is unbounded."""
        return tantivy.Query.range_query(
            self._schema,
            field,
            tantivy.FieldType.Integer,
            lower,
            upper,
            include_lower=True,
            include_upper=upper is None,
        )

    def _with_filters(self, text_query: tantivy.Query | None, query: SearchQuery) -> tantivy.Query:
        f = query.filters
        filters: list[tantivy.Query] = []
        if f.category:
            filters.append(tantivy.Query.term_query(self._schema, "categories", f.category))
        if f.source_domains:
            domains = [d.lower() for d in f.source_domains]
            filters.append(tantivy.Query.term_set_query(self._schema, "source_domain", domains))
        if f.language:
            filters.append(tantivy.Query.term_query(self._schema, "language", f.language))
        if f.published_from is not None or f.published_to is not None:
            lower = epoch_micros(f.published_from) if f.published_from is not None else None
            upper = epoch_micros(f.published_to) if f.published_to is not None else None
            filters.append(self._range("sort_at_us", lower, upper))
        if not filters:
            return text_query if text_query is not None else tantivy.Query.all_query()
        clauses = [(tantivy.Occur.Must, text_query if text_query is not None else tantivy.Query.all_query())]
        # Filters restrict but never score (const 0), as OpenSearch `filter` clauses.
        clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0)) for q in filters]
        return tantivy.Query.boolean_query(clauses)

    def _compile_text(self, parsed: ParsedQuery) -> tantivy.Query | None:
        if parsed.root is None:
            return None
        main = self._compile(parsed.root)
        if main is None:
            return None
        words = parsed.proximity_words()
        if not words:
            return main
        tokens = [t for w in words for t in self._analyzer.analyze(w)]
        if len(tokens) < 2:
            return main
        near = tantivy.Query.boost_query(self._phrase_all_fields(tokens, slop=PROXIMITY_SLOP), PROXIMITY_BOOST)
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, main), (tantivy.Occur.Should, near)])

    def _compile(self, node: Node) -> tantivy.Query | None:
        if isinstance(node, Word | Phrase):
            return self._leaf(node.text)
        if isinstance(node, Not):
            inner = self._compile(node.item)
            if inner is None:
                return None
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, inner)]
            )
        if isinstance(node, Or):
            subs = [q for q in (self._compile(i) for i in node.items) if q is not None]
            if not subs:
                return None
            return subs[0] if len(subs) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in subs])
        must = [q for q in (self._compile(i) for i in node.items if not isinstance(i, Not)) if q is not None]
        must_not = [q for q in (self._compile(i.item) for i in node.items if isinstance(i, Not)) if q is not None]
        if not must and not must_not:
            return None
        if not must:
            must = [tantivy.Query.all_query()]
        if len(must) == 1 and not must_not:
            return must[0]
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, q) for q in must] + [(tantivy.Occur.MustNot, q) for q in must_not]
        )

    def _leaf(self, text: str) -> tantivy.Query | None:
        """A word or phrase analysed exactly as the text fields were: one term, or a phrase."""
        tokens = [(t.position, t.text) for t in self._analyzer.pre_tokenize(text).tokens]
        if not tokens:
            return None
        if len(tokens) == 1:
            return tantivy.Query.disjunction_max_query(
                [
                    tantivy.Query.boost_query(tantivy.Query.term_query(self._schema, field, tokens[0][1]), boost)
                    for field, boost in TEXT_FIELDS.items()
                ],
                tie_breaker=TIE_BREAKER,
            )
        base = tokens[0][0]
        return self._phrase_all_fields([(pos - base, tok) for pos, tok in tokens], slop=0)

    def _phrase_all_fields(self, words: Sequence[str | tuple[int, str]], slop: int) -> tantivy.Query:
        return tantivy.Query.disjunction_max_query(
            [
                tantivy.Query.boost_query(
                    tantivy.Query.phrase_query(self._schema, field, list(words), slop=slop), boost
                )
                for field, boost in TEXT_FIELDS.items()
            ],
            tie_breaker=TIE_BREAKER,
        )


def _from_tantivy(stored: tantivy.Document) -> SearchDocument:
    raw = stored.get_first("doc")
    payload = json.loads(bytes(raw).decode("utf-8")) if raw is not None else {}
    for name in _STORED_TEXT:
        payload[name] = stored.get_first(name) or ""
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
