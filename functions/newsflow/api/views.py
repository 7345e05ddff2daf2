"""What the API returns: camelCase JSON views of stored articles."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from newsflow.models import Article
from newsflow.search.port import SearchDocument
from newsflow.taxonomy import CATEGORY_NAMES


class _View(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class CategoryRef(_View):
    slug: str
    name: str
    score: float | None = None


class ArticleCard(_View):
    """An article as listed on a section page or in search results (no body)."""

    id: str
    url: str | None
    title: str
    description: str
    image_url: str | None
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

    @classmethod
    def of(cls, article: Article) -> ArticleCard:
        return cls(
            id=article.id,
            url=article.url,
            title=article.title,
            description=article.summary,
            image_url=article.image_url,
            source_name=article.source_name,
            source_domain=article.source_domain,
            authors=article.authors,
            language=article.language,
            published_at=article.published_at,
            category=CategoryRef(slug=article.category, name=CATEGORY_NAMES.get(article.category, article.category)),
            categories=[
                CategoryRef(slug=c.slug, name=CATEGORY_NAMES.get(c.slug, c.slug), score=round(c.score, 4))
                for c in article.categories
            ],
            tags=article.tags,
            reading_time_minutes=article.reading_time_minutes,
            word_count=article.word_count,
        )


class ArticleDetail(ArticleCard):
    content: str
    content_html: str
    updated_at: datetime | None
    first_seen_at: datetime
    version: int

    @classmethod
    def of_full(cls, article: Article) -> ArticleDetail:
        card = ArticleCard.of(article)
        return cls(
            **card.model_dump(),
            content=article.body_text,
            content_html=article.body_html,
            updated_at=article.updated_at,
            first_seen_at=article.first_seen_at,
            version=article.version,
        )


class ListResponse(_View):
    status: str = "ok"
    total_results: int | None
    articles: list[ArticleCard]
    next_cursor: str | None


class SearchResponse(ListResponse):
    facets: dict[str, dict[str, int]] | None = None


class CategoryCount(_View):
    slug: str
    name: str
    article_count: int


class CategoriesResponse(_View):
    status: str = "ok"
    categories: list[CategoryCount]


def card_of_document(document: SearchDocument) -> ArticleCard:
    return ArticleCard(
        id=document.id,
        url=document.url,
        title=document.title,
        description=document.summary,
        image_url=document.image_url,
        source_name=document.source_name,
        source_domain=document.source_domain,
        authors=[],
        language=document.language,
        published_at=document.published_at,
        category=CategoryRef(slug=document.category, name=CATEGORY_NAMES.get(document.category, document.category)),
        categories=[CategoryRef(slug=s, name=CATEGORY_NAMES.get(s, s)) for s in document.categories],
        tags=document.tags,
        reading_time_minutes=document.reading_time_minutes,
        word_count=document.word_count,
    )
