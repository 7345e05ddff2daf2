"""Which feed items are teasers worth a page fetch.

An item goes to the full-text stage when its mode (`FeedItem.full_text`, else the feed's or the stage's
default) is `always`, or `auto` and the feed's body has fewer than `min_words` words. `never` keeps the
feed's body. Items without an http(s) URL never go (there is no page to fetch).
"""

from __future__ import annotations

from collections.abc import Sequence

from newsflow.models import FeedItem, FullTextMode
from newsflow.normalise.html import html_to_text

DEFAULT_MIN_WORDS = 150


def feed_body_words(item: FeedItem) -> int:
    """Words of the body the feed gave (content_html > content_text > summary), as ingest would read it."""
    if item.content_html:
        text = html_to_text(item.content_html)
    elif item.content_text:
        text = item.content_text
    elif item.summary:
        text = html_to_text(item.summary) if "<" in item.summary else item.summary
    else:
        text = ""
    return len(text.split())


def needs_full_text(item: FeedItem, *, default_mode: FullTextMode = "auto", min_words: int = DEFAULT_MIN_WORDS) -> bool:
    mode = item.full_text or default_mode
    if mode == "never" or not item.url or item.body_source == "page":
        return False
    return mode == "always" or feed_body_words(item) < min_words


def split_for_full_text(
    items: Sequence[FeedItem], *, default_mode: FullTextMode = "auto", min_words: int = DEFAULT_MIN_WORDS
) -> tuple[list[int], list[int]]:
    """(indexes to send straight to ingest, indexes to send to the full-text stage)."""
    direct: list[int] = []
    pages: list[int] = []
    for index, item in enumerate(items):
        (pages if needs_full_text(item, default_mode=default_mode, min_words=min_words) else direct).append(index)
    return direct, pages
