"""An article's tags: the feed's own tags, the countries it mentions, then organisations and people.

Feed tags are cleaned (whitespace collapsed, surrounding punctuation removed) and deduplicated
case-insensitively, keeping the first spelling. Countries follow, most mentioned first (a mention in
the title counts 3, in the summary 2, in the body 1); at most MAX_COUNTRY_TAGS of them. Organisations
and people mentioned prominently come last (see `entities.py`). At most MAX_TAGS tags in all; a tag
equal (case-insensitively) to an earlier one is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

MAX_TAGS: Final = 15
MAX_COUNTRY_TAGS: Final = 8
MAX_TAG_CHARS: Final = 100


def clean_tag(tag: str) -> str:
    return " ".join(tag.split()).strip(" \t,;:|/#")[:MAX_TAG_CHARS].strip()


def build_tags(
    feed_tags: Iterable[str],
    countries: Mapping[str, float],
    entities: Iterable[str] = (),
    *,
    limit: int = MAX_TAGS,
    max_countries: int = MAX_COUNTRY_TAGS,
) -> list[str]:
    tags: list[str] = []
    seen: set[str] = set()

    def add(tag: str) -> None:
        folded = tag.casefold()
        if tag and folded not in seen and len(tags) < limit:
            seen.add(folded)
            tags.append(tag)

    for tag in feed_tags:
        add(clean_tag(tag))
    ranked = sorted(countries.items(), key=lambda pair: (-pair[1], pair[0]))
    for country, _ in ranked[:max_countries]:
        add(country)
    for entity in entities:
        add(clean_tag(entity))
    return tags
