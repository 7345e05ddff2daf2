"""The query service: answers API requests from the article store and the search index (no AWS imports)."""

from __future__ import annotations

import base64
import binascii
import json

from newsflow.api.errors import bad_request, not_found
from newsflow.api.params import ArticlesParams, SearchParams
from newsflow.api.views import (
    ArticleCard,
    ArticleDetail,
    CategoriesResponse,
    CategoryCount,
    ListResponse,
    SearchResponse,
    card_of_document,
)
from newsflow.search.port import SearchFilters, SearchIndex, SearchQuery
from newsflow.store.ports import ArticleRepository, CursorError
from newsflow.taxonomy import DEFAULT_CATEGORIES

# Offset paging over relevance-ranked results stops here (the index's own deep-paging limit).
MAX_SEARCH_OFFSET = 10_000


def _encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _decode_offset(cursor: str) -> int:
    try:
        payload = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        offset = payload["o"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise bad_request("cursor is not valid", "cursor", code="cursorInvalid") from exc
    if not isinstance(offset, int) or not 0 <= offset <= MAX_SEARCH_OFFSET:
        raise bad_request("cursor is not valid", "cursor", code="cursorInvalid")
    return offset


class QueryService:
    def __init__(self, articles: ArticleRepository, index: SearchIndex) -> None:
        self._articles = articles
        self._index = index

    def list_articles(self, params: ArticlesParams) -> ListResponse:
        try:
            if params.category:
                page = self._articles.list_by_category(params.category, params.page_size, params.cursor)
            else:
                page = self._articles.list_latest(params.page_size, params.cursor)
        except CursorError as exc:
            raise bad_request(str(exc), "cursor", code="cursorInvalid") from exc
        return ListResponse(
            total_results=None,  # a DynamoDB listing has no cheap exact total; search has one
            articles=[ArticleCard.of(a) for a in page.articles],
            next_cursor=page.next_cursor,
        )

    def get_article(self, article_id: str) -> ArticleDetail:
        article = self._articles.get(article_id)
        if article is None:
            raise not_found(f"no article with id '{article_id}'", "id")
        return ArticleDetail.of_full(article)

    def search(self, params: SearchParams) -> SearchResponse:
        if params.from_ and params.to and params.from_ >= params.to:
            raise bad_request("'from' must be before 'to'", "from")
        offset = _decode_offset(params.cursor) if params.cursor else 0
        size = min(params.page_size, MAX_SEARCH_OFFSET - offset) or 1
        query = SearchQuery(
            text=params.q,
            filters=SearchFilters(
                category=params.category,
                source_domains=params.domain_list(),
                language=params.language,
                published_from=params.from_,
                published_to=params.to,
            ),
            sort_by="publishedAt" if params.sort_by == "publishedAt" else "relevancy",
            size=size,
            offset=offset,
            facets=["category", "source"],
        )
        result = self._index.search(query)
        next_offset = offset + len(result.hits)
        has_more = next_offset < min(result.total, MAX_SEARCH_OFFSET) and bool(result.hits)
        return SearchResponse(
            total_results=result.total,
            articles=[card_of_document(hit.document) for hit in result.hits],
            next_cursor=_encode_offset(next_offset) if has_more else None,
            facets=result.facets,
        )

    def categories(self) -> CategoriesResponse:
        counts = self._index.search(SearchQuery(size=1, facets=["category"])).facets.get("category", {})
        return CategoriesResponse(
            categories=[
                CategoryCount(slug=c.slug, name=c.name, article_count=counts.get(c.slug, 0)) for c in DEFAULT_CATEGORIES
            ]
        )

    def health(self) -> dict[str, object]:
        table_ok = self._articles.ping()
        index_ok = self._index.ping()
        return {
            "status": "ok" if table_ok and index_ok else "degraded",
            "checks": {"table": table_ok, "searchIndex": index_ok},
        }
