"""Whole pages of a news site, each composed server-side into one cacheable answer (`/v1/pages/*`).

Every page carries the site-wide blocks (`SiteBlocks`: the section menu with counts, What's Hot, Latest Posts,
the monthly archives) beside its own content: the front page's stories, a section's articles, an article with
previous/next and related posts, or search results. All of it comes from the same read models as the
single-purpose routes, so a page shows exactly what those routes would.
"""

from __future__ import annotations

import threading
import time
from typing import Final

from newsflow.api.params import (
    ArchivesParams,
    ArticlePageParams,
    ArticlesParams,
    PageParams,
    RelatedParams,
    SearchParams,
    SourcesParams,
    TopHeadlinesParams,
)
from newsflow.api.query.article import ArticlePages
from newsflow.api.query.hot import WhatsHot
from newsflow.api.query.listings import Listings
from newsflow.api.query.site import SiteStructure
from newsflow.api.views import (
    ArticlePage,
    CategoryPage,
    CategoryRef,
    HomePage,
    HotBlock,
    SearchPage,
    SiteBlocks,
    SourceCount,
)
from newsflow.taxonomy import CATEGORY_NAMES

HOT_SIZE: Final = 5
LATEST_SIZE: Final = 5
HOT_MIN: Final = 3  # fewer stories than this in 24 h: show the 7-day ranking when it has more
BLOCKS_TTL_SECONDS: Final = 10.0  # the site-wide blocks are the same on every page: computed at most this often


class Pages:
    def __init__(
        self,
        listings: Listings,
        article: ArticlePages,
        hot: WhatsHot,
        site: SiteStructure,
        blocks_ttl: float = BLOCKS_TTL_SECONDS,
    ) -> None:
        self._listings = listings
        self._article = article
        self._hot = hot
        self._site = site
        self._ttl = blocks_ttl
        self._lock = threading.Lock()
        self._blocks: tuple[float, SiteBlocks] | None = None
        self._sources: tuple[float, list[SourceCount]] | None = None

    def blocks(self) -> SiteBlocks:
        """The site-wide blocks, shared by every page for BLOCKS_TTL_SECONDS (one value, not per request:
        nothing a reader asks for is cached here, and an answer is at most that much staler than the index,
        well inside the pages' own max-age)."""
        now = time.monotonic()
        with self._lock:
            held = self._blocks
        if held is not None and now - held[0] < self._ttl:
            return held[1]
        fresh = self.compute_blocks()
        with self._lock:
            self._blocks = (now, fresh)
        return fresh

    def sources(self) -> list[SourceCount]:
        """The sources (for the article and search pages' links and labels), shared like the blocks."""
        now = time.monotonic()
        with self._lock:
            held = self._sources
        if held is not None and now - held[0] < self._ttl:
            return held[1]
        fresh = self._site.sources(SourcesParams()).sources
        with self._lock:
            self._sources = (now, fresh)
        return fresh

    def compute_blocks(self) -> SiteBlocks:
        day = self._hot.top_headlines(TopHeadlinesParams(window="24h", page_size=HOT_SIZE))
        hot = HotBlock(window="24h", articles=day.articles)
        if len(day.articles) < HOT_MIN:
            week = self._hot.top_headlines(TopHeadlinesParams(window="7d", page_size=HOT_SIZE))
            if len(week.articles) > len(day.articles):
                hot = HotBlock(window="7d", articles=week.articles)
        latest = self._listings.list_articles(ArticlesParams(page_size=LATEST_SIZE))
        return SiteBlocks(
            categories=self._site.categories().categories,
            hot=hot,
            latest=latest.articles,
            archives=self._site.archives(ArchivesParams()).months,
        )

    def home(self, params: PageParams) -> HomePage:
        articles = self._listings.list_articles(
            ArticlesParams(collapse="story", page_size=params.page_size, cursor=params.cursor)
        )
        return HomePage(site=self.blocks(), articles=articles)

    def category(self, slug: str, params: PageParams) -> CategoryPage:
        articles = self._listings.list_articles(
            ArticlesParams(category=slug, page_size=params.page_size, cursor=params.cursor)
        )
        return CategoryPage(
            site=self.blocks(), category=CategoryRef(slug=slug, name=CATEGORY_NAMES[slug]), articles=articles
        )

    def article(self, article_id: str, params: ArticlePageParams) -> ArticlePage:
        detail = self._article.detail(article_id)
        related = (
            self._article.related(article_id, RelatedParams(page_size=params.related_size)).articles
            if params.related_size
            else []
        )
        names = set(detail.also_from)
        ids = {s.name: s.id for s in self.sources() if s.name in names} if names else {}
        return ArticlePage(site=self.blocks(), article=detail, related=related, also_from_ids=ids)

    def search(self, params: SearchParams) -> SearchPage:
        results = self._listings.search(params)
        shown = set((results.facets or {}).get("source", {}))
        names = {s.id: s.name or s.domain or s.id for s in self.sources() if s.id in shown} if shown else {}
        return SearchPage(site=self.blocks(), results=results, source_names=names)
