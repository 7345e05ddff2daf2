"""What the API returns: camelCase JSON views of stored articles and index documents."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic.alias_generators import to_camel

from newsflow.search.port import SearchDocument
from newsflow.taxonomy import CATEGORY_NAMES

if TYPE_CHECKING:
    from newsflow.models import Article


class _View(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


def _name(slug: str) -> str:
    return CATEGORY_NAMES.get(slug, slug)


class CategoryRef(_View):
    slug: str
    name: str
    score: float | None = None


class SourceRef(_View):
    id: str | None
    name: str | None
    domain: str | None
    homepage: str | None = Field(description="https://<domain>/ when the domain is known.")


class ArticleCard(_View):
    """An article as listed on a section page or in search results (no body)."""

    id: str
    url: str | None
    title: str
    description: str
    image_url: str | None
    source_id: str | None
    source_name: str | None
    source_domain: str | None
    authors: list[str]
    language: str | None
    published_at: datetime | None
    category: CategoryRef
    categories: list[CategoryRef]
    tags: list[str]
    reading_time_minutes: int
    word_count: int
    story_id: str | None = Field(description="Articles of the same story share it; null: a story of its own.")
    also_from: list[str] = Field(description="Other sources that published this article or its story.")
    highlights: dict[str, str] | None = Field(
        default=None, description="search with highlight=true: title/description/content snippets, <mark>ed."
    )

    @classmethod
    def of_document(cls, document: SearchDocument, also_from: list[str] | None = None) -> ArticleCard:
        return cls(
            id=document.id,
            url=document.url,
            title=document.title,
            description=document.summary,
            image_url=document.image_url,
            source_id=document.source_id,
            source_name=document.source_name,
            source_domain=document.source_domain,
            authors=document.authors,
            language=document.language,
            published_at=document.published_at,
            category=CategoryRef(slug=document.category, name=_name(document.category)),
            categories=[CategoryRef(slug=s, name=_name(s)) for s in document.categories],
            tags=document.tags,
            reading_time_minutes=document.reading_time_minutes,
            word_count=document.word_count,
            story_id=document.story_id,
            also_from=also_from if also_from is not None else list(document.also_from),
        )


class Neighbour(_View):
    id: str
    title: str
    published_at: datetime | None


class MediaView(_View):
    url: str
    type: str | None
    length: int | None = Field(description="Bytes, when the feed gave it.")
    medium: str | None = Field(description="audio | video | image | document")


class ArticleDetail(ArticleCard):
    source: SourceRef
    content: str
    content_html: str
    body_source: Literal["feed", "page"] = Field(
        default="feed", description="page: the body is the article page's full text; feed: the feed's own."
    )
    body_source_reason: str | None = Field(
        default=None, description="Why the body is the feed's when the page was tried (robots.txt, HTTP 404, ...)."
    )
    media: list[MediaView] = Field(default_factory=list, description="Enclosures: audio, video, images.")
    updated_at: datetime | None
    first_seen_at: datetime
    version: int
    previous: Neighbour | None = Field(description="The next older article of the same primary category.")
    next: Neighbour | None = Field(description="The next newer article of the same primary category.")

    @classmethod
    def of_article(
        cls,
        article: Article,
        also_from: list[str],
        previous: Neighbour | None,
        following: Neighbour | None,
    ) -> ArticleDetail:
        card = ArticleCard.of_document(SearchDocument.from_article(article), also_from)
        domain = article.source_domain
        return cls(
            **card.model_dump(exclude={"categories", "highlights"}),
            categories=[
                CategoryRef(slug=c.slug, name=_name(c.slug), score=round(c.score, 4)) for c in article.categories
            ],
            source=SourceRef(
                id=card.source_id,
                name=article.source_name,
                domain=domain,
                homepage=f"https://{domain}/" if domain else None,
            ),
            content=article.body_text,
            content_html=article.body_html,
            body_source=article.body_source,
            body_source_reason=article.body_source_reason,
            media=[MediaView(**m.model_dump()) for m in article.media],
            updated_at=article.updated_at,
            first_seen_at=article.first_seen_at,
            version=article.version,
            previous=previous,
            next=following,
        )


class ListResponse(_View):
    status: Literal["ok"] = "ok"
    total_results: int = Field(description="Matching articles (with collapse=story: articles, not stories).")
    total_relation: Literal["eq", "gte"] = Field(description="eq: exact; gte: at least totalResults.")
    articles: list[ArticleCard]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    _card_fields: set[str] | None = PrivateAttr(default=None)

    def choose_fields(self, fields: set[str] | None) -> None:
        """`fields=`: the JSON keeps only these card fields (camelCase names)."""
        self._card_fields = fields

    def to_json(self) -> str:
        if not self._card_fields:
            return self.model_dump_json(by_alias=True)
        body = self.model_dump(mode="json", by_alias=True)
        body["articles"] = [{k: v for k, v in a.items() if k in self._card_fields} for a in body["articles"]]
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


class SearchResponse(ListResponse):
    facets: dict[str, dict[str, int]] | None = Field(
        default=None, description="facet -> value -> matching articles (month values are yyyy-mm, newest first)."
    )
    facets_truncated: dict[str, bool] | None = Field(
        default=None, description="facet -> whether values beyond `facetSize` were left out."
    )
    facets_other: dict[str, int] | None = Field(
        default=None, description="facet -> matching articles in the values left out (0 when none were)."
    )


class ArticleResponse(_View):
    status: Literal["ok"] = "ok"
    article: dict[str, object] = Field(description="An ArticleDetail, restricted to `fields` when given.")


class HotArticle(ArticleCard):
    score: float = Field(description="Σ over the story's distinct sources of 2^(-age_hours / halfLifeHours).")
    source_count: int = Field(
        description="Distinct sources that carried the story in the window, verbatim copies (alsoFrom) included."
    )


class TopHeadlinesResponse(_View):
    status: Literal["ok"] = "ok"
    window: str
    half_life_hours: float
    total_results: int = Field(
        description="Stories in the window (a story of one article counts once), whatever the pageSize."
    )
    total_relation: Literal["eq", "gte"]
    articles: list[HotArticle]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page (ranked as at the first page); null at the end."
    )


class CategoryCount(_View):
    slug: str
    name: str
    article_count: int
    latest_at: datetime | None


class CategoriesResponse(_View):
    status: Literal["ok"] = "ok"
    categories: list[CategoryCount]


class MonthCount(_View):
    month: str = Field(description="yyyy-mm")
    year: int
    month_number: int
    article_count: int


class ArchivesResponse(_View):
    status: Literal["ok"] = "ok"
    months: list[MonthCount]


class SourceCount(_View):
    id: str
    name: str | None
    domain: str | None
    article_count: int
    latest_at: datetime | None


class SourcesResponse(_View):
    status: Literal["ok"] = "ok"
    sources: list[SourceCount]


class HealthChecks(_View):
    table: bool
    search_index: bool


class HealthResponse(_View):
    status: Literal["ok", "degraded"]
    checks: HealthChecks


# ------------------------------------------------------------------ whole pages (/v1/pages/*)


class HotBlock(_View):
    window: str = Field(description="24h, or 7d when the last day has fewer than three stories.")
    articles: list[HotArticle]


class SiteBlocks(_View):
    """What every page of the site shows besides its main content."""

    categories: list[CategoryCount] = Field(description="The menu and the Categories block, with counts.")
    hot: HotBlock = Field(description="What's Hot.")
    latest: list[ArticleCard] = Field(description="Latest Posts.")
    archives: list[MonthCount] = Field(description="Monthly archives, newest first.")


class HomePage(_View):
    status: Literal["ok"] = "ok"
    site: SiteBlocks
    articles: ListResponse = Field(description="The front page: newest first, one article per story.")


class CategoryPage(_View):
    status: Literal["ok"] = "ok"
    site: SiteBlocks
    category: CategoryRef
    articles: ListResponse = Field(description="The section's articles, newest first (primary or secondary).")


class ArticlePage(_View):
    status: Literal["ok"] = "ok"
    site: SiteBlocks
    article: ArticleDetail = Field(description="The article, with previous/next in its category.")
    related: list[ArticleCard] = Field(description="Related posts: never the article itself nor its story.")
    also_from_ids: dict[str, str] = Field(
        default_factory=dict, description="`article.alsoFrom` names that are known sources -> their source ids."
    )


class SearchPage(_View):
    status: Literal["ok"] = "ok"
    site: SiteBlocks
    results: SearchResponse
    source_names: dict[str, str] = Field(
        default_factory=dict, description="The source facet's ids -> the sources' names (or domains)."
    )
