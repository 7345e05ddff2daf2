"""The `SearchIndex` on OpenSearch (Amazon OpenSearch Service in AWS), with opensearch-py.

Everything that decides what is sent and how answers are read is a pure function of plain data: the query
plan (`newsflow.search.plan`, shared with the tantivy adapter) rendered by `opensearch_body` (re-exported
here); `OpenSearchIndex` only moves those bodies over HTTP. The HTTP calls it can make (method + path,
`{index}` being the alias or a concrete `<alias>-v<n>`):
HEAD /, HEAD /{index}, PUT /{index}, GET /{index} (`<alias>-v*`), DELETE /{index},
HEAD /_alias/{name}, GET /_alias/{name}, POST /_aliases, POST /{index}/_refresh, POST /{index}/_bulk,
POST /{index}/_search, POST /_search (in a point in time), POST /{index}/_search/point_in_time,
DELETE /_search/point_in_time, GET /{index}/_doc/{id}, POST /{index}/_count.

Authentication: an AWS domain (https, not localhost) is signed with SigV4 from the Lambda's role
(`es`, or `aoss` for OpenSearch Serverless); a local/plain cluster gets `http_auth` or nothing.
opensearchpy and boto3 are imported here only, so the tantivy path never loads them.

Differences from the tantivy adapter worth knowing: the `english` analyzer (Porter stemmer,
stop words, possessives) is close to but not identical with tantivy's `en_stem` (Snowball, no
stop words); `date` fields keep milliseconds (tantivy's sort key keeps microseconds); scores come
from per-shard statistics (one shard by default, so they match BM25 on the whole index).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import urlparse

from newsflow.search.opensearch_body import (
    _LOCAL_HOSTS,
    BULK_MAX_BYTES,
    BULK_MAX_DOCS,
    DERIVED_PROPERTIES,
    MAPPING_PROPERTIES,
    MAX_RESULT_WINDOW,
    NDJSON_HEADERS,
    PIT_KEEP_ALIVE,
    build_query,
    build_search_body,
    bulk_delete_body,
    bulk_failures,
    bulk_index_body,
    compile_text,
    document_of,
    document_source,
    index_definition,
    is_by_date,
    parse_search_response,
    parse_story_sources,
    render_search,
    story_sources_body,
    versioned_name,
)
from newsflow.search.plan import plan_query
from newsflow.search.port import (
    IndexFailure,
    SearchDocument,
    SearchQuery,
    SearchResult,
    SnapshotExpired,
    StorySources,
)

__all__ = [
    "BULK_MAX_BYTES",
    "BULK_MAX_DOCS",
    "DERIVED_PROPERTIES",
    "MAPPING_PROPERTIES",
    "MAX_RESULT_WINDOW",
    "PIT_KEEP_ALIVE",
    "OpenSearchIndex",
    "aws_service",
    "build_query",
    "build_search_body",
    "bulk_delete_body",
    "bulk_failures",
    "bulk_index_body",
    "compile_text",
    "document_of",
    "document_source",
    "index_definition",
    "is_aws_endpoint",
    "is_by_date",
    "parse_search_response",
    "parse_story_sources",
    "story_sources_body",
    "versioned_name",
]

Refresh = Literal["false", "true", "wait_for"]

# ------------------------------------------------------------------------------------ transport


def is_aws_endpoint(url: str) -> bool:
    """An AWS domain is signed with SigV4: https and not a local address."""
    parsed = urlparse(url)
    return parsed.scheme == "https" and (parsed.hostname or "") not in _LOCAL_HOSTS


def aws_service(url: str) -> str:
    host = urlparse(url).hostname or ""
    return "aoss" if host.endswith(".aoss.amazonaws.com") else "es"


def _index_missing(exc: Any) -> bool:
    """A 404 because the index (or alias) does not exist, not because a point in time or document is gone."""
    return getattr(exc, "error", None) == "index_not_found_exception"


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
        """Create `<name>-v1` with the mapping, behind the alias `<name>`, unless `<name>` exists.

        True when this call created it. Readers and writers only ever use the alias, so
        `newsflow reindex` can build `<name>-v2` and swap the alias without downtime.
        """
        from opensearchpy.exceptions import RequestError

        if self._client.indices.exists(index=self.index_name):
            return False
        try:
            self._client.indices.create(
                index=versioned_name(self.index_name, 1),
                body=index_definition(shards, replicas, alias=self.index_name),
            )
        except RequestError as exc:
            if "resource_already_exists_exception" in str(exc):  # lost a race with another creator
                return False
            raise
        return True

    def create_version(self, shards: int = 1, replicas: int | None = None) -> str:
        """A new, empty concrete index `<alias>-v<n+1>` (not behind the alias yet). Returns its name."""
        existing = self._client.indices.get(index=f"{self.index_name}-v*", params={"ignore_unavailable": "true"})
        versions = [int(n.rsplit("-v", 1)[1]) for n in existing if n.rsplit("-v", 1)[-1].isdigit()]
        name = versioned_name(self.index_name, max(versions, default=0) + 1)
        self._client.indices.create(index=name, body=index_definition(shards, replicas))
        return name

    def swap_alias(self, new_index: str) -> list[str]:
        """Point the alias at `new_index` in one atomic `_aliases` call. Returns the indices it left."""
        actions: list[dict[str, Any]] = []
        old: list[str] = []
        if self._client.indices.exists_alias(name=self.index_name):
            old = sorted(self._client.indices.get_alias(name=self.index_name))
            actions += [{"remove": {"index": name, "alias": self.index_name}} for name in old]
        elif self._client.indices.exists(index=self.index_name):
            # A concrete index squats the alias name (created before aliases): replace it in the same call.
            actions.append({"remove_index": {"index": self.index_name}})
        actions.append({"add": {"index": new_index, "alias": self.index_name}})
        self._client.indices.update_aliases(body={"actions": actions})
        return old

    def delete_index(self) -> None:
        """Drop the whole index (tests, rebuilds). Missing is fine.

        OpenSearch does not delete through an alias (`DELETE /<alias>` is refused): the concrete indices
        behind the alias are named instead."""
        names = [self.index_name]
        if self._client.indices.exists_alias(name=self.index_name):
            names = sorted(self._client.indices.get_alias(name=self.index_name))
        self._client.indices.delete(index=",".join(names), ignore_unavailable=True)

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
            response = self._client.bulk(
                body=body, index=self.index_name, refresh=self._refresh, headers=NDJSON_HEADERS
            )
        except OpenSearchException as exc:  # transport, HTTP 4xx/5xx for the whole request
            reason = f"bulk request failed: {type(exc).__name__}: {exc}"
            return [IndexFailure(id=doc_id, reason=reason) for doc_id in dict.fromkeys(ids)]
        return bulk_failures(response, ids, deleting=deleting)

    def search(self, query: SearchQuery) -> SearchResult:
        from opensearchpy.exceptions import NotFoundError

        plan = plan_query(query)
        pit_id = None
        if plan.pinned:
            pit_id = plan.snapshot or self._open_pit()
        try:
            if pit_id:
                try:
                    response = self._client.search(body=render_search(plan, pit_id))
                except NotFoundError as exc:
                    if query.snapshot:  # the point in time expired (or was closed): never the live index
                        raise SnapshotExpired(f"point in time expired: {exc}") from exc
                    raise
            else:
                response = self._client.search(index=self.index_name, body=render_search(plan))
        except NotFoundError as exc:
            if not _index_missing(exc):
                raise
            return SearchResult(total=0, hits=[])  # nothing was ever written: the index does not exist yet
        result = parse_search_response(response, query.facets, query.facet_latest)
        if pit_id and result.snapshot is None:
            result.snapshot = pit_id
        return result

    def release_snapshot(self, snapshot: str) -> None:
        """The walk is over: close its point in time now rather than at the end of its keep_alive."""
        self._close_pit(snapshot)

    def _open_pit(self) -> str | None:
        from opensearchpy.exceptions import NotFoundError

        try:
            response = self._client.create_pit(index=self.index_name, params={"keep_alive": PIT_KEEP_ALIVE})
        except NotFoundError as exc:
            if not _index_missing(exc):
                raise
            return None
        pit = response.get("pit_id") if isinstance(response, Mapping) else None
        return str(pit) if pit else None

    def _close_pit(self, pit_id: str) -> None:
        """Free a point in time at once (`DELETE /_search/point_in_time`); if that fails, `keep_alive` ends it."""
        from opensearchpy.exceptions import OpenSearchException

        with contextlib.suppress(OpenSearchException):
            self._client.delete_pit(body={"pit_id": [pit_id]})

    def story_sources(self, query: SearchQuery, max_stories: int = 500) -> list[StorySources]:
        from opensearchpy.exceptions import NotFoundError

        try:
            response = self._client.search(index=self.index_name, body=story_sources_body(query, max_stories))
        except NotFoundError as exc:
            if not _index_missing(exc):
                raise
            return []
        return parse_story_sources(response)

    def get(self, doc_id: str) -> SearchDocument | None:
        from opensearchpy.exceptions import NotFoundError

        try:
            response = self._client.get(index=self.index_name, id=doc_id)
        except NotFoundError:
            return None
        if not response.get("found", False):
            return None
        return document_of(response["_source"])

    def count(self) -> int:
        from opensearchpy.exceptions import NotFoundError

        try:
            return int(self._client.count(index=self.index_name)["count"])
        except NotFoundError as exc:
            if not _index_missing(exc):
                raise
            return 0

    def ping(self) -> bool:
        """Whether the search service answers for the index the API reads: `HEAD /<alias>` (200, or 404
        before the first write), not the cluster root, so the health check needs no grant beyond the
        index's own path (IAM grants are per path). Unreachable or refused is False."""
        try:
            self._client.indices.exists(index=self.index_name)
        except Exception:
            return False
        return True
