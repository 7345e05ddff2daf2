"""normalise_item as named stages: identity -> body -> metadata merge -> dates -> authors and language ->
assemble. Each stage is a plain function of what the earlier ones produced; `prefer` is the one rule for
every field a whole page can also supply: the item's own value, else the page's metadata, else a value
derived from the text or the URL.

The rules for each field are listed in the package doc (`newsflow.normalise`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Final, NamedTuple, TypeVar
from urllib.parse import urljoin

from newsflow.errors import PermanentItemError
from newsflow.models import FeedItem, NormalisedItem
from newsflow.normalise.dates import parse_date
from newsflow.normalise.fingerprint import content_hash
from newsflow.normalise.html import clean_fragment, html_to_text, looks_like_html
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

LOGGER = logging.getLogger(__name__)

MAX_CONTENT_CHARS: Final = 2_000_000
BINARY_SAMPLE_CHARS: Final = 4_096
BINARY_JUNK_SHARE: Final = 0.05
BINARY_MIN_JUNK: Final = 16
MAX_AUTHORS: Final = 20
MAX_AUTHOR_CHARS: Final = 200
MAX_FEED_TAGS: Final = 50
MAX_TAG_CHARS: Final = 100

_RSS_AUTHOR = re.compile(r"^\S+@\S+\s*\((?P<name>[^()]+)\)$")
_EMAIL = re.compile(r"^\S+@\S+\.\S+$")
_BY = re.compile(r"^by\s+", re.IGNORECASE)

T = TypeVar("T")


def prefer(item: T | None, page: T | None, derived: Callable[[], T | None] | None = None) -> T | None:
    """The merge rule, written once: the item's own value, else the page metadata's, else `derived()`
    (called only when both are missing). Empty values (None, "", []) count as missing."""
    if item:
        return item
    if page:
        return page
    return derived() if derived is not None else None


# ------------------------------------------------------------------------------------------- helpers
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
        # A stray control character in a short title is stripped by cleaning, not grounds for rejection:
        # binary data is long runs of junk, so a handful of junk characters never rejects.
        if junk > BINARY_JUNK_SHARE * len(sample) and junk >= BINARY_MIN_JUNK:
            raise PermanentItemError("binary_content", f"{junk} of {len(sample)} sampled characters are not text")


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    joined = urljoin(base, url.strip()) if base else url.strip()
    return joined if is_http_url(joined) else None


# ------------------------------------------------------------------------------------------- 1. identity
class Identity(NamedTuple):
    guid: str | None
    original_url: str | None
    link: str | None  # the item's usable http(s) link as the publisher wrote it
    url: str | None  # canonical
    source_key: str | None
    base_url: str | None  # what relative links resolve against


def identify(item: FeedItem) -> Identity:
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
    return Identity(guid, original_url, link, url, source_key, base_url)


# ------------------------------------------------------------------------------------------- 2. body
class Body(NamedTuple):
    html: str
    text: str
    first_image: str | None
    summary_text: str
    metadata: PageMetadata  # empty unless the item was a whole page
    url: str | None  # the identity's URL, or the page's own canonical URL on the same site


def _item_summary(item: FeedItem) -> str:
    return item.summary[:MAX_CONTENT_CHARS] if item.summary and item.summary.strip() else ""


def _fragment_body(item: FeedItem, identity: Identity) -> Body:
    """The light path: a feed's own HTML fragment, plain text or summary (no boilerplate detection)."""
    raw_summary = _item_summary(item)
    summary_is_html = looks_like_html(raw_summary)
    meta, url, base = PageMetadata(), identity.url, identity.base_url
    if item.content_html and item.content_html.strip():
        html, text, image = clean_fragment(item.content_html[:MAX_CONTENT_CHARS], base)
        return Body(html, text, image, _summary_text(raw_summary, summary_is_html), meta, url)
    if item.content_text and item.content_text.strip():
        text = clean_text(item.content_text[:MAX_CONTENT_CHARS])
        return Body("", text, None, _summary_text(raw_summary, summary_is_html), meta, url)
    if summary_is_html:
        html, text, image = clean_fragment(raw_summary, base)
        return Body(html, text, image, text, meta, url)
    text = clean_text(raw_summary)
    return Body("", text, None, text, meta, url)


def _page_body(item: FeedItem, identity: Identity) -> Body:
    """The page path: a whole article page, its article extracted and its metadata read."""
    markup = (item.content_html or "")[:MAX_PAGE_CHARS]
    # The page's byline is looked for only when the item names no author (the item's own value wins).
    page = extract_page(markup, identity.url, identity.base_url, authors=not _cleaned_authors(item.authors))
    if not page.body_text:
        raise PermanentItemError(
            "no_article_content", "a whole page without article text (navigation, listing or empty)"
        )
    LOGGER.debug("whole page extracted (%s): %d characters", page.method, len(page.body_text))
    meta = page.metadata
    raw_summary = _item_summary(item)
    summary = prefer(_summary_text(raw_summary, looks_like_html(raw_summary)), clean_text(meta.description)) or ""
    url = _page_canonical(identity.url, meta) or identity.url
    return Body(page.body_html, page.body_text, page.first_image, summary, meta, url)


def extract_body(item: FeedItem, identity: Identity) -> Body:
    if item.content_html and is_whole_page(item.content_html):
        return _page_body(item, identity)
    return _fragment_body(item, identity)


def _page_canonical(url: str | None, meta: PageMetadata) -> str | None:
    """The page's rel=canonical (else og:url), honoured only on the same registrable domain as `url`."""
    for candidate in (meta.canonical_url, meta.og_url):
        absolute = canonical_url(_absolute(candidate, url))
        if absolute and url and same_site(absolute, url):
            return absolute
    return None


# ------------------------------------------------------------------------------------------- 3. metadata merge
class Merged(NamedTuple):
    title: str
    site_name: str | None
    domain: str | None
    image_url: str | None
    feed_tags: list[str]


def merge_metadata(item: FeedItem, title: str, body: Body, identity: Identity) -> Merged:
    source, meta = item.source, body.metadata
    site_name = prefer(clean_inline(source.name), clean_inline(meta.site_name))
    domain = source_domain(body.url or source.site_url or source.feed_url)
    title = strip_site_suffix(title, site_keys(source.name, meta.site_name, domain=domain)) or title
    item_image = item.image_url.strip() if item.image_url and is_http_url(item.image_url) else None
    image_url = prefer(
        item_image,
        _absolute(meta.image, identity.base_url),
        lambda: body.first_image if is_http_url(body.first_image) else None,
    )
    feed_tags = prefer(clean_tags(item.tags), clean_tags(meta.tags)) or []
    return Merged(title, site_name, domain, image_url, feed_tags)


# ------------------------------------------------------------------------------------------- 4. dates
class Dates(NamedTuple):
    published_at: datetime | None
    updated_at: datetime | None


def resolve_dates(item: FeedItem, body: Body, identity: Identity, *, now: datetime) -> Dates:
    tz = item.source.timezone

    def parse(value: str | None) -> datetime | None:
        return parse_date(value, default_tz=tz, now=now)

    published = prefer(
        parse(item.published), parse(body.metadata.published), lambda: parse(date_from_url(body.url or identity.link))
    )
    updated = prefer(parse(item.updated), parse(body.metadata.modified))
    return Dates(published, updated)


# ------------------------------------------------------------------------------------------- 5. authors, language
def _cleaned_authors(raw: list[str]) -> list[str]:
    return _dedupe([clean_author(a) for a in raw], limit=MAX_AUTHORS)


def resolve_authors(item: FeedItem, body: Body) -> list[str]:
    return prefer(_cleaned_authors(item.authors), _cleaned_authors(body.metadata.authors)) or []


def resolve_language(item: FeedItem, title: str, body: Body) -> str | None:
    return prefer(
        normalise_language(item.language),
        normalise_language(body.metadata.language),
        lambda: detect_language(f"{title}\n{body.text[:DETECT_SAMPLE_CHARS]}" if body.text else None),
    )


# ------------------------------------------------------------------------------------------- 6. assemble
def normalise_item(item: FeedItem, *, now: datetime) -> NormalisedItem:
    """Normalise one feed item (see the package doc for every rule). Raises PermanentItemError."""
    _reject_binary(item.content_html, item.content_text, item.summary, item.title)
    title = clean_title(item.title)
    if not title:
        raise PermanentItemError("empty_title", "the title is empty after cleaning")
    identity = identify(item)
    body = extract_body(item, identity)
    merged = merge_metadata(item, title, body, identity)
    dates = resolve_dates(item, body, identity, now=now)
    authors = resolve_authors(item, body)
    language = resolve_language(item, merged.title, body)
    words = word_count(body.text)
    return NormalisedItem(
        id=article_id(body.url, identity.source_key, identity.guid),
        url=body.url,
        original_url=identity.original_url,
        guid=identity.guid,
        title=merged.title,
        summary=make_summary(body.summary_text, body.text),
        body_text=body.text,
        body_html=body.html,
        authors=authors,
        language=language,
        image_url=merged.image_url,
        media=list(item.media),
        body_source=item.body_source or "feed",
        body_source_reason=item.body_source_reason,
        source_name=merged.site_name,
        source_domain=merged.domain,
        feed_id=item.source.feed_id,
        published_at=dates.published_at,
        updated_at=dates.updated_at,
        feed_tags=merged.feed_tags,
        word_count=words,
        reading_time_minutes=reading_time_minutes(words),
        content_hash=content_hash(body.text, merged.title),
        extra=dict(item.extra),
    )
