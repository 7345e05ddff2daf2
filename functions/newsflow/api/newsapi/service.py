"""The NewsAPI-compatible queries over newsflow's index (no AWS imports).

- /v2/everything: the same index query as /v1/search (`sortBy=relevancy|publishedAt`), or the popularity
  ranking (`ranking.by_popularity`), read at offset (page - 1) x pageSize;
- /v2/top-headlines: "What's Hot" (`ranking.hot`) with NewsAPI's filters;
- /v2/top-headlines/sources, /v2/sources: the source facet of /v1/sources.

`page` reads the same index as the cursor routes, down to page x pageSize ≤ max_depth (a setting);
deeper, /v1/search's `nextCursor` is the way (keyset paging, no depth limit).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from newsflow.api.newsapi.errors import NewsApiError, invalid
from newsflow.api.newsapi.mapping import ALL_CATEGORIES, NEWSAPI_CATEGORIES, NewsApiConfig
from newsflow.api.newsapi.params import MAX_SOURCES, EverythingParams, SourcesParams, TopHeadlinesParams, parse_bound
from newsflow.api.newsapi.ranking import by_popularity, hot
from newsflow.api.newsapi.views import ArticlesResponse, NewsSource, SourcesResponse, article_of
from newsflow.api.params import SEARCH_FIELDS
from newsflow.api.params import SourcesParams as NativeSourcesParams
from newsflow.api.service import QueryService
from newsflow.search.port import SearchDocument, SearchFilters, SearchIndex, SearchQuery

EVERYTHING_SCOPE: Final = "q, qInTitle, sources, domains"
HEADLINES_SCOPE: Final = "sources, q, language, country, category"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class NewsApiService:
    def __init__(
        self,
        queries: QueryService,
        index: SearchIndex,
        config: NewsApiConfig,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._queries = queries
        self._index = index
        self._config = config
        self._now = now

    # ------------------------------------------------------------------------------ everything

    def everything(self, params: EverythingParams) -> ArticlesResponse:
        if not (params.q or params.q_in_title or params.sources or params.domains):
            raise NewsApiError(
                "parametersMissing",
                "Required parameters are missing, the scope of your search is too broad. Please set any of the "
                f"following required parameters and try again: {EVERYTHING_SCOPE}.",
            )
        self._one_text(params)
        if params.q_in_title and params.search_in:
            raise invalid("searchIn does not apply to qInTitle, which searches titles only.")
        sources = self._checked_sources(params.source_list())
        published_from = parse_bound(params.from_, upper=False)
        published_to = parse_bound(params.to, upper=True)
        if published_from and published_to and published_from >= published_to:
            raise invalid("'from' must not be after 'to'.")
        text = params.q_in_title if params.q_in_title else params.q or ""
        query = SearchQuery(
            text=text,
            search_in=["title"] if params.q_in_title else [SEARCH_FIELDS[f] for f in params.search_fields()],
            filters=SearchFilters(
                source_ids=sources,
                source_domains=params.domain_list(),
                exclude_domains=params.excluded_domain_list(),
                language=params.language,
                published_from=published_from,
                published_to=published_to,
            ),
            sort_by="publishedAt" if params.sort_by == "popularity" else params.sort_by,
        )
        start, depth = self._window(params.page, params.page_size)
        if params.sort_by == "popularity":
            docs, total = by_popularity(self._index, query, depth)
            return self._articles(docs[start:], total)
        result = self._index.search(query.model_copy(update={"offset": start, "size": max(1, params.page_size)}))
        docs = [hit.document for hit in result.hits][: params.page_size]
        return self._articles(docs, result.total)

    # --------------------------------------------------------------------------- top headlines

    def top_headlines(self, params: TopHeadlinesParams) -> ArticlesResponse:
        scope = (params.sources, params.q, params.q_in_title, params.language, params.country, params.category)
        if not any(scope):
            raise NewsApiError(
                "parametersMissing",
                "Required parameters are missing. Please set any of the following parameters and try again: "
                f"{HEADLINES_SCOPE}.",
            )
        if params.sources and (params.country or params.category):
            raise invalid("You cannot mix the sources parameter with the country or category parameters.")
        self._one_text(params)
        category = self._category(params.category)
        sources = self._checked_sources(params.source_list())
        start, depth = self._window(params.page, params.page_size)
        filters = self._country_filters(params.country, params.language)
        if filters is None:
            return ArticlesResponse(totalResults=0, articles=[])
        filters.category = category
        if sources:
            filters.source_ids = sources
        query = SearchQuery(
            text=params.q_in_title or params.q or "", search_in=["title"] if params.q_in_title else [], filters=filters
        )
        docs, total = hot(self._index, query, self._now(), self._config.headlines_window, depth)
        return self._articles(docs[start:], total)

    # --------------------------------------------------------------------------------- sources

    def sources(self, params: SourcesParams) -> SourcesResponse:
        category = self._category(params.category)
        filters = self._country_filters(params.country, params.language)
        if filters is None:
            return SourcesResponse(sources=[])
        native = self._queries.sources(NativeSourcesParams(category=category, language=filters.language))
        listed = [
            s
            for s in native.sources
            if not (filters.source_ids or filters.source_domains)
            or s.id in filters.source_ids
            or (s.domain or "") in filters.source_domains
        ]
        shown_category = (params.category or "general").lower()
        return SourcesResponse(
            sources=[
                NewsSource(
                    id=s.id,
                    name=s.name or s.domain or s.id,
                    description=f"{s.article_count} articles in this index"
                    + (f", the latest at {s.latest_at:%Y-%m-%dT%H:%M:%SZ}" if s.latest_at else "")
                    + ".",
                    url=f"https://{s.domain}" if s.domain else None,
                    category=shown_category,
                    language=params.language,
                    country=params.country.lower() if params.country else None,
                )
                for s in listed
            ]
        )

    # --------------------------------------------------------------------------------- helpers

    def _articles(self, docs: list[SearchDocument], total: int) -> ArticlesResponse:
        content = self._config.content
        return ArticlesResponse(totalResults=total, articles=[article_of(doc, content) for doc in docs])

    def _window(self, page: int, page_size: int) -> tuple[int, int]:
        """(offset of the page, how many results it reaches), or a 400 past the maximum depth."""
        depth = page * page_size
        if depth > self._config.max_depth:
            raise invalid(
                f"page x pageSize may not exceed {self._config.max_depth} here (page {page} x pageSize "
                f"{page_size} = {depth}). To read deeper, use /v1/search with the same filters and follow "
                "its nextCursor (keyset paging, no depth limit)."
            )
        return (page - 1) * page_size, max(1, depth)

    @staticmethod
    def _checked_sources(sources: list[str]) -> list[str]:
        if len(sources) > MAX_SOURCES:
            raise NewsApiError(
                "sourcesTooMany",
                f"You have requested too many sources in a single request ({len(sources)}; at most "
                f"{MAX_SOURCES}). Try splitting the request into smaller requests.",
            )
        return sources

    def _category(self, name: str | None) -> str | None:
        if name is None:
            return None
        from newsflow.taxonomy import is_known_category

        key = name.lower()
        if key in self._config.categories:
            slug = self._config.categories[key]
            if slug is None:
                mapped = sorted(k for k, v in self._config.categories.items() if v is not None)
                raise invalid(
                    f"The category '{key}' has no counterpart in this deployment's taxonomy (see the README, "
                    f"'NewsAPI compatibility'). Mapped categories: {', '.join(mapped)}."
                )
            return None if slug == ALL_CATEGORIES else slug
        if is_known_category(key):
            return key
        raise invalid(
            f"The category '{name}' is not supported. Use one of {', '.join(NEWSAPI_CATEGORIES)} or a category "
            "slug of /v1/categories."
        )

    @staticmethod
    def _one_text(params: TopHeadlinesParams | EverythingParams) -> None:
        if params.q and params.q_in_title:
            raise invalid("Use either q (with searchIn=title for titles only) or qInTitle, not both.")

    def _country_filters(self, country: str | None, language: str | None) -> SearchFilters | None:
        """Filters for `country` (and `language`); None when they exclude each other (nothing matches)."""
        if country is None:
            return SearchFilters(language=language)
        mapped = self._config.countries.get(country.lower())
        if mapped is None:
            raise invalid(
                f"The country '{country}' is not mapped in this deployment (newsflow does not know a publisher's "
                "country; see the README, 'NewsAPI compatibility')."
            )
        if mapped.language and language and mapped.language != language:
            return None  # e.g. country=de&language=en: the country's press is read as German
        return SearchFilters(
            source_ids=list(mapped.sources), source_domains=list(mapped.domains), language=language or mapped.language
        )
