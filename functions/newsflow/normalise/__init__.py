"""Normalisation: a raw FeedItem -> a clean, identified, dated NormalisedItem (no AWS, no I/O).

Rules (each has a test):
- title: HTML stripped, entities decoded, whitespace collapsed, capped at MAX_TITLE_CHARS; empty after
  cleaning -> PermanentItemError("empty_title").
- identity: the canonical URL of `url` (or of `guid` when the guid is itself an http(s) URL, as RSS
  permalink guids are); else the guid within its source (feed URL, else source name, else feed id);
  neither -> PermanentItemError("no_identity").
- body: from content_html (sanitised for display + plain text, one parse), else content_text, else the
  summary. content_html and content_text are cut at MAX_CONTENT_CHARS (2,000,000 characters) before
  parsing: a queued item is already bounded by the SQS message limit, so only a direct caller (CLI,
  full-page fetch) can pass more, and the cut keeps parsing time bounded (< 1 s even for hostile input).
  body_html stays empty when the source gave no HTML.
- summary: the item's own summary as one clean line (HTML -> text, ~500 characters, cut at a sentence or
  word boundary), else the first 2-3 sentences of the body.
- dates: `published`/`updated` parsed to UTC with the source's timezone for naive times; unknown,
  pre-1990 or future (> now + 1 day) -> None.
- language: the declared one as ISO 639-1 ("en-US" -> "en"), else None.
- image_url: the item's (absolute http(s)) image, else the first image of the sanitised body.
- authors and feed tags: cleaned, deduplicated case-insensitively (first spelling wins), capped;
  RSS-style "jane@example.com (Jane Doe)" becomes "Jane Doe", a bare e-mail address is dropped,
  a leading "By " is removed.
- extra: passed through untouched.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from newsflow.errors import PermanentItemError
from newsflow.models import FeedItem, NormalisedItem
from newsflow.normalise.dates import parse_date
from newsflow.normalise.fingerprint import content_hash
from newsflow.normalise.html import clean_fragment, html_to_text, looks_like_html, sanitise_html
from newsflow.normalise.language import normalise_language
from newsflow.normalise.text import (
    clean_inline,
    clean_text,
    clean_title,
    make_summary,
    reading_time_minutes,
    truncate_words,
    word_count,
)
from newsflow.normalise.urls import article_id, canonical_url, is_http_url, source_domain

__all__ = [
    "article_id",
    "canonical_url",
    "clean_text",
    "clean_title",
    "content_hash",
    "html_to_text",
    "normalise_item",
    "parse_date",
    "sanitise_html",
    "source_domain",
]

MAX_CONTENT_CHARS: Final = 2_000_000
MAX_AUTHORS: Final = 20
MAX_AUTHOR_CHARS: Final = 200
MAX_FEED_TAGS: Final = 50
MAX_TAG_CHARS: Final = 100

_RSS_AUTHOR = re.compile(r"^\S+@\S+\s*\((?P<name>[^()]+)\)$")
_EMAIL = re.compile(r"^\S+@\S+\.\S+$")
_BY = re.compile(r"^by\s+", re.IGNORECASE)


def _dedupe(values: list[str], *, limit: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            out.append(value)
            if len(out) >= limit:
                break
    return out


def clean_author(raw: str) -> str:
    name = clean_inline(raw)
    match = _RSS_AUTHOR.match(name)
    if match:
        name = match.group("name").strip()
    elif _EMAIL.match(name):
        return ""
    name = _BY.sub("", name).strip(" ,;")
    return truncate_words(name, MAX_AUTHOR_CHARS)


def clean_tags(raw: list[str], *, limit: int = MAX_FEED_TAGS) -> list[str]:
    return _dedupe([truncate_words(clean_inline(tag), MAX_TAG_CHARS) for tag in raw], limit=limit)


def _summary_text(summary: str, is_html: bool) -> str:
    return html_to_text(summary) if is_html else clean_text(summary)


def normalise_item(item: FeedItem, *, now: datetime) -> NormalisedItem:
    """Normalise one feed item (see the module doc for every rule). Raises PermanentItemError."""
    title = clean_title(item.title)
    if not title:
        raise PermanentItemError("empty_title", "the title is empty after cleaning")

    guid = item.guid.strip() if item.guid and item.guid.strip() else None
    original_url = item.url.strip() if item.url else None
    link = original_url if is_http_url(original_url) else None
    url = canonical_url(link)
    if url is None and is_http_url(guid):
        link, url = guid, canonical_url(guid)
    if url is None and guid is None:
        raise PermanentItemError("no_identity", "neither a usable url nor a guid")
    source = item.source
    source_key = canonical_url(source.feed_url) or source.name or source.feed_id or source.site_url
    # Relative links resolve against the page as the publisher wrote it, else the site, else the feed.
    base_url = (link if url else None) or canonical_url(source.site_url) or canonical_url(source.feed_url)

    body_html = ""
    first_image: str | None = None
    raw_summary = item.summary[:MAX_CONTENT_CHARS] if item.summary and item.summary.strip() else ""
    summary_is_html = looks_like_html(raw_summary)
    if item.content_html and item.content_html.strip():
        body_html, body_text, first_image = clean_fragment(item.content_html[:MAX_CONTENT_CHARS], base_url)
        summary_text = _summary_text(raw_summary, summary_is_html)
    elif item.content_text and item.content_text.strip():
        body_text = clean_text(item.content_text[:MAX_CONTENT_CHARS])
        summary_text = _summary_text(raw_summary, summary_is_html)
    elif summary_is_html:
        body_html, body_text, first_image = clean_fragment(raw_summary, base_url)
        summary_text = body_text
    else:
        body_text = summary_text = clean_text(raw_summary)

    words = word_count(body_text)
    image_url = item.image_url.strip() if item.image_url and is_http_url(item.image_url) else None
    if image_url is None and first_image and is_http_url(first_image):
        image_url = first_image
    default_tz = source.timezone
    return NormalisedItem(
        id=article_id(url, source_key, guid),
        url=url,
        original_url=original_url,
        guid=guid,
        title=title,
        summary=make_summary(summary_text, body_text),
        body_text=body_text,
        body_html=body_html,
        authors=_dedupe([clean_author(a) for a in item.authors], limit=MAX_AUTHORS),
        language=normalise_language(item.language),
        image_url=image_url,
        source_name=clean_inline(source.name) or None,
        source_domain=source_domain(url or source.site_url or source.feed_url),
        feed_id=source.feed_id,
        published_at=parse_date(item.published, default_tz=default_tz, now=now),
        updated_at=parse_date(item.updated, default_tz=default_tz, now=now),
        feed_tags=clean_tags(item.tags),
        word_count=words,
        reading_time_minutes=reading_time_minutes(words),
        content_hash=content_hash(body_text, title),
        extra=dict(item.extra),
    )
