"""Site structure: the sections with counts, the monthly archives, the sources; and health."""

from __future__ import annotations

import re
from typing import Final, Literal

from newsflow.api.params import ArchivesParams, SourcesParams
from newsflow.api.views import (
    ArchivesResponse,
    CategoriesResponse,
    CategoryCount,
    HealthChecks,
    HealthResponse,
    MonthCount,
    SourceCount,
    SourcesResponse,
)
from newsflow.search.port import SearchFilters, SearchIndex, SearchQuery
from newsflow.store.ports import ArticleRepository
from newsflow.taxonomy import DEFAULT_CATEGORIES

PUBLISHER_SEPARATOR: Final = "\x1f"
SOURCES_FACET_SIZE: Final = 1000  # x10 in the adapters: up to 10,000 name/domain spellings
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class SiteStructure:
    def __init__(self, articles: ArticleRepository, index: SearchIndex) -> None:
        self._articles = articles
        self._index = index

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

    def sources(self, params: SourcesParams) -> SourcesResponse:
        result = self._index.search(
            SearchQuery(
                filters=SearchFilters(category=params.category, language=params.language),
                size=1,
                count=False,
                facets=["publisher"],
                facet_size=SOURCES_FACET_SIZE,
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
