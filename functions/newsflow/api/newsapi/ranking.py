"""The two orderings NewsAPI has that the index cannot sort by itself.

`sortBy=popularity` (/v2/everything): the number of distinct sources that carried an article's story — the
sources of every article of the story (an aggregation over the whole story) plus the sources that the
story's fetched articles were syndicated by (`alsoFrom`); an article of no story counts itself and its
syndications. Ties: newest first, then id. Stories (up to 500 multi-article stories among the matches)
are ranked by their articles' sources, so `alsoFrom` can reorder the stories that fill the page but not
lift another; an article syndicated without a story is ranked if it is among the newest `depth` matches.

/v2/top-headlines: "What's Hot", the same ranking as /v1/top-headlines (stories scored by their distinct
sources with recency decay, one article per story: its earliest), here with `q` and `sources` as well.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from newsflow.api.service import HALF_LIVES, MAX_STORIES, MEMBERS_LIMIT, WINDOWS
from newsflow.search.port import SearchDocument, SearchFilters, SearchIndex, SearchQuery, source_id_of


def _members(index: SearchIndex, stories: Iterable[str], query: SearchQuery) -> dict[str, list[SearchDocument]]:
    """Articles of these stories that match `query` (text and filters), oldest first."""
    wanted = sorted(set(stories))
    if not wanted:
        return {}
    result = index.search(
        SearchQuery(
            text=query.text,
            search_in=query.search_in,
            filters=query.filters.model_copy(update={"story_ids": wanted}),
            sort_by="publishedAt",
            reverse=True,
            size=MEMBERS_LIMIT,
            count=False,
        )
    )
    found: dict[str, list[SearchDocument]] = {}
    for hit in result.hits:
        if hit.document.story_id:
            found.setdefault(hit.document.story_id, []).append(hit.document)
    return found


def _ids(names: Iterable[str]) -> set[str]:
    return {sid for name in names if (sid := source_id_of(name, None))}


def distinct_sources(articles: Sequence[SearchDocument]) -> int:
    """Distinct sources among these articles and the sources that syndicated them (by source id)."""
    seen: set[str] = set()
    for doc in articles:
        if doc.source_id:
            seen.add(doc.source_id)
        seen.update(_ids(doc.also_from))
    return max(1, len(seen))


def _newest_first(doc: SearchDocument) -> tuple[float, str]:
    moment = doc.sort_at if doc.sort_at.tzinfo else doc.sort_at.replace(tzinfo=UTC)
    return -moment.timestamp(), doc.id


def by_popularity(index: SearchIndex, query: SearchQuery, depth: int) -> tuple[list[SearchDocument], int]:
    """The first `depth` matches of `query` by popularity, and the number of matches.

    Reads: the newest `depth` matches; two aggregations (the multi-article stories among the matches, and the
    sources of every article of those stories); and the matching articles of just the stories that can fill
    the first `depth` places (most sources first, ties included). `alsoFrom` is read from the articles fetched.
    """
    base = query.model_copy(
        update={"sort_by": "publishedAt", "facets": [], "highlight": False, "offset": 0, "search_after": None}
    )
    window = index.search(base.model_copy(update={"size": depth, "count": True}))
    matching = {s.story_id: s.articles for s in index.story_sources(base, max_stories=MAX_STORIES)}
    story_ids = sorted(set(matching) | {hit.document.story_id for hit in window.hits if hit.document.story_id})
    sources: dict[str, set[str]] = {}
    if story_ids:
        whole = SearchQuery(filters=SearchFilters(story_ids=story_ids))
        for story in index.story_sources(whole, max_stories=len(story_ids)):
            sources[story.story_id] = set(story.first_by_source)
    selected: list[str] = []
    filled, cutoff = 0, -1
    for story_id in sorted(matching, key=lambda sid: (-len(sources.get(sid, ())), sid)):
        count = len(sources.get(story_id, ()))
        if filled >= depth and count != cutoff:
            break
        selected.append(story_id)
        filled, cutoff = filled + matching[story_id], count
    candidates = {hit.id: hit.document for hit in window.hits}
    for members in _members(index, selected, base).values():
        candidates.update((doc.id, doc) for doc in members)
    for doc in candidates.values():  # what the fetched articles were syndicated by counts for their story
        if doc.story_id in sources:
            sources[doc.story_id] |= _ids(doc.also_from)

    def popularity(doc: SearchDocument) -> int:
        if doc.story_id in sources:
            return max(1, len(sources[doc.story_id]))
        return distinct_sources([doc])

    ranked = sorted(candidates.values(), key=lambda d: (-popularity(d), *_newest_first(d)))
    return ranked[:depth], window.total


def hot(
    index: SearchIndex, query: SearchQuery, now: datetime, window: str, depth: int
) -> tuple[list[SearchDocument], int]:
    """The first `depth` stories of "What's Hot" among the matches of `query`, and how many were ranked."""
    half_life = HALF_LIVES[window]
    filters = query.filters.model_copy(update={"published_from": now - WINDOWS[window]})
    scoped = SearchQuery(text=query.text, search_in=query.search_in, filters=filters)

    def decay(moment: datetime) -> float:
        age = max(0.0, (now - moment).total_seconds() / 3600)
        return math.pow(2.0, -age / half_life)

    ranked: dict[str, float] = {}
    for story in index.story_sources(scoped, max_stories=MAX_STORIES):
        ranked[f"s:{story.story_id}"] = sum(decay(t) for t in story.first_by_source.values())
    newest = index.search(scoped.model_copy(update={"sort_by": "publishedAt", "size": depth, "count": False})).hits
    singles: dict[str, SearchDocument] = {}
    for hit in newest:
        key = hit.document.story_key
        if key not in ranked:
            ranked[key] = decay(hit.document.sort_at)
            singles[key] = hit.document
    top = sorted(ranked.items(), key=lambda kv: (-kv[1], kv[0]))[:depth]
    members = _members(index, (key[2:] for key, _ in top if key not in singles), scoped)
    docs = []
    for key, _ in top:
        rep = singles.get(key) or next(iter(members.get(key[2:], [])), None)
        if rep is not None:
            docs.append(rep)
    return docs, len(ranked)
