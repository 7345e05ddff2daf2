"""The `SearchIndex` on OpenSearch (Amazon OpenSearch Service in AWS), with opensearch-py.

Everything that decides behaviour is a pure function of plain data, testable without a server:
`index_definition` (settings + strict mapping), `bulk_index_body` / `bulk_delete_body` (NDJSON
chunks), `bulk_failures` (per-item outcome of a `_bulk` response), `compile_text` and
`build_search_body` (query DSL from the parsed AST, never `query_string`) and
`parse_search_response`. `OpenSearchIndex` only moves those bodies over HTTP.

Authentication: an AWS domain (https, not localhost) is signed with SigV4 from the Lambda's role
(`es`, or `aoss` for OpenSearch Serverless); a local/plain cluster gets `http_auth` or nothing.
opensearchpy and boto3 are imported here only, so the tantivy path never loads them.

Differences from the tantivy adapter worth knowing: the `english` analyzer (Porter stemmer,
stop words, possessives) is close to but not identical with tantivy's `en_stem` (Snowball, no
stop words); `date` fields keep milliseconds (tantivy's sort key keeps microseconds); scores come
from per-shard statistics (one shard by default, so they match BM25 on the whole index).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final, Literal
from urllib.parse import urlparse

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

Refresh = Literal["false", "true", "wait_for"]

MAX_RESULT_WINDOW: Final = 10_100  # SearchQuery allows offset <= 10,000 plus size <= 100
BULK_MAX_DOCS: Final = 500
BULK_MAX_BYTES: Final = 5 * 1024 * 1024  # well under the 10 MiB request limit of the smallest domains
_LOCAL_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # noqa: S104 - a name, not a bind
_TEXT_FIELDS: Final = [f"{name}^{boost:g}" for name, boost in TEXT_FIELD_BOOSTS.items()]

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
    "version": {"type": "long"},
}


def index_definition(shards: int = 1, replicas: int | None = None) -> dict[str, Any]:
    """Settings and an explicit, strict mapping: a field the mapping does not know is refused."""
    index_settings: dict[str, Any] = {"number_of_shards": shards, "max_result_window": MAX_RESULT_WINDOW}
    if replicas is not None:
        index_settings["number_of_replicas"] = replicas
    return {
        "settings": {
            "index": index_settings,
            "analysis": {"normalizer": {"lowercase_keyword": {"type": "custom", "filter": ["lowercase"]}}},
        },
        "mappings": {"dynamic": "strict", "properties": MAPPING_PROPERTIES},
    }


# ----------------------------------------------------------------------------------------- bulk


def document_source(doc: SearchDocument) -> dict[str, Any]:
    """The `_source` stored for a document: exactly the SearchDocument, as JSON."""
    return doc.model_dump(mode="json")


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


def compile_text(node: Node, *, negated: bool = False) -> dict[str, Any]:
    """Query DSL for a parsed query (see newsflow.search.query for the semantics)."""
    if isinstance(node, Word | Phrase):
        clause: dict[str, Any] = {
            "query": node.text,
            "fields": list(_TEXT_FIELDS),
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
        return {"bool": {"must": [{"match_all": {}}], "must_not": [compile_text(node.item, negated=True)]}}
    if isinstance(node, Or):
        return {
            "bool": {
                "should": [compile_text(item, negated=negated) for item in node.items],
                "minimum_should_match": 1,
            }
        }
    must = [compile_text(i, negated=negated) for i in node.items if not isinstance(i, Not)]
    must_not = [compile_text(i.item, negated=not negated) for i in node.items if isinstance(i, Not)]
    body: dict[str, Any] = {"must": must or [{"match_all": {}}]}
    if must_not:
        body["must_not"] = must_not
    return {"bool": body}


def _iso(value: datetime) -> str:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat()


def build_filters(query: SearchQuery) -> list[dict[str, Any]]:
    f = query.filters
    filters: list[dict[str, Any]] = []
    if f.category:
        filters.append(
            {
                "bool": {
                    "should": [{"term": {"categories": f.category}}, {"term": {"category": f.category}}],
                    "minimum_should_match": 1,
                }
            }
        )
    if f.source_domains:
        filters.append({"terms": {"source_domain": [d.lower() for d in f.source_domains]}})
    if f.language:
        filters.append({"term": {"language": f.language}})
    if f.published_from is not None or f.published_to is not None:
        bounds: dict[str, str] = {}
        if f.published_from is not None:
            bounds["gte"] = _iso(f.published_from)
        if f.published_to is not None:
            bounds["lt"] = _iso(f.published_to)
        filters.append({"range": {"sort_at": bounds}})
    return filters


def build_search_body(query: SearchQuery, parsed: ParsedQuery | None = None) -> dict[str, Any]:
    """The `_search` request body for a SearchQuery."""
    parsed = parse_query(query.text) if parsed is None else parsed
    bool_query: dict[str, Any] = {"must": [compile_text(parsed.root) if parsed.root is not None else {"match_all": {}}]}
    words = parsed.proximity_words()
    if words:
        bool_query["should"] = [
            {
                "multi_match": {
                    "query": " ".join(words),
                    "fields": list(_TEXT_FIELDS),
                    "type": "phrase",
                    "slop": PROXIMITY_SLOP,
                    "tie_breaker": TIE_BREAKER,
                    "boost": PROXIMITY_BOOST,
                }
            }
        ]
    filters = build_filters(query)
    if filters:
        bool_query["filter"] = filters
    by_date = query.sort_by == "publishedAt" or not parsed.scores
    newest_first: list[Any] = [{"sort_at": {"order": "desc"}}, {"id": {"order": "asc"}}]
    body: dict[str, Any] = {
        "query": {"bool": bool_query},
        "sort": newest_first if by_date else ["_score", *newest_first],
        "from": query.offset,
        "size": query.size,
        "track_total_hits": True,
    }
    if query.facets:
        body["aggs"] = {name: {"terms": {"field": FACET_FIELDS[name], "size": FACET_SIZE}} for name in query.facets}
    return body


def parse_search_response(response: Mapping[str, Any], facets: Sequence[str] = ()) -> SearchResult:
    hits_block = response.get("hits") or {}
    total_raw = hits_block.get("total", 0)
    total = int(total_raw.get("value", 0) if isinstance(total_raw, Mapping) else total_raw or 0)
    hits = []
    for hit in hits_block.get("hits") or []:
        doc = SearchDocument.model_validate(hit["_source"])
        score = hit.get("_score")
        hits.append(SearchHit(id=str(hit.get("_id", doc.id)), score=float(score or 0.0), document=doc))
    aggs = response.get("aggregations") or {}
    out_facets = {
        name: {str(b["key"]): int(b["doc_count"]) for b in (aggs.get(name) or {}).get("buckets", [])} for name in facets
    }
    return SearchResult(total=total, hits=hits, facets=out_facets)


# ------------------------------------------------------------------------------------ transport


def is_aws_endpoint(url: str) -> bool:
    """An AWS domain is signed with SigV4: https and not a local address."""
    parsed = urlparse(url)
    return parsed.scheme == "https" and (parsed.hostname or "") not in _LOCAL_HOSTS


def aws_service(url: str) -> str:
    host = urlparse(url).hostname or ""
    return "aoss" if host.endswith(".aoss.amazonaws.com") else "es"


def _build_client(url: str, region: str | None, http_auth: Any) -> Any:
    from opensearchpy import AWSV4SignerAuth, OpenSearch, RequestsHttpConnection

    auth = http_auth
    if auth is None and is_aws_endpoint(url):
        import boto3

        if not region:
            raise ValueError(f"an AWS region is needed to sign requests to {url} (set AWS_REGION)")
        credentials = boto3.Session().get_credentials()
        if credentials is None:
            raise ValueError("no AWS credentials found to sign OpenSearch requests")
        auth = AWSV4SignerAuth(credentials, region, aws_service(url))
    return OpenSearch(
        hosts=[url],
        http_auth=auth,
        use_ssl=url.startswith("https"),
        verify_certs=True,
        connection_class=RequestsHttpConnection,
        timeout=10,
        max_retries=2,
        retry_on_timeout=True,
    )


class OpenSearchIndex:
    """`SearchIndex` on an OpenSearch index. Pass `client` to reuse (or fake) a transport."""

    def __init__(
        self,
        url: str,
        index_name: str,
        region: str | None = None,
        http_auth: Any = None,
        client: Any = None,
        *,
        refresh: Refresh = "false",
        auto_create: bool = True,
    ) -> None:
        self.url = url
        self.index_name = index_name
        self._refresh = refresh
        # The first write makes sure the index exists with our mapping: otherwise the cluster's
        # auto-create would make one with a dynamic mapping on the first bulk.
        self._ensured = not auto_create
        self._client = client if client is not None else _build_client(url, region, http_auth)

    @property
    def client(self) -> Any:
        return self._client

    def ensure_index(self, shards: int = 1, replicas: int | None = None) -> bool:
        """Create the index with its mapping unless it exists. True when this call created it."""
        from opensearchpy.exceptions import RequestError

        if self._client.indices.exists(index=self.index_name):
            return False
        try:
            self._client.indices.create(index=self.index_name, body=index_definition(shards, replicas))
        except RequestError as exc:
            if "resource_already_exists_exception" in str(exc):  # lost a race with another creator
                return False
            raise
        return True

    def delete_index(self) -> None:
        """Drop the whole index (tests, rebuilds). Missing is fine."""
        self._client.indices.delete(index=self.index_name, ignore_unavailable=True)

    def refresh(self) -> None:
        self._client.indices.refresh(index=self.index_name)

    def upsert(self, documents: Sequence[SearchDocument]) -> list[IndexFailure]:
        chunks, failures = bulk_index_body(documents)
        if chunks and not self._ensured:
            from opensearchpy.exceptions import OpenSearchException

            try:
                self.ensure_index()
            except OpenSearchException as exc:
                reason = f"index unavailable: {type(exc).__name__}: {exc}"
                return failures + [IndexFailure(id=i, reason=reason) for _, ids in chunks for i in ids]
            self._ensured = True
        for body, ids in chunks:
            failures += self._bulk(body, ids, deleting=False)
        return failures

    def delete(self, ids: Sequence[str]) -> list[IndexFailure]:
        failures: list[IndexFailure] = []
        for body, chunk_ids in bulk_delete_body(ids):
            failures += self._bulk(body, chunk_ids, deleting=True)
        return failures

    def _bulk(self, body: str, ids: list[str], *, deleting: bool) -> list[IndexFailure]:
        from opensearchpy.exceptions import OpenSearchException

        try:
            response = self._client.bulk(body=body, index=self.index_name, refresh=self._refresh)
        except OpenSearchException as exc:  # transport, HTTP 4xx/5xx for the whole request
            reason = f"bulk request failed: {type(exc).__name__}: {exc}"
            return [IndexFailure(id=doc_id, reason=reason) for doc_id in dict.fromkeys(ids)]
        return bulk_failures(response, ids, deleting=deleting)

    def search(self, query: SearchQuery) -> SearchResult:
        body = build_search_body(query)
        response = self._client.search(index=self.index_name, body=body)
        return parse_search_response(response, query.facets)

    def get(self, doc_id: str) -> SearchDocument | None:
        from opensearchpy.exceptions import NotFoundError

        try:
            response = self._client.get(index=self.index_name, id=doc_id)
        except NotFoundError:
            return None
        if not response.get("found", False):
            return None
        return SearchDocument.model_validate(response["_source"])

    def count(self) -> int:
        return int(self._client.count(index=self.index_name)["count"])

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except Exception:
            return False
