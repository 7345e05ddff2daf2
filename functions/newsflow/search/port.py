"""The `SearchIndex` port: what the index function writes and the API reads.

Two adapters implement it with the same behaviour, checked by one contract test suite:
`tantivy_index.py` (embedded, on disk, the local default) and `opensearch_index.py` (OpenSearch
Service in AWS).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from newsflow.models import Article


class SearchDocument(BaseModel):
    """The indexed projection of an Article."""

    model_config = ConfigDict(extra="forbid")

    id: str
    url: str | None = None
    title: str
    summary: str = ""
    body: str = ""
    category: str
    categories: list[str] = Field(default_factory=list, description="Primary first, then secondary slugs.")
    tags: list[str] = Field(default_factory=list)
    source_name: str | None = None
    source_domain: str | None = None
    language: str | None = None
    image_url: str | None = None
    published_at: datetime | None = None
    sort_at: datetime
    reading_time_minutes: int = 0
    word_count: int = 0
    authors: list[str] = Field(default_factory=list)
    story_id: str | None = None
    version: int = 1

    @classmethod
    def from_article(cls, article: Article) -> SearchDocument:
        return cls(
            id=article.id,
            url=article.url,
            title=article.title,
            summary=article.summary,
            body=article.body_text,
            category=article.category,
            categories=article.category_slugs,
            tags=article.tags,
            source_name=article.source_name,
            source_domain=article.source_domain,
            language=article.language,
            image_url=article.image_url,
            published_at=article.published_at,
            sort_at=article.sort_at,
            reading_time_minutes=article.reading_time_minutes,
            word_count=article.word_count,
            authors=article.authors,
            story_id=article.story_id,
            version=article.version,
        )


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str | None = None
    source_domains: list[str] = Field(default_factory=list)
    language: str | None = None
    published_from: datetime | None = None
    published_to: datetime | None = None


class SearchQuery(BaseModel):
    """A search request. `text` is raw user input: adapters must never hand it to a query-language parser."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=500)
    filters: SearchFilters = Field(default_factory=SearchFilters)
    sort_by: Literal["relevancy", "publishedAt"] = "relevancy"
    size: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=10_000)
    facets: list[Literal["category", "source", "language"]] = Field(default_factory=list)


class SearchHit(BaseModel):
    id: str
    score: float
    document: SearchDocument


class SearchResult(BaseModel):
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = Field(default_factory=dict)


class IndexFailure(BaseModel):
    """One document the index refused; the index function reports it so the stream retries it."""

    id: str
    reason: str


class SearchIndex(Protocol):
    def upsert(self, documents: Sequence[SearchDocument]) -> list[IndexFailure]:
        """Insert or replace documents by id (idempotent). Returns the ones that failed."""
        ...

    def delete(self, ids: Sequence[str]) -> list[IndexFailure]:
        """Delete documents by id; deleting a missing id is not a failure."""
        ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def get(self, doc_id: str) -> SearchDocument | None: ...

    def count(self) -> int: ...

    def ping(self) -> bool:
        """True when the index is reachable (used by /v1/health)."""
        ...
