"""NewsAPI's response bodies, filled from newsflow's index documents and source facets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final, Literal

from pydantic import BaseModel, Field

from newsflow.search.port import SearchDocument

CONTENT_CHARS: Final = 200  # NewsAPI's `content` is the first 200 characters, then "… [+N chars]"


class ArticleSource(BaseModel):
    id: str | None = Field(description="The source id of /v2/sources (null when the source is unknown).")
    name: str


class NewsArticle(BaseModel):
    source: ArticleSource
    author: str | None
    title: str
    description: str | None
    url: str | None
    urlToImage: str | None
    publishedAt: str
    content: str | None


class ArticlesResponse(BaseModel):
    status: Literal["ok"] = "ok"
    totalResults: int = Field(description="Matching articles (top-headlines: ranked stories).")
    articles: list[NewsArticle]


class NewsSource(BaseModel):
    id: str
    name: str
    description: str = Field(description="The number of articles the index holds from it, and when the latest was.")
    url: str | None = Field(description="https://<domain> when the domain is known.")
    category: str = Field(description="The requested category, else `general` (newsflow files articles, not sources).")
    language: str | None = Field(description="The requested language, else null (not known per source).")
    country: str | None = Field(description="The requested country, else null (newsflow does not know it).")


class SourcesResponse(BaseModel):
    status: Literal["ok"] = "ok"
    sources: list[NewsSource]


def truncate_content(text: str) -> str:
    """NewsAPI's shape: the first 200 characters, then `… [+N chars]` with N the characters left out."""
    if len(text) <= CONTENT_CHARS:
        return text
    return f"{text[:CONTENT_CHARS]}… [+{len(text) - CONTENT_CHARS} chars]"


def _timestamp(moment: datetime) -> str:
    value = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def article_of(doc: SearchDocument, content: Literal["truncated", "full"]) -> NewsArticle:
    body = doc.body.strip()
    return NewsArticle(
        source=ArticleSource(id=doc.source_id, name=doc.source_name or doc.source_domain or "unknown"),
        author=", ".join(doc.authors) or None,
        title=doc.title,
        description=doc.summary or None,
        url=doc.url,
        urlToImage=doc.image_url,
        publishedAt=_timestamp(doc.published_at or doc.sort_at),
        content=(truncate_content(body) if content == "truncated" else body) or None,
    )
