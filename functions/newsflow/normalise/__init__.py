"""Normalisation: a raw FeedItem -> a clean, identified, dated NormalisedItem (no AWS, no I/O).

`normalise_item` runs named stages (`stages.py`): identity -> body -> metadata merge -> dates -> authors
and language -> assemble. Every field a whole page can also supply follows one rule (`stages.prefer`):
the item's own value, else the page's metadata, else a value derived from the text or the URL.

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
- whole pages (content_html that is a document): the article is extracted (`page.py`), and the page's
  metadata (`pagemeta.py`) fills what the item lacks; a page without article text ->
  PermanentItemError("no_article_content"); its rel=canonical replaces the URL only on the same site.
- summary: the item's own summary as one clean line (HTML -> text, ~500 characters, cut at a sentence or
  word boundary), else the page's description, else the first 2-3 sentences of the body.
- dates: `published`/`updated` (else the page's published/modified; published: else a date in the URL)
  parsed to UTC with the source's timezone for naive times; unknown, pre-1990 or future (> now + 1 day)
  -> None.
- language: the declared one as ISO 639-1 ("en-US" -> "en"), else the page's, else detected from the text.
- image_url: the item's (absolute http(s)) image, else the page's og:image, else the body's first image.
- authors and feed tags (else the page's): cleaned, deduplicated case-insensitively (first spelling wins), capped;
  RSS-style "jane@example.com (Jane Doe)" becomes "Jane Doe", a bare e-mail address is dropped,
  a leading "By " is removed.
- extra: passed through untouched.
"""

from __future__ import annotations

from newsflow.normalise.dates import parse_date
from newsflow.normalise.fingerprint import content_hash
from newsflow.normalise.html import html_to_text, sanitise_html
from newsflow.normalise.stages import MAX_CONTENT_CHARS, clean_author, clean_tags, normalise_item, prefer
from newsflow.normalise.text import clean_text, clean_title
from newsflow.normalise.urls import article_id, canonical_url, source_domain

__all__ = [
    "MAX_CONTENT_CHARS",
    "article_id",
    "canonical_url",
    "clean_author",
    "clean_tags",
    "clean_text",
    "clean_title",
    "content_hash",
    "html_to_text",
    "normalise_item",
    "parse_date",
    "prefer",
    "sanitise_html",
    "source_domain",
]
