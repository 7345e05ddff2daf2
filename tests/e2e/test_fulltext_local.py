"""End to end on the local stack with the full-text stage on: a teaser-only feed on 127.0.0.1 whose article
pages are served beside it; after one poll every teaser is stored with its article's full text."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from newsflow.local.stack import LocalStack

from tests.unit.feeds.http_fixture import FeedServer, send, serving
from tests.unit.fulltext.pages import CRANE_PARAGRAPHS, PARAGRAPHS, article_page

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def site() -> Iterator[FeedServer]:
    with serving() as server:
        yield server


def get(stack: LocalStack, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{stack.api_url}{path}", timeout=10) as response:
        return dict(json.loads(response.read()))


def test_a_teaser_feed_ends_with_the_articles_full_text(site: FeedServer, tmp_path: Any) -> None:
    # Given a feed of three teasers: two articles served, one gone, and robots.txt keeping one section out
    items = "".join(
        f"<item><title>{title}</title><link>{site.url(path)}</link><guid>{path}</guid>"
        f"<description>Short teaser number {n}.</description></item>"
        for n, (title, path) in enumerate(
            [("Port volumes rise", "/news/port"), ("Cranes arrive", "/news/cranes"), ("Gone", "/news/gone"),
             ("Members only", "/members/story")]
        )
    )  # fmt: skip
    rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour</title>{items}</channel></rss>'
    site.routes["/feed.xml"] = lambda h: send(h, 200, rss.encode(), {"Content-Type": "application/rss+xml"})
    site.routes["/robots.txt"] = lambda h: send(h, 200, b"User-agent: *\nDisallow: /members/\n")
    for path, title, texts in (
        ("/news/port", "Port volumes rise", PARAGRAPHS),
        ("/news/cranes", "Cranes arrive", CRANE_PARAGRAPHS),
    ):
        page = article_page(title=title, texts=texts).encode()
        site.routes[path] = lambda h, page=page: send(h, 200, page, {"Content-Type": "text/html; charset=utf-8"})

    with LocalStack(data_dir=tmp_path / "stack", api_port=0, full_text=True) as stack:
        request = urllib.request.Request(
            f"{stack.api_url}/v1/admin/feeds",
            data=json.dumps({"feedId": "harbour", "url": site.url("/feed.xml")}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201

        # When the schedule fires and the pipeline settles
        assert stack.runtime is not None
        report = stack.runtime.poll_now()  # the scheduler's report; the fetch queue is drained before it returns
        assert report["enqueued"] == 1
        assert stack.runtime.wait_idle(90)

        # Then the served articles carry their pages' full text, the others their teaser and the reason
        listed = get(stack, "/v1/articles?pageSize=10")["articles"]
        by_title = {a["title"]: get(stack, f"/v1/articles/{a['id']}")["article"] for a in listed}
        assert set(by_title) == {"Port volumes rise", "Cranes arrive", "Gone", "Members only"}
        for title, texts in (("Port volumes rise", PARAGRAPHS), ("Cranes arrive", CRANE_PARAGRAPHS)):
            article = by_title[title]
            assert article["bodySource"] == "page"
            assert article["bodySourceReason"] is None
            for paragraph in texts:
                assert paragraph[:60] in article["content"]
        assert by_title["Gone"]["bodySource"] == "feed"
        assert "HTTP 404" in by_title["Gone"]["bodySourceReason"]
        assert by_title["Members only"]["bodySource"] == "feed"
        assert "robots.txt disallows /members/" in by_title["Members only"]["bodySourceReason"]
        assert by_title["Members only"]["content"] == "Short teaser number 3."
