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

import logging
import re
from datetime import datetime
from typing import Final, NamedTuple
from urllib.parse import urljoin

from newsflow.errors import PermanentItemError
from newsflow.models import FeedItem, NormalisedItem
from newsflow.normalise.dates import parse_date
from newsflow.normalise.fingerprint import content_hash
from newsflow.normalise.html import clean_fragment, html_to_text, looks_like_html, sanitise_html
from newsflow.normalise.language import DETECT_SAMPLE_CHARS, detect_language, normalise_language
from newsflow.normalise.page import MAX_PAGE_CHARS, extract_page, is_whole_page
from newsflow.normalise.pagemeta import PageMetadata, date_from_url
from newsflow.normalise.text import (
    clean_inline,
    clean_text,
    clean_title,
    make_summary,
    reading_time_minutes,
    truncate_words,
    word_count,
)
from newsflow.normalise.titles import site_keys, strip_site_suffix
from newsflow.normalise.urls import article_id, canonical_url, is_http_url, same_site, source_domain

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

LOGGER = logging.getLogger(__name__)

MAX_CONTENT_CHARS: Final = 2_000_000
BINARY_SAMPLE_CHARS: Final = 4_096
BINARY_JUNK_SHARE: Final = 0.05
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


def _reject_binary(*values: str | None) -> None:
    """Binary data (an image, a PDF, a zip) pasted into a text field is a permanent error, not an article."""
    for value in values:
        if not value:
            continue
        sample = value[:BINARY_SAMPLE_CHARS]
        if sample.isascii() and sample.isprintable():
            continue
        junk = sum(1 for char in sample if char == "\ufffd" or (char < " " and char not in "\t\n\r"))
        if junk > BINARY_JUNK_SHARE * len(sample):
            raise PermanentItemError("binary_content", f"{junk} of {len(sample)} sampled characters are not text")


class _Body(NamedTuple):
    html: str
    text: str
    first_image: str | None
    summary_text: str


def _fragment_body(item: FeedItem, base_url: str | None) -> _Body:
    """The light path: a feed's own HTML fragment, plain text or summary (no boilerplate detection)."""
    raw_summary = item.summary[:MAX_CONTENT_CHARS] if item.summary and item.summary.strip() else ""
    summary_is_html = looks_like_html(raw_summary)
    if item.content_html and item.content_html.strip():
        html, text, image = clean_fragment(item.content_html[:MAX_CONTENT_CHARS], base_url)
        return _Body(html, text, image, _summary_text(raw_summary, summary_is_html))
    if item.content_text and item.content_text.strip():
        return _Body(
            "", clean_text(item.content_text[:MAX_CONTENT_CHARS]), None, _summary_text(raw_summary, summary_is_html)
        )
    if summary_is_html:
        html, text, image = clean_fragment(raw_summary, base_url)
        return _Body(html, text, image, text)
    text = clean_text(raw_summary)
    return _Body("", text, None, text)


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    joined = urljoin(base, url.strip()) if base else url.strip()
    return joined if is_http_url(joined) else None


def normalise_item(item: FeedItem, *, now: datetime) -> NormalisedItem:
    """Normalise one feed item (see the module doc for every rule). Raises PermanentItemError."""
    _reject_binary(item.content_html, item.content_text, item.summary, item.title)
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

    meta = PageMetadata()
    if item.content_html and is_whole_page(item.content_html):
        page = extract_page(item.content_html[:MAX_PAGE_CHARS], url, base_url)
        meta = page.metadata
        if not page.body_text:
            raise PermanentItemError(
                "no_article_content", "a whole page without article text (navigation, listing or empty)"
            )
        LOGGER.debug("whole page extracted (%s): %d characters", page.method, len(page.body_text))
        url = _page_canonical(url, meta) or url
        raw_summary = item.summary[:MAX_CONTENT_CHARS] if item.summary and item.summary.strip() else ""
        summary_text = _summary_text(raw_summary, looks_like_html(raw_summary)) or clean_text(meta.description)
        body = _Body(page.body_html, page.body_text, page.first_image, summary_text)
    else:
        body = _fragment_body(item, base_url)

    site_name = clean_inline(source.name) or clean_inline(meta.site_name) or None
    domain = source_domain(url or source.site_url or source.feed_url)
    title = strip_site_suffix(title, site_keys(source.name, meta.site_name, domain=domain)) or title

    words = word_count(body.text)
    image_url = item.image_url.strip() if item.image_url and is_http_url(item.image_url) else None
    image_url = (
        image_url or _absolute(meta.image, base_url) or (body.first_image if is_http_url(body.first_image) else None)
    )
    default_tz = source.timezone
    published_at = (
        parse_date(item.published, default_tz=default_tz, now=now)
        or parse_date(meta.published, default_tz=default_tz, now=now)
        or parse_date(date_from_url(url or link), default_tz=default_tz, now=now)
    )
    updated_at = parse_date(item.updated, default_tz=default_tz, now=now) or parse_date(
        meta.modified, default_tz=default_tz, now=now
    )
    authors = _dedupe([clean_author(a) for a in item.authors], limit=MAX_AUTHORS) or _dedupe(
        [clean_author(a) for a in meta.authors], limit=MAX_AUTHORS
    )
    language = (
        normalise_language(item.language)
        or normalise_language(meta.language)
        or detect_language(f"{title}\n{body.text[:DETECT_SAMPLE_CHARS]}" if body.text else None)
    )
    return NormalisedItem(
        id=article_id(url, source_key, guid),
        url=url,
        original_url=original_url,
        guid=guid,
        title=title,
        summary=make_summary(body.summary_text, body.text),
        body_text=body.text,
        body_html=body.html,
        authors=authors,
        language=language,
        image_url=image_url,
        source_name=site_name,
        source_domain=domain,
        feed_id=source.feed_id,
        published_at=published_at,
        updated_at=updated_at,
        feed_tags=clean_tags(item.tags) or clean_tags(meta.tags),
        word_count=words,
        reading_time_minutes=reading_time_minutes(words),
        content_hash=content_hash(body.text, title),
        extra=dict(item.extra),
    )


def _page_canonical(url: str | None, meta: PageMetadata) -> str | None:
    """The page's rel=canonical (else og:url), honoured only on the same registrable domain as `url`."""
    for candidate in (meta.canonical_url, meta.og_url):
        absolute = canonical_url(_absolute(candidate, url))
        if absolute and url and same_site(absolute, url):
            return absolute
    return None
