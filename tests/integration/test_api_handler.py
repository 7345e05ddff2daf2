"""The api Lambda on moto + tantivy, driven with API Gateway REST proxy events."""

from __future__ import annotations

import json
from typing import Any

import pytest
from newsflow import wiring
from newsflow.handlers import api, index, ingest
from newsflow.local.events import api_gateway_event
from newsflow.local.resources import LocalResources

from tests.integration.helpers import body, context, receive_event, send_items, stream_event_from_moto

STORIES = [
    body(),
    body(
        url="https://news.example.com/tech/chip-export-rules",
        guid="chips-1",
        title="US tightens chip export rules for advanced semiconductors",
        summary="New export controls target AI accelerators and chipmaking equipment.",
        content_html="<p>The Commerce Department widened export controls on semiconductors.</p>",
        tags=["Semiconductors"],
        published="2026-11-18T09:00:00Z",
    ),
    body(
        url="https://news.example.com/banking/rate-decision",
        guid="fed-1",
        title="Bank lenders brace for lower interest margins after Fed cut",
        summary="Regional banks expect lending margins to narrow.",
        content_html="<p>Bank shares fell as lenders weighed the interest rate cut.</p>",
        tags=["Banking"],
        published="2026-10-02T09:00:00Z",
    ),
]


@pytest.fixture
def populated(stack_env: LocalResources) -> LocalResources:
    send_items(stack_env, STORIES)
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    return stack_env


def call(path: str, method: str = "GET") -> tuple[int, dict[str, Any]]:
    event = api_gateway_event(method, path, {"Host": "api.test"}, b"", "127.0.0.1")
    response = api.lambda_handler(event, context("api"))
    return response["statusCode"], json.loads(response["body"])


def test_latest_articles_are_newest_first_across_months(populated: LocalResources) -> None:
    status, page = call("/v1/articles?pageSize=10")
    assert status == 200
    dates = [a["publishedAt"] for a in page["articles"]]
    assert len(dates) == 3
    assert dates == sorted(dates, reverse=True)
    assert page["nextCursor"] is None


def test_cursor_paging_visits_every_article_once(populated: LocalResources) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        path = "/v1/articles?pageSize=1" + (f"&cursor={cursor}" if cursor else "")
        status, page = call(path)
        assert status == 200
        seen.extend(a["id"] for a in page["articles"])
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert len(seen) == 3
    assert len(set(seen)) == 3


def test_articles_filtered_by_category(populated: LocalResources) -> None:
    status, page = call("/v1/articles?category=electronics-semiconductor")
    assert status == 200
    assert [a["title"] for a in page["articles"]] == ["US tightens chip export rules for advanced semiconductors"]


def test_article_by_id_has_body_and_reading_time(populated: LocalResources) -> None:
    _, page = call("/v1/articles?category=energy-resources")
    article_id = page["articles"][0]["id"]
    status, found = call(f"/v1/articles/{article_id}")
    assert status == 200
    assert "Brent crude" in found["article"]["content"]
    assert found["article"]["readingTimeMinutes"] >= 1


def test_search_finds_by_words_and_reports_totals_and_facets(populated: LocalResources) -> None:
    status, result = call("/v1/search?q=export%20controls&facets=category,month&highlight=true")
    assert status == 200
    assert result["totalResults"] >= 1
    assert result["totalRelation"] == "eq"
    assert result["articles"][0]["title"].startswith("US tightens chip export")
    assert result["facets"]["category"]["electronics-semiconductor"] >= 1
    assert result["facets"]["month"] == {"2026-11": 1}
    assert "<mark>export</mark>" in result["articles"][0]["highlights"]["title"]


def test_categories_list_all_fourteen_with_counts(populated: LocalResources) -> None:
    status, result = call("/v1/categories")
    assert status == 200
    counts = {c["slug"]: c["articleCount"] for c in result["categories"]}
    assert len(counts) == 14
    assert counts["energy-resources"] >= 1
    assert counts["agriculture"] == 0


def test_health_reports_table_and_index(populated: LocalResources) -> None:
    status, result = call("/v1/health")
    assert status == 200
    assert result == {"status": "ok", "checks": {"table": True, "searchIndex": True}}


@pytest.mark.parametrize(
    ("path", "code", "param"),
    [
        ("/v1/articles?pageSize=0", "parameterInvalid", "pageSize"),
        ("/v1/articles?pageSize=500", "parameterInvalid", "pageSize"),
        ("/v1/articles?pageSize=ten", "parameterInvalid", "pageSize"),
        ("/v1/articles?category=sports", "parameterInvalid", "category"),
        ("/v1/articles?colour=red", "parameterUnknown", "colour"),
        ("/v1/articles?cursor=not-a-cursor", "cursorInvalid", "cursor"),
        ("/v1/articles?pageSize=1&pageSize=2", "parameterRepeated", "pageSize"),
        ("/v1/search?q=" + "x" * 501, "parameterInvalid", "q"),
        ("/v1/search?from=yesterday", "parameterInvalid", "from"),
        ("/v1/search?from=2026-11-02&to=2026-11-01", "parameterInvalid", "from"),
        ("/v1/search?sortBy=popularity", "parameterInvalid", "sortBy"),
        ("/v1/search?cursor=%%%", "cursorInvalid", "cursor"),
        ("/v1/articles/not-an-id", "parameterInvalid", "id"),
        ("/v1/articles/" + "0" * 32 + "?fields=title,secret", "parameterInvalid", "fields"),
        ("/v1/search?facets=colour", "parameterInvalid", "facets"),
        ("/v1/search?searchIn=body", "parameterInvalid", "searchIn"),
        ("/v1/articles?collapse=source", "parameterInvalid", "collapse"),
        ("/v1/top-headlines?window=1y", "parameterInvalid", "window"),
        ("/v1/archives/2026/13", "parameterInvalid", "month"),
        ("/v1/articles?sources=a%20b", "parameterInvalid", "sources"),
    ],
)
def test_bad_parameters_are_400_with_the_error_schema(
    populated: LocalResources, path: str, code: str, param: str
) -> None:
    status, error = call(path)
    assert status == 400
    assert error["status"] == "error"
    assert error["code"] == code
    assert error["param"] == param
    assert error["message"]


def test_unknown_article_and_route_are_404(populated: LocalResources) -> None:
    status, error = call("/v1/articles/" + "0" * 32)
    assert (status, error["code"]) == (404, "notFound")
    status, error = call("/v1/nothing-here")
    assert (status, error["code"]) == (404, "routeNotFound")


def test_hostile_search_text_never_errors(populated: LocalResources) -> None:
    for q in ['"unbalanced', "((((", "AND OR NOT", "title:foo^10 ~2 *", "\\u0000", "-", "+", '"" ()']:
        from urllib.parse import quote

        status, result = call(f"/v1/search?q={quote(q)}")
        assert status == 200, (q, result)


def call_full(
    path: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    raw = json.dumps(body).encode() if body is not None else b""
    event = api_gateway_event(method, path, {"Host": "api.test", **(headers or {})}, raw, "127.0.0.1")
    return api.lambda_handler(event, context("api"))


def test_article_page_renders_from_one_call(populated: LocalResources) -> None:
    _, page = call("/v1/articles?pageSize=10")
    article_id = page["articles"][0]["id"]
    status, found = call(f"/v1/articles/{article_id}")
    assert status == 200
    article = found["article"]
    assert article["source"]["homepage"] == "https://news.example.com/"
    assert {"previous", "next", "readingTimeMinutes", "wordCount", "storyId", "alsoFrom"} <= set(article)
    status, related = call(f"/v1/articles/{article_id}/related")
    assert status == 200
    assert article_id not in [a["id"] for a in related["articles"]]


def test_site_structure_endpoints(populated: LocalResources) -> None:
    status, archives = call("/v1/archives")
    assert status == 200
    assert [m["month"] for m in archives["months"]] == ["2026-11", "2026-10"]
    status, october = call("/v1/archives/2026/10")
    assert status == 200
    assert [a["title"][:4] for a in october["articles"]] == ["Bank"]
    status, sources = call("/v1/sources")
    assert status == 200
    assert sources["sources"][0]["id"] == "example-news"
    assert sources["sources"][0]["articleCount"] == 3
    status, hot = call("/v1/top-headlines?window=7d")
    assert status == 200
    assert hot["window"] == "7d"


def test_openapi_document_and_docs_page(populated: LocalResources) -> None:
    status, document = call("/v1/openapi.json")
    assert status == 200
    assert document["openapi"].startswith("3.1")
    assert {"/v1/articles", "/v1/search", "/v1/top-headlines", "/v1/admin/items"} <= set(document["paths"])
    assert "2^(-age_s / halfLife)" in document["paths"]["/v1/top-headlines"]["get"]["description"]
    response = call_full("/v1/docs")
    assert response["statusCode"] == 200
    assert "swagger-ui" in response["body"]


def test_cors_allows_configured_origins_only(populated: LocalResources, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsflow import constants as c
    from newsflow.settings import reset_settings_cache

    monkeypatch.setenv(c.ENV_CORS_ORIGINS, "https://news.example.com, https://www.example.com")
    reset_settings_cache()
    wiring.reset()
    allowed = call_full("/v1/categories", headers={"Origin": "https://news.example.com"})
    assert allowed["headers"]["Access-Control-Allow-Origin"] == "https://news.example.com"
    other = call_full("/v1/categories", headers={"Origin": "https://evil.example.net"})
    assert "Access-Control-Allow-Origin" not in (other.get("headers") or {})
    preflight = call_full("/v1/search", method="OPTIONS", headers={"Origin": "https://www.example.com"})
    assert preflight["statusCode"] == 204
    assert "GET" in preflight["headers"]["Access-Control-Allow-Methods"]
    assert call_full("/v1/search", method="OPTIONS", headers={"Origin": "https://x.test"})["statusCode"] == 403


def test_admin_items_are_validated_and_enqueued(populated: LocalResources) -> None:
    from newsflow import aws

    # The fixture's ingested messages were never deleted (the handler ran without an event source): with the
    # local 2 s visibility timeout they come back on a slow machine, so start from an empty queue.
    aws.sqs().purge_queue(QueueUrl=populated.queue_url)
    items = [
        {"url": "https://example.com/a", "title": "Fine item"},
        {"title": "no url nor guid"},
        {"url": "https://example.com/b", "title": "Another", "authors": "not-a-list"},
    ]
    response = call_full("/v1/admin/items", method="POST", body={"items": items})
    assert response["statusCode"] == 202
    result = json.loads(response["body"])
    assert [a["index"] for a in result["accepted"]] == [0]
    assert [(r["index"], r["reason"]) for r in result["rejected"]] == [(1, "schema_violation"), (2, "schema_violation")]
    messages = aws.sqs().receive_message(QueueUrl=populated.queue_url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["title"] for m in messages] == ["Fine item"]
    too_many = call_full("/v1/admin/items", method="POST", body=[{"title": "x", "guid": "g"}] * 101)
    assert too_many["statusCode"] == 400


def test_admin_feeds_crud(populated: LocalResources) -> None:
    feed = {"feedId": "example", "url": "https://example.com/rss", "name": "Example", "intervalMinutes": 30}
    created = call_full("/v1/admin/feeds", method="POST", body=feed)
    assert created["statusCode"] == 201
    again = call_full("/v1/admin/feeds", method="POST", body=feed | {"enabled": False})
    assert again["statusCode"] == 200
    listed = json.loads(call_full("/v1/admin/feeds")["body"])
    assert [(f["feedId"], f["enabled"], f["intervalMinutes"]) for f in listed["feeds"]] == [("example", False, 30)]
    assert call_full("/v1/admin/feeds/example")["statusCode"] == 200
    assert call_full("/v1/admin/feeds/example", method="DELETE")["statusCode"] == 200
    assert call_full("/v1/admin/feeds/example")["statusCode"] == 404
    bad = call_full("/v1/admin/feeds", method="POST", body={"feedId": "x", "url": "ftp://nope"})
    assert json.loads(bad["body"])["param"] == "url"


def test_admin_routes_refuse_unsigned_calls_outside_local(
    populated: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsflow import constants as c
    from newsflow.settings import reset_settings_cache

    monkeypatch.setenv(c.ENV_STAGE, "prod")
    reset_settings_cache()
    response = call_full("/v1/admin/feeds")
    assert response["statusCode"] == 403


def test_section_pages_survive_a_search_index_outage(
    populated: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a search index that fails every query
    def down(*_: Any, **__: Any) -> Any:
        raise ConnectionError("search index unreachable")

    monkeypatch.setattr(index.search_index(), "search", down)
    # When a reader opens the latest page, one article at a time
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        status, page = call("/v1/articles?pageSize=1" + (f"&cursor={cursor}" if cursor else ""))
        # Then the table answers, newest first, with a cursor that keeps reading from the table
        assert status == 200
        assert page["totalRelation"] == "gte"
        seen.extend(a["id"] for a in page["articles"])
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 3
    # And a section page is served by primary category
    status, page = call("/v1/articles?category=electronics-semiconductor")
    assert status == 200
    assert [a["title"] for a in page["articles"]] == ["US tightens chip export rules for advanced semiconductors"]
    # But a query the table cannot answer still fails loudly rather than returning wrong results
    status, error = call("/v1/articles?language=en")
    assert status == 500
    assert error["code"] == "internalError"


def test_listings_are_served_from_the_keys_only_gsis_when_the_search_index_fails(
    populated: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a search index that fails every query
    from newsflow.search import shared_search_index

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("search index down")

    monkeypatch.setattr(shared_search_index(), "search", broken)
    # When the latest listing is paged one article at a time, and a section is listed
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(5):
        status, page = call("/v1/articles?pageSize=1" + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200
        assert page["totalRelation"] == "gte"
        seen.extend(page["articles"])
        cursor = page["nextCursor"]
        if not cursor:
            break
    status, section = call("/v1/articles?category=electronics-semiconductor")
    # Then the table serves full cards newest first (read from the table behind the KEYS_ONLY index entries)
    assert [a["publishedAt"] for a in seen] == sorted((a["publishedAt"] for a in seen), reverse=True)
    assert len({a["id"] for a in seen}) == 3
    assert all(a["title"] and a["url"] for a in seen)
    assert status == 200
    assert [a["title"] for a in section["articles"]] == ["US tightens chip export rules for advanced semiconductors"]
    assert section["articles"][0]["description"].startswith("New export controls")
