"""The NewsAPI-compatible routes (/v2) on moto + tantivy, driven with API Gateway REST proxy events,
compared with the native /v1 endpoints over the same index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from newsflow import wiring
from newsflow.handlers import api, index, ingest
from newsflow.local.events import api_gateway_event
from newsflow.local.resources import LocalResources

from tests.integration.helpers import context, receive_event, send_items, stream_event_from_moto
from tests.newsapi_corpus import newsapi_items

ARTICLE_FIELDS = {"source", "author", "title", "description", "url", "urlToImage", "publishedAt", "content"}


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalResources]:
    """One moto account and index for the module (read-only tests): the stack_env fixture, built once."""
    from moto import mock_aws
    from newsflow import constants as c
    from newsflow.local.resources import create_resources
    from newsflow.local.stack import reset_process_caches

    with pytest.MonkeyPatch.context() as env, mock_aws():
        reset_process_caches()
        resources = create_resources()
        for name, value in resources.environment().items():
            env.setenv(name, value)
        env.setenv(c.ENV_SEARCH_BACKEND, "tantivy")
        env.setenv(c.ENV_TANTIVY_PATH, str(tmp_path_factory.mktemp("newsapi") / "index"))
        reset_process_caches()
        items = newsapi_items()
        opec = next(item for item in items if "OPEC" in item["title"])
        syndicated = opec | {"url": "https://oildesk.example.com/opec", "source": {"name": "Oil Desk"}}
        send_items(resources, [json.dumps(item) for item in [*items, syndicated]])
        ingest.lambda_handler(receive_event(resources), context("ingest"))
        index.lambda_handler(stream_event_from_moto(resources), context("index"))
        yield resources
        reset_process_caches()


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    yield
    wiring.reset()  # a test that changed a NEWSFLOW_NEWSAPI_* setting leaves none behind


def call(path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
    query = f"?{urlencode(params)}" if params else ""
    event = api_gateway_event("GET", path + query, {"Host": "api.test", **(headers or {})}, b"", "127.0.0.1")
    response = api.lambda_handler(event, context("api"))
    headers = dict(response.get("headers") or {})
    headers.update({k: ", ".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()})
    return response["statusCode"], json.loads(response["body"]), headers


def test_everything_has_newsapis_shape_and_matches_native_search(populated: LocalResources) -> None:
    status, body, headers = call("/v2/everything", {"q": "inflation", "sortBy": "publishedAt", "apiKey": "k"})
    assert status == 200
    assert set(body) == {"status", "totalResults", "articles"}
    assert body["status"] == "ok"
    assert body["articles"]
    for article in body["articles"]:
        assert set(article) == ARTICLE_FIELDS
        assert set(article["source"]) == {"id", "name"}
        assert article["publishedAt"].endswith("Z")
    _, native, _ = call("/v1/search", {"q": "inflation", "sortBy": "publishedAt", "pageSize": 100})
    assert body["totalResults"] == native["totalResults"]
    assert [a["url"] for a in body["articles"]] == [a["url"] for a in native["articles"]]
    assert [a["title"] for a in body["articles"]] == [a["title"] for a in native["articles"]]
    assert [a["source"]["id"] for a in body["articles"]] == [a["sourceId"] for a in native["articles"]]
    assert [a["description"] for a in body["articles"]] == [a["description"] or None for a in native["articles"]]
    assert headers["Cache-Control"].startswith("public, max-age=30")


def test_content_is_truncated_like_newsapi_or_full_as_a_setting(
    populated: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, body, _ = call("/v2/everything", {"q": "inflation", "language": "en"})
    content = body["articles"][0]["content"]
    head, _, tail = content.partition("… [+")
    assert len(head) == 200
    assert tail.endswith(" chars]")
    left = int(tail.removesuffix(" chars]"))
    monkeypatch.setenv("NEWSFLOW_NEWSAPI_CONTENT", "full")
    wiring.reset()
    _, full, _ = call("/v2/everything", {"q": "inflation", "language": "en"})
    whole = full["articles"][0]["content"]
    assert whole.startswith(head)
    assert len(whole) == 200 + left


def test_page_reads_the_same_ordering_as_one_big_page(populated: LocalResources) -> None:
    _, whole, _ = call("/v2/everything", {"domains": "reuters.example.com, finwire.example.net", "pageSize": 100})
    urls = [a["url"] for a in whole["articles"]]
    assert len(urls) == whole["totalResults"] == 4
    paged = []
    for page in (1, 2, 3):
        status, body, _ = call(
            "/v2/everything", {"domains": "reuters.example.com,finwire.example.net", "pageSize": 2, "page": page}
        )
        assert status == 200
        assert body["totalResults"] == 4
        paged += [a["url"] for a in body["articles"]]
    assert paged == urls


def test_popularity_is_the_number_of_sources_that_carried_the_story(populated: LocalResources) -> None:
    status, body, _ = call("/v2/everything", {"q": "inflation OR chips OR OPEC OR jobs", "sortBy": "popularity"})
    assert status == 200
    titles = [a["title"] for a in body["articles"]]
    # three sources carried the inflation story; two the OPEC article (syndicated: one stored article whose
    # alsoFrom names the other) and two the chips story (the OPEC article is newer); one each of the rest
    assert all("inflation" in t.lower() for t in titles[:3])
    assert titles[3].startswith("OPEC+")
    assert all("AI chips" in t for t in titles[4:6])
    singles = [a["publishedAt"] for a in body["articles"][6:]]
    assert len(singles) == 2
    assert singles == sorted(singles, reverse=True)
    assert body["totalResults"] == len(titles) == 8


def test_qintitle_as_newsapi_python_sends_it_searches_titles_only(populated: LocalResources) -> None:
    _, body, _ = call("/v2/everything", {"qintitle": "OPEC"})
    assert [a["title"] for a in body["articles"]] == ["OPEC+ agrees to extend oil output cuts into next year"]
    _, body, _ = call("/v2/everything", {"qInTitle": "barrels"})  # only in the description
    assert body["totalResults"] == 0


def test_inclusive_to_date_covers_the_whole_day(populated: LocalResources) -> None:
    _, everything, _ = call("/v2/everything", {"domains": "finwire.example.net"})
    oldest = everything["articles"][-1]["publishedAt"]
    _, same_day, _ = call("/v2/everything", {"domains": "finwire.example.net", "to": oldest[:10]})
    assert [a["publishedAt"] for a in same_day["articles"]] == [oldest]
    _, to_second, _ = call("/v2/everything", {"domains": "finwire.example.net", "to": oldest[:19]})
    assert [a["publishedAt"] for a in to_second["articles"]] == [oldest]


def test_top_headlines_is_whats_hot(populated: LocalResources) -> None:
    status, body, _ = call("/v2/top-headlines", {"category": "business", "pageSize": 10})
    assert status == 200
    _, native, _ = call("/v1/top-headlines", {"category": "economy", "pageSize": 10})
    assert [a["url"] for a in body["articles"]] == [a["url"] for a in native["articles"]]
    assert body["totalResults"] == native["totalResults"]
    # one article per story, its earliest; the old jobs report is outside the 24 h window
    assert body["articles"][0]["source"]["name"] == "Reuters"
    assert "jobs" not in json.dumps(body).lower()


def test_top_headlines_country_reads_the_countrys_language(populated: LocalResources) -> None:
    _, german, _ = call("/v2/top-headlines", {"country": "de"})
    assert [a["title"] for a in german["articles"]] == ["Inflation im Euroraum steigt auf 2,4 Prozent"]
    # the clients send language=en by default: with country=de nothing matches both, as on NewsAPI itself
    _, both, _ = call("/v2/top-headlines", {"country": "de", "language": "en"})
    assert both == {"status": "ok", "totalResults": 0, "articles": []}
    _, us, _ = call("/v2/top-headlines", {"country": "us", "q": "chips"})
    assert {a["source"]["name"] for a in us["articles"]} <= {"Tech Ledger", "Cloud Weekly"}
    assert len(us["articles"]) == 1  # one article per story


def test_sources_lists_the_index_sources_with_newsapis_fields(populated: LocalResources) -> None:
    for path in ("/v2/top-headlines/sources", "/v2/sources"):
        status, body, _ = call(path, {"language": "en"})
        assert status == 200
        ids = {s["id"] for s in body["sources"]}
        assert {"reuters", "financial-wire", "tech-ledger"} <= ids
        assert "handel-heute" not in ids
        reuters = next(s for s in body["sources"] if s["id"] == "reuters")
        assert reuters == {
            "id": "reuters",
            "name": "Reuters",
            "description": reuters["description"],
            "url": "https://reuters.example.com",
            "category": "general",
            "language": "en",
            "country": None,
        }
        assert reuters["description"].startswith("2 articles in this index")


@pytest.mark.parametrize(
    ("path", "params", "status", "code", "words"),
    [
        ("/v2/everything", {}, 400, "parametersMissing", "q, qInTitle, sources, domains"),
        ("/v2/everything", {"language": "en"}, 400, "parametersMissing", "too broad"),
        ("/v2/everything", {"q": "x", "sortBy": "hot"}, 400, "parameterInvalid", "sortBy"),
        ("/v2/everything", {"q": "x", "pageSize": 101}, 400, "parameterInvalid", "pageSize"),
        ("/v2/everything", {"q": "x", "page": 0}, 400, "parameterInvalid", "page"),
        ("/v2/everything", {"q": "x", "page": 11}, 400, "parameterInvalid", "nextCursor"),
        ("/v2/everything", {"q": "x", "from": "yesterday"}, 400, "parameterInvalid", "ISO 8601"),
        ("/v2/everything", {"q": "x", "from": "2026-11-02", "to": "2026-11-01"}, 400, "parameterInvalid", "from"),
        ("/v2/everything", {"q": "x", "colour": "red"}, 400, "parameterInvalid", "colour"),
        ("/v2/everything", {"q": "x", "qInTitle": "y"}, 400, "parameterInvalid", "not both"),
        ("/v2/everything", {"sources": ",".join(f"s{i}" for i in range(21))}, 400, "sourcesTooMany", "at most 20"),
        ("/v2/everything", {"q": "x", "searchIn": "body"}, 400, "parameterInvalid", "searchIn"),
        ("/v2/top-headlines", {}, 400, "parametersMissing", "sources, q, language, country, category"),
        ("/v2/top-headlines", {"sources": "reuters", "country": "us"}, 400, "parameterInvalid", "mix"),
        ("/v2/top-headlines", {"category": "sports"}, 400, "parameterInvalid", "no counterpart"),
        ("/v2/top-headlines", {"category": "cooking"}, 400, "parameterInvalid", "not supported"),
        ("/v2/top-headlines", {"country": "zz"}, 400, "parameterInvalid", "not mapped"),
        ("/v2/top-headlines", {"q": "a", "qintitle": "b"}, 400, "parameterInvalid", "not both"),
        ("/v2/sources", {"category": "health"}, 400, "parameterInvalid", "no counterpart"),
    ],
)
def test_bad_arguments_get_newsapis_error_body(
    populated: LocalResources, path: str, params: dict[str, Any], status: int, code: str, words: str
) -> None:
    got, body, headers = call(path, params)
    assert got == status
    assert set(body) == {"status", "code", "message"}
    assert (body["status"], body["code"]) == ("error", code)
    assert words in body["message"]
    assert headers["Cache-Control"] == "no-store"


def test_repeated_parameter_and_unexpected_failure_keep_newsapis_shape(
    populated: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, body, _ = call("/v2/everything?q=a&q=b")
    assert (status, body["code"]) == (400, "parameterInvalid")

    def broken(*_: Any, **__: Any) -> Any:
        raise ConnectionError("index unreachable")

    monkeypatch.setattr(index.search_index(), "search", broken)
    status, body, _ = call("/v2/everything", {"q": "inflation"})
    assert status == 500
    assert body == {"status": "error", "code": "unexpectedError", "message": body["message"]}


def test_no_cache_header_of_the_npm_client_is_honoured(populated: LocalResources) -> None:
    _, _, headers = call("/v2/everything", {"q": "inflation"}, headers={"X-No-Cache": "true"})
    assert headers["Cache-Control"] == "no-store"


def test_the_openapi_document_describes_the_compatibility_routes(populated: LocalResources) -> None:
    status, document, _ = call("/v1/openapi.json")
    assert status == 200
    for path in ("/v2/everything", "/v2/top-headlines", "/v2/top-headlines/sources", "/v2/sources"):
        operation = document["paths"][path]["get"]
        assert operation["tags"] == ["newsapi"]
        assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/NewsApiErrorBody"
        }
        assert {"apiKeyQuery": []} in operation["security"]
    names = [p["name"] for p in document["paths"]["/v2/everything"]["get"]["parameters"]]
    assert {"q", "qInTitle", "searchIn", "sources", "domains", "excludeDomains", "from", "to", "language"} <= set(names)
    assert {"sortBy", "pageSize", "page", "apiKey"} <= set(names)
    codes = document["components"]["schemas"]["NewsApiErrorBody"]["properties"]["code"]["enum"]
    assert "sourcesTooMany" in codes
