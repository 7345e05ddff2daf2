"""The query service: answers API requests from the article store and the search index (no AWS imports).

A facade over the read models of `newsflow.api.query` (listings and paging, the article page, What's Hot,
site structure, whole pages). Where each answer comes from:
- one article by id: the article table (the complete, authoritative record), plus the index for
  its neighbours (previous/next in its primary category) and its story's other sources;
- every listing, search, facet, archive, source list and "What's Hot": the search index, which
  filters on any category (primary or secondary), sources, domains, language and dates at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from newsflow.api.params import (
    ArchivesParams,
    ArticleParams,
    FilterParams,
    RelatedParams,
    SearchParams,
    SourcesParams,
    TopHeadlinesParams,
)
from newsflow.api.query.article import ArticlePages
from newsflow.api.query.cards import DEFAULT_SPAN, MEMBERS_LIMIT, Cards
from newsflow.api.query.hot import HALF_LIVES, MAX_STORIES, WINDOWS, WhatsHot
from newsflow.api.query.listings import TABLE_CURSOR_PREFIX, Listings
from newsflow.api.query.pages import Pages
from newsflow.api.query.site import SiteStructure
from newsflow.api.views import (
    ArchivesResponse,
    ArticleResponse,
    CategoriesResponse,
    HealthResponse,
    ListResponse,
    SearchResponse,
    SourcesResponse,
    TopHeadlinesResponse,
)
from newsflow.search.port import SearchIndex
from newsflow.store.ports import ArticleRepository

__all__ = ["HALF_LIVES", "MAX_STORIES", "MEMBERS_LIMIT", "TABLE_CURSOR_PREFIX", "WINDOWS", "QueryService"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class QueryService:
    def __init__(
        self,
        articles: ArticleRepository,
        index: SearchIndex,
        now: Callable[[], datetime] = _utcnow,
        story_span: timedelta = DEFAULT_SPAN,
    ) -> None:
        self.cards = Cards(index, story_span)
        self.listings = Listings(articles, index, self.cards)
        self.article_pages = ArticlePages(articles, index, self.cards)
        self.hot = WhatsHot(index, self.cards, now)
        self.site = SiteStructure(articles, index)
        self.pages = Pages(self.listings, self.article_pages, self.hot, self.site)

    def list_articles(self, params: FilterParams, extra: dict[str, Any] | None = None) -> ListResponse:
        return self.listings.list_articles(params, extra)

    def search(self, params: SearchParams) -> SearchResponse:
        return self.listings.search(params)

    def archive_month(self, year: int, month: int, params: FilterParams) -> ListResponse:
        start = datetime(year, month, 1, tzinfo=UTC)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC) if year < 9999 or month < 12 else None
        lower = max(start, params.from_) if params.from_ else start
        upper = min(end, params.to) if params.to and end else (params.to or end)
        return self.listings.list_articles(
            params.model_copy(update={"from_": None, "to": None}),
            extra={"published_from": lower, "published_to": upper},
        )

    def get_article(self, article_id: str, params: ArticleParams | None = None) -> ArticleResponse:
        return self.article_pages.get_article(article_id, params)

    def related(self, article_id: str, params: RelatedParams) -> ListResponse:
        return self.article_pages.related(article_id, params)

    def top_headlines(self, params: TopHeadlinesParams) -> TopHeadlinesResponse:
        return self.hot.top_headlines(params)

    def categories(self) -> CategoriesResponse:
        return self.site.categories()

    def archives(self, params: ArchivesParams) -> ArchivesResponse:
        return self.site.archives(params)

    def sources(self, params: SourcesParams) -> SourcesResponse:
        return self.site.sources(params)

    def health(self) -> HealthResponse:
        return self.site.health()
