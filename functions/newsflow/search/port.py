"""The `SearchIndex` port: what the index function writes and the API reads.

Two adapters implement it with the same behaviour, checked by one contract test suite:
`tantivy_index.py` (embedded, on disk, the local default) and `opensearch_index.py` (OpenSearch
Service in AWS).

Ordering and paging. Every ordering ends in a unique tie-breaker, so it is total:
- `publishedAt`: sort_at newest first, then id ascending (`reverse=True` is the exact inverse);
- `relevancy`: score descending, then the `publishedAt` order.
Each hit carries its `sort` values; passing the last hit's values back as `search_after` returns the
hits strictly after it (keyset paging: no skips or repeats when documents arrive between pages, and
no depth limit). Relevancy scores move when the corpus changes, so relevancy paging also pins a
`snapshot` (an OpenSearch point in time; a held tantivy searcher) that the result returns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from newsflow.models import Article

FacetName = Literal["category", "source", "language", "month", "publisher"]
TextField = Literal["title", "summary", "body"]
SortValue = int | float | str

_SLUG_SPLIT = re.compile(r"[^\w]+")


def source_id_of(name: str | None, domain: str | None) -> str | None:
    """A stable source identifier: the slug of the publisher name, else its domain."""
    if name:
        slug = "-".join(part for part in _SLUG_SPLIT.split(name.lower()) if part)[:80]
        if slug:
            return slug
    return domain.lower() if domain else None


def source_key(label: str | None) -> str | None:
    """The source key of a label (a name, or a domain when the source gave no name), as `source_id_of`
    keys a document's own source; so an `alsoFrom` label and a member's source compare equal."""
    if not label:
        return None
    label = label.strip()
    if "." in label and " " not in label:  # a domain: the documents' own key for domain-only sources
        return label.lower()
    return source_id_of(label, None)


def month_of(moment: datetime) -> str:
    """The calendar month (UTC) of a moment, as `yyyy-mm`."""
    value = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return value.strftime("%Y-%m")


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
    source_id: str | None = Field(default=None, description="Slug of source_name (else the domain); filled in.")
    language: str | None = None
    image_url: str | None = None
    published_at: datetime | None = None
    sort_at: datetime
    reading_time_minutes: int = 0
    word_count: int = 0
    authors: list[str] = Field(default_factory=list)
    story_id: str | None = None
    also_from: list[str] = Field(default_factory=list, description="Other sources of this same article.")
    version: int = 1
    story_keys: list[str] = Field(
        default_factory=list,
        description="Story-candidate (LSH band) keys of the text, filled in when indexing: ingest finds the "
        "articles a new one may be a copy of with a terms query on them (newsflow.stories.indexed).",
    )
    story_sketch: str | None = Field(
        default=None, description="The text's similarity sketch (base64, stored only): verifies a candidate."
    )

    @model_validator(mode="after")
    def _fill_source_id(self) -> SearchDocument:
        if self.source_id is None:
            self.source_id = source_id_of(self.source_name, self.source_domain)
        return self

    @property
    def month(self) -> str:
        return month_of(self.sort_at)

    @property
    def copy_keys(self) -> list[str]:
        """Source keys of the verbatim copies folded into this article (`also_from`), never its own source."""
        keys = [k for k in (source_key(label) for label in self.also_from) if k and k != self.source_id]
        return list(dict.fromkeys(keys))

    @property
    def source_total(self) -> int:
        """How many distinct sources carried this very article: its own plus its verbatim copies."""
        return 1 + len(self.copy_keys)

    @property
    def story_key(self) -> str:
        """What collapses stories: the story id, else the article itself (a story of one)."""
        return f"s:{self.story_id}" if self.story_id else f"a:{self.id}"

    @classmethod
    def from_article(
        cls, article: Article, story_keys: Sequence[str] = (), story_sketch: str | None = None
    ) -> SearchDocument:
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
            also_from=article.also_from,
            version=article.version,
            story_keys=list(story_keys),
            story_sketch=story_sketch,
        )


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(default=None, description="Primary or secondary category.")
    primary_category: str | None = None
    source_ids: list[str] = Field(default_factory=list)
    source_domains: list[str] = Field(default_factory=list)
    exclude_domains: list[str] = Field(default_factory=list)
    language: str | None = None
    published_from: datetime | None = Field(default=None, description="Inclusive, on sort_at.")
    published_to: datetime | None = Field(default=None, description="Exclusive, on sort_at.")
    story_ids: list[str] = Field(default_factory=list, description="Only members of these stories.")
    exclude_ids: list[str] = Field(default_factory=list)
    exclude_story_id: str | None = None
    story_keys: list[str] = Field(default_factory=list, description="Only articles filed under any of these keys.")
    tags: list[str] = Field(default_factory=list, description="Only articles carrying every one of these tags.")
    min_sources: int | None = Field(
        default=None, ge=2, description="Only articles carried by at least this many sources (own + alsoFrom)."
    )


class SearchQuery(BaseModel):
    """A search request. `text` is raw user input: adapters must never hand it to a query-language parser."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=500)
    search_in: list[TextField] = Field(default_factory=list, description="Text fields to match; empty = all.")
    filters: SearchFilters = Field(default_factory=SearchFilters)
    sort_by: Literal["relevancy", "publishedAt"] = "relevancy"
    reverse: bool = Field(default=False, description="publishedAt only: oldest first (the exact inverse order).")
    size: int = Field(default=20, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=1_000_000)
    search_after: list[SortValue] | None = Field(default=None, description="The `sort` of the last hit seen.")
    snapshot: str | None = Field(default=None, description="A snapshot id from a previous result.")
    keep_snapshot: bool = Field(default=False, description="Relevancy paging: open (or extend) a snapshot.")
    count: bool = True
    ties_by_id: bool = Field(
        default=True,
        description="publishedAt: equal timestamps ordered by id (stable paging). False: in the index's order, "
        "for a caller that reads one page and needs no stable order among equals (the story candidate lookup).",
    )
    facets: list[FacetName] = Field(default_factory=list)
    facet_size: int = Field(default=100, ge=1, le=1000, description="Values per facet (month: every month).")
    facet_latest: bool = Field(default=False, description="Also report the newest sort_at of each facet bucket.")
    highlight: bool = False


class SearchHit(BaseModel):
    id: str
    score: float
    document: SearchDocument
    sort: list[SortValue] = Field(default_factory=list, description="Pass back as search_after for the next page.")
    highlights: dict[str, str] = Field(default_factory=dict, description="Field -> snippet with <mark> tags.")


class SearchResult(BaseModel):
    total: int
    total_relation: Literal["eq", "gte"] = "eq"
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = Field(default_factory=dict)
    facet_latest: dict[str, dict[str, datetime]] = Field(default_factory=dict)
    facet_other: dict[str, int] = Field(
        default_factory=dict, description="Per facet: matching articles in values beyond `facet_size`."
    )
    snapshot: str | None = None


class StorySources(BaseModel):
    """One story in a window: per source, the time of its first article (for 'What's Hot')."""

    story_id: str
    articles: int
    first_by_source: dict[str, datetime]
    first_by_copy: dict[str, datetime] = Field(
        default_factory=dict, description="Per source of a verbatim copy (alsoFrom): the earliest article it copied."
    )


class SnapshotExpired(LookupError):
    """A relevancy walk's snapshot is gone (its keep-alive passed, or the index restarted): start again."""


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

    def story_sources(self, query: SearchQuery, max_stories: int = 500) -> list[StorySources]:
        """Stories (with a story_id and at least two articles) among the query's matches, most articles first."""
        ...

    def release_snapshot(self, snapshot: str) -> None:
        """End a relevancy walk's snapshot now (an OpenSearch point in time is closed); unknown ids are ignored."""
        ...

    def get(self, doc_id: str) -> SearchDocument | None: ...

    def count(self) -> int: ...

    def ping(self) -> bool:
        """True when the index is reachable (used by /v1/health)."""
        ...
