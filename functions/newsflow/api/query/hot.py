""" "What's Hot": stories ranked by how many distinct sources carried them, with recency decay.

    score(story) = Σ over the story's distinct sources s of 2^(-age_s / halfLife)

The sources of a story are the sources of its articles *and* the sources of the verbatim copies folded into
them (`alsoFrom`: the same body under another URL or from another feed is stored once, the copy recorded as a
sighting). age_s is the age in hours, at the first page's time, of s's first article of the story in the
window; a copy's age is that of the article it copied (its own sighting time is not kept; it was seen no
earlier, so this never makes a copy look fresher than it was). halfLife is 6 h (24h) or 36 h (7d).

Paging: the first page fixes `now` (and so the window and every age); the cursor carries it and the offset,
so later pages rank the same window the same way (articles arriving later are left to a new first page).
`totalResults` counts the stories in the window (a story of one article is one): exact unless the window
holds more than MAX_STORIES multi-article stories or SYNDICATED_LIMIT syndicated articles (then `gte`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final

from newsflow.api.cursor import CursorState, decode_cursor, encode_cursor, query_hash
from newsflow.api.params import TopHeadlinesParams
from newsflow.api.query.cards import Cards, also_from
from newsflow.api.views import ArticleCard, HotArticle, TopHeadlinesResponse
from newsflow.search.port import SearchDocument, SearchFilters, SearchIndex, SearchQuery, StorySources

WINDOWS: Final = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}
HALF_LIVES: Final = {"24h": 6.0, "7d": 36.0}  # hours
MAX_STORIES: Final = 500
SYNDICATED_LIMIT: Final = 1000
SINGLES_BATCH: Final = 200
SINGLES_ROUNDS: Final = 10
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_KIND: Final = "hot"


def story_sources_at(story: StorySources) -> dict[str, datetime]:
    """source key -> the earliest time it carried the story, its own articles and its verbatim copies alike."""
    firsts = dict(story.first_by_source)
    for key, moment in story.first_by_copy.items():
        if key not in firsts or moment < firsts[key]:
            firsts[key] = moment
    return firsts


def document_sources_at(doc: SearchDocument) -> dict[str, datetime]:
    own = {doc.source_id: doc.sort_at} if doc.source_id else {}
    return own | {key: doc.sort_at for key in doc.copy_keys if key not in own}


class WhatsHot:
    def __init__(self, index: SearchIndex, cards: Cards, now: Callable[[], datetime]) -> None:
        self._index = index
        self._cards = cards
        self._now = now

    def top_headlines(self, params: TopHeadlinesParams) -> TopHeadlinesResponse:
        digest = query_hash(_KIND, params.model_dump(exclude={"cursor", "page_size"}))
        if params.cursor:
            state = decode_cursor(params.cursor, _KIND, digest)
            now, offset = _EPOCH + timedelta(microseconds=int(state.sort[0])), state.offset
        else:
            now, offset = self._now().astimezone(UTC), 0
        half_life = HALF_LIVES[params.window]
        filters = SearchFilters(
            category=params.category,
            language=params.language,
            published_from=now - WINDOWS[params.window],
            published_to=now + timedelta(microseconds=1),
        )

        def score(sources: dict[str, datetime]) -> float:
            return sum(math.pow(2.0, -max(0.0, (now - t).total_seconds() / 3600) / half_life) for t in sources.values())

        stories = self._index.story_sources(SearchQuery(filters=filters), max_stories=MAX_STORIES)
        grouped = {s.story_id for s in stories}
        ranked: dict[str, tuple[float, int]] = {}  # story key -> (score, distinct sources)
        for story in stories:
            sources = story_sources_at(story)
            ranked[f"s:{story.story_id}"] = (score(sources), len(sources))
        need = offset + params.page_size
        singles: dict[str, SearchDocument] = {}
        window_total, complete = self._singles(filters, grouped, need, singles)
        for key, doc in singles.items():
            sources = document_sources_at(doc) or {doc.id: doc.sort_at}
            ranked[key] = (score(sources), len(sources))
        order = sorted(ranked.items(), key=lambda kv: (-kv[1][0], kv[0]))
        page = order[offset:need]
        members = self._cards.story_members({key[2:] for key, _ in page if key not in singles}, filters)
        articles = []
        for key, (value, source_count) in page:
            if key in singles:
                rep, group = singles[key], []
            else:
                group = members.get(key[2:], [])
                if not group:
                    continue
                rep = group[0]  # the earliest article stands for the story
            card = ArticleCard.of_document(rep, also_from(rep, group))
            articles.append(HotArticle(**card.model_dump(), score=round(value, 6), source_count=source_count))
        total = window_total - sum(s.articles for s in stories) + len(stories)
        exact = complete and len(stories) < MAX_STORIES
        next_cursor = None
        if need < total and need < len(order):
            next_cursor = encode_cursor(
                _KIND, digest, CursorState(sort=[int((now - _EPOCH) / timedelta(microseconds=1)), _KIND], offset=need)
            )
        return TopHeadlinesResponse(
            window=params.window,
            half_life_hours=half_life,
            total_results=total,
            total_relation="eq" if exact else "gte",
            articles=articles,
            next_cursor=next_cursor,
        )

    def _singles(
        self, filters: SearchFilters, grouped: set[str], need: int, out: dict[str, SearchDocument]
    ) -> tuple[int, bool]:
        """Articles outside the window's multi-article stories that can place: every syndicated one (up to
        SYNDICATED_LIMIT) and the newest `need` others (an unsyndicated single scores by its age alone).
        Returns (articles in the window, whether every syndicated article was considered)."""
        syndicated = self._index.search(
            SearchQuery(
                filters=filters.model_copy(update={"min_sources": 2}),
                sort_by="publishedAt",
                size=SYNDICATED_LIMIT,
                count=True,
            )
        )
        for hit in syndicated.hits:
            if hit.document.story_id not in grouped:
                out[hit.document.story_key] = hit.document
        plain = 0
        after = None
        window_total = 0
        for round_ in range(SINGLES_ROUNDS):
            result = self._index.search(
                SearchQuery(
                    filters=filters,
                    sort_by="publishedAt",
                    size=min(SINGLES_BATCH, 2 * need + 10),
                    search_after=after,
                    count=round_ == 0,
                )
            )
            if round_ == 0:
                window_total = result.total
            for hit in result.hits:
                doc = hit.document
                if doc.story_id in grouped or doc.story_key in out:
                    continue
                out[doc.story_key] = doc
                plain += 1
            if plain >= need or len(result.hits) < min(SINGLES_BATCH, 2 * need + 10):
                break
            after = result.hits[-1].sort
        return window_total, syndicated.total <= SYNDICATED_LIMIT
