"""Run the OpenSearch adapter beside tantivy, so every test of the port also drives the OpenSearch requests.

`SpecMirrorIndex(primary, fake)` is a `SearchIndex`: each call goes to the primary (a `TantivyIndex`,
which decides what the test sees) and to an `OpenSearchIndex` talking to a `FakeOpenSearch`. The fake
checks each request against the OpenSearch API specification; for `_search` it answers with what the
primary found, rendered as a spec-valid OpenSearch response (hits with `_source`, `sort`, `highlight`,
aggregations, a point in time). The mirror then checks that the adapter read back what the primary
returned, and raises `SpecViolation` when a request or a response broke the specification.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from newsflow.search.opensearch_index import OpenSearchIndex, document_source, is_by_date
from newsflow.search.port import (
    IndexFailure,
    SearchDocument,
    SearchIndex,
    SearchQuery,
    SearchResult,
    StorySources,
)
from newsflow.search.query import parse_query

from tests.spec.fake_opensearch import FakeOpenSearch

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
UNKNOWN_PIT = "pit-unknown-to-the-fake"


class SpecViolation(AssertionError):
    pass


def _micros(moment: datetime) -> float:
    return float((moment - _EPOCH).total_seconds() * 1_000_000 // 1)


def search_response(query: SearchQuery, result: SearchResult) -> dict[str, Any]:
    """What OpenSearch would answer for `query` if it found what `result` holds."""
    by_score = not is_by_date(query, parse_query(query.text))
    hits = []
    for hit in result.hits:
        entry: dict[str, Any] = {
            "_index": "articles-v1",
            "_id": hit.id,
            "_score": hit.score if by_score else None,
            "_source": document_source(hit.document),
            "sort": hit.sort,
        }
        if hit.highlights:
            entry["highlight"] = {name: [text] for name, text in hit.highlights.items()}
        hits.append(entry)
    block: dict[str, Any] = {"max_score": max((h.score for h in result.hits), default=None) if by_score else None}
    if query.count:
        block["total"] = {"value": result.total, "relation": result.total_relation}
    block["hits"] = hits
    response: dict[str, Any] = {"hits": block}
    aggs: dict[str, Any] = {}
    for name in query.facets:
        buckets = []
        for key, count in result.facets.get(name, {}).items():
            bucket: dict[str, Any] = {"key": key, "doc_count": count}
            if name == "month":
                start = datetime.strptime(key + "-01", "%Y-%m-%d").replace(tzinfo=UTC)
                bucket = {"key_as_string": key, "key": int((start - _EPOCH).total_seconds() * 1000), "doc_count": count}
            latest = result.facet_latest.get(name, {}).get(key)
            if query.facet_latest:
                bucket["latest"] = {"value": _micros(latest) if latest else None}
            buckets.append(bucket)
        aggs[name] = {"buckets": buckets}
        if name != "month":
            aggs[name] |= {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0}
    if aggs:
        response["aggregations"] = aggs
    return response


def story_sources_response(stories: list[StorySources]) -> dict[str, Any]:
    buckets = [
        {
            "key": story.story_id,
            "doc_count": story.articles,
            "sources": {
                "doc_count_error_upper_bound": 0,
                "sum_other_doc_count": 0,
                "buckets": [
                    {"key": source, "doc_count": 1, "first": {"value": _micros(first)}}
                    for source, first in story.first_by_source.items()
                ],
            },
        }
        for story in stories
    ]
    return {
        "hits": {"max_score": None, "hits": []},
        "aggregations": {"stories": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": buckets}},
    }


class SpecMirrorIndex:
    def __init__(self, primary: SearchIndex, fake: FakeOpenSearch, index_name: str = "articles") -> None:
        self.primary = primary
        self.fake = fake
        self.shadow = OpenSearchIndex(fake.url, index_name, refresh="true")
        self._pits: dict[str, str] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.primary, name)

    def __enter__(self) -> SpecMirrorIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        close = getattr(self.primary, "close", None)
        if close is not None:
            close()

    def _checked(self, seen: int, what: str) -> None:
        problems = [f"{x.line()}: {e}" for x in self.fake.requests[seen:] for e in x.errors]
        if problems:
            raise SpecViolation(f"{what}: the OpenSearch adapter broke the API specification:\n" + "\n".join(problems))

    def _same(self, what: str, primary: Any, shadow: Any) -> None:
        if primary != shadow:
            raise SpecViolation(
                f"{what}: the OpenSearch adapter read back\n  {shadow!r}\nwhere tantivy has\n  {primary!r}"
            )

    def upsert(self, documents: Sequence[SearchDocument]) -> list[IndexFailure]:
        seen = len(self.fake.requests)
        result = self.primary.upsert(documents)
        shadow = self.shadow.upsert(documents)
        self._checked(seen, "upsert")
        self._same("upsert failures", sorted(f.id for f in result), sorted(f.id for f in shadow))
        return result

    def delete(self, ids: Sequence[str]) -> list[IndexFailure]:
        seen = len(self.fake.requests)
        result = self.primary.delete(ids)
        shadow = self.shadow.delete(ids)
        self._checked(seen, "delete")
        self._same("delete failures", sorted(f.id for f in result), sorted(f.id for f in shadow))
        return result

    def search(self, query: SearchQuery) -> SearchResult:
        seen = len(self.fake.requests)
        result = self.primary.search(query)
        snapshot = self._pits.get(query.snapshot, UNKNOWN_PIT) if query.snapshot else None
        self.fake.answer_next_search(search_response(query, result))
        shadow = self.shadow.search(query.model_copy(update={"snapshot": snapshot}))
        self.fake.drop_unanswered()
        self._checked(seen, f"search {query.model_dump(exclude_defaults=True)}")
        if result.snapshot and shadow.snapshot:
            self._pits[result.snapshot] = shadow.snapshot
        by_score = not is_by_date(query, parse_query(query.text))
        expected = result.model_copy(update={"snapshot": None})
        got = shadow.model_copy(update={"snapshot": None})
        if not query.count:  # track_total_hits false: OpenSearch leaves hits.total out, the total means nothing
            expected.total, expected.total_relation = got.total, got.total_relation
        if not by_score:  # OpenSearch gives no scores when sorting by a field
            expected.hits = [h.model_copy(update={"score": 0.0}) for h in expected.hits]
        self._same("search", expected.model_dump(), got.model_dump())
        return result

    def story_sources(self, query: SearchQuery, max_stories: int = 500) -> list[StorySources]:
        seen = len(self.fake.requests)
        result = self.primary.story_sources(query, max_stories)
        self.fake.answer_next_search(story_sources_response(result))
        shadow = self.shadow.story_sources(query, max_stories)
        self.fake.drop_unanswered()
        self._checked(seen, "story_sources")
        self._same("story_sources", result, shadow)
        return result

    def get(self, doc_id: str) -> SearchDocument | None:
        seen = len(self.fake.requests)
        result = self.primary.get(doc_id)
        shadow = self.shadow.get(doc_id)
        self._checked(seen, "get")
        self._same("get", result, shadow)
        return result

    def count(self) -> int:
        seen = len(self.fake.requests)
        result = self.primary.count()
        shadow = self.shadow.count()
        self._checked(seen, "count")
        self._same("count", result, shadow)
        return result

    def ping(self) -> bool:
        seen = len(self.fake.requests)
        result = self.primary.ping()
        shadow = self.shadow.ping()
        self._checked(seen, "ping")
        self._same("ping", result, shadow)
        return result
