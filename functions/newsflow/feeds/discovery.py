"""Find the feed of a site or article page: `<link rel="alternate">` first, then common feed paths.

Used by the fetch worker when a feed that has never parsed answers with an HTML page (so an operator may
register a site or article URL anywhere: the admin API, OPML, the CLI), and by `newsflow feeds add`.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
     "application/rdf+xml", "application/xml", "text/xml"}
)  # fmt: skip
COMMON_PATHS = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml", "/feed/", "/rss/")
MAX_CANDIDATES = 8
HTML_SNIFF_BYTES = 2048


class _LinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        if tag != "link":
            return
        rel = {r.strip().lower() for r in values.get("rel", "").split()}
        kind = values.get("type", "").split(";")[0].strip().lower()
        href = values.get("href", "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            self.links.append((kind, href))


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    head = body[:HTML_SNIFF_BYTES].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<head" in head


def feed_links(html: bytes, page_url: str) -> list[str]:
    """The page's declared feeds, RSS/Atom first, as absolute http(s) URLs (document order otherwise)."""
    finder = _LinkFinder()
    try:
        finder.feed(html[: 512 * 1024].decode("utf-8", "replace"))
        finder.close()
    except Exception:  # HTMLParser is lenient; anything it still chokes on has no usable links
        return []
    base = urljoin(page_url, finder.base) if finder.base else page_url
    ranked = sorted(finder.links, key=lambda link: 0 if "rss" in link[0] or "atom" in link[0] else 1)
    urls = [urljoin(base, href) for _, href in ranked]
    return list(dict.fromkeys(u for u in urls if urlsplit(u).scheme in {"http", "https"}))


def candidates(html: bytes, page_url: str) -> list[str]:
    """Where to look, in order: declared feeds, then the common paths at the site's root."""
    parts = urlsplit(page_url)
    root = f"{parts.scheme}://{parts.netloc}"
    found = feed_links(html, page_url) + [root + path for path in COMMON_PATHS]
    return [u for u in dict.fromkeys(found) if u != page_url][:MAX_CANDIDATES]
