"""Query-string parameters of each endpoint, validated by pydantic (unknown parameters are errors)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from newsflow.taxonomy import is_known_category

MAX_PAGE_SIZE = 100


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)


def _known_category(value: str | None) -> str | None:
    if value is not None and not is_known_category(value):
        raise ValueError(f"unknown category '{value}' (see /v1/categories)")
    return value


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # a date without zone is read as UTC
    return value


class ArticlesParams(_Params):
    category: str | None = None
    page_size: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE, alias="pageSize")
    cursor: str | None = Field(default=None, max_length=4096)

    _check_category = field_validator("category")(_known_category)


class SearchParams(_Params):
    q: str = Field(default="", max_length=500)
    category: str | None = None
    domains: str | None = Field(default=None, max_length=2000, description="Comma-separated source domains.")
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None
    sort_by: str = Field(default="relevancy", alias="sortBy", pattern=r"^(relevancy|publishedAt)$")
    page_size: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE, alias="pageSize")
    cursor: str | None = Field(default=None, max_length=200)

    _check_category = field_validator("category")(_known_category)
    _check_from = field_validator("from_")(_aware)
    _check_to = field_validator("to")(_aware)

    def domain_list(self) -> list[str]:
        return [d.strip().lower() for d in (self.domains or "").split(",") if d.strip()]


class ArticleIdParam(_Params):
    article_id: str = Field(pattern=r"^[0-9a-f]{32}$")


class NoParams(_Params):
    pass
