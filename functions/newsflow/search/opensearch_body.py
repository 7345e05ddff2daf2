"""What the OpenSearch adapter sends and reads, as pure functions of plain data (no client, no server).

`index_definition` (settings + strict mapping), `bulk_index_body` / `bulk_delete_body` (NDJSON chunks),
`bulk_failures` (per-item outcome of a `_bulk` response), `render_search` / `render_query` (query DSL from the
shared query plan, `newsflow.search.plan`: the parsed AST, never `query_string`; `build_search_body` plans and
renders a SearchQuery), `story_sources_body`, and the response parsers
`parse_search_response` / `parse_story_sources`. tests/spec checks every body built here, and every
response read here, against OpenSearch's own API specification.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from newsflow.search.aggs import derived_source_fields, story_sources_aggs
from newsflow.search.aggs import parse_story_sources as parse_aggregated_stories
from newsflow.search.plan import (
    Clause,
    Facet,
    QueryPlan,
    Range,
    Term,
    Terms,
    plan_query,
)
from newsflow.search.port import (
    IndexFailure,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResult,
    StorySources,
    month_of,
)
from newsflow.search.query import (
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
)

MAX_RESULT_WINDOW: Final = 11_000  # offsets are for shallow pages only: deep pages use search_after
BULK_MAX_DOCS: Final = 500
BULK_MAX_BYTES: Final = 5 * 1024 * 1024  # well under the 10 MiB request limit of the smallest domains
_LOCAL_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # noqa: S104 - a name, not a bind
_TEXT_FIELDS: Final = [f"{name}^{boost:g}" for name, boost in TEXT_FIELD_BOOSTS.items()]
PIT_KEEP_ALIVE: Final = "5m"
NDJSON_HEADERS: Final = {"Content-Type": "application/x-ndjson"}  # opensearch-py would label a _bulk body JSON
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

# ----------------------------------------------------------------------------- index definition

_KEYWORD: Final = {"type": "keyword"}
_STORED_ONLY: Final = {"type": "keyword", "index": False, "doc_values": False}
_TEXT: Final = {"type": "text", "analyzer": "english"}

MAPPING_PROPERTIES: Final[dict[str, dict[str, Any]]] = {
    "id": _KEYWORD,
    "url": _STORED_ONLY,
    "title": _TEXT,
    "summary": _TEXT,
    "body": _TEXT,
    "category": _KEYWORD,
    "categories": _KEYWORD,
    "tags": _KEYWORD,
    "source_name": _KEYWORD,
    "source_domain": {"type": "keyword", "normalizer": "lowercase_keyword"},
    "language": _KEYWORD,
    "image_url": _STORED_ONLY,
    "published_at": {"type": "date"},
    "sort_at": {"type": "date"},
    "reading_time_minutes": {"type": "integer"},
    "word_count": {"type": "integer"},
    "authors": _KEYWORD,
    "story_id": _KEYWORD,
    "source_id": _KEYWORD,
    "also_from": _STORED_ONLY,
    "version": {"type": "long"},
    "story_keys": _KEYWORD,
    "story_sketch": _STORED_ONLY,
}
# Derived from the document when it is indexed (see `document_source`); not part of SearchDocument.
DERIVED_PROPERTIES: Final[dict[str, dict[str, Any]]] = {
    "sort_at_us": {"type": "long"},  # the exact sort key (date fields keep milliseconds only)
    "month": _KEYWORD,
    "publisher": _KEYWORD,
    "syndicated": _KEYWORD,  # source keys of the verbatim copies (alsoFrom): What's Hot counts them
    "source_total": {"type": "integer"},
}


def index_definition(shards: int = 1, replicas: int | None = None, alias: str | None = None) -> dict[str, Any]:
    """Settings and an explicit, strict mapping: a field the mapping does not know is refused."""
    index_settings: dict[str, Any] = {"number_of_shards": shards, "max_result_window": MAX_RESULT_WINDOW}
    if replicas is not None:
        index_settings["number_of_replicas"] = replicas
    definition: dict[str, Any] = {
        "settings": {
            "index": index_settings,
            "analysis": {"normalizer": {"lowercase_keyword": {"type": "custom", "filter": ["lowercase"]}}},
        },
        "mappings": {"dynamic": "strict", "properties": {**MAPPING_PROPERTIES, **DERIVED_PROPERTIES}},
    }
    if alias:
        definition["aliases"] = {alias: {}}
    return definition


def versioned_name(alias: str, version: int) -> str:
    """The concrete index behind an alias: `articles` -> `articles-v1`, `articles-v2`, ..."""
    return f"{alias}-v{version}"


# ----------------------------------------------------------------------------------------- bulk


def _micros(value: datetime) -> int:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return (value - _EPOCH) // timedelta(microseconds=1)


def document_source(doc: SearchDocument) -> dict[str, Any]:
    """The `_source` stored for a document: the SearchDocument as JSON, plus the derived keys."""
    source = doc.model_dump(mode="json")
    source["sort_at_us"] = _micros(doc.sort_at)
    source["month"] = month_of(doc.sort_at)
    if doc.source_id:
        source["publisher"] = "\x1f".join([doc.source_id, doc.source_name or "", (doc.source_domain or "").lower()])
    source.update(derived_source_fields(doc))
    return source


def document_of(source: Mapping[str, Any]) -> SearchDocument:
    return SearchDocument.model_validate({k: v for k, v in source.items() if k not in DERIVED_PROPERTIES})


def bulk_index_body(
    documents: Sequence[SearchDocument],
    max_docs: int = BULK_MAX_DOCS,
    max_bytes: int = BULK_MAX_BYTES,
) -> tuple[list[tuple[str, list[str]]], list[IndexFailure]]:
    """NDJSON `_bulk` bodies (each with the ids it carries) and the documents that cannot be sent."""
    lines: list[tuple[str, str]] = []
    failures: list[IndexFailure] = []
    for doc in documents:
        try:
            action = json.dumps({"index": {"_id": doc.id}}, ensure_ascii=False)
            source = json.dumps(document_source(doc), ensure_ascii=False)
            size = len((action + source).encode("utf-8"))  # lone surrogates fail here, not in the bulk
        except (TypeError, ValueError) as exc:
            failures.append(IndexFailure(id=doc.id, reason=f"invalid document: {exc}"))
            continue
        if size + 2 > max_bytes:
            failures.append(IndexFailure(id=doc.id, reason="document larger than the bulk request limit"))
            continue
        lines.append((doc.id, action + "\n" + source + "\n"))
    return _chunks(lines, max_docs, max_bytes), failures


def bulk_delete_body(ids: Sequence[str], max_docs: int = BULK_MAX_DOCS) -> list[tuple[str, list[str]]]:
    lines = [(doc_id, json.dumps({"delete": {"_id": doc_id}}, ensure_ascii=False) + "\n") for doc_id in ids]
    return _chunks(lines, max_docs, BULK_MAX_BYTES)


def _chunks(lines: list[tuple[str, str]], max_docs: int, max_bytes: int) -> list[tuple[str, list[str]]]:
    chunks: list[tuple[str, list[str]]] = []
    body: list[str] = []
    ids: list[str] = []
    size = 0
    for doc_id, line in lines:
        line_bytes = len(line.encode("utf-8"))
        if body and (len(ids) >= max_docs or size + line_bytes > max_bytes):
            chunks.append(("".join(body), ids))
            body, ids, size = [], [], 0
        body.append(line)
        ids.append(doc_id)
        size += line_bytes
    if body:
        chunks.append(("".join(body), ids))
    return chunks


def bulk_failures(response: Any, ids: Sequence[str], *, deleting: bool = False) -> list[IndexFailure]:
    """Per-item outcome of a `_bulk` response. Never trusts the top-level `errors` flag alone.

    An item fails unless its status is 2xx (or 404 for a delete: already gone). An id the response
    does not account for (truncated or malformed response) fails too, so the caller retries it.
    """
    if not isinstance(response, Mapping) or not isinstance(response.get("items"), list):
        return [IndexFailure(id=i, reason="malformed bulk response") for i in dict.fromkeys(ids)]
    failures: dict[str, str] = {}
    answered: set[str] = set()
    for position, item in enumerate(response["items"]):
        result = next(iter(item.values()), None) if isinstance(item, Mapping) and len(item) == 1 else None
        if not isinstance(result, Mapping):
            continue
        doc_id = str(result.get("_id") or (ids[position] if position < len(ids) else ""))
        if not doc_id:
            continue
        answered.add(doc_id)
        status = result.get("status")
        ok = isinstance(status, int) and (200 <= status < 300 or (deleting and status == 404))
        if not ok:
            failures[doc_id] = _item_reason(status, result.get("error"))
    for doc_id in ids:
        if doc_id not in answered and doc_id not in failures:
            failures[doc_id] = "missing from bulk response"
    return [IndexFailure(id=doc_id, reason=reason) for doc_id, reason in failures.items()]


def _item_reason(status: Any, error: Any) -> str:
    if isinstance(error, Mapping):
        return f"{status} {error.get('type', 'error')}: {error.get('reason', '')}".strip()
    return f"{status} {error}" if error else f"status {status}"


# ---------------------------------------------------------------------------------------- query


def _boosted(fields: Sequence[tuple[str, float]]) -> list[str]:
    return [f"{name}^{boost:g}" for name, boost in fields]


def compile_text(node: Node, *, negated: bool = False, fields: Sequence[str] | None = None) -> dict[str, Any]:
    """Query DSL for a parsed query (see newsflow.search.query for the semantics)."""
    fields = list(fields) if fields is not None else list(_TEXT_FIELDS)
    if isinstance(node, Word | Phrase):
        clause: dict[str, Any] = {
            "query": node.text,
            "fields": fields,
            "tie_breaker": TIE_BREAKER,
            # a word the analyzer removes entirely (a stop word) constrains nothing, either way
            "zero_terms_query": "none" if negated else "all",
        }
        if isinstance(node, Word):
            clause |= {"type": "best_fields", "operator": "and"}
        else:
            clause["type"] = "phrase"
        return {"multi_match": clause}
    if isinstance(node, Not):
        return {
            "bool": {"must": [{"match_all": {}}], "must_not": [compile_text(node.item, negated=True, fields=fields)]}
        }
    if isinstance(node, Or):
        return {
            "bool": {
                "should": [compile_text(item, negated=negated, fields=fields) for item in node.items],
                "minimum_should_match": 1,
            }
        }
    must = [compile_text(i, negated=negated, fields=fields) for i in node.items if not isinstance(i, Not)]
    must_not = [compile_text(i.item, negated=not negated, fields=fields) for i in node.items if isinstance(i, Not)]
    body: dict[str, Any] = {"must": must or [{"match_all": {}}]}
    if must_not:
        body["must_not"] = must_not
    return {"bool": body}


def render_clause(clause: Clause) -> dict[str, Any]:
    """One filter clause of the plan as query DSL (it restricts, never scores)."""
    if isinstance(clause, Term):
        return {"term": {clause.field: clause.value}}
    if isinstance(clause, Terms):
        if clause.field == "id":
            return {"ids": {"values": list(clause.values)}}  # the document id is the article id
        return {"terms": {clause.field: list(clause.values)}}
    if isinstance(clause, Range):
        bounds: dict[str, int] = {}
        if clause.gte is not None:
            bounds["gte"] = clause.gte
        if clause.lt is not None:
            bounds["lt"] = clause.lt
        return {"range": {clause.field: bounds}}
    return {"bool": {"should": [render_clause(c) for c in clause.clauses], "minimum_should_match": 1}}


def render_query(plan: QueryPlan) -> dict[str, Any]:
    """The `query` part of a plan: the parsed text (scoring) plus non-scoring filters."""
    fields = _boosted(plan.fields)
    root = plan.parsed.root
    text = compile_text(root, fields=fields) if root is not None else {"match_all": {}}
    bool_query: dict[str, Any] = {"must": [text]}
    if plan.near_words:
        bool_query["should"] = [
            {
                "multi_match": {
                    "query": " ".join(plan.near_words),
                    "fields": _boosted(plan.near_fields),
                    "type": "phrase",
                    "slop": PROXIMITY_SLOP,
                    "tie_breaker": TIE_BREAKER,
                    "boost": PROXIMITY_BOOST,
                }
            }
        ]
    if plan.filters:
        bool_query["filter"] = [render_clause(c) for c in plan.filters]
    if plan.excluded:
        bool_query["must_not"] = [render_clause(c) for c in plan.excluded]
    return {"bool": bool_query}


def build_query(query: SearchQuery, parsed: ParsedQuery | None = None) -> dict[str, Any]:
    """The `query` part: the parsed text (scoring) plus non-scoring filters."""
    return render_query(plan_query(query, parsed))


def is_by_date(query: SearchQuery, parsed: ParsedQuery) -> bool:
    return plan_query(query, parsed).by_date


def build_search_body(
    query: SearchQuery, parsed: ParsedQuery | None = None, pit_id: str | None = None
) -> dict[str, Any]:
    """The `_search` request body for a SearchQuery (with `pit_id`: searched in that point in time)."""
    return render_search(plan_query(query, parsed), pit_id)


def render_search(plan: QueryPlan, pit_id: str | None = None) -> dict[str, Any]:
    """The `_search` request body of a plan (with `pit_id`: searched in that point in time)."""
    direction = "asc" if plan.ascending else "desc"
    # `{field: direction}`: the spec's SortCombinations is a oneOf, and `{"_score": {"order": ...}}` matches
    # two of its branches (SortOptions and FieldWithOrder), so only the direction form is valid as written.
    by_time: list[Any] = [{"sort_at_us": direction}, {"id": "desc" if direction == "asc" else "asc"}]
    body: dict[str, Any] = {
        "query": render_query(plan),
        "sort": by_time if plan.by_date else [{"_score": "desc"}, *by_time],
        "size": plan.size,
        "track_total_hits": plan.count,
    }
    if plan.search_after:
        body["search_after"] = list(plan.search_after)
    else:
        body["from"] = plan.offset
    if pit_id:
        body["pit"] = {"id": pit_id, "keep_alive": PIT_KEEP_ALIVE}
    if plan.facets:
        body["aggs"] = {facet.name: _facet_agg(facet, plan.facet_latest) for facet in plan.facets}
    if plan.highlights:
        body["highlight"] = {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "fields": {
                # the whole title (as tantivy's adapter marks it), one fragment of the summary and the body
                name: {"number_of_fragments": 0}
                if name == "title"
                else {"fragment_size": chars, "number_of_fragments": 1, "no_match_size": 0}
                for name, chars in plan.highlights
            },
        }
    return body


def _facet_agg(facet: Facet, with_latest: bool) -> dict[str, Any]:
    agg: dict[str, Any]
    if facet.name == "month":
        # Calendar months in UTC, newest first; empty months are left out, as tantivy's terms do.
        agg = {
            "date_histogram": {
                "field": "sort_at",
                "calendar_interval": "month",
                "format": "yyyy-MM",
                "min_doc_count": 1,
                "order": {"_key": "desc"},
            }
        }
    else:
        agg = {"terms": {"field": facet.field, "size": facet.size}}
    if with_latest:
        agg["aggs"] = {"latest": {"max": {"field": "sort_at_us"}}}
    return agg


def story_sources_body(query: SearchQuery, max_stories: int) -> dict[str, Any]:
    return {
        "query": render_query(plan_query(query)),
        "size": 0,
        "track_total_hits": False,
        "aggs": story_sources_aggs(max_stories),
    }


def parse_story_sources(response: Mapping[str, Any]) -> list[StorySources]:
    return parse_aggregated_stories(response.get("aggregations") or {})


def _bucket_key(name: str, bucket: Mapping[str, Any]) -> str:
    return str(bucket.get("key_as_string", bucket["key"])) if name == "month" else str(bucket["key"])


def is_partial(response: Mapping[str, Any]) -> bool:
    """A `_search` answered by only some shards (`_shards.failed` > 0) or cut short (`timed_out`): the spec's
    ShardStatistics; OpenSearch still answers 200 with the hits of the shards that did answer."""
    shards = response.get("_shards") or {}
    failed = shards.get("failed", 0) if isinstance(shards, Mapping) else 0
    return bool(response.get("timed_out")) or (isinstance(failed, int) and failed > 0)


def parse_search_response(
    response: Mapping[str, Any], facets: Sequence[str] = (), facet_latest: bool = False
) -> SearchResult:
    hits_block = response.get("hits") or {}
    total_raw = hits_block.get("total", 0)
    if isinstance(total_raw, Mapping):
        total = int(total_raw.get("value", 0))
        relation = "gte" if total_raw.get("relation") == "gte" else "eq"
    else:
        total, relation = int(total_raw or 0), "eq"
    if is_partial(response):
        relation = "gte"  # some shards did not answer: what was counted is a lower bound
    hits = []
    for hit in hits_block.get("hits") or []:
        doc = document_of(hit["_source"])
        score = hit.get("_score")
        highlights = {
            name: str(fragments[0])
            for name, fragments in (hit.get("highlight") or {}).items()
            if isinstance(fragments, list) and fragments
        }
        hits.append(
            SearchHit(
                id=str(hit.get("_id", doc.id)),
                score=float(score or 0.0),
                document=doc,
                sort=list(hit.get("sort") or []),
                highlights=highlights,
            )
        )
    aggs = response.get("aggregations") or {}
    out_facets: dict[str, dict[str, int]] = {}
    latest: dict[str, dict[str, datetime]] = {}
    other: dict[str, int] = {}
    for name in facets:
        buckets = (aggs.get(name) or {}).get("buckets", [])
        other[name] = int((aggs.get(name) or {}).get("sum_other_doc_count") or 0)
        out_facets[name] = {_bucket_key(name, b): int(b["doc_count"]) for b in buckets}
        if facet_latest:
            latest[name] = {
                _bucket_key(name, b): _EPOCH + timedelta(microseconds=int(b["latest"]["value"]))
                for b in buckets
                if (b.get("latest") or {}).get("value") is not None
            }
    return SearchResult(
        total=total,
        total_relation=relation,
        hits=hits,
        facets=out_facets,
        facet_latest=latest,
        facet_other=other,
        snapshot=response.get("pit_id"),
    )
