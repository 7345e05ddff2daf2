"""The local front over real HTTP on 127.0.0.1: compression, validators, CORS, preflight, HEAD, 405, pages."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import brotli
import pytest
from newsflow import wiring
from newsflow.handlers import api, index, ingest
from newsflow.local.http_front import ApiFront
from newsflow.local.resources import LocalResources

from tests.integration.helpers import body, context, receive_event, send_items, stream_event_from_moto

ORIGIN = "https://site.example"
STORIES = [
    body(
        url=f"https://news.example.com/markets/story-{n}",
        guid=f"story-{n}",
        title=f"{word} markets story about oil prices",
        summary=f"Oil prices moved as {word} traders met. " * 8,
        content_html="<p>" + f"Traders in {word} watched oil and rates closely on day {n}. " * 40 + "</p>",
        published=f"2026-11-{10 + n:02d}T09:00:00Z",
    )
    for n, word in enumerate(["Asian", "European", "American", "African", "Arctic", "Nordic", "Andean", "Baltic"])
]


@pytest.fixture
def front(stack_env: LocalResources, monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiFront]:
    monkeypatch.setenv("NEWSFLOW_CORS_ORIGINS", ORIGIN)
    wiring.reset()
    send_items(stack_env, STORIES)
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    running = ApiFront(api.lambda_handler, status=lambda: {}, port=0, api_key="sekret")
    running.start()
    yield running
    running.stop()
    wiring.reset()


def request(front: ApiFront, method: str, path: str, headers: dict[str, str] | None = None) -> Any:
    host, port = front.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request(method, path, headers={"x-api-key": "sekret", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def test_gzip_and_brotli_when_asked_and_vary(front: ApiFront) -> None:
    plain, raw = request(front, "GET", "/v1/search?q=oil&pageSize=8")
    assert plain.status == 200
    assert plain.getheader("Content-Encoding") is None
    assert plain.getheader("Vary") == "Origin, Accept-Encoding"
    zipped, packed = request(front, "GET", "/v1/search?q=oil&pageSize=8", {"Accept-Encoding": "gzip"})
    assert zipped.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(packed) == raw
    assert len(packed) < len(raw) / 3
    br, packed_br = request(front, "GET", "/v1/search?q=oil&pageSize=8", {"Accept-Encoding": "gzip, br"})
    assert br.getheader("Content-Encoding") == "br"
    assert brotli.decompress(packed_br) == raw
    refused, same = request(front, "GET", "/v1/search?q=oil&pageSize=8", {"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert refused.getheader("Content-Encoding") is None
    assert same == raw


def test_strong_etag_and_if_none_match_gives_304(front: ApiFront) -> None:
    first, data = request(front, "GET", "/v1/categories")
    tag = first.getheader("ETag")
    assert tag.startswith('"')
    assert not tag.startswith("W/")
    again, empty = request(front, "GET", "/v1/categories", {"If-None-Match": tag})
    assert again.status == 304
    assert empty == b""
    assert again.getheader("ETag") == tag
    assert again.getheader("Cache-Control") == first.getheader("Cache-Control")
    # the gzip representation's tag differs, and either tag validates the other representation
    zipped, _ = request(front, "GET", "/v1/categories", {"Accept-Encoding": "gzip"})
    assert zipped.getheader("ETag") not in {None, tag}
    cross, _ = request(front, "GET", "/v1/categories", {"If-None-Match": zipped.getheader("ETag")})
    assert cross.status == 304
    stale, fresh = request(front, "GET", "/v1/categories", {"If-None-Match": '"something-else"'})
    assert stale.status == 200
    assert fresh == data


def test_last_modified_on_articles_and_if_modified_since(front: ApiFront) -> None:
    _, page = request(front, "GET", "/v1/articles?pageSize=1")
    article_id = json.loads(page)["articles"][0]["id"]
    got, _ = request(front, "GET", f"/v1/articles/{article_id}")
    modified = got.getheader("Last-Modified")
    assert modified
    assert modified.endswith("GMT")
    again, _ = request(front, "GET", f"/v1/articles/{article_id}", {"If-Modified-Since": modified})
    assert again.status == 304


def test_cors_headers_on_every_answer_and_keyless_preflight(front: ApiFront) -> None:
    ok, _ = request(front, "GET", "/v1/articles", {"Origin": ORIGIN})
    assert ok.getheader("Access-Control-Allow-Origin") == ORIGIN
    assert "Retry-After" in ok.getheader("Access-Control-Expose-Headers")
    assert "ETag" in ok.getheader("Access-Control-Expose-Headers")
    other, _ = request(front, "GET", "/v1/articles", {"Origin": "https://elsewhere.example"})
    assert other.getheader("Access-Control-Allow-Origin") is None
    assert other.getheader("Vary") == "Origin, Accept-Encoding"  # Vary: Origin whatever the origin
    bad, _ = request(front, "GET", "/v1/articles?pageSize=0", {"Origin": ORIGIN})
    assert bad.status == 400
    assert bad.getheader("Access-Control-Allow-Origin") == ORIGIN
    assert "Origin" in bad.getheader("Vary")
    # a preflight carries no key: it is answered without one
    host, port = front.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request(
        "OPTIONS",
        "/v1/articles",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-api-key",
        },
    )
    preflight = conn.getresponse()
    preflight.read()
    assert preflight.status == 204
    assert preflight.getheader("Access-Control-Allow-Origin") == ORIGIN
    assert "x-api-key" in preflight.getheader("Access-Control-Allow-Headers").lower()
    assert preflight.getheader("Vary") == "Origin"


def test_head_answers_like_get_without_a_body(front: ApiFront) -> None:
    got, data = request(front, "GET", "/v1/articles")
    head, nothing = request(front, "HEAD", "/v1/articles")
    assert head.status == 200
    assert nothing == b""
    assert head.getheader("Content-Length") == str(len(data))
    assert head.getheader("ETag") == got.getheader("ETag")


def test_405_names_the_allowed_methods_and_404_is_json(front: ApiFront) -> None:
    for method in ("POST", "TRACE", "DELETE", "PUT"):
        refused, data = request(front, method, "/v1/articles")
        assert refused.status == 405, method
        assert refused.getheader("Allow") == "GET, HEAD, OPTIONS"
        assert json.loads(data)["code"] == "methodNotAllowed"
    missing, data = request(front, "GET", "/v1/nothing-here")
    assert missing.status == 404
    assert json.loads(data)["code"] == "routeNotFound"


def test_oversize_url_is_a_json_414(front: ApiFront) -> None:
    refused, data = request(front, "GET", "/v1/search?q=" + "a" * 70_000)
    assert refused.status == 414
    assert json.loads(data)["code"] == "uriTooLong"


def test_wrong_params_are_400(front: ApiFront) -> None:
    for path in (
        "/v1/pages/home?pageSize=0",
        "/v1/pages/home?bogus=1",
        "/v1/pages/category/not-a-section",
        "/v1/pages/article/xyz",
        "/v1/pages/search?q=energ*",
        "/v1/top-headlines?window=1y",
        "/v1/search?facetSize=0",
        "/v1/articles?fields=nope",
    ):
        got, data = request(front, "GET", path)
        assert got.status == 400, path
        assert json.loads(data)["status"] == "error"


def test_page_endpoints_answer_one_cacheable_response_each(front: ApiFront) -> None:
    _, latest = request(front, "GET", "/v1/articles?pageSize=1")
    article_id = json.loads(latest)["articles"][0]["id"]
    for path in (
        "/v1/pages/home",
        "/v1/pages/category/general",
        f"/v1/pages/article/{article_id}",
        "/v1/pages/search?q=oil",
    ):
        got, data = request(front, "GET", path, {"Accept-Encoding": "gzip"})
        assert got.status == 200, path
        assert got.getheader("ETag")
        assert got.getheader("Cache-Control").startswith("public, max-age=")
        page = json.loads(gzip.decompress(data))
        site = page["site"]
        assert len(site["categories"]) == 14
        assert site["latest"]
        assert site["archives"]
        assert site["hot"]["window"] in {"24h", "7d"}
    _, data = request(front, "GET", f"/v1/pages/article/{article_id}")
    page = json.loads(data)
    assert page["article"]["id"] == article_id
    assert "previous" in page["article"]
    assert "next" in page["article"]


def test_one_write_per_response_with_nodelay(front: ApiFront, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[int] = []
    options: list[int] = []
    original = socket.socket.sendall

    def counting(self: socket.socket, data: Any, *args: Any) -> Any:
        if threading.current_thread().name != "MainThread":
            writes.append(len(data))
            options.append(self.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        return original(self, data, *args)

    monkeypatch.setattr(socket.socket, "sendall", counting)
    got, _ = request(front, "GET", "/v1/categories")
    assert got.status == 200
    assert len(writes) == 1
    assert options == [1]


def test_concurrent_requests_are_each_answered_for_themselves(front: ApiFront) -> None:
    # Given many clients at once, each asking for a different page size
    results: dict[int, int] = {}

    def client(n: int) -> None:
        size = n % 5 + 1
        _, data = request(front, "GET", f"/v1/articles?pageSize={size}")
        results[n] = len(json.loads(data)["articles"]) - size

    threads = [threading.Thread(target=client, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then every answer is for its own request (the handler keeps no request state between threads)
    assert results == dict.fromkeys(range(40), 0)
