"""Enclosures of feed entries -> `media` entries (url, type, length, medium), tracking pixels dropped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsflow.feeds.pixels import is_pixel
from newsflow.models import MAX_MEDIA

_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
_DOCUMENT_TYPES = frozenset({"application/pdf", "application/epub+zip"})


def is_image_path(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(_IMAGE_SUFFIXES)


def as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def absolute_http(value: Any, base: str) -> str | None:
    """`value` made absolute against `base`; None unless it is an http(s) URL."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        url = urljoin(base, value.strip())
    except ValueError:
        return None
    if urlsplit(url).scheme.lower() not in {"http", "https"} or len(url) > 4096:
        return None
    return url


def medium_of(mime: str, medium: str | None) -> str | None:
    if medium in {"audio", "video", "image", "document"}:
        return medium
    kind = mime.split("/", 1)[0].lower() if mime else ""
    if kind in {"audio", "video", "image"}:
        return kind
    if mime.lower() in _DOCUMENT_TYPES:
        return "document"
    return None


class _Collector:
    def __init__(self, base: str) -> None:
        self.base = base
        self.found: dict[str, dict[str, Any]] = {}

    def add(self, url: Any, mime: Any, length: Any, medium: Any = None, width: Any = None, height: Any = None) -> None:
        absolute = absolute_http(url, self.base)
        if not absolute or absolute in self.found or len(self.found) >= MAX_MEDIA:
            return
        mime_text = mime.strip()[:200] if isinstance(mime, str) and mime.strip() else None
        kind = medium_of(mime_text or "", medium if isinstance(medium, str) else None)
        if kind is None and is_image_path(absolute):
            kind = "image"
        if kind in {"image", None} and is_pixel(absolute, width, height):
            return
        size = as_int(length)
        length_value = size if size > 0 else None
        self.found[absolute] = {"url": absolute, "type": mime_text, "length": length_value, "medium": kind}


def feedparser_media(entry: Mapping[str, Any], base: str) -> list[dict[str, Any]]:
    """RSS <enclosure>, Atom rel="enclosure" links and Media RSS <media:content>, in that order, deduplicated."""
    media = _Collector(base)
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure":
            media.add(link.get("href"), link.get("type"), link.get("length"))
    for enclosure in entry.get("enclosures") or []:
        media.add(enclosure.get("href"), enclosure.get("type"), enclosure.get("length"))
    for content in entry.get("media_content") or []:
        media.add(content.get("url"), content.get("type"), content.get("filesize") or content.get("fileSize"),
                  content.get("medium"), content.get("width"), content.get("height"))  # fmt: skip
    return list(media.found.values())


def json_media(attachments: list[Any] | None, base: str) -> list[dict[str, Any]]:
    """JSON Feed `attachments` (url, mime_type, size_in_bytes)."""
    media = _Collector(base)
    for attachment in attachments or []:
        if isinstance(attachment, dict):
            media.add(attachment.get("url"), attachment.get("mime_type"), attachment.get("size_in_bytes"))
    return list(media.found.values())
