"""Which copy of an article is newer: the rules `DynamoArticleRepository.save` applies (plain Python, no AWS).

- The item's own clock: `updated_at`, else `published_at`, else the sighting time (`last_seen_at`: when this
  copy was first seen, i.e. when the poller queued it, not when a retry happened to process it).
- Two copies with the same moment (a correction that carries no newer `updated`/`published`) are ordered by
  their sighting times: the copy the feed showed later is the newer one. A retry or an at-least-once duplicate
  of the same message keeps its sighting time, so a redelivered original never overtakes a correction seen
  after it.
- Copies equal on both are ordered by a digest of their material content: deterministic, whatever the arrival
  order.
- A version's sighting time is its *first* sighting: when a message with the stored body arrives that was
  queued earlier than the stored one (the earlier message's first delivery failed, say), the stored sighting
  moves back, and a contender that lost to the stored version, or was replaced by it, on sighting time alone
  may now be the newer copy: the one copy per article kept for that (`decided_by_sighting`, `clock_key`).
- A stored full text from the article page is not replaced by the feed's teaser of the same item version (a
  redelivered teaser whose page fetch failed this time): only a copy newer by the item's own clock
  (`updated_at`/`published_at`, never the sighting time) replaces it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from newsflow.models import Article

# Fields whose change makes a redelivered item a real update (times we saw it do not count).
MATERIAL_FIELDS = (
    "url",
    "title",
    "summary",
    "body_text",
    "body_html",
    "authors",
    "language",
    "image_url",
    "media",
    "source_name",
    "published_at",
    "updated_at",
    "category",
    "categories",
    "tags",
    "content_hash",
)


def item_clock(article: Article) -> tuple[datetime, datetime, str]:
    """(the item's own moment, its sighting time, a digest of its material content): compare as a tuple."""
    moment = article.updated_at or article.published_at or article.last_seen_at
    return moment.astimezone(UTC), article.last_seen_at.astimezone(UTC), material_digest(article)


def material_digest(article: Article) -> str:
    """A fingerprint of everything that makes a copy different content (the body hash alone ignores the title)."""
    material = article.model_dump_json(include=set(MATERIAL_FIELDS))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def is_newer(incoming: Article, current: Article) -> bool:
    return item_clock(incoming) > item_clock(current)


def same_material(current: Article, incoming: Article) -> bool:
    return all(getattr(current, name) == getattr(incoming, name) for name in MATERIAL_FIELDS)


def _own_moment(article: Article) -> datetime | None:
    moment = article.updated_at or article.published_at
    return moment.astimezone(UTC) if moment else None


def newer_by_own_clock(incoming: Article, current: Article) -> bool:
    """`incoming` carries a later `updated`/`published` than `current` (its sighting time does not count)."""
    theirs, ours = _own_moment(incoming), _own_moment(current)
    return theirs is not None and ours is not None and theirs > ours


def keeps_page_body(current: Article, incoming: Article) -> bool:
    """A stored page body stands against a feed teaser unless the teaser is newer by the item's own clock."""
    if current.body_source != "page" or incoming.body_source != "feed":
        return False
    ours, theirs = _own_moment(current), _own_moment(incoming)
    return theirs is None or (ours is not None and theirs <= ours)


def decided_by_sighting(a: Article, b: Article) -> bool:
    """No own clock tells `a` and `b` apart (equal `updated`/`published`, or one has neither): their order
    rests on when each was seen, so learning that one was seen earlier can reverse it."""
    ours, theirs = _own_moment(a), _own_moment(b)
    return ours is None or theirs is None or ours == theirs


_SORTABLE = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: lexical order is time order


def clock_key(article: Article) -> str:
    """`item_clock` as one string whose lexical order is the clock's order (for a conditional write)."""
    moment, seen, digest = item_clock(article)
    return f"{moment.strftime(_SORTABLE)}|{seen.strftime(_SORTABLE)}|{digest}"
