"""One teaser item -> the same item with its article page's full text, or with the feed's body and why.

Steps: the item's mode and URL; robots.txt (cached per origin); the host's turn (`HostGate`); the page,
fetched by the SSRF-safe `FeedFetcher` (size and time caps, every redirect hop checked); its charset
(`normalise.encoding.decode_bytes`: BOM, header, <meta>, then detection); the article, extracted by the
page path (`normalise.page.extract_page`). The page's text replaces the feed's body only when it is
longer than the feed's (a paywall or a cookie wall often yields less than the teaser).

The result is deterministic for a given item and page, so a redelivered message produces the same item
again and ingest (idempotent on the article id) stores nothing new: no state is kept here but caches.
`HostBusy` is the only exception that leaves: the caller returns the message to the queue for later.
"""

from __future__ import annotations

import logging
from typing import Protocol

from newsflow.errors import FeedError
from newsflow.feeds.fetch import FetchResult
from newsflow.feeds.scheduler import host_of
from newsflow.fulltext.hosts import Gate, HostBusy
from newsflow.fulltext.policy import DEFAULT_MIN_WORDS, feed_body_words
from newsflow.fulltext.robots import RobotsCache
from newsflow.models import MAX_ITEM_BYTES, FeedItem, FullTextMode
from newsflow.normalise.encoding import decode_bytes
from newsflow.normalise.html import html_to_text

LOGGER = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
MAX_REASON_CHARS = 500


class PageFetcher(Protocol):
    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult: ...


class Enricher:
    def __init__(
        self,
        fetcher: PageFetcher,
        robots: RobotsCache,
        gate: Gate,
        *,
        min_words: int = DEFAULT_MIN_WORDS,
        default_mode: FullTextMode = "auto",
    ) -> None:
        self._fetcher = fetcher
        self._robots = robots
        self._gate = gate
        self.min_words = min_words
        self.default_mode: FullTextMode = default_mode

    def enrich(self, item: FeedItem, *, final_attempt: bool = False) -> FeedItem:
        """The item with the page's text (body_source "page") or the feed's and the reason ("feed").

        Raises HostBusy when the host's turn is too far away, unless `final_attempt` (then the teaser
        goes on, with that reason)."""
        if item.body_source == "page":
            return item  # already enriched (a producer or an earlier stage did it)
        mode = item.full_text or self.default_mode
        if mode == "never":
            return _feed(item, "full text is off for this feed")
        teaser_words = feed_body_words(item)
        if mode == "auto" and teaser_words >= self.min_words:
            return _feed(item, None)
        if not item.url:
            return _feed(item, "no article URL to fetch")
        verdict = self._robots.check(item.url)
        if not verdict.allowed:
            return _feed(item, verdict.reason or "robots.txt disallows the page")
        host = host_of(item.url)  # the key of the fetch workers' host record too
        try:
            ticket = self._gate.acquire(host, verdict.crawl_delay)
        except HostBusy as busy:
            if not final_attempt:
                raise
            return _feed(item, f"page not fetched: {busy}")
        try:
            result = self._fetcher.fetch(item.url)
        except FeedError as exc:  # FetchError: HTTP status, timeout, too large, blocked address, ...
            return _feed(item, f"page fetch failed: {exc}")
        finally:
            self._gate.release(host, ticket)
        return self._from_page(item, result, teaser_words)

    def _from_page(self, item: FeedItem, result: FetchResult, teaser_words: int) -> FeedItem:
        content_type = (result.content_type or "").split(";", 1)[0].strip().lower()
        if content_type and not content_type.startswith(_HTML_TYPES):
            return _feed(item, f"not an HTML page ({content_type})")
        from newsflow.normalise.page import extract_page  # trafilatura: loaded on the first page only

        markup, _encoding = decode_bytes(result.body, result.content_type)
        try:
            page = extract_page(markup, result.final_url, result.final_url)
        except Exception as exc:  # a page the extractor cannot handle is the teaser's case, not a crash
            LOGGER.warning("extraction failed for %s", result.final_url, exc_info=True)
            return _feed(item, f"extraction failed: {type(exc).__name__}: {exc}")
        page_words = len(page.body_text.split())
        if page_words <= teaser_words:
            return _feed(
                item, f"the page's article text ({page_words} words) is not longer than the feed's ({teaser_words})"
            )
        summary = item.summary
        if not summary:
            teaser = item.content_text or (html_to_text(item.content_html) if item.content_html else "")
            summary = teaser.strip() or None
        meta = page.metadata
        enriched = item.model_copy(
            update={
                "content_html": page.body_html,
                "content_text": None,
                "summary": summary,
                "image_url": next((u for u in (item.image_url, meta.image, page.first_image) if _is_http(u)), None),
                "published": item.published or (meta.published or "")[:200] or None,
                "authors": item.authors or meta.authors[:10],
                "body_source": "page",
                "body_source_reason": None,
            }
        )
        size = len(enriched.model_dump_json(exclude_none=True).encode())
        if size > MAX_ITEM_BYTES:
            return _feed(item, f"the page's text makes a {size}-byte message (limit {MAX_ITEM_BYTES})")
        return FeedItem.model_validate(enriched.model_dump())


def _is_http(url: str | None) -> bool:
    return bool(url) and str(url)[:8].lower().startswith(("http://", "https://")) and len(str(url)) <= 4096


def _feed(item: FeedItem, reason: str | None) -> FeedItem:
    short = reason[:MAX_REASON_CHARS] if reason else None
    return item.model_copy(update={"body_source": "feed", "body_source_reason": short})
