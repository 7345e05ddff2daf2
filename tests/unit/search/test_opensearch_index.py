"""The OpenSearch adapter without a server: pure request builders, response readers, and the real
opensearch-py client talking to a fake connection (so the calls we make are checked too)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from newsflow.search.opensearch_index import (
    MAPPING_PROPERTIES,
    OpenSearchIndex,
    _build_client,
    aws_service,
    build_search_body,
    bulk_delete_body,
    bulk_failures,
    bulk_index_body,
    compile_text,
    document_of,
    index_definition,
    is_aws_endpoint,
    parse_search_response,
    parse_story_sources,
    story_sources_body,
)
from newsflow.search.port import IndexFailure, SearchDocument, SearchFilters, SearchQuery
from newsflow.search.query import parse_query
from opensearchpy import Connection, OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FIELDS = ["title^3", "summary^1.5", "body^1"]


def make_doc(doc_id: str, title: str = "Title", **fields: Any) -> SearchDocument:
    fields.setdefault("category", "economy")
    return SearchDocument(id=doc_id, title=title, sort_at=T0, **fields)


# ------------------------------------------------------------------------------------ mapping


def test_the_mapping_is_strict_and_covers_every_document_field() -> None:
    definition = index_definition()
    assert definition["mappings"]["dynamic"] == "strict"
    assert set(MAPPING_PROPERTIES) == set(SearchDocument.model_fields)
    assert set(definition["mappings"]["properties"]) == set(MAPPING_PROPERTIES) | {
        "sort_at_us",
        "month",
        "publisher",
        "syndicated",
        "source_total",
    }
    assert MAPPING_PROPERTIES["title"] == {"type": "text", "analyzer": "english"}
    assert MAPPING_PROPERTIES["categories"]["type"] == "keyword"
    assert MAPPING_PROPERTIES["sort_at"]["type"] == "date"
    assert definition["settings"]["index"]["max_result_window"] >= 10_000 + 100


# ------------------------------------------------------------------------------ query building


def test_bare_words_are_each_required_across_fields_with_a_proximity_bonus() -> None:
    # Given a two-word query
    body = build_search_body(SearchQuery(text="oil prices"))
    query = body["query"]["bool"]
    # Then each word is a best_fields multi_match, both required, with the title boosted
    words = query["must"][0]["bool"]["must"]
    assert [w["multi_match"]["query"] for w in words] == ["oil", "prices"]
    assert all(w["multi_match"]["fields"] == FIELDS for w in words)
    assert all(w["multi_match"]["type"] == "best_fields" for w in words)
    # And words close together in the title or summary score a bonus (optional should clause)
    assert query["should"][0]["multi_match"] | {} == {
        "query": "oil prices",
        "fields": ["title^3", "summary^1.5"],  # proximity is checked in the short fields only
        "type": "phrase",
        "slop": 3,
        "tie_breaker": 0.3,
        "boost": 1.0,
    }
    assert body["sort"][0] == {"_score": "desc"}
    assert body["track_total_hits"] is True


def test_phrases_exclusions_and_or_become_bool_clauses() -> None:
    node = parse_query('"interest rates" (fed OR ecb) -crypto').root
    assert node is not None
    dsl = compile_text(node)
    must, must_not = dsl["bool"]["must"], dsl["bool"]["must_not"]
    assert must[0]["multi_match"]["type"] == "phrase"
    assert must[0]["multi_match"]["query"] == "interest rates"
    assert [s["multi_match"]["query"] for s in must[1]["bool"]["should"]] == ["fed", "ecb"]
    assert must[1]["bool"]["minimum_should_match"] == 1
    assert must_not[0]["multi_match"]["query"] == "crypto"
    # a stop-word-only clause inside a negation must not exclude everything
    assert must_not[0]["multi_match"]["zero_terms_query"] == "none"


def test_only_exclusions_match_everything_else_newest_first() -> None:
    body = build_search_body(SearchQuery(text="-crypto"))
    inner = body["query"]["bool"]["must"][0]["bool"]
    assert inner["must"] == [{"match_all": {}}]
    assert body["sort"] == [{"sort_at_us": "desc"}, {"id": "asc"}]


def test_empty_text_is_match_all_sorted_by_date() -> None:
    body = build_search_body(SearchQuery(offset=40, size=20))
    assert body["query"] == {"bool": {"must": [{"match_all": {}}]}}
    assert body["sort"][0] == {"sort_at_us": "desc"}
    assert (body["from"], body["size"]) == (40, 20)
    assert "aggs" not in body


def test_filters_are_non_scoring_filter_clauses() -> None:
    query = SearchQuery(
        text="oil",
        filters=SearchFilters(
            category="economy",
            source_domains=["Reuters.com", "ft.com"],
            language="en",
            published_from=datetime(2026, 1, 1),  # naive: taken as UTC
            published_to=datetime(2026, 2, 1, tzinfo=UTC),
        ),
        sort_by="publishedAt",
        facets=["category", "source", "language"],
    )
    body = build_search_body(query)
    filters = body["query"]["bool"]["filter"]
    assert filters[0] == {
        "bool": {
            "should": [{"term": {"categories": "economy"}}, {"term": {"category": "economy"}}],
            "minimum_should_match": 1,
        }
    }
    assert filters[1] == {"terms": {"source_domain": ["reuters.com", "ft.com"]}}
    assert filters[2] == {"term": {"language": "en"}}
    # the exact sort key (microseconds since the epoch): date fields keep only milliseconds
    assert filters[3] == {"range": {"sort_at_us": {"gte": 1_767_225_600_000_000, "lt": 1_769_904_000_000_000}}}
    assert body["sort"][0] == {"sort_at_us": "desc"}
    assert body["aggs"] == {
        "category": {"terms": {"field": "categories", "size": 100}},
        "source": {"terms": {"field": "source_id", "size": 100}},
        "language": {"terms": {"field": "language", "size": 100}},
    }


def test_user_text_never_reaches_a_query_language_parser() -> None:
    # Given hostile and random texts
    rng = random.Random(7)
    alphabet = [*'ab "()-+*:^~[]{}\\/', "AND", "OR", "NOT", "query_string", "\x00", "日本"]
    texts = ["title:oil OR body:[* TO *]", '{"query_string": {"query": "*"}}', "((((", '"'] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(500)
    ]
    for text in texts:
        body = build_search_body(SearchQuery(text=text))
        serialized = json.dumps(body)
        # Then only structured queries are built (the words may appear, the query types may not)
        assert '"query_string":' not in serialized
        assert '"simple_query_string":' not in serialized
        assert '"regexp":' not in serialized
        assert '"wildcard":' not in serialized


# ----------------------------------------------------------------------------------- bulk bodies


def test_bulk_index_body_is_ndjson_action_source_pairs() -> None:
    chunks, failures = bulk_index_body([make_doc("a"), make_doc("b", tags=["x"])])
    assert failures == []
    [(body, chunk_ids)] = chunks
    assert chunk_ids == ["a", "b"]
    assert body.endswith("\n")
    lines = [json.loads(line) for line in body.splitlines()]
    assert lines[0] == {"index": {"_id": "a"}}
    assert document_of(lines[1]) == make_doc("a")
    assert lines[1]["sort_at_us"] == 1_795_176_000_000_000
    assert lines[1]["month"] == "2026-11"
    assert lines[2] == {"index": {"_id": "b"}}


def test_bulk_bodies_are_chunked_by_count_and_bytes() -> None:
    docs = [make_doc(f"d{i}", body="x" * 1000) for i in range(10)]
    by_count, _ = bulk_index_body(docs, max_docs=4)
    assert [ids for _, ids in by_count] == [["d0", "d1", "d2", "d3"], ["d4", "d5", "d6", "d7"], ["d8", "d9"]]
    by_bytes, _ = bulk_index_body(docs, max_bytes=2_500)
    assert all(len(body.encode()) <= 2_500 for body, _ in by_bytes)
    assert [i for _, ids in by_bytes for i in ids] == [f"d{i}" for i in range(10)]


def test_a_document_too_large_for_any_bulk_request_fails_alone() -> None:
    chunks, failures = bulk_index_body([make_doc("big", body="x" * 5_000), make_doc("ok")], max_bytes=2_000)
    assert [f.id for f in failures] == ["big"]
    assert [ids for _, ids in chunks] == [["ok"]]


def test_bulk_delete_body() -> None:
    [(body, chunk_ids)] = bulk_delete_body(["a", "b"])
    assert chunk_ids == ["a", "b"]
    assert [json.loads(line) for line in body.splitlines()] == [{"delete": {"_id": "a"}}, {"delete": {"_id": "b"}}]


# ------------------------------------------------------------------------------ bulk responses


def item(op: str, doc_id: str, status: int, error: dict[str, Any] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"_id": doc_id, "status": status}
    if error:
        result["error"] = error
    return {op: result}


def test_bulk_failures_reports_each_refused_item() -> None:
    response = {
        "errors": True,
        "items": [
            item("index", "a", 201),
            item("index", "b", 400, {"type": "strict_dynamic_mapping_exception", "reason": "no [x]"}),
            item("index", "c", 429, {"type": "es_rejected_execution_exception", "reason": "queue full"}),
            item("index", "d", 200),
        ],
    }
    assert bulk_failures(response, ["a", "b", "c", "d"]) == [
        IndexFailure(id="b", reason="400 strict_dynamic_mapping_exception: no [x]"),
        IndexFailure(id="c", reason="429 es_rejected_execution_exception: queue full"),
    ]


def test_bulk_failures_does_not_trust_the_errors_flag() -> None:
    response = {"errors": False, "items": [item("index", "a", 201), item("index", "b", 500)]}
    assert [f.id for f in bulk_failures(response, ["a", "b"])] == ["b"]


def test_ids_missing_from_the_response_are_failures() -> None:
    response = {"errors": False, "items": [item("index", "a", 201)]}
    assert bulk_failures(response, ["a", "b"]) == [IndexFailure(id="b", reason="missing from bulk response")]
    assert [f.id for f in bulk_failures({"took": 1}, ["a", "b"])] == ["a", "b"]
    assert [f.id for f in bulk_failures("garbage", ["a"])] == ["a"]


def test_deleting_a_missing_document_is_not_a_failure() -> None:
    response = {
        "errors": False,
        "items": [item("delete", "a", 200), item("delete", "gone", 404), item("delete", "busy", 409)],
    }
    assert [f.id for f in bulk_failures(response, ["a", "gone", "busy"], deleting=True)] == ["busy"]
    # but a 404 on an index action is a failure (e.g. the index itself is missing)
    missing_index = {"errors": True, "items": [item("index", "a", 404, {"type": "index_not_found_exception"})]}
    assert [f.id for f in bulk_failures(missing_index, ["a"])] == ["a"]


# ---------------------------------------------------------------------------- search responses


def test_parse_search_response() -> None:
    doc = make_doc("a", "Oil")
    response = {
        "hits": {
            "total": {"value": 42, "relation": "eq"},
            "hits": [{"_id": "a", "_score": 1.5, "_source": doc.model_dump(mode="json")}],
        },
        "aggregations": {"category": {"buckets": [{"key": "economy", "doc_count": 40}]}},
    }
    result = parse_search_response(response, ["category", "source"])
    assert result.total == 42
    assert result.hits[0].id == "a"
    assert result.hits[0].score == 1.5
    assert result.hits[0].document == doc
    assert result.facets == {"category": {"economy": 40}, "source": {}}


def test_sorted_hits_without_a_score_get_zero() -> None:
    doc = make_doc("a")
    response = {
        "hits": {"total": {"value": 1}, "hits": [{"_id": "a", "_score": None, "_source": doc.model_dump(mode="json")}]}
    }
    assert parse_search_response(response).hits[0].score == 0.0


# ----------------------------------------------------------------- the adapter over a fake server

Handler = Callable[[str, str, dict[str, Any], Any], tuple[int, Any]]


def fake_index(handler: Handler, calls: list[tuple[str, str, dict[str, Any], Any]]) -> OpenSearchIndex:
    """An OpenSearchIndex whose real opensearch-py client talks to `handler` instead of HTTP."""

    class FakeConnection(Connection):
        def perform_request(
            self,
            method: str,
            url: str,
            params: Any = None,
            body: Any = None,
            timeout: Any = None,
            ignore: Any = (),
            headers: Any = None,
        ) -> tuple[int, dict[str, str], str]:
            text = body.decode() if isinstance(body, bytes) else body
            parsed: Any = json.loads(text) if text and not url.endswith("/_bulk") else text
            call = (method, url, dict(params or {}), parsed)
            calls.append(call)
            status, payload = handler(*call)
            raw = json.dumps(payload) if payload is not None else ""
            if not 200 <= status < 300 and status not in (ignore or ()):
                self._raise_error(status, raw, "application/json")
            return status, {"content-type": "application/json"}, raw

    client = OpenSearch(hosts=["http://fake:9200"], connection_class=FakeConnection, max_retries=0)
    return OpenSearchIndex("http://fake:9200", "articles", client=client, refresh="wait_for", auto_create=False)


def test_upsert_sends_bulk_and_returns_per_item_failures() -> None:
    calls: list[tuple[str, str, dict[str, Any], Any]] = []

    def handler(method: str, url: str, params: dict[str, Any], body: Any) -> tuple[int, Any]:
        return 200, {
            "errors": True,
            "items": [item("index", "a", 201), item("index", "b", 400, {"type": "mapper_parsing_exception"})],
        }

    index = fake_index(handler, calls)
    failures = index.upsert([make_doc("a"), make_doc("b")])
    assert [f.id for f in failures] == ["b"]
    [(method, url, params, body)] = calls
    assert (method, url) == ("POST", "/articles/_bulk")
    assert params["refresh"] in ("wait_for", b"wait_for")
    assert body.count("\n") == 4


def test_a_failed_bulk_request_fails_every_document_in_it() -> None:
    calls: list[tuple[str, str, dict[str, Any], Any]] = []
    index = fake_index(lambda *_: (503, {"error": {"type": "unavailable"}}), calls)
    assert [f.id for f in index.upsert([make_doc("a"), make_doc("b")])] == ["a", "b"]
    assert [f.id for f in index.delete(["a"])] == ["a"]


def test_a_connection_error_fails_every_document() -> None:
    def handler(*_: Any) -> tuple[int, Any]:
        raise OSConnectionError("N/A", "refused", Exception("refused"))

    index = fake_index(handler, [])
    failures = index.upsert([make_doc("a")])
    assert [f.id for f in failures] == ["a"]
    assert "ConnectionError" in failures[0].reason
    assert index.ping() is False


def test_delete_treats_not_found_as_done() -> None:
    calls: list[tuple[str, str, dict[str, Any], Any]] = []
    response = {"errors": False, "items": [item("delete", "a", 200), item("delete", "b", 404)]}
    index = fake_index(lambda *_: (200, response), calls)
    assert index.delete(["a", "b"]) == []
    assert calls[0][3] == '{"delete": {"_id": "a"}}\n{"delete": {"_id": "b"}}\n'


def test_get_count_and_ping() -> None:
    doc = make_doc("a", "Oil")

    def handler(method: str, url: str, params: dict[str, Any], body: Any) -> tuple[int, Any]:
        if url == "/articles/_doc/a":
            return 200, {"_id": "a", "found": True, "_source": doc.model_dump(mode="json")}
        if url == "/articles/_doc/missing":
            return 404, {"_id": "missing", "found": False}
        if url == "/articles/_count":
            return 200, {"count": 7}
        if method == "HEAD" and url == "/articles":  # the health check asks for the index, not the cluster
            return 200, None
        return 500, {"error": "unexpected"}

    index = fake_index(handler, [])
    assert index.get("a") == doc
    assert index.get("missing") is None
    assert index.count() == 7
    assert index.ping() is True


def test_search_posts_the_built_body_and_reads_the_response() -> None:
    calls: list[tuple[str, str, dict[str, Any], Any]] = []
    doc = make_doc("a", "Oil")

    def handler(method: str, url: str, params: dict[str, Any], body: Any) -> tuple[int, Any]:
        return 200, {
            "hits": {
                "total": {"value": 1},
                "hits": [{"_id": "a", "_score": 2.0, "_source": doc.model_dump(mode="json")}],
            },
            "aggregations": {"source": {"buckets": []}},
        }

    index = fake_index(handler, calls)
    query = SearchQuery(text="oil", facets=["source"])
    result = index.search(query)
    assert result.total == 1
    assert result.hits[0].document == doc
    assert result.facets == {"source": {}}
    [(method, url, _, body)] = calls
    assert (method, url) == ("POST", "/articles/_search")
    assert body == build_search_body(query)


def test_ensure_index_creates_the_index_once() -> None:
    calls: list[tuple[str, str, dict[str, Any], Any]] = []
    existing: set[str] = set()

    def handler(method: str, url: str, params: dict[str, Any], body: Any) -> tuple[int, Any]:
        if method == "HEAD":
            return (200 if url == "/articles" and existing else 404), None
        existing.add(url)
        return 200, {"acknowledged": True}

    index = fake_index(handler, calls)
    assert index.ensure_index() is True
    assert index.ensure_index() is False
    puts = [c for c in calls if c[0] == "PUT"]
    assert len(puts) == 1
    assert puts[0][1] == "/articles-v1"  # a versioned index behind the alias the adapter uses
    assert puts[0][3] == index_definition(alias="articles")


# ------------------------------------------------------------------------------ authentication


def test_the_first_upsert_creates_the_index_with_its_mapping() -> None:
    # Given a cluster without the index (which would otherwise auto-create a dynamic one)
    calls: list[tuple[str, str, dict[str, Any], Any]] = []
    created: list[Any] = []

    def handler(method: str, url: str, params: dict[str, Any], body: Any) -> tuple[int, Any]:
        if method == "HEAD":
            return (200 if created else 404), None
        if method == "PUT":
            created.append(body)
            return 200, {"acknowledged": True}
        return 200, {"errors": False, "items": [item("index", "a", 201)]}

    index = fake_index(handler, calls)
    index._ensured = False
    # When documents are upserted twice
    assert index.upsert([make_doc("a")]) == []
    assert index.upsert([make_doc("a")]) == []
    # Then the index was created once, with the strict mapping, before the first bulk
    assert created == [index_definition(alias="articles")]
    assert [c[0] for c in calls] == ["HEAD", "PUT", "POST", "POST"]


def test_documents_fail_when_the_index_cannot_be_created() -> None:
    index = fake_index(lambda *_: (403, {"error": {"type": "security_exception"}}), [])
    index._ensured = False
    failures = index.upsert([make_doc("a"), make_doc("b")])
    assert [f.id for f in failures] == ["a", "b"]
    assert "index unavailable" in failures[0].reason


def test_aws_endpoints_are_recognised() -> None:
    assert is_aws_endpoint("https://search-news-abc.eu-west-1.es.amazonaws.com")
    assert not is_aws_endpoint("http://localhost:9200")
    assert not is_aws_endpoint("https://localhost:9200")
    assert not is_aws_endpoint("http://search-news.es.amazonaws.com")
    assert aws_service("https://abc.eu-west-1.aoss.amazonaws.com") == "aoss"
    assert aws_service("https://search-news-abc.eu-west-1.es.amazonaws.com") == "es"


def test_aws_domains_are_signed_with_sigv4_and_local_ones_are_not() -> None:
    from opensearchpy import AWSV4SignerAuth

    signed = _build_client("https://search-news-abc.eu-west-1.es.amazonaws.com", "eu-west-1", None)
    assert isinstance(signed.transport.get_connection().session.auth, AWSV4SignerAuth)
    plain = _build_client("http://localhost:9200", None, None)
    assert plain.transport.get_connection().session.auth is None
    basic = _build_client("https://localhost:9200", None, ("admin", "secret"))
    assert basic.transport.get_connection().session.auth == ("admin", "secret")


def test_signing_needs_a_region() -> None:
    with pytest.raises(ValueError, match="region"):
        _build_client("https://search-news-abc.eu-west-1.es.amazonaws.com", None, None)


def test_build_search_index_picks_the_configured_backend(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsflow.search import build_search_index
    from newsflow.search.tantivy_index import TantivyIndex
    from newsflow.settings import Settings

    embedded = build_search_index(Settings(table_name="t", tantivy_path=str(tmp_path / "ix")))
    assert isinstance(embedded, TantivyIndex)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    remote = build_search_index(
        Settings(
            table_name="t",
            search_backend="opensearch",
            opensearch_url="https://search-news-abc.eu-west-1.es.amazonaws.com",
            opensearch_index="news",
        )
    )
    assert isinstance(remote, OpenSearchIndex)
    assert remote.index_name == "news"


# -------------------------------------------------------------- paging, facets, highlights, PIT


def test_search_after_replaces_from_and_reverse_inverts_the_order() -> None:
    body = build_search_body(SearchQuery(sort_by="publishedAt", reverse=True, search_after=[5, "x"], offset=40))
    assert body["search_after"] == [5, "x"]
    assert "from" not in body
    assert body["sort"] == [{"sort_at_us": "asc"}, {"id": "desc"}]


def test_relevancy_in_a_point_in_time() -> None:
    body = build_search_body(SearchQuery(text="oil", search_after=[1.5, 9, "a"]), pit_id="PIT")
    assert body["pit"] == {"id": "PIT", "keep_alive": "5m"}
    assert body["sort"][0] == {"_score": "desc"}
    assert body["search_after"] == [1.5, 9, "a"]


def test_new_filters_become_filter_and_must_not_clauses() -> None:
    query = SearchQuery(
        filters=SearchFilters(
            primary_category="economy",
            source_ids=["reuters"],
            exclude_domains=["FT.com"],
            story_ids=["s1"],
            exclude_ids=["a"],
            exclude_story_id="s2",
        )
    )
    clauses = build_search_body(query)["query"]["bool"]
    assert {"term": {"category": "economy"}} in clauses["filter"]
    assert {"terms": {"source_id": ["reuters"]}} in clauses["filter"]
    assert {"terms": {"story_id": ["s1"]}} in clauses["filter"]
    assert clauses["must_not"] == [
        {"terms": {"source_domain": ["ft.com"]}},
        {"ids": {"values": ["a"]}},
        {"term": {"story_id": "s2"}},
    ]


def test_month_facets_are_a_calendar_histogram_and_highlights_use_mark() -> None:
    body = build_search_body(
        SearchQuery(text="oil", facets=["month"], facet_latest=True, highlight=True, search_in=["title", "body"])
    )
    month = body["aggs"]["month"]
    assert month["date_histogram"]["calendar_interval"] == "month"
    assert month["date_histogram"]["format"] == "yyyy-MM"
    assert month["aggs"] == {"latest": {"max": {"field": "sort_at_us"}}}
    assert body["highlight"]["pre_tags"] == ["<mark>"]
    assert body["highlight"]["encoder"] == "html"
    assert set(body["highlight"]["fields"]) == {"title", "body"}
    assert body["query"]["bool"]["must"][0]["multi_match"]["fields"] == ["title^3", "body^1"]


def test_parse_reads_sort_values_highlights_months_and_relation() -> None:
    doc = make_doc("a")
    response = {
        "pit_id": "PIT2",
        "hits": {
            "total": {"value": 10000, "relation": "gte"},
            "hits": [
                {
                    "_id": "a",
                    "_score": 1.0,
                    "sort": [1.0, 5, "a"],
                    "_source": {**doc.model_dump(mode="json"), "sort_at_us": 5, "month": "2026-11"},
                    "highlight": {"title": ["<mark>Title</mark>"]},
                }
            ],
        },
        "aggregations": {
            "month": {"buckets": [{"key_as_string": "2026-11", "key": 1, "doc_count": 3, "latest": {"value": 7}}]}
        },
    }
    result = parse_search_response(response, ["month"], facet_latest=True)
    assert (result.total, result.total_relation, result.snapshot) == (10000, "gte", "PIT2")
    assert result.hits[0].sort == [1.0, 5, "a"]
    assert result.hits[0].highlights == {"title": "<mark>Title</mark>"}
    assert result.facets == {"month": {"2026-11": 3}}
    assert result.facet_latest["month"]["2026-11"] == datetime(1970, 1, 1, tzinfo=UTC).replace(microsecond=7)


def test_story_sources_body_and_response() -> None:
    body = story_sources_body(SearchQuery(filters=SearchFilters(category="economy")), 50)
    assert body["size"] == 0
    assert body["aggs"]["stories"]["terms"] == {"field": "story_id", "size": 50, "min_doc_count": 2}
    response = {
        "aggregations": {
            "stories": {
                "buckets": [
                    {"key": "s1", "doc_count": 3, "sources": {"buckets": [{"key": "ft", "first": {"value": 2.0}}]}}
                ]
            }
        }
    }
    [story] = parse_story_sources(response)
    assert (story.story_id, story.articles, list(story.first_by_source)) == ("s1", 3, ["ft"])


def test_relevancy_paging_opens_a_point_in_time_and_searches_in_it() -> None:
    calls: list[tuple[str, str, dict[str, Any], Any]] = []

    def handler(method: str, url: str, params: dict[str, Any], body: Any) -> tuple[int, Any]:
        if url.endswith("/_search/point_in_time"):
            return 200, {"pit_id": "PIT"}
        return 200, {"pit_id": "PIT", "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}

    index = fake_index(handler, calls)
    result = index.search(SearchQuery(text="oil", keep_snapshot=True))
    # the query service releases the point in time when the walk is over (here: a short first page)
    assert result.snapshot == "PIT"
    index.release_snapshot(result.snapshot)
    assert [(c[0], c[1]) for c in calls] == [
        ("POST", "/articles/_search/point_in_time"),
        ("POST", "/_search"),
        ("DELETE", "/_search/point_in_time"),
    ]
    assert calls[1][3]["pit"] == {"id": "PIT", "keep_alive": "5m"}
    assert calls[2][3] == {"pit_id": ["PIT"]}
    # date order needs no snapshot: search_after on the sort key is stable by itself
    calls.clear()
    index.search(SearchQuery(sort_by="publishedAt", keep_snapshot=True))
    assert [(c[0], c[1]) for c in calls] == [("POST", "/articles/_search")]


def test_swap_alias_is_one_atomic_call() -> None:
    calls: list[tuple[str, str, dict[str, Any], Any]] = []

    def handler(method: str, url: str, params: dict[str, Any], body: Any) -> tuple[int, Any]:
        if method == "HEAD" and url == "/_alias/articles":
            return 200, None
        if method == "GET" and url == "/_alias/articles":
            return 200, {"articles-v1": {"aliases": {"articles": {}}}}
        return 200, {"acknowledged": True}

    index = fake_index(handler, calls)
    assert index.swap_alias("articles-v2") == ["articles-v1"]
    [update] = [c for c in calls if c[1] == "/_aliases"]
    assert update[3] == {
        "actions": [
            {"remove": {"index": "articles-v1", "alias": "articles"}},
            {"add": {"index": "articles-v2", "alias": "articles"}},
        ]
    }
