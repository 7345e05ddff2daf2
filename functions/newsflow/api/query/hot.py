""" "What's Hot": stories ranked by how many distinct sources carried them, with recency decay.

    score(story) = Σ over the story's distinct sources s of 2^(-age_s / halfLife)

The sources of a story are the sources of its articles *and* the sources of the verbatim copies folded into
them (`alsoFrom`: the same body under another URL or from another feed is stored once, the copy recorded as a
sighting). age_s is the age in hours, at the first page's time, of s's first article of the story in the
window; a copy's age is that of the article it copied (its own sighting time is not kept; it was seen no
earlier, so this never makes a copy look fresher than it was). halfLife is 6 h (24h) or 36 h (7d).

The story window: a story's members are its articles within `span_days` (7) of its first article (over all
time, not only this window). A member past it (old data: ingest no longer joins such articles) adds nothing to
the story and ranks as an article of its own.

Paging: the first page fixes `now` (and so the window and every age); the cursor carries it and the offset,
so later pages rank the same window the same way (articles arriving later are left to a new first page).
`totalResults` counts the stories in the window (a story of one article is one): exact unless the window
holds more than MAX_STORIES multi-article stories or SYNDICATED_LIMIT syndicated articles (then `gte`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from newsflow.api.cursor import CursorState, decode_cursor, encode_cursor, query_hash
from newsflow.api.params import TopHeadlinesParams
from newsflow.api.query.cards import MEMBERS_LIMIT, Cards, also_from
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


@dataclass(frozen=True)
class StoryWindow:
    """The window's multi-article stories cut to the story window (`span` from each story's first article)."""

    span: timedelta
    starts: dict[str, datetime]
    grouped: set[str]  # stories with a member in both windows: ranked as stories
    beyond: dict[str, int]  # story -> its members in the time window past the story window (they stand alone)
    exact: bool

    def in_story(self, doc: SearchDocument) -> bool:
        return doc.story_id in self.grouped and not self.past(doc)

    def past(self, doc: SearchDocument) -> bool:
        start = self.starts.get(doc.story_id or "")
        return start is not None and doc.sort_at - start > self.span

    def key(self, doc: SearchDocument) -> str:
        """A story of one stands for its story; an article past its story's window stands for itself."""
        return f"a:{doc.id}" if self.past(doc) else doc.story_key

    def clip(self, story: StorySources) -> dict[str, datetime]:
        """The story's sources (own articles and copies alike) that carried it within the story window."""
        start = self.starts.get(story.story_id)
        sources = story_sources_at(story)
        if start is None:
            return sources
        return {key: moment for key, moment in sources.items() if moment - start <= self.span}


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
        window = self._story_window(stories, filters)
        ranked: dict[str, tuple[float, int]] = {}  # story key -> (score, distinct sources)
        for story in stories:
            if story.story_id in window.grouped:
                sources = window.clip(story)
                ranked[f"s:{story.story_id}"] = (score(sources), len(sources))
        need = offset + params.page_size
        singles: dict[str, SearchDocument] = {}
        window_total, complete = self._singles(filters, window, need, singles)
        for key, doc in singles.items():
            sources = document_sources_at(doc) or {doc.id: doc.sort_at}
            ranked[key] = (score(sources), len(sources))
        order = sorted(ranked.items(), key=lambda kv: (-kv[1][0], kv[0]))
        page = order[offset:need]
        members = self._cards.story_members(
            {key[2:] for key, _ in page if key not in singles}, filters, starts=window.starts
        )
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
        total = window_total - sum(s.articles for s in stories) + len(window.grouped) + sum(window.beyond.values())
        exact = complete and len(stories) < MAX_STORIES and window.exact
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

    def _story_window(self, stories: list[StorySources], filters: SearchFilters) -> StoryWindow:
        """Each story's first-article time (one aggregation over the stories' members up to the window's end:
        the window itself may leave the first article out), and its members in the time window that lie
        past the story window (a search, only for stories whose window ends before the time window does)."""
        span = self._cards.span
        if not stories:
            return StoryWindow(span=span, starts={}, grouped=set(), beyond={}, exact=True)
        ids = sorted(s.story_id for s in stories)
        whole = self._index.story_sources(
            SearchQuery(filters=SearchFilters(story_ids=ids, published_to=filters.published_to)), max_stories=len(ids)
        )
        starts = {s.story_id: min(story_sources_at(s).values()) for s in whole if story_sources_at(s)}
        for story in stories:  # members without a source key: the time window's own earliest is a bound
            if story.story_id not in starts and story_sources_at(story):
                starts[story.story_id] = min(story_sources_at(story).values())
        upper = filters.published_to
        late = {sid for sid, start in starts.items() if upper is None or start + span < upper}
        beyond: dict[str, int] = {}
        exact = True
        if late:
            lower = min(starts[sid] for sid in late) + span
            if filters.published_from is not None:
                lower = max(lower, filters.published_from)
            found = self._index.search(
                SearchQuery(
                    filters=filters.model_copy(update={"story_ids": sorted(late), "published_from": lower}),
                    sort_by="publishedAt",
                    size=MEMBERS_LIMIT,
                    count=True,
                )
            )
            exact = found.total <= len(found.hits)
            for hit in found.hits:
                doc = hit.document
                if doc.story_id in late and doc.sort_at - starts[doc.story_id] > span:
                    beyond[doc.story_id] = beyond.get(doc.story_id, 0) + 1
        grouped = {s.story_id for s in stories if s.articles - beyond.get(s.story_id, 0) > 0}
        return StoryWindow(span=span, starts=starts, grouped=grouped, beyond=beyond, exact=exact)

    def _singles(
        self, filters: SearchFilters, window: StoryWindow, need: int, out: dict[str, SearchDocument]
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
            if not window.in_story(hit.document):
                out[window.key(hit.document)] = hit.document
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
                if window.in_story(doc) or window.key(doc) in out:
                    continue
                out[window.key(doc)] = doc
                plain += 1
            if plain >= need or len(result.hits) < min(SINGLES_BATCH, 2 * need + 10):
                break
            after = result.hits[-1].sort
        return window_total, syndicated.total <= SYNDICATED_LIMIT
