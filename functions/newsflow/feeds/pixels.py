"""Tracking pixels: tell them from images, and take them out of feed bodies.

A tracking pixel is an image no reader sees: declared 1x1 (or 0) by its width/height attributes or an
inline style, or served from a known tracker (Feedburner's `~r` hits, WordPress stats, DoubleClick,
Google Analytics, comScore, Quantcast, FeedBlitz, ...), or named like one (`pixel.gif`, `1x1.png`,
`spacer.gif`, `blank.gif`). They are dropped from the lead-image candidates, the media list and the
HTML of the summary and content (each `<img>` element, with a link that wraps nothing else).
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

TRACKER_HOSTS: Final = (
    "pixel.wp.com",
    "stats.wordpress.com",
    "doubleclick.net",
    "google-analytics.com",
    "googletagmanager.com",
    "scorecardresearch.com",
    "quantserve.com",
    "pixel.quantserve.com",
    "feedblitz.com",
    "feedsportal.com",
    "pheedo.com",
    "moatads.com",
    "chartbeat.net",
    "pixel.facebook.com",
    "bat.bing.com",
    "analytics.twitter.com",
    "ad.doubleclick.net",
    "pubads.g.doubleclick.net",
    "www.facebook.com/tr",
    "pixel.mathtag.com",
    "ads.pheedo.com",
    "rss.buysellads.com",
    "counter.theconversation.com",
    "tracking.feedpress.it",
    "stats.feedpress.me",
)
# Paths that are hits, not images, on hosts that also serve real content.
_TRACKER_PATHS: Final = (
    re.compile(r"^feeds\.feedburner\.com$|^feedproxy\.google\.com$", re.I),
    re.compile(r"/~r/|/~ff/|/~a/|/~i/|/~4/", re.I),
)
_PIXEL_NAME: Final = re.compile(
    r"/(?:pixel|tracking|tracker|spacer|blank|transparent|clear|beacon|1x1|1px)"
    r"(?:[_-]?(?:pixel|gif|img|1x1))?\.(?:gif|png|jpe?g|webp|php|aspx?)$",
    re.I,
)
_IMG: Final = re.compile(r"<img\b[^>]*>", re.I | re.S)
_LINKED_IMG: Final = re.compile(r"<a\b[^>]*>\s*(<img\b[^>]*>)\s*</a\s*>", re.I | re.S)
_ATTRIBUTE: Final = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.S)
_STYLE_SIZE: Final = re.compile(r"(?:^|;)\s*(width|height)\s*:\s*([\d.]+)\s*(?:px)?\s*(?:;|$)", re.I)
_DISPLAY_NONE: Final = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _tiny(value: str | None) -> bool:
    if value is None:
        return False
    text = value.strip().lower().removesuffix("px").strip()
    try:
        return float(text) <= 2
    except ValueError:
        return False


def is_tracker_url(url: str | None) -> bool:
    """A URL served by a known tracker, or named like a tracking pixel."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    host_and_path = f"{host}{parts.path}"
    for tracker in TRACKER_HOSTS:
        if "/" in tracker:
            if host_and_path.startswith(tracker):
                return True
        elif host == tracker or host.endswith(f".{tracker}"):
            return True
    if _TRACKER_PATHS[0].match(host) and _TRACKER_PATHS[1].search(parts.path):
        return True
    return bool(_PIXEL_NAME.search(parts.path))


def is_pixel(url: str | None, width: object = None, height: object = None) -> bool:
    """An image that is a tracking pixel: declared at most 2x2 (either side 0-2 with the other unknown or
    tiny), or from a tracker."""
    w = _tiny(str(width)) if width not in (None, "") else None
    h = _tiny(str(height)) if height not in (None, "") else None
    if (w and h) or (w and h is None) or (h and w is None):
        return True
    return is_tracker_url(url)


def _attributes(tag: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(tag[4:]):
        name = match.group(1).lower()
        found.setdefault(name, next((g for g in match.groups()[1:] if g is not None), ""))
    return found


def is_pixel_tag(tag: str) -> bool:
    attributes = _attributes(tag)
    width, height = attributes.get("width"), attributes.get("height")
    style = attributes.get("style", "")
    if style:
        if _DISPLAY_NONE.search(style):
            return True
        for name, value in _STYLE_SIZE.findall(style):
            if name.lower() == "width":
                width = width or value
            else:
                height = height or value
    return is_pixel(attributes.get("src"), width, height)


def strip_pixels(markup: str | None) -> str | None:
    """`markup` without its tracking-pixel <img> elements (and links that only wrapped one)."""
    if not markup or "<img" not in markup.lower():
        return markup
    markup = _LINKED_IMG.sub(lambda m: "" if is_pixel_tag(m.group(1)) else m.group(0), markup)
    return _IMG.sub(lambda m: "" if is_pixel_tag(m.group(0)) else m.group(0), markup)
