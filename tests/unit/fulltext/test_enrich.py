"""The full-text stage against real article pages on 127.0.0.1: teasers get the page's text, and every
way a page can fail keeps the teaser with the reason."""

from __future__ import annotations

import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

import pytest
from newsflow.feeds.fetch import FeedFetcher
from newsflow.fulltext import Enricher, HostBusy, HostGate, RobotsCache, needs_full_text, split_for_full_text
from newsflow.fulltext.enrich import PAGE_ACCEPT
from newsflow.models import FeedItem

from tests.unit.feeds.http_fixture import FeedServer, send
from tests.unit.fulltext.pages import PARAGRAPHS, article_page

TEASER = "Container volumes at the port of Harbourton rose four percent in October."


def html(page: str, charset: str = "utf-8") -> Callable[[BaseHTTPRequestHandler], None]:
    body = page.encode(charset)
    return lambda h: send(h, 200, body, {"Content-Type": f"text/html; charset={charset}"})


def enricher(*, min_words: int = 150, gap: float = 0.0, max_wait: float = 5.0, max_bytes: int = 1 << 20,
             timeout: float = 2.0) -> Enricher:  # fmt: skip
    pages = FeedFetcher(timeout_seconds=timeout, max_bytes=max_bytes, allow_private=True, accept=PAGE_ACCEPT)
    robots = FeedFetcher(timeout_seconds=2.0, max_bytes=64 * 1024, allow_private=True, oversize="truncate")
    return Enricher(pages, RobotsCache(robots), HostGate(gap, max_wait), min_words=min_words)


def teaser(site: FeedServer, path: str = "/news/port", **fields: object) -> FeedItem:
    return FeedItem.model_validate({"url": site.url(path), "title": "Port volumes rise", "summary": TEASER, **fields})


# ----------------------------------------------------------------------------------------- success


def test_a_teaser_item_gets_the_article_text_from_its_page(site: FeedServer) -> None:
    # Given a site that serves the article (and no robots.txt: 404, everything allowed)
    site.routes["/news/port"] = html(article_page())

    # When a one-sentence teaser of it goes through the stage
    item = enricher().enrich(teaser(site))

    # Then the body is the page's article, the teaser stays the summary, and the source says so
    assert item.body_source == "page"
    assert item.body_source_reason is None
    assert item.content_html is not None
    for paragraph in PARAGRAPHS:
        assert paragraph[:60] in item.content_html
    assert "Related" not in item.content_html
    assert "All rights reserved" not in item.content_html
    assert item.summary == TEASER
    # And what the feed lacked comes from the page's metadata
    assert item.image_url == "https://cdn.example.com/img/port.jpg"
    assert item.published == "2026-11-02T09:00:00Z"
    # And the request was a polite one: robots.txt first, then the page, with an HTML Accept
    assert [r.path for r in site.requests] == ["/robots.txt", "/news/port"]
    assert site.requests[1].headers["accept"].startswith("text/html")


def test_a_page_in_a_legacy_charset_is_decoded_by_its_declaration(site: FeedServer) -> None:
    # Given a page in windows-1252 (declared only in <meta>) with accented words
    page = article_page(charset="windows-1252", extra_text="<p>Le café du port a rouvert, déclare l'équipe.</p>")
    site.routes["/news/port"] = lambda h: send(h, 200, page.encode("windows-1252"), {"Content-Type": "text/html"})

    # When enriched / Then the accents survive
    item = enricher().enrich(teaser(site))
    assert item.body_source == "page"
    assert item.content_html is not None
    assert "Le café du port a rouvert, déclare l'équipe." in item.content_html


def test_a_feed_set_to_always_fetches_even_a_long_body(site: FeedServer) -> None:
    site.routes["/news/port"] = html(article_page(paragraphs=12))
    long_teaser = " ".join(PARAGRAPHS[:2])
    item = enricher(min_words=10).enrich(teaser(site, summary=long_teaser, full_text="always"))
    assert item.body_source == "page"


def test_a_feed_set_to_never_keeps_its_body_without_a_request(site: FeedServer) -> None:
    item = enricher().enrich(teaser(site, full_text="never"))
    assert item.body_source == "feed"
    assert item.body_source_reason == "full text is off for this feed"
    assert site.requests == []


def test_the_teaser_policy_routes_short_bodies_only() -> None:
    short = FeedItem(url="https://x.example/a", title="A", summary="One line.")
    long = FeedItem(url="https://x.example/b", title="B", content_html="<p>" + "word " * 200 + "</p>")
    no_url = FeedItem(guid="g-1", title="C", summary="One line.")
    off = FeedItem(url="https://x.example/d", title="D", summary="One line.", full_text="never")
    forced = long.model_copy(update={"full_text": "always"})
    assert [needs_full_text(i) for i in (short, long, no_url, off, forced)] == [True, False, False, False, True]
    assert split_for_full_text([short, long, no_url, forced]) == ([1, 2], [0, 3])
    assert split_for_full_text([short], default_mode="never") == ([0], [])


# ---------------------------------------------------------------------------------------- robots.txt


def test_robots_txt_disallow_keeps_the_teaser_with_the_reason_and_is_read_once_per_host(site: FeedServer) -> None:
    # Given a site whose robots.txt disallows its news section to everybody
    site.routes["/robots.txt"] = lambda h: send(
        h, 200, b"User-agent: *\nDisallow: /news/\n", {"Content-Type": "text/plain"}
    )
    site.routes["/news/port"] = html(article_page())
    stage = enricher()

    # When two of its teasers go through the stage
    first = stage.enrich(teaser(site))
    second = stage.enrich(teaser(site, path="/news/other"))

    # Then both keep the feed's body with the reason, no page was requested, robots.txt was read once
    for item in (first, second):
        assert item.body_source == "feed"
        assert item.body_source_reason is not None
        assert "robots.txt disallows /news/" in item.body_source_reason
        assert item.summary == TEASER
    assert [r.path for r in site.requests] == ["/robots.txt"]


def test_robots_txt_rules_for_our_product_token_apply(site: FeedServer) -> None:
    site.routes["/robots.txt"] = lambda h: send(
        h, 200, b"User-agent: newsflow\nDisallow: /\n\nUser-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}
    )
    site.routes["/news/port"] = html(article_page())
    item = enricher().enrich(teaser(site))
    assert item.body_source == "feed"
    assert "robots.txt disallows" in (item.body_source_reason or "")


def test_a_robots_txt_that_answers_5xx_means_nothing_is_crawled(site: FeedServer) -> None:
    site.routes["/robots.txt"] = lambda h: send(h, 503, b"down")
    site.routes["/news/port"] = html(article_page())
    item = enricher().enrich(teaser(site))
    assert item.body_source == "feed"
    assert "robots.txt unavailable" in (item.body_source_reason or "")
    assert "/news/port" not in [r.path for r in site.requests]


# ----------------------------------------------------------------------------------- page failures


def test_a_missing_page_keeps_the_teaser_with_the_http_status(site: FeedServer) -> None:
    item = enricher().enrich(teaser(site, path="/news/gone"))
    assert item.body_source == "feed"
    assert item.body_source_reason is not None
    assert "HTTP 404" in item.body_source_reason
    assert item.summary == TEASER


def test_a_page_that_does_not_answer_in_time_keeps_the_teaser(site: FeedServer) -> None:
    def slow(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        send(handler, 200, article_page().encode(), {"Content-Type": "text/html"})

    site.routes["/news/port"] = slow
    started = time.monotonic()
    item = enricher(timeout=0.5).enrich(teaser(site))
    assert time.monotonic() - started < 1.4
    assert item.body_source == "feed"
    assert "timeout" in (item.body_source_reason or "")


def test_an_oversized_page_keeps_the_teaser(site: FeedServer) -> None:
    site.routes["/news/port"] = html(article_page(extra_text="<p>" + "filler " * 40_000 + "</p>"))
    item = enricher(max_bytes=100 * 1024).enrich(teaser(site))
    assert item.body_source == "feed"
    assert "too large" in (item.body_source_reason or "")


def test_a_page_that_is_not_html_keeps_the_teaser(site: FeedServer) -> None:
    site.routes["/news/port"] = lambda h: send(h, 200, b"%PDF-1.7 ...", {"Content-Type": "application/pdf"})
    item = enricher().enrich(teaser(site))
    assert item.body_source == "feed"
    assert item.body_source_reason == "not an HTML page (application/pdf)"


def test_a_page_with_less_text_than_the_teaser_keeps_the_teaser(site: FeedServer) -> None:
    # Given a paywalled page: one short paragraph behind a subscription prompt
    wall = "<!DOCTYPE html><html><body><article><p>Subscribe to read.</p></article></body></html>"
    site.routes["/news/port"] = html(wall)
    item = enricher().enrich(teaser(site, summary=" ".join(PARAGRAPHS[:1])))
    assert item.body_source == "feed"
    assert "not longer than the feed's" in (item.body_source_reason or "")


def test_a_private_address_is_never_fetched_outside_tests(site: FeedServer) -> None:
    # Given the production policy (no allow_private): 127.0.0.1 is refused before any connection
    pages = FeedFetcher(timeout_seconds=2.0, allow_private=False)
    stage = Enricher(pages, RobotsCache(pages), HostGate(0, 1))
    item = stage.enrich(teaser(site))
    assert item.body_source == "feed"
    assert "blocked address 127.0.0.1 (loopback)" in (item.body_source_reason or "")
    assert site.requests == []


# ------------------------------------------------------------------------------------------ per host


def test_the_host_gate_spaces_requests_and_hands_back_what_would_wait_too_long() -> None:
    clock = [100.0]
    waits: list[float] = []
    gate = HostGate(2.0, 3.0, clock=lambda: clock[0], sleep=waits.append)
    assert gate.acquire("a.example") == 0  # first request: at once
    assert gate.acquire("b.example") == 0  # another host: at once
    assert gate.acquire("a.example") == 2.0  # the same host: after the gap
    with pytest.raises(HostBusy):
        gate.acquire("a.example")  # its turn is 4 s away: more than max_wait
    assert gate.acquire("c.example", crawl_delay=10) == 0
    clock[0] += 1
    with pytest.raises(HostBusy):
        gate.acquire("c.example")  # robots.txt's Crawl-delay of 10 s counts
    assert waits == [2.0]


def test_a_busy_host_on_the_last_attempt_lets_the_teaser_through(site: FeedServer) -> None:
    site.routes["/news/port"] = html(article_page())
    stage = enricher(gap=60.0, max_wait=1.0)
    assert stage.enrich(teaser(site)).body_source == "page"
    with pytest.raises(HostBusy):
        stage.enrich(teaser(site, path="/news/port?2"))
    item = stage.enrich(teaser(site, path="/news/port?3"), final_attempt=True)
    assert item.body_source == "feed"
    assert "rate-limited" in (item.body_source_reason or "")


def test_enriching_twice_gives_the_same_item(site: FeedServer) -> None:
    # Redelivery: the same message through the stage again gives the same message on to ingest
    site.routes["/news/port"] = html(article_page())
    stage = enricher()
    assert stage.enrich(teaser(site)) == stage.enrich(teaser(site))
