"""Query-string parameters of each endpoint, validated by pydantic (unknown parameters are errors).

Every model here is also the source of the OpenAPI parameter list (`newsflow.api.openapi`): a
field's alias is the parameter name, its description and constraints are documented as written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from newsflow.api.views import ArticleCard

MAX_PAGE_SIZE = 100
MAX_LIST_ITEMS = 50
SEARCH_FIELDS = {"title": "title", "description": "summary", "content": "body"}
_LIST_ITEM = r"[A-Za-z0-9][A-Za-z0-9._-]{0,252}"


def _csv_pattern() -> str:
    return rf"^{_LIST_ITEM}(,{_LIST_ITEM}){{0,{MAX_LIST_ITEMS - 1}}}$"


# The fields a card may be trimmed to (`fields=`): those of the card view, by their wire names.
CARD_FIELDS = tuple(field.alias or name for name, field in ArticleCard.model_fields.items())


class _Params(BaseModel):
    # defer_build: each model's validator is built when first used (a request uses one or two of
    # them), not all at the handler's cold import.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True, defer_build=True)


def _known_category(value: str | None) -> str | None:
    if value is None:
        return None
    # Imported here: the taxonomy pulls in newsflow.models (~40 ms), which the handler's cold import
    # does not need; the first request loads it anyway (the query service's views use it).
    from newsflow.taxonomy import is_known_category

    if not is_known_category(value):
        raise ValueError(f"unknown category '{value}' (see /v1/categories)")
    return value


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value  # no zone: UTC
    if not 1970 <= value.astimezone(UTC).year <= 9999:
        raise ValueError("must be between 1970 and 9999")
    return value


def split_csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class FilterParams(_Params):
    """Filters shared by every article listing."""

    category: str | None = Field(default=None, description="Category slug: primary or secondary category.")
    sources: str | None = Field(
        default=None, pattern=_csv_pattern(), description="Comma-separated source ids (see /v1/sources)."
    )
    domains: str | None = Field(default=None, pattern=_csv_pattern(), description="Comma-separated source domains.")
    exclude_domains: str | None = Field(
        default=None,
        alias="excludeDomains",
        pattern=_csv_pattern(),
        description="Comma-separated domains to leave out.",
    )
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$", description="ISO 639-1 code.")
    from_: datetime | None = Field(
        default=None, alias="from", description="ISO 8601; inclusive. A date without zone is UTC."
    )
    to: datetime | None = Field(default=None, description="ISO 8601; exclusive.")
    tags: str | None = Field(
        default=None,
        max_length=1000,
        description="Comma-separated entity tags (as in the cards' `tags`); an article must carry every one.",
    )
    collapse: Literal["story"] | None = Field(
        default=None, description="`story`: one article per story (the first of the story in this order)."
    )
    fields: str | None = Field(
        default=None,
        max_length=1000,
        description="Comma-separated card fields to return (default all; `id` always): " + ", ".join(CARD_FIELDS) + ".",
    )
    page_size: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE, alias="pageSize")
    cursor: str | None = Field(
        default=None, max_length=4096, description="`nextCursor` of the previous page (same query)."
    )

    _check_category = field_validator("category")(_known_category)
    _check_from = field_validator("from_")(_aware)
    _check_to = field_validator("to")(_aware)

    @field_validator("fields")
    @classmethod
    def _known_card_fields(cls, value: str | None) -> str | None:
        unknown = [f for f in split_csv(value) if f not in CARD_FIELDS]
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown[:5])} (known: {', '.join(CARD_FIELDS)})")
        return value

    @field_validator("tags")
    @classmethod
    def _tag_list_size(cls, value: str | None) -> str | None:
        if len(split_csv(value)) > MAX_LIST_ITEMS:
            raise ValueError(f"at most {MAX_LIST_ITEMS} tags")
        return value

    def tag_list(self) -> list[str]:
        return list(dict.fromkeys(split_csv(self.tags)))

    def card_field_set(self) -> set[str] | None:
        chosen = split_csv(self.fields)
        return {"id", *chosen} if chosen else None

    def source_list(self) -> list[str]:
        return [s.lower() for s in split_csv(self.sources)]

    def domain_list(self) -> list[str]:
        return [d.lower() for d in split_csv(self.domains)]

    def excluded_domain_list(self) -> list[str]:
        return [d.lower() for d in split_csv(self.exclude_domains)]


class ArticlesParams(FilterParams):
    sort_by: Literal["publishedAt"] = Field(default="publishedAt", alias="sortBy", description="Newest first.")


class SearchParams(FilterParams):
    q: str = Field(default="", max_length=500, description='Words, "phrases", +must, -exclude, AND/OR/NOT, ( ).')
    search_in: str | None = Field(
        default=None,
        alias="searchIn",
        pattern=r"^(title|description|content)(,(title|description|content)){0,2}$",
        description="Comma-separated fields to match: title, description, content (default all).",
    )
    sort_by: Literal["relevancy", "publishedAt"] = Field(default="relevancy", alias="sortBy")
    highlight: bool = Field(default=False, description="Add `highlights`: matching snippets marked with <mark>.")
    facets: str | None = Field(
        default=None,
        pattern=r"^(category|source|language|month)(,(category|source|language|month)){0,3}$",
        description="Comma-separated facets counted over all matches: category, source, language, month.",
    )

    facet_size: int = Field(
        default=100,
        ge=1,
        le=1000,
        alias="facetSize",
        description="Values per facet (most frequent first); `facetsTruncated`/`facetsOther` tell what was left out.",
    )

    def search_fields(self) -> list[str]:
        return [SEARCH_FIELDS[f] for f in dict.fromkeys(split_csv(self.search_in))]

    def facet_list(self) -> list[str]:
        return list(dict.fromkeys(split_csv(self.facets)))


ARTICLE_FIELDS = (
    "id",
    "url",
    "title",
    "description",
    "imageUrl",
    "sourceId",
    "sourceName",
    "sourceDomain",
    "source",
    "authors",
    "language",
    "publishedAt",
    "category",
    "categories",
    "tags",
    "readingTimeMinutes",
    "wordCount",
    "storyId",
    "alsoFrom",
    "content",
    "contentHtml",
    "bodySource",
    "bodySourceReason",
    "media",
    "updatedAt",
    "firstSeenAt",
    "version",
    "previous",
    "next",
)


class ArticleParams(_Params):
    fields: str | None = Field(
        default=None,
        max_length=1000,
        description="Comma-separated article fields to return (default all): " + ", ".join(ARTICLE_FIELDS) + ".",
    )

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: str | None) -> str | None:
        unknown = [f for f in split_csv(value) if f not in ARTICLE_FIELDS]
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown[:5])}")
        return value

    def field_set(self) -> set[str] | None:
        chosen = split_csv(self.fields)
        return {"id", *chosen} if chosen else None


class RelatedParams(_Params):
    page_size: int = Field(default=5, ge=1, le=20, alias="pageSize")


class TopHeadlinesParams(_Params):
    category: str | None = Field(default=None, description="Category slug: primary or secondary category.")
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    window: Literal["24h", "7d"] = Field(default="24h", description="How far back stories are considered.")
    page_size: int = Field(default=10, ge=1, le=50, alias="pageSize")
    cursor: str | None = Field(
        default=None, max_length=4096, description="`nextCursor` of the previous page (same query)."
    )

    _check_category = field_validator("category")(_known_category)


class ArchivesParams(_Params):
    category: str | None = Field(default=None, description="Category slug: primary or secondary category.")

    _check_category = field_validator("category")(_known_category)


class SourcesParams(_Params):
    category: str | None = Field(default=None, description="Category slug: primary or secondary category.")
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")

    _check_category = field_validator("category")(_known_category)


class ArchiveMonthPath(_Params):
    year: int = Field(ge=1970, le=9999)
    month: int = Field(ge=1, le=12)


class ArticleIdParam(_Params):
    id: str = Field(pattern=r"^[0-9a-f]{32}$", description="The article id (32 hex characters).")


class FeedIdParam(_Params):
    feed_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", alias="feedId")


class FeedActionPath(FeedIdParam):
    action: Literal["enable", "disable", "poll-now", "poll", "reset"] = Field(
        description="poll-now (alias: poll) makes the feed due and queues its fetch at once"
    )


class NoParams(_Params):
    pass


class PageParams(_Params):
    """The home and section pages: the main list is paged with its own `nextCursor`."""

    page_size: int = Field(default=10, ge=1, le=50, alias="pageSize")
    cursor: str | None = Field(
        default=None, max_length=4096, description="`articles.nextCursor` of the previous page (same page)."
    )


class ArticlePageParams(_Params):
    related_size: int = Field(default=3, ge=0, le=10, alias="relatedSize", description="How many related posts.")


class CategorySlugParam(_Params):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="A category slug (see /v1/categories).")

    _check_category = field_validator("slug")(_known_category)
