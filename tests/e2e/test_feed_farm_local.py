"""A small feed farm against the local stack, as an operator would wire it: `newsflow feeds import` of an OPML of
500 feeds (410, 301, an HTML page URL, teaser-only feeds whose article pages are served, pixels, localized dates,
feeds without validators, hundreds of ordinary ones), a 20,000-item feed added through the admin API, one poll,
then `newsflow feeds poll-now`. Every feed ends in the state a user would expect and every teaser ends with
its article's full text. Real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from newsflow import constants as c
from newsflow.cli import main
from newsflow.local.stack import LocalStack

from tests.unit.feeds.http_fixture import FeedServer, send, serving
from tests.unit.fulltext.pages import CRANE_PARAGRAPHS, PARAGRAPHS, article_page

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
RSS = {"Content-Type": "application/rss+xml"}
FILLERS = 492


@pytest.fixture
def site() -> Iterator[FeedServer]:
    with serving() as server:
        yield server


def rss(items: str, title: str = "Desk") -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'.encode()


def item(guid: str, title: str, link: str, description: str, date: str = "Mon, 30 Nov 2026 08:00:00 GMT") -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
        f"<description><![CDATA[{description}]]></description><pubDate>{date}</pubDate></item>"
    )


def call(stack: LocalStack, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{stack.api_url}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def long_text(words: int, topic: str) -> str:
    """A body from the feed long enough not to be a teaser, its own per feed (identical bodies are duplicates)."""
    return " ".join(f"{topic}{n % 97}" for n in range(words))


def serve_farm(site: FeedServer) -> None:
    site.routes["/gone.xml"] = lambda h: send(h, 410, b"gone")
    site.routes["/old.xml"] = lambda h: send(h, 301, b"", {"Location": site.url("/new.xml")})
    moved = rss(item("moved-1", "Moved desk story", "https://moved.example.com/1", long_text(200, "moved")))
    site.routes["/new.xml"] = lambda h: send(h, 200, moved, RSS)
    page = (
        '<html><head><title>Desk</title><link rel="alternate" type="application/rss+xml" '
        f'href="{site.url("/desk.xml")}"></head><body>News</body></html>'
    ).encode()
    site.routes["/desk/"] = lambda h: send(h, 200, page, {"Content-Type": "text/html"})
    desk = rss(item("desk-1", "Discovered desk story", "https://desk.example.com/1", long_text(200, "desk")))
    site.routes["/desk.xml"] = lambda h: send(h, 200, desk, RSS)
    teasers = "".join(
        item(path, title, site.url(path), f"Short teaser {n}.")
        for n, (title, path) in enumerate([("Port volumes rise", "/news/port"), ("Cranes arrive", "/news/cranes")])
    )
    site.routes["/teasers.xml"] = lambda h: send(h, 200, rss(teasers, "Harbour"), RSS)
    for path, title, texts in (("/news/port", "Port volumes rise", PARAGRAPHS),
                               ("/news/cranes", "Cranes arrive", CRANE_PARAGRAPHS)):  # fmt: skip
        body = article_page(title=title, texts=texts).encode()
        site.routes[path] = lambda h, body=body: send(h, 200, body, {"Content-Type": "text/html; charset=utf-8"})
    pixel_body = (
        "<p>" + long_text(200, "pixel") + '</p><img src="https://cdn.example.com/photo.jpg" width="640" height="360">'
        '<img src="https://pixel.wp.com/g.gif?blog=1&post=2" width="1" height="1" alt="">'
    )
    pixels = rss(item("px-1", "Pixel story", "https://px.example.com/1", pixel_body))
    site.routes["/pixels.xml"] = lambda h: send(h, 200, pixels, RSS)
    dated = rss(item("pt-1", "Notícia", "https://pt.example.com/1", long_text(200, "pt"),
                     "quarta-feira, 4 de novembro de 2026 às 08:30"))  # fmt: skip
    site.routes["/pt.xml"] = lambda h: send(h, 200, dated, RSS)
    calls = {"n": 0}

    def novalidators(h: Any) -> None:  # no ETag/Last-Modified, a new lastBuildDate every time
        calls["n"] += 1
        body = rss(f"<lastBuildDate>Mon, 30 Nov 2026 10:{calls['n']:02d}:00 GMT</lastBuildDate>"
                   + item("nv-1", "Plain story", "https://nv.example.com/1", long_text(200, "plain")))  # fmt: skip
        send(h, 200, body, RSS)

    site.routes["/novalidators.xml"] = novalidators
    empty = rss("")
    site.routes["/filler.xml"] = lambda h: send(h, 200, empty, RSS)
    huge = rss("".join(
        f"<item><title>Entry {n}</title><link>https://huge.example.com/{n}</link><guid>h-{n}</guid>"
        f"<pubDate>Mon, 30 Nov 2026 {n % 24:02d}:00:00 GMT</pubDate></item>" for n in range(20_000)
    ), "Huge")  # fmt: skip
    site.routes["/huge.xml"] = lambda h: send(h, 200, huge, RSS)


def opml(site: FeedServer) -> str:
    named = [("Gone", "/gone.xml"), ("Moved", "/old.xml"), ("Desk page", "/desk/"), ("Harbour", "/teasers.xml"),
             ("Pixels", "/pixels.xml"), ("Portugues", "/pt.xml"), ("No validators", "/novalidators.xml")]  # fmt: skip
    outlines = [f'<outline text="{name}" xmlUrl="{site.url(path)}"/>' for name, path in named]
    outlines += [f'<outline text="Filler {n}" xmlUrl="{site.url(f"/filler.xml?n={n}")}"/>' for n in range(FILLERS)]
    assert len(outlines) == 499  # + the huge feed through the API: 500
    return f'<?xml version="1.0"?><opml version="2.0"><body>{"".join(outlines)}</body></opml>'


def test_a_farm_of_500_feeds_ends_in_the_states_a_user_expects(
    site: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_farm(site)
    # One host serves the whole farm: no gap between its requests here (politeness has its own tests)
    monkeypatch.setenv(c.ENV_HOST_MIN_GAP, "0")
    monkeypatch.setenv(c.ENV_FULLTEXT_HOST_GAP, "0")
    document = tmp_path / "farm.opml"
    document.write_text(opml(site), encoding="utf-8")
    data_dir = tmp_path / "stack"
    with LocalStack(data_dir=data_dir, api_port=0, full_text=True) as stack:
        stack.write_state()
        # When the operator imports the OPML with the CLI and adds the 20,000-item feed through the API
        assert main(["--data-dir", str(data_dir), "feeds", "import", str(document)]) == 0
        assert "created 499" in capsys.readouterr().out
        huge = {"feedId": "huge", "url": site.url("/huge.xml"), "settings": {"fullText": "never"}}
        status, _ = call(stack, "POST", "/v1/admin/feeds", huge)
        assert status == 201
        # And the schedule fires once and the pipeline settles
        assert stack.runtime is not None
        report = stack.runtime.poll_now()
        assert report["enqueued"] == 500
        assert stack.runtime.wait_idle(240)

        feeds = {f["feedId"]: f for f in call(stack, "GET", "/v1/admin/feeds")[1]["feeds"]}
        assert len(feeds) == 500
        # Then the 410 feed is disabled with the reason, the moved one polls its new URL
        assert feeds["gone"]["enabled"] is False
        assert "410" in feeds["gone"]["disabledReason"]
        assert feeds["moved"]["url"] == site.url("/new.xml")
        assert feeds["moved"]["redirectedFrom"] == site.url("/old.xml")
        # And the page URL was replaced by the feed it declares
        assert feeds["desk-page"]["url"] == site.url("/desk.xml")
        assert feeds["desk-page"]["discoveredFrom"] == site.url("/desk/")
        # And the 20,000-item feed yielded its newest 500, not nothing
        assert feeds["huge"]["lastStatus"] == 200
        assert feeds["huge"]["itemsSent"] == 500
        assert all(f["consecutiveFailures"] == 0 for f in feeds.values() if f["enabled"])
        assert sum(1 for f in feeds.values() if f["feedId"].startswith("filler") and f["lastStatus"] == 200) == FILLERS

        def article(title: str) -> dict[str, Any]:
            query = urllib.parse.quote(f'"{title}"')
            found = call(stack, "GET", f"/v1/search?q={query}&searchIn=title&pageSize=5")[1]["articles"]
            assert found, title
            return dict(call(stack, "GET", f"/v1/articles/{found[0]['id']}")[1]["article"])

        for title in ("Moved desk story", "Discovered desk story", "Plain story"):
            assert article(title)["title"] == title
        # And the teasers carry their articles' full text
        for title, texts in (("Port volumes rise", PARAGRAPHS), ("Cranes arrive", CRANE_PARAGRAPHS)):
            enriched = article(title)
            assert enriched["bodySource"] == "page"
            for paragraph in texts:
                assert paragraph[:60] in enriched["content"]
        # And the pixel is neither the lead image nor in the body; the Portuguese date is the article's date
        pixel = article("Pixel story")
        assert "pixel.wp.com" not in json.dumps(pixel)
        assert pixel["imageUrl"] == "https://cdn.example.com/photo.jpg"
        assert article("Notícia")["publishedAt"].startswith("2026-11-04T08:30")

        # When the operator polls the feed without validators now, from the CLI
        before = feeds["no-validators"]["itemsSent"]
        assert main(["--data-dir", str(data_dir), "feeds", "poll-now", "no-validators"]) == 0
        assert "queued" in capsys.readouterr().err
        assert stack.runtime.wait_idle(60)
        # Then it was fetched at once (no scheduler tick) and nothing was re-sent
        again = call(stack, "GET", "/v1/admin/feeds/no-validators")[1]["feed"]
        assert len([r for r in site.requests if r.path == "/novalidators.xml"]) == 2
        assert again["itemsSent"] == before
