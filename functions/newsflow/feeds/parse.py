"""Turn the bytes of a feed (RSS 0.9x/1.0/2.0, Atom, JSON Feed 1.x) into `FeedItem`s.

XML feeds go through feedparser (given the response headers, so its encoding detection and
relative-URI resolution work); JSON Feed is parsed by hand with pydantic validation.

Contract:
- every entry becomes a `FeedItem` with `source` filled in, or a `SkippedEntry` with a reason:
  nothing is silently dropped;
- feed-level garbage (empty body, HTML page, not a feed, invalid XML with no recoverable entry,
  invalid JSON, unsupported JSON Feed version) raises `FeedError`;
- limits cap the work, never the answer: a feed with more than `max_entries` entries yields its newest
  `max_entries` (by their dates; `limits.py`), and a document over `max_bytes` (or cut there by the
  fetcher: `truncated=True`) yields the complete entries of its first `max_bytes`; `ParsedFeed.notes`
  and an `entry-limit` / `size-limit` skip say so;
- dates are kept as the source wrote them (normalisation parses them later); an Atom entry with only
  `<updated>` has it as its publication time too;
- tracking pixels (`pixels.py`) are dropped from the image candidates, the media list and the HTML;
  enclosures (audio, video, images, documents) become `media` entries (url, type, length, medium);
- relative links resolve against xml:base, else the URL the feed was read from, else (a feed file given
  to the CLI) the feed's own site link; a link that still is not absolute is reported
  (`relative-link` skip, or a note when the entry keeps its guid), never invented;
- HTML is passed through unsanitised (feedparser's sanitizer is off): normalisation cleans it.
"""

from __future__ import annotations

import html
import json
import re
import time
import xml.sax
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

import feedparser
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from newsflow.errors import FeedError
from newsflow.feeds.limits import close_truncated, newest_entries, newest_json_items
from newsflow.feeds.media import absolute_http, as_int, feedparser_media, is_image_path, json_media
from newsflow.feeds.pixels import is_pixel, strip_pixels
from newsflow.guards import check_feed_shape
from newsflow.models import MAX_ITEM_BYTES, FeedItem, SourceInfo

MAX_FEED_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 500
DERIVED_TITLE_CHARS = 120
MAX_LIST_VALUES = 50

FeedFormat = Literal["rss", "atom", "rdf", "json"]

JSON_FEED_VERSIONS = (
    "https://jsonfeed.org/version/1",
    "https://jsonfeed.org/version/1.1",
    "http://jsonfeed.org/version/1",
    "http://jsonfeed.org/version/1.1",
)

_ENTRY_TAG = re.compile(rb"<(?:[A-Za-z0-9_.-]+:)?(?:item|entry)[\s>/]")
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_BOMS = (b"\xef\xbb\xbf",)


class SkippedEntry(BaseModel):
    """An entry that could not become a FeedItem, and why (`reason` is a short code)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        description="no-identity | relative-link | no-title | invalid | oversize | entry-limit | size-limit"
    )
    detail: str = ""
    index: int | None = Field(default=None, description="Position of the entry in the feed, if one entry.")


class ParsedFeed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    site_url: str | None = None
    language: str | None = None
    format: FeedFormat
    items: list[FeedItem] = Field(default_factory=list)
    skipped: list[SkippedEntry] = Field(default_factory=list)
    entries_total: int | None = Field(default=None, description="Entries in the document, when more were there.")
    truncated: bool = Field(default=False, description="Only the first max_bytes of the document were read.")
    notes: list[str] = Field(default_factory=list, description="What a limit or a missing base changed.")


def parse_feed(
    content: bytes,
    *,
    feed_url: str,
    content_type: str | None = None,
    source: SourceInfo | None = None,
    max_bytes: int = MAX_FEED_BYTES,
    max_entries: int = MAX_ENTRIES,
    truncated: bool = False,
) -> ParsedFeed:
    """Parse one feed document. `feed_url` is where it was read from (the base for relative links);
    `truncated`: the fetcher cut the document at its size cap.

    Raises `FeedError` when the document is not a usable feed.
    """
    if not content or not content.strip():
        raise FeedError("empty body: not a feed")
    size = len(content)
    if size > max_bytes:
        content, truncated = content[:max_bytes], True
    if _looks_like_json(content):
        if truncated:
            raise FeedError(f"JSON feed over the {max_bytes}-byte cap: a cut JSON document cannot be read in part")
        check_feed_shape(content)  # depth, breadth, numbers: bounded memory (newsflow/guards.py)
        return _parse_json_feed(content, feed_url=feed_url, source=source, max_entries=max_entries)
    parsed = _parse_xml_feed(
        content, feed_url=feed_url, content_type=content_type, source=source, max_entries=max_entries,
        truncated=truncated,
    )  # fmt: skip
    if truncated:
        parsed.truncated = True
        shown = f"{size} bytes" if size > max_bytes else "a body cut by the fetcher"
        note = f"feed over the size cap ({shown}, cap {max_bytes}): only the entries complete within it were read"
        parsed.notes.insert(0, note)
        parsed.skipped.append(SkippedEntry(reason="size-limit", detail=note))
    return parsed


# --------------------------------------------------------------------------------------------- XML


def _parse_xml_feed(
    content: bytes,
    *,
    feed_url: str,
    content_type: str | None,
    source: SourceInfo | None,
    max_entries: int,
    truncated: bool = False,
) -> ParsedFeed:
    if truncated:
        content = close_truncated(content)
    entries_total: int | None = None
    if len(_ENTRY_TAG.findall(content)) > max_entries:
        newest = newest_entries(content, max_entries)
        if newest is not None:
            content, entries_total = newest

    # Relative links resolve against where the feed was read; for a feed read from a file
    # (the local CLI) that base is useless, so its own site link is used instead.
    http_base = feed_url if _is_http(feed_url) else None
    headers = {"content-location": http_base} if http_base else {}
    if content_type:
        headers["content-type"] = content_type
    # The shape limits bound feedparser's memory, so they apply to what it is given: a 20,000-entry archive
    # reduced to its newest entries above passes, a document nested or spread beyond them does not.
    check_feed_shape(content)
    result = feedparser.parse(content, response_headers=headers, sanitize_html=False, resolve_relative_uris=True)
    version: str = result.get("version") or ""
    entries: list[Any] = list(result.get("entries") or [])
    problem = result.get("bozo_exception") if result.get("bozo") else None
    broken_xml = isinstance(problem, xml.sax.SAXException)

    if not version and not entries:
        if _HTML_START.match(content[:4096]):
            raise FeedError("not a feed: the document is an HTML page")
        if broken_xml:
            raise FeedError(f"not a feed: not well-formed XML ({problem})")
        raise FeedError("not a feed: no RSS, RDF or Atom root element")
    if broken_xml and not entries:
        raise FeedError(f"invalid XML with no recoverable entries ({problem})")

    feed = result.get("feed") or {}
    feed_title = _clean_text(feed.get("title"))
    site_url = absolute_http(feed.get("link"), http_base or "")
    language = _language(feed.get("language"))
    item_source = _item_source(source, feed_title=feed_title, feed_url=feed_url, site_url=site_url)

    feed_format = _xml_format(version)
    parsed = ParsedFeed(title=feed_title, site_url=site_url, language=language, format=feed_format)
    base = http_base or site_url or ""
    for index, entry in enumerate(entries[:max_entries]):
        fields = _fields_from_feedparser(entry, feed_url=base, language=language, feed_format=feed_format)
        _add(parsed, index, fields, item_source)
    _note_entry_limit(parsed, entries_total or len(entries), max_entries, newest=entries_total is not None)
    return parsed


def _xml_format(version: str) -> FeedFormat:
    if version.startswith("atom"):
        return "atom"
    if version in {"rss090", "rss10"}:
        return "rdf"
    return "rss"


def _fields_from_feedparser(
    entry: Mapping[str, Any], *, feed_url: str, language: str | None, feed_format: FeedFormat
) -> dict[str, Any]:
    base = _entry_base(entry) or feed_url
    content_html, content_text = _feedparser_content(entry)
    summary = entry.get("summary") or None
    if summary is not None and summary in (content_html, content_text):
        # feedparser copies the content into `summary` when the entry has no summary of its own.
        summary = None
    raw_link = entry.get("link")
    link = absolute_http(raw_link, base)
    guid = entry.get("id") or None
    updated = _date(entry, "updated")
    published = _date(entry, "published") or _date(entry, "created")
    if published is None:
        # RSS has no "updated" element of its own (feedparser files dc:date, the usual RSS 1.0
        # publication date, under "updated"); an Atom entry with only <updated> was published then
        # at the latest, which sorts it where it belongs instead of as new.
        published = updated
    fields: dict[str, Any] = {
        "url": link,
        "guid": guid,
        "title": entry.get("title") or None,
        "summary": strip_pixels(summary),
        "content_html": strip_pixels(content_html),
        "content_text": content_text,
        "published": published,
        "updated": updated,
        "authors": _feedparser_authors(entry),
        "tags": _unique(tag.get("label") or tag.get("term") for tag in entry.get("tags") or []),
        "language": _entry_language(entry) or language,
        "image_url": _feedparser_image(entry, link or base),
        "media": feedparser_media(entry, link or base),
    }
    if link is None and _unresolved(raw_link):
        fields["unresolved_link"] = str(raw_link)[:300]
    return fields


def _unresolved(raw: Any) -> bool:
    """A link that was given but is relative with nothing to resolve it against."""
    if not isinstance(raw, str) or not raw.strip():
        return False
    return urlsplit(raw.strip()).scheme == ""


def _entry_base(entry: Mapping[str, Any]) -> str | None:
    for key in ("title_detail", "summary_detail"):
        detail = entry.get(key)
        if detail and detail.get("base"):
            return str(detail["base"])
    for content in entry.get("content") or []:
        if content.get("base"):
            return str(content["base"])
    return None


def _feedparser_content(entry: Mapping[str, Any]) -> tuple[str | None, str | None]:
    content_html: str | None = None
    content_text: str | None = None
    for content in entry.get("content") or []:
        value = content.get("value")
        if not value:
            continue
        if content.get("type") == "text/plain":
            content_text = content_text or value
        else:
            content_html = content_html or value
    return content_html, content_text


def _feedparser_authors(entry: Mapping[str, Any]) -> list[str]:
    authors = _unique(_author_name(a) for a in entry.get("authors") or [] if isinstance(a, Mapping))
    raw = dict.get(entry, "author") if isinstance(entry, dict) else entry.get("author")
    if not authors and raw:
        authors = _unique([raw])
    return authors


def _author_name(author: Mapping[str, Any]) -> str | None:
    name, email = author.get("name"), author.get("email")
    if isinstance(name, str) and email and "(" in name and not name.rstrip().endswith(")"):
        # feedparser's e-mail pattern stops at 4-letter TLDs: "jo@x.industries (Jo Roe)" gives
        # email "jo@x.indu" and name "stries (Jo Roe"; the real name is inside the parentheses.
        name = name.split("(", 1)[1]
    return name or email


def _entry_language(entry: Mapping[str, Any]) -> str | None:
    for key in ("title_detail", "summary_detail"):
        detail = entry.get(key)
        if detail and detail.get("language"):
            return _language(detail["language"])
    return None


def _feedparser_image(entry: Mapping[str, Any], base: str) -> str | None:
    media_images: list[tuple[int, str]] = []
    for media in entry.get("media_content") or []:
        medium, mime = media.get("medium") or "", media.get("type") or ""
        url = media.get("url") or ""
        if is_pixel(url, media.get("width"), media.get("height")):
            continue
        if medium == "image" or mime.startswith("image/") or (not medium and not mime and is_image_path(url)):
            media_images.append((as_int(media.get("width")), url))
    # The widest rendition first (feeds often list a thumbnail and a full-size copy).
    candidates: list[str | None] = [url for _, url in sorted(media_images, key=lambda m: -m[0])]
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and (link.get("type") or "").startswith("image/"):
            candidates.append(link.get("href"))
    candidates.extend(
        thumb.get("url")
        for thumb in entry.get("media_thumbnail") or []
        if not is_pixel(thumb.get("url"), thumb.get("width"), thumb.get("height"))
    )
    image = entry.get("image")
    if isinstance(image, Mapping):
        candidates.append(image.get("href") or image.get("url"))
    for candidate in candidates:
        url = absolute_http(candidate, base)
        if url and not is_pixel(url):
            return url
    return None


def _date(entry: Mapping[str, Any], key: str) -> str | None:
    # dict.get: FeedParserDict's own lookup answers "updated" with "published" when there is none.
    raw = dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)
    if isinstance(raw, str) and raw.strip() and len(raw) <= 200:
        return raw.strip()
    parsed = dict.get(entry, f"{key}_parsed") if isinstance(entry, dict) else entry.get(f"{key}_parsed")
    if isinstance(parsed, time.struct_time):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)
    return None


# -------------------------------------------------------------------------------------------- JSON


class _JsonAuthor(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    url: str | None = None


class _JsonFeedItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str | None = None
    url: str | None = None
    external_url: str | None = None
    title: str | None = None
    content_html: str | None = None
    content_text: str | None = None
    summary: str | None = None
    image: str | None = None
    banner_image: str | None = None
    date_published: str | None = None
    date_modified: str | None = None
    author: _JsonAuthor | None = None
    authors: list[_JsonAuthor] | None = None
    tags: list[str] | None = None
    language: str | None = None
    attachments: list[Any] | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        # The spec says string; numbers are common in the wild and unambiguous.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value


class _JsonFeed(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: str
    title: str | None = None
    home_page_url: str | None = None
    feed_url: str | None = None
    language: str | None = None
    author: _JsonAuthor | None = None
    authors: list[_JsonAuthor] | None = None
    items: list[Any]


def _parse_json_feed(content: bytes, *, feed_url: str, source: SourceInfo | None, max_entries: int) -> ParsedFeed:
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"invalid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise FeedError("not a JSON Feed: the top level is not an object")
    version = document.get("version")
    if not isinstance(version, str):
        raise FeedError("not a JSON Feed: no 'version'")
    if version.rstrip("/") not in JSON_FEED_VERSIONS:
        raise FeedError(f"unsupported JSON Feed version {version[:100]!r}")
    entries_total: int | None = None
    if isinstance(document.get("items"), list) and len(document["items"]) > max_entries:
        entries_total = len(document["items"])
        document["items"] = newest_json_items(document["items"], max_entries)
    try:
        feed = _JsonFeed.model_validate(document)
    except ValidationError as exc:
        raise FeedError(f"invalid JSON Feed: {_first_error(exc)}") from exc

    feed_title = _clean_text(feed.title)
    http_base = feed_url if _is_http(feed_url) else None
    site_url = absolute_http(feed.home_page_url, http_base or "")
    base = http_base or site_url or ""
    language = _language(feed.language)
    feed_authors = _json_authors(feed.authors, feed.author)
    item_source = _item_source(source, feed_title=feed_title, feed_url=feed_url, site_url=site_url)
    parsed = ParsedFeed(title=feed_title, site_url=site_url, language=language, format="json")
    for index, raw in enumerate(feed.items[:max_entries]):
        if not isinstance(raw, dict):
            parsed.skipped.append(SkippedEntry(reason="invalid", detail="item is not an object", index=index))
            continue
        try:
            item = _JsonFeedItem.model_validate(raw)
        except ValidationError as exc:
            parsed.skipped.append(SkippedEntry(reason="invalid", detail=_first_error(exc), index=index))
            continue
        fields = _fields_from_json_item(item, feed_url=base, language=language, feed_authors=feed_authors)
        _add(parsed, index, fields, item_source)
    _note_entry_limit(parsed, entries_total or len(feed.items), max_entries, newest=entries_total is not None)
    return parsed


def _fields_from_json_item(
    item: _JsonFeedItem, *, feed_url: str, language: str | None, feed_authors: list[str]
) -> dict[str, Any]:
    url = absolute_http(item.url, feed_url)
    external_url = absolute_http(item.external_url, feed_url)
    extra: dict[str, Any] = dict(item.model_extra or {})
    if external_url and url and external_url != url:
        extra["external_url"] = external_url
    return {
        "url": url or external_url,
        "guid": item.id or None,
        "title": item.title,
        "summary": strip_pixels(item.summary),
        "content_html": strip_pixels(item.content_html),
        "content_text": item.content_text,
        "published": _short(item.date_published),
        "updated": _short(item.date_modified),
        "authors": _json_authors(item.authors, item.author) or feed_authors,
        "tags": _unique(item.tags or []),
        "language": _language(item.language) or language,
        "image_url": _json_image(item, url or feed_url),
        "media": json_media(item.attachments, url or feed_url),
        "extra": extra,
    }


def _json_image(item: _JsonFeedItem, base: str) -> str | None:
    for candidate in (item.image, item.banner_image):
        url = absolute_http(candidate, base)
        if url and not is_pixel(url):
            return url
    return None


def _json_authors(authors: list[_JsonAuthor] | None, author: _JsonAuthor | None) -> list[str]:
    listed = list(authors or []) or ([author] if author else [])
    return _unique(a.name or a.url for a in listed)


# ------------------------------------------------------------------------------------------ shared


def _looks_like_json(content: bytes) -> bool:
    head = content[:64]
    for bom in _BOMS:
        head = head.removeprefix(bom)
    return head.lstrip()[:1] in (b"{", b"[")


def _item_source(
    source: SourceInfo | None, *, feed_title: str | None, feed_url: str, site_url: str | None
) -> SourceInfo:
    given = source or SourceInfo()
    return SourceInfo(
        name=given.name or (feed_title[:300] if feed_title else None),
        feed_url=given.feed_url or feed_url[:2048],
        site_url=given.site_url or site_url,
        feed_id=given.feed_id,
        timezone=given.timezone,
    )


def _add(parsed: ParsedFeed, index: int, fields: dict[str, Any], source: SourceInfo) -> None:
    """Validate one entry into a FeedItem, or record why it was skipped."""
    unresolved = fields.pop("unresolved_link", None)
    if unresolved and not fields.get("url"):
        detail = f"link {unresolved!r} is relative and the feed gives no base (xml:base, its URL or its site link)"
        if not fields.get("guid"):
            parsed.skipped.append(SkippedEntry(reason="relative-link", detail=detail, index=index))
            return
        parsed.notes.append(f"entry {index}: {detail}; kept by its id, without a link")
    if not fields.get("url") and not fields.get("guid"):
        parsed.skipped.append(SkippedEntry(reason="no-identity", detail="entry has no link and no id", index=index))
        return
    title = fields.get("title")
    if not title or not str(title).strip():
        derived = _derive_title(fields)
        if not derived:
            parsed.skipped.append(SkippedEntry(reason="no-title", detail="entry has no title and no text", index=index))
            return
        fields["title"] = derived
        fields["extra"] = {**fields.get("extra", {}), "title_derived": True}
    try:
        item = FeedItem.model_validate({**fields, "source": source})
    except ValidationError as exc:
        parsed.skipped.append(SkippedEntry(reason="invalid", detail=_first_error(exc), index=index))
        return
    checked = _within_size(item)
    if checked is None:
        parsed.skipped.append(
            SkippedEntry(reason="oversize", detail=f"over {MAX_ITEM_BYTES} bytes even without its body", index=index)
        )
        return
    parsed.items.append(checked)


def _within_size(item: FeedItem) -> FeedItem | None:
    """Keep items under the queue's size limit: drop an oversized body (keeping title, summary, link)."""
    rough = sum(len(v or "") for v in (item.title, item.summary, item.content_html, item.content_text))
    if rough * 4 < MAX_ITEM_BYTES - 16_384:  # utf-8 is at most 4 bytes a character
        return item
    if len(item.model_dump_json().encode()) <= MAX_ITEM_BYTES:
        return item
    slim = item.model_copy(
        update={"content_html": None, "content_text": None, "extra": {**item.extra, "content_omitted": "oversize"}}
    )
    if len(slim.model_dump_json().encode()) <= MAX_ITEM_BYTES:
        return slim
    return None


def _note_entry_limit(parsed: ParsedFeed, total: int, max_entries: int, *, newest: bool = False) -> None:
    if total > max_entries:
        which = f"the newest {max_entries}" if newest else f"the first {max_entries}"
        note = f"{total} entries, over the limit of {max_entries}: {which} were read, {total - max_entries} were not"
        parsed.entries_total = total
        parsed.notes.append(note)
        parsed.skipped.append(SkippedEntry(reason="entry-limit", detail=note))


def _derive_title(fields: Mapping[str, Any]) -> str | None:
    for key in ("summary", "content_text", "content_html"):
        text = _clean_text(_TAG.sub(" ", fields.get(key) or ""))
        if text:
            if len(text) <= DERIVED_TITLE_CHARS:
                return text
            cut = text[:DERIVED_TITLE_CHARS].rsplit(" ", 1)[0]
            return f"{cut}…"
    return None


def _clean_text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = _SPACES.sub(" ", html.unescape(value)).strip()
    return text or None


def _short(value: str | None, limit: int = 200) -> str | None:
    if not value or not value.strip():
        return None
    return value.strip()[:limit]


def _is_http(url: str) -> bool:
    return url[:8].lower().startswith(("http://", "https://"))


def _language(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-")
    return tag if len(tag) <= 35 and _LANGUAGE.match(tag) else None


def _unique(values: Iterable[Any]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if isinstance(value, str) and value.strip():
            seen.setdefault(value.strip(), None)
        if len(seen) >= MAX_LIST_VALUES:
            break
    return list(seen)


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "item"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"
