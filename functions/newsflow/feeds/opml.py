"""OPML 1.0/2.0 import and export of the feeds registry (subscription lists as feed readers write them)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

from pydantic import BaseModel

from newsflow.models import FeedConfig

MAX_OPML_BYTES = 5 * 1024 * 1024
MAX_OUTLINES = 10_000


class OpmlError(ValueError):
    """The document is not a usable OPML subscription list."""


class OpmlFeed(BaseModel):
    url: str
    title: str | None = None
    category: str | None = None


def parse_opml(data: bytes) -> list[OpmlFeed]:
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"OPML is {len(data)} bytes; the limit is {MAX_OPML_BYTES}")
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise OpmlError("OPML with a DOCTYPE or entities is refused")
    try:
        root = ET.fromstring(data)  # noqa: S314 (DOCTYPE and entities are refused above: no XXE, no bombs)
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from exc
    if root.tag.lower() != "opml":
        raise OpmlError(f"the root element is <{root.tag}>, not <opml>")
    body = next((child for child in root if child.tag.lower() == "body"), None)
    if body is None:
        raise OpmlError("no <body> element")
    feeds: list[OpmlFeed] = []
    _walk(body, None, feeds)
    if len(feeds) > MAX_OUTLINES:
        raise OpmlError(f"{len(feeds)} feeds; the limit is {MAX_OUTLINES} per import")
    return feeds


def _walk(node: ET.Element, category: str | None, out: list[OpmlFeed]) -> None:
    for child in node:
        if child.tag.lower() != "outline":
            continue
        attrs = {k.lower(): v for k, v in child.attrib.items()}
        url = (attrs.get("xmlurl") or "").strip()
        title = (attrs.get("title") or attrs.get("text") or "").strip() or None
        if url:
            out.append(OpmlFeed(url=url, title=title, category=category))
        _walk(child, title if not url else category, out)


def feed_id_for(url: str, title: str | None, taken: set[str]) -> str:
    """A registry id from the title (or the URL's host and path), unique among `taken`."""
    source = title or re.sub(r"^https?://(www\.)?", "", url)
    slug = re.sub(r"[^a-z0-9]+", "-", source.lower()).strip("-")[:56] or "feed"
    candidate, n = slug, 2
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def to_opml(feeds: list[FeedConfig], title: str = "newsflow feeds", now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_text(title)}</title><dateCreated>{moment}</dateCreated></head>",
        "  <body>",
    ]
    for feed in sorted(feeds, key=lambda f: f.feed_id):
        name = feed.name or feed.feed_id
        extra = f" category={quoteattr(feed.settings.category_hint)}" if feed.settings.category_hint else ""
        lines.append(
            f'    <outline type="rss" text={quoteattr(name)} title={quoteattr(name)} '
            f"xmlUrl={quoteattr(feed.url)} newsflowId={quoteattr(feed.feed_id)}{extra}/>"
        )
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
