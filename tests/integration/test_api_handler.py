"""The api Lambda on moto + tantivy, driven with API Gateway REST proxy events."""

from __future__ import annotations

import json
from typing import Any

import pytest
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
    status, result = call("/v1/search?q=export%20controls")
    assert status == 200
    assert result["totalResults"] >= 1
    assert result["articles"][0]["title"].startswith("US tightens chip export")
    assert result["facets"]["category"]["electronics-semiconductor"] >= 1


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
        ("/v1/articles/not-an-id", "parameterInvalid", "article_id"),
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
