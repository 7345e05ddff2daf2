"""End to end: the real NewsAPI clients against the local stack (started with an API key), with only their
base URL redirected — `newsapi-python` (PyPI) through a requests session adapter, the npm `newsapi` client
through Node (tests/e2e/newsapi_node/run.js) — compared field by field with the native /v1 endpoints."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from newsapi import NewsApiClient
from newsapi.newsapi_exception import NewsAPIException
from newsflow.local.ingest_run import queue_for_stack, run_ingest
from newsflow.local.sources import collect
from newsflow.local.stack import LocalStack
from requests.adapters import HTTPAdapter

from tests.conftest import REPO_ROOT
from tests.newsapi_corpus import newsapi_items

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

KEY = "e2e-newsapi-key"
NEWSAPI_ORIGIN = "https://newsapi.org"
NODE_SCRIPT = REPO_ROOT / "tests" / "e2e" / "newsapi_node" / "run.js"


class RedirectToStack(HTTPAdapter):
    """Sends what the client addresses to newsapi.org to the local stack instead (nothing else changes)."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._base = base_url

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        assert request.url is not None
        assert request.url.startswith(NEWSAPI_ORIGIN)
        request.url = self._base + request.url[len(NEWSAPI_ORIGIN) :]
        return super().send(request, *args, **kwargs)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    from moto.moto_api._internal.models import moto_api_backend

    # moto's backends outlive a stack in the same process: start from an empty account, so that the tables and
    # streams of an earlier e2e module's stack cannot flow into this stack's index and stories.
    moto_api_backend.reset()
    data_dir: Path = tmp_path_factory.mktemp("newsapi-e2e")
    with LocalStack(data_dir=data_dir, api_port=0, api_key=KEY) as running:
        source = data_dir / "items.jsonl"
        source.write_text("".join(json.dumps(item) + "\n" for item in newsapi_items()))
        summary = run_ingest(collect([str(source)]), queue_for_stack(running), running.status, 120, progress=False)
        assert summary.completed, summary
        assert summary.stored == len(newsapi_items()), summary
        yield running


def client_for(stack: LocalStack, key: str = KEY) -> NewsApiClient:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment between the client and 127.0.0.1
    session.mount(NEWSAPI_ORIGIN, RedirectToStack(stack.api_url))
    return NewsApiClient(api_key=key, session=session)


def native(stack: LocalStack, path: str, params: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(f"{stack.api_url}{path}?{urlencode(params)}", headers={"x-api-key": KEY})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def raw(stack: LocalStack, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(f"{stack.api_url}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def same_as_native(articles: list[dict[str, Any]], cards: list[dict[str, Any]]) -> None:
    """Every NewsAPI field against the native card it comes from."""
    assert len(articles) == len(cards)
    for article, card in zip(articles, cards, strict=True):
        assert article["url"] == card["url"]
        assert article["title"] == card["title"]
        assert article["description"] == (card["description"] or None)
        assert article["source"] == {"id": card["sourceId"], "name": card["sourceName"]}
        assert article["author"] == (", ".join(card["authors"]) or None)
        assert article["urlToImage"] == card["imageUrl"]
        assert article["publishedAt"] == card["publishedAt"][:19] + "Z"


# ------------------------------------------------------------------------------------ newsapi-python


def test_python_client_get_everything_matches_native_search(stack: LocalStack) -> None:
    result = client_for(stack).get_everything(q="inflation", language="en", sort_by="publishedAt", page_size=10)
    assert result["status"] == "ok"
    cards = native(stack, "/v1/search", {"q": "inflation", "language": "en", "sortBy": "publishedAt", "pageSize": 10})
    assert result["totalResults"] == cards["totalResults"] == 3
    same_as_native(result["articles"], cards["articles"])
    assert all(a["content"].endswith(" chars]") for a in result["articles"])


def test_python_client_common_everything_arguments(stack: LocalStack) -> None:
    client = client_for(stack)
    by_domain = client.get_everything(domains="reuters.example.com", exclude_domains="finwire.example.net")
    assert {a["source"]["id"] for a in by_domain["articles"]} == {"reuters"}
    titles = client.get_everything(qintitle="OPEC", from_param="2000-01-01", to="2999-12-31")
    assert [a["title"] for a in titles["articles"]] == ["OPEC+ agrees to extend oil output cuts into next year"]
    by_source = client.get_everything(sources="euro-daily,tech-ledger", sort_by="relevancy", page_size=1, page=2)
    assert by_source["totalResults"] == 2
    assert len(by_source["articles"]) == 1
    popular = client.get_everything(q="inflation OR chips OR OPEC", sort_by="popularity")
    assert popular["articles"][0]["title"].startswith("Euro zone inflation")


def test_python_client_get_top_headlines_matches_native_whats_hot(stack: LocalStack) -> None:
    client = client_for(stack)
    result = client.get_top_headlines(category="business", language="en", page_size=10)
    hot = native(stack, "/v1/top-headlines", {"category": "economy", "language": "en", "pageSize": 10})
    assert result["totalResults"] == hot["totalResults"]
    same_as_native(result["articles"], hot["articles"])
    technology = client.get_top_headlines(category="technology")
    assert [a["source"]["name"] for a in technology["articles"]] == ["Tech Ledger"]
    german = client.get_top_headlines(country="de", language="de")  # the client's default language is en
    assert [a["source"]["id"] for a in german["articles"]] == ["handel-heute"]
    from_sources = client.get_top_headlines(sources="reuters", q="OPEC")
    assert [a["source"]["id"] for a in from_sources["articles"]] == ["reuters"]


def test_python_client_get_sources(stack: LocalStack) -> None:
    result = client_for(stack).get_sources(language="en")
    listed = native(stack, "/v1/sources", {"language": "en"})
    assert [s["id"] for s in result["sources"]] == [s["id"] for s in listed["sources"]]
    assert all(
        set(s) == {"id", "name", "description", "url", "category", "language", "country"} for s in result["sources"]
    )
    assert client_for(stack).get_sources(category="technology")["sources"][0]["category"] == "technology"


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda c: c.get_top_headlines(category="sports"), "parameterInvalid"),
        (lambda c: c.get_top_headlines(language=None), "parametersMissing"),
        (lambda c: c.get_everything(language="en"), "parametersMissing"),
        (lambda c: c.get_everything(q="inflation", page=11, page_size=100), "parameterInvalid"),
        (lambda c: c.get_everything(sources=",".join(f"s{i}" for i in range(21))), "sourcesTooMany"),
        (lambda c: c.get_sources(category="health"), "parameterInvalid"),
    ],
)
def test_python_client_bad_arguments_raise_newsapi_exceptions(stack: LocalStack, call: Any, code: str) -> None:
    with pytest.raises(NewsAPIException) as raised:
        call(client_for(stack))
    assert raised.value.get_status() == "error"
    assert raised.value.get_code() == code
    assert raised.value.get_message()


def test_python_client_with_a_wrong_key_gets_api_key_invalid(stack: LocalStack) -> None:
    with pytest.raises(NewsAPIException) as raised:
        client_for(stack, key="not-the-key").get_everything(q="inflation")
    assert raised.value.get_code() == "apiKeyInvalid"


# ------------------------------------------------------------------------- the key, the three ways


def test_api_key_by_query_parameter_header_or_bearer_token(stack: LocalStack) -> None:
    path = "/v2/everything?q=inflation"
    assert raw(stack, f"{path}&apiKey={KEY}")[0] == 200
    assert raw(stack, path, {"X-Api-Key": KEY})[0] == 200
    assert raw(stack, path, {"Authorization": f"Bearer {KEY}"})[0] == 200
    assert raw(stack, path, {"Authorization": KEY})[0] == 200  # newsapi-python's spelling
    assert raw(stack, path) == (
        401,
        {"status": "error", "code": "apiKeyMissing", "message": raw(stack, path)[1]["message"]},
    )
    status, body = raw(stack, f"{path}&apiKey=wrong")
    assert (status, body["code"]) == (401, "apiKeyInvalid")
    status, body = raw(stack, "/v1/search?q=inflation")  # the native routes keep their 403
    assert (status, body["code"]) == (403, "apiKeyInvalid")


# ------------------------------------------------------------------------------------ npm `newsapi`


@pytest.fixture(scope="module")
def node_results(stack: LocalStack) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (REPO_ROOT / "node_modules" / "newsapi").is_dir():
        pytest.fail("the npm client is missing: `make test` installs it (npm ci), or run `npm ci` yourself")
    env = {**os.environ, "NEWSAPI_BASE_URL": stack.api_url, "NEWSAPI_KEY": KEY}
    done = subprocess.run([node, str(NODE_SCRIPT)], capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_node_client_calls_answer_with_data_it_parses(stack: LocalStack, node_results: dict[str, Any]) -> None:
    everything = node_results["everything"]
    assert everything["ok"], everything
    cards = native(stack, "/v1/search", {"q": "inflation", "language": "en", "sortBy": "publishedAt", "pageSize": 10})
    same_as_native(everything["body"]["articles"], cards["articles"])
    page2 = node_results["everythingPage2"]["body"]
    whole = native(stack, "/v1/search", {"domains": "reuters.example.com,finwire.example.net", "sortBy": "publishedAt"})
    assert [a["url"] for a in page2["articles"]] == [a["url"] for a in whole["articles"][2:4]]
    assert node_results["everythingPopularity"]["body"]["articles"][0]["title"].startswith("Euro zone inflation")
    assert [a["source"]["id"] for a in node_results["everythingSearchIn"]["body"]["articles"]] == ["reuters"]
    hot = native(stack, "/v1/top-headlines", {"category": "economy", "language": "en", "pageSize": 20})
    same_as_native(node_results["topHeadlines"]["body"]["articles"], hot["articles"])
    english = native(stack, "/v1/top-headlines", {"language": "en", "pageSize": 20})
    same_as_native(node_results["topHeadlinesDefault"]["body"]["articles"], english["articles"])  # {language: 'en'}
    assert {a["source"]["id"] for a in node_results["topHeadlinesSources"]["body"]["articles"]} == {
        "reuters",
        "tech-ledger",
    }
    assert {s["id"] for s in node_results["sources"]["body"]["sources"]} == {
        s["id"] for s in native(stack, "/v1/sources", {"language": "en"})["sources"]
    }
    assert node_results["sourcesCategory"]["body"]["sources"]
    assert node_results["callback"]["body"]["totalResults"] == 2
    assert node_results["noCache"]["body"] == {"cacheControl": "no-store", "status": "ok"}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("badCategory", "parameterInvalid"),
        ("missingScope", "parametersMissing"),
        ("tooDeep", "parameterInvalid"),
        ("tooManySources", "sourcesTooMany"),
        ("wrongKey", "apiKeyInvalid"),
    ],
)
def test_node_client_bad_arguments_throw_newsapi_errors(node_results: dict[str, Any], name: str, code: str) -> None:
    result = node_results[name]
    assert result["ok"] is False
    assert result["name"] == f"NewsAPIError: {code}"
    assert result["message"]
