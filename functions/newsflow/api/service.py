"""The query service: answers API requests from the article store and the search index (no AWS imports).

Where each answer comes from:
- one article by id: the article table (the complete, authoritative record), plus the index for
  its neighbours (previous/next in its primary category) and its story's other sources;
- every listing, search, facet, archive, source list and "What's Hot": the search index, which
  filters on any category (primary or secondary), sources, domains, language and dates at once.

Paging is keyset paging (see `newsflow.api.cursor` and `newsflow.search.port`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

from newsflow.api.cursor import CursorState, decode_cursor, encode_cursor, query_hash
from newsflow.api.errors import ApiError, bad_request, not_found
from newsflow.api.params import (
    ArchivesParams,
    ArticleParams,
    FilterParams,
    RelatedParams,
    SearchParams,
    SourcesParams,
    TopHeadlinesParams,
)
from newsflow.api.views import (
    ArchivesResponse,
    ArticleCard,
    ArticleDetail,
    ArticleResponse,
    CategoriesResponse,
    CategoryCount,
    HealthChecks,
    HealthResponse,
    HotArticle,
    ListResponse,
    MonthCount,
    Neighbour,
    SearchResponse,
    SourceCount,
    SourcesResponse,
    TopHeadlinesResponse,
)
from newsflow.observability import logger
from newsflow.search.port import SearchDocument, SearchFilters, SearchHit, SearchIndex, SearchQuery
from newsflow.search.query import STOP_WORDS, words_of
from newsflow.store.ports import ArticleRepository, CursorError
from newsflow.taxonomy import DEFAULT_CATEGORIES

# "What's Hot": stories ranked by distinct sources with exponential recency decay (see the README).
WINDOWS: Final = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}
HALF_LIVES: Final = {"24h": 6.0, "7d": 36.0}  # hours
MAX_STORIES: Final = 500
COLLAPSE_BATCH: Final = 3  # collapse=story reads this many candidates per article shown ...
COLLAPSE_ROUNDS: Final = 4  # ... for at most this many rounds, then returns a shorter page with a cursor
MEMBERS_LIMIT: Final = 1000
ALSO_FROM_MAX: Final = 20
RELATED_WORDS: Final = 12
PUBLISHER_SEPARATOR: Final = "\x1f"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# Cursors of the degraded table listing start with this, so the next page goes back to the table.
TABLE_CURSOR_PREFIX: Final = "t."


def _table_servable(params: FilterParams) -> bool:
    """The table's GSIs serve newest-first listings filtered by (primary) category only."""
    others = params.model_dump(exclude={"category", "page_size", "cursor"}, exclude_defaults=True)
    return not others


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _label(doc: SearchDocument) -> str | None:
    return doc.source_name or doc.source_domain


class QueryService:
    def __init__(self, articles: ArticleRepository, index: SearchIndex, now: Callable[[], datetime] = _utcnow) -> None:
        self._articles = articles
        self._index = index
        self._now = now

    # ------------------------------------------------------------------------------ listings

    def list_articles(self, params: FilterParams, extra: dict[str, Any] | None = None) -> ListResponse:
        """Newest first, any filters; `extra` adds fixed filters (archives) to the query and its cursor.

        When the search index fails, the plain "latest" and section pages (no filter but `category`) are
        served from the table's GSIs instead: a news site's front and section pages stay up.
        """
        if params.cursor and params.cursor.startswith(TABLE_CURSOR_PREFIX):
            return self._from_table(params)
        try:
            return self._list_from_index(params, extra)
        except ApiError:
            raise
        except Exception:
            if extra or not _table_servable(params):
                raise
            logger.exception("search index failed: serving the listing from the table")
            return self._from_table(params)

    def _from_table(self, params: FilterParams) -> ListResponse:
        """Degraded listing from DynamoDB: newest first by *primary* category, or across all (month shards)."""
        if not _table_servable(params):
            raise bad_request("this cursor only continues a plain latest/category listing", "cursor", "cursorInvalid")
        cursor = params.cursor.removeprefix(TABLE_CURSOR_PREFIX) if params.cursor else None
        try:
            if params.category:
                page = self._articles.list_by_category(params.category, params.page_size, cursor)
            else:
                page = self._articles.list_latest(params.page_size, cursor)
        except CursorError as error:
            raise bad_request(str(error), "cursor", code="cursorInvalid") from error
        cards = [ArticleCard.of_document(SearchDocument.from_article(a), list(a.also_from)) for a in page.articles]
        return ListResponse(
            total_results=len(cards),
            total_relation="gte",  # the table has no cheap count: at least what is shown
            articles=cards,
            next_cursor=TABLE_CURSOR_PREFIX + page.next_cursor if page.next_cursor else None,
        )

    def _list_from_index(self, params: FilterParams, extra: dict[str, Any] | None) -> ListResponse:
        filters = self._filters(params)
        if extra:
            filters = filters.model_copy(update=extra)
        query = SearchQuery(filters=filters, sort_by="publishedAt", facets=[])
        kind = "articles"
        digest = query_hash(kind, {**self._hashable(params), **{k: str(v) for k, v in (extra or {}).items()}})
        return self._page(query, params, kind, digest, ListResponse)

    def search(self, params: SearchParams) -> SearchResponse:
        query = SearchQuery(
            text=params.q,
            search_in=params.search_fields(),
            filters=self._filters(params),
            sort_by=params.sort_by,
            highlight=params.highlight,
            facets=params.facet_list(),
        )
        digest = query_hash("search", self._hashable(params))
        return self._page(query, params, "search", digest, SearchResponse)

    def _hashable(self, params: FilterParams) -> dict[str, Any]:
        return params.model_dump(exclude={"cursor", "page_size", "highlight", "facets"})

    def _filters(self, params: FilterParams) -> SearchFilters:
        if params.from_ is not None and params.to is not None and params.from_ >= params.to:
            raise bad_request("'from' must be before 'to'", "from")
        return SearchFilters(
            category=params.category,
            source_ids=params.source_list(),
            source_domains=params.domain_list(),
            exclude_domains=params.excluded_domain_list(),
            language=params.language,
            published_from=params.from_,
            published_to=params.to,
        )

    def _page(
        self,
        query: SearchQuery,
        params: FilterParams,
        kind: str,
        digest: str,
        response: type[ListResponse],
    ) -> Any:
        state = decode_cursor(params.cursor, kind, digest) if params.cursor else None
        relevancy = query.sort_by == "relevancy" and bool(query.text.strip())
        size = params.page_size
        fetch = min(size * COLLAPSE_BATCH, 300) if params.collapse == "story" else size
        query = query.model_copy(
            update={
                "size": fetch,
                "search_after": state.sort if state else None,
                "offset": state.offset if state else 0,
                "snapshot": state.snapshot if state else None,
                "keep_snapshot": relevancy,
            }
        )
        result = self._index.search(query)
        passed = state.offset if state else 0
        if params.collapse == "story":
            hits, examined, last, exhausted = self._collapsed(query, result.hits, size, fetch, result.snapshot)
        else:
            hits = result.hits[:size]
            examined = len(hits)
            last = hits[-1] if hits else None
            exhausted = len(result.hits) < fetch or passed + examined >= result.total
        next_cursor = None
        if last is not None and not exhausted:
            next_cursor = encode_cursor(
                kind,
                digest,
                CursorState(sort=last.sort, offset=passed + examined, snapshot=result.snapshot if relevancy else None),
            )
        cards = self._cards(hits)
        body: dict[str, Any] = {
            "total_results": result.total,
            "total_relation": result.total_relation,
            "articles": cards,
            "next_cursor": next_cursor,
        }
        if response is SearchResponse:
            body["facets"] = result.facets or None
        return response(**body)

    def _collapsed(
        self, query: SearchQuery, first: list[SearchHit], size: int, fetch: int, snapshot: str | None
    ) -> tuple[list[SearchHit], int, SearchHit | None, bool]:
        """One article per story: an article is shown when it is its story's first in this ordering.

        Returns (hits to show, candidates examined, last candidate examined, no more candidates).
        """
        kept: list[SearchHit] = []
        examined = 0
        last: SearchHit | None = None
        batch = first
        for _ in range(COLLAPSE_ROUNDS):
            firsts = self._story_firsts(query, {h.document.story_id for h in batch if h.document.story_id}, snapshot)
            for hit in batch:
                examined += 1
                last = hit
                story = hit.document.story_id
                if story is None or firsts.get(story, hit.id) == hit.id:
                    kept.append(hit)
                if len(kept) == size:
                    return kept, examined, last, False
            if len(batch) < fetch or last is None:
                return kept, examined, last, True
            batch = self._index.search(
                query.model_copy(
                    update={
                        "search_after": last.sort,
                        "offset": query.offset + examined,  # tantivy pages a relevancy snapshot by offset
                        "snapshot": snapshot,
                        "count": False,
                    }
                )
            ).hits
        return kept, examined, last, not batch

    def _story_firsts(self, query: SearchQuery, stories: set[str], snapshot: str | None) -> dict[str, str]:
        """story id -> id of its first article in the query's ordering."""
        if not stories:
            return {}
        restricted = query.model_copy(
            update={
                "filters": query.filters.model_copy(update={"story_ids": sorted(stories)}),
                "size": MEMBERS_LIMIT,
                "search_after": None,
                "offset": 0,
                "snapshot": snapshot,
                "keep_snapshot": False,
                "count": False,
                "facets": [],
                "highlight": False,
            }
        )
        firsts: dict[str, str] = {}
        for hit in self._index.search(restricted).hits:
            if hit.document.story_id:
                firsts.setdefault(hit.document.story_id, hit.id)
        return firsts

    def _story_members(
        self, stories: set[str], filters: SearchFilters | None = None
    ) -> dict[str, list[SearchDocument]]:
        """The articles of these stories (within `filters`), oldest first: a story's first member is its earliest."""
        if not stories:
            return {}
        result = self._index.search(
            SearchQuery(
                filters=(filters or SearchFilters()).model_copy(update={"story_ids": sorted(stories)}),
                sort_by="publishedAt",
                reverse=True,
                size=MEMBERS_LIMIT,
                count=False,
            )
        )
        members: dict[str, list[SearchDocument]] = {}
        for hit in result.hits:
            if hit.document.story_id:
                members.setdefault(hit.document.story_id, []).append(hit.document)
        return members

    @staticmethod
    def _also_from(doc: SearchDocument, members: Sequence[SearchDocument]) -> list[str]:
        own = {doc.source_id, doc.source_name, doc.source_domain} - {None}
        names = [
            label
            for m in members
            if m.id != doc.id and m.source_id != doc.source_id and (label := _label(m)) is not None
        ]
        names += doc.also_from
        return [n for n in dict.fromkeys(names) if n not in own][:ALSO_FROM_MAX]

    def _cards(self, hits: Sequence[SearchHit]) -> list[ArticleCard]:
        members = self._story_members({h.document.story_id for h in hits if h.document.story_id})
        cards = []
        for hit in hits:
            doc = hit.document
            card = ArticleCard.of_document(doc, self._also_from(doc, members.get(doc.story_id or "", [])))
            if hit.highlights:
                card.highlights = {
                    {"summary": "description", "body": "content"}.get(k, k): v for k, v in hit.highlights.items()
                }
            cards.append(card)
        return cards

    # ------------------------------------------------------------------------------- article

    def get_article(self, article_id: str, params: ArticleParams | None = None) -> ArticleResponse:
        article = self._articles.get(article_id)
        if article is None:
            raise not_found(f"no article with id '{article_id}'", "id")
        doc = SearchDocument.from_article(article)
        members = self._story_members({doc.story_id} if doc.story_id else set())
        detail = ArticleDetail.of_article(
            article,
            self._also_from(doc, members.get(doc.story_id or "", [])),
            previous=self._neighbour(doc, newer=False),
            following=self._neighbour(doc, newer=True),
        )
        body = detail.model_dump(mode="json", by_alias=True)
        chosen = params.field_set() if params else None
        if chosen is not None:
            body = {k: v for k, v in body.items() if k in chosen}
        return ArticleResponse(article=body)

    def _neighbour(self, doc: SearchDocument, *, newer: bool) -> Neighbour | None:
        result = self._index.search(
            SearchQuery(
                filters=SearchFilters(primary_category=doc.category),
                sort_by="publishedAt",
                reverse=newer,
                search_after=[_micros(doc.sort_at), doc.id],
                size=1,
                count=False,
            )
        )
        if not result.hits:
            return None
        found = result.hits[0].document
        return Neighbour(id=found.id, title=found.title, published_at=found.published_at)

    def related(self, article_id: str, params: RelatedParams) -> ListResponse:
        doc = self._index.get(article_id)
        if doc is None:
            article = self._articles.get(article_id)
            if article is None:
                raise not_found(f"no article with id '{article_id}'", "id")
            doc = SearchDocument.from_article(article)
        words = [w for w in words_of(" ".join([doc.title, *doc.tags])) if w not in STOP_WORDS and len(w) > 2]
        words = list(dict.fromkeys(words))[:RELATED_WORDS]
        filters = SearchFilters(exclude_ids=[doc.id], exclude_story_id=doc.story_id)
        size = params.page_size
        if words:
            query = SearchQuery(text=" OR ".join(words), filters=filters, size=min(size * 4, 100), count=True)
        else:
            query = SearchQuery(
                filters=filters.model_copy(update={"category": doc.category}),
                sort_by="publishedAt",
                size=min(size * 4, 100),
            )
        result = self._index.search(query)
        seen: set[str] = set()
        hits = []
        for hit in result.hits:  # one per story: the best match stands for its story
            key = hit.document.story_key
            if key not in seen:
                seen.add(key)
                hits.append(hit)
            if len(hits) == size:
                break
        return ListResponse(
            total_results=len(hits),
            total_relation="eq",
            articles=self._cards(hits),
            next_cursor=None,
        )

    # ---------------------------------------------------------------------------- what's hot

    def top_headlines(self, params: TopHeadlinesParams) -> TopHeadlinesResponse:
        now = self._now()
        half_life = HALF_LIVES[params.window]
        filters = SearchFilters(
            category=params.category, language=params.language, published_from=now - WINDOWS[params.window]
        )

        def decay(moment: datetime) -> float:
            age = max(0.0, (now - moment).total_seconds() / 3600)
            return math.pow(2.0, -age / half_life)

        ranked: dict[str, tuple[float, int]] = {}  # story key -> (score, distinct sources)
        stories = self._index.story_sources(SearchQuery(filters=filters), max_stories=MAX_STORIES)
        for story in stories:
            ranked[f"s:{story.story_id}"] = (
                sum(decay(t) for t in story.first_by_source.values()),
                len(story.first_by_source),
            )
        # Articles of no multi-article story: only the newest can outrank anything (one source each).
        newest = self._index.search(
            SearchQuery(filters=filters, sort_by="publishedAt", size=params.page_size, count=False)
        ).hits
        singles = {}
        for hit in newest:
            key = hit.document.story_key
            if key not in ranked:
                ranked[key] = (decay(hit.document.sort_at), 1)
                singles[key] = hit.document
        top = sorted(ranked.items(), key=lambda kv: (-kv[1][0], kv[0]))[: params.page_size]
        story_ids = {key[2:] for key, _ in top if key.startswith("s:")}
        members = self._story_members(story_ids, filters)
        articles = []
        for key, (score, source_count) in top:
            if key in singles:
                rep, others = singles[key], []
            else:
                group = members.get(key[2:], [])
                if not group:
                    continue
                rep, others = group[0], group  # the earliest article stands for the story
            card = ArticleCard.of_document(rep, self._also_from(rep, others))
            articles.append(HotArticle(**card.model_dump(), score=round(score, 6), source_count=source_count))
        return TopHeadlinesResponse(
            window=params.window,
            half_life_hours=half_life,
            total_results=len(ranked),
            total_relation="eq" if len(stories) < MAX_STORIES else "gte",
            articles=articles,
        )

    # ------------------------------------------------------------------------ site structure

    def categories(self) -> CategoriesResponse:
        result = self._index.search(SearchQuery(size=1, count=False, facets=["category"], facet_latest=True))
        counts = result.facets.get("category", {})
        latest = result.facet_latest.get("category", {})
        return CategoriesResponse(
            categories=[
                CategoryCount(
                    slug=c.slug, name=c.name, article_count=counts.get(c.slug, 0), latest_at=latest.get(c.slug)
                )
                for c in DEFAULT_CATEGORIES
            ]
        )

    def archives(self, params: ArchivesParams) -> ArchivesResponse:
        result = self._index.search(
            SearchQuery(filters=SearchFilters(category=params.category), size=1, count=False, facets=["month"])
        )
        months = []
        for key, count in sorted(result.facets.get("month", {}).items(), reverse=True):
            match = _MONTH.match(key)
            if match:
                months.append(
                    MonthCount(month=key, year=int(match[1]), month_number=int(match[2]), article_count=count)
                )
        return ArchivesResponse(months=months)

    def archive_month(self, year: int, month: int, params: FilterParams) -> ListResponse:
        start = datetime(year, month, 1, tzinfo=UTC)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC) if year < 9999 or month < 12 else None
        lower = max(start, params.from_) if params.from_ else start
        upper = min(end, params.to) if params.to and end else (params.to or end)
        return self.list_articles(
            params.model_copy(update={"from_": None, "to": None}),
            extra={"published_from": lower, "published_to": upper},
        )

    def sources(self, params: SourcesParams) -> SourcesResponse:
        result = self._index.search(
            SearchQuery(
                filters=SearchFilters(category=params.category, language=params.language),
                size=1,
                count=False,
                facets=["publisher"],
                facet_latest=True,
            )
        )
        latest = result.facet_latest.get("publisher", {})
        merged: dict[str, SourceCount] = {}
        for key, count in result.facets.get("publisher", {}).items():
            source_id, name, domain = ([*key.split(PUBLISHER_SEPARATOR), "", ""])[:3]
            seen = merged.get(source_id)
            at = latest.get(key)
            if seen is None:
                merged[source_id] = SourceCount(
                    id=source_id, name=name or None, domain=domain or None, article_count=count, latest_at=at
                )
            else:  # the same source id under another name/domain spelling: one source
                seen.article_count += count
                if at and (seen.latest_at is None or at > seen.latest_at):
                    seen.latest_at = at
        return SourcesResponse(sources=sorted(merged.values(), key=lambda s: (-s.article_count, s.id)))

    def health(self) -> HealthResponse:
        table_ok = self._articles.ping()
        index_ok = self._index.ping()
        status: Literal["ok", "degraded"] = "ok" if table_ok and index_ok else "degraded"
        return HealthResponse(status=status, checks=HealthChecks(table=table_ok, search_index=index_ok))


def _micros(value: datetime) -> int:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return (value - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
