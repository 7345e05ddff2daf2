"""Query parameters of the NewsAPI-compatible routes, as NewsAPI documents them and its clients send them.

Unknown parameters are refused (400 `parameterInvalid`). `apiKey` is accepted and never used here: the key
is checked before the request reaches the function (API Gateway in AWS, the HTTP front locally).
Lists may have spaces after commas (`bbc.co.uk, techcrunch.com`), as NewsAPI's examples write them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from newsflow.api.newsapi.mapping import language_of

MAX_SOURCES: Final = 20  # NewsAPI's limit; more is `sourcesTooMany`
MAX_DOMAINS: Final = 50
_ITEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANGUAGE = r"^[A-Za-z]{2}(-[A-Za-z]{2})?$"
SEARCH_IN = ("title", "description", "content")


def _csv(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    items = [part.strip() for part in value.split(",") if part.strip()]
    if not items:
        return None
    bad = [item for item in items if not _ITEM.match(item)]
    if bad:
        raise ValueError(f"'{bad[0][:80]}' is not a valid identifier or domain")
    if len(items) > limit:
        raise ValueError(f"at most {limit} values")
    return ",".join(dict.fromkeys(item.lower() for item in items))


def parse_bound(value: str | None, *, upper: bool) -> datetime | None:
    """NewsAPI's `from`/`to`: ISO 8601 date or date-time, UTC when no zone is given; both bounds inclusive.

    Returned as newsflow's half-open range: `from` as it is, `to` as the first instant after it (a date-only
    `to` is the whole day: the next midnight; a date-time `to` includes that second's articles).
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "+") if "T" in text else text)
    except ValueError as exc:
        raise ValueError("must be ISO 8601, e.g. 2026-11-20 or 2026-11-20T14:30:00") from exc
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if not 1970 <= parsed.year <= 9998:
        raise ValueError("must be between 1970 and 9998")
    if upper:
        if _DATE_ONLY.match(text):
            return parsed + timedelta(days=1)
        return parsed + (timedelta(microseconds=1) if parsed.microsecond else timedelta(seconds=1))
    return parsed


class _NewsApiParams(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True, defer_build=True)

    api_key: str | None = Field(
        default=None,
        alias="apiKey",
        max_length=512,
        description="Your API key; or the X-Api-Key header, or `Authorization: Bearer KEY`.",
    )


class _Articles(_NewsApiParams):
    q: str | None = Field(default=None, max_length=500, description='Words, "phrases", +must, -exclude, AND/OR/NOT.')
    q_in_title: str | None = Field(
        default=None,
        validation_alias=AliasChoices("qInTitle", "qintitle"),
        serialization_alias="qInTitle",
        max_length=500,
        description="Words to find in the title only (newsapi-python sends it as `qintitle`).",
    )
    sources: str | None = Field(
        default=None, max_length=2000, description=f"Comma-separated source ids (at most {MAX_SOURCES})."
    )
    language: str | None = Field(
        default=None, pattern=_LANGUAGE, description="ISO 639-1 code; NewsAPI's se, ud and cn are read as sv, ur, zh."
    )
    page_size: int = Field(default=20, ge=0, le=100, alias="pageSize")
    page: int = Field(default=1, ge=1, le=10_000, description="1-based; page x pageSize is limited (README).")

    @field_validator("sources")
    @classmethod
    def _sources(cls, value: str | None) -> str | None:
        return _csv(value, 1000)  # the NewsAPI limit is a `sourcesTooMany` error, checked by the service

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return language_of(value)

    def source_list(self) -> list[str]:
        return self.sources.split(",") if self.sources else []


class EverythingParams(_Articles):
    search_in: str | None = Field(
        default=None,
        alias="searchIn",
        pattern=r"^(title|description|content)(, ?(title|description|content)){0,2}$",
        description="Comma-separated fields `q` must match in: title, description, content (default all).",
    )
    domains: str | None = Field(default=None, max_length=5000, description="Comma-separated domains to search.")
    exclude_domains: str | None = Field(
        default=None, alias="excludeDomains", max_length=5000, description="Comma-separated domains to leave out."
    )
    from_: str | None = Field(default=None, alias="from", max_length=40, description="ISO 8601; inclusive (UTC).")
    to: str | None = Field(default=None, max_length=40, description="ISO 8601; inclusive (a date: that whole day).")
    sort_by: Literal["relevancy", "popularity", "publishedAt"] = Field(default="publishedAt", alias="sortBy")
    page_size: int = Field(default=100, ge=0, le=100, alias="pageSize")

    @field_validator("domains", "exclude_domains")
    @classmethod
    def _domains(cls, value: str | None) -> str | None:
        return _csv(value, MAX_DOMAINS)

    @field_validator("from_")
    @classmethod
    def _from(cls, value: str | None) -> str | None:
        parse_bound(value, upper=False)
        return value

    @field_validator("to")
    @classmethod
    def _to(cls, value: str | None) -> str | None:
        parse_bound(value, upper=True)
        return value

    def search_fields(self) -> list[str]:
        return [part.strip() for part in (self.search_in or "").split(",") if part.strip()]

    def domain_list(self) -> list[str]:
        return self.domains.split(",") if self.domains else []

    def excluded_domain_list(self) -> list[str]:
        return self.exclude_domains.split(",") if self.exclude_domains else []


class TopHeadlinesParams(_Articles):
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 (README).")
    category: str | None = Field(
        default=None,
        max_length=64,
        description="business, entertainment, general, health, science, sports, "
        "technology (mapped onto the taxonomy, README), or a taxonomy slug.",
    )


class SourcesParams(_NewsApiParams):
    category: str | None = Field(default=None, max_length=64, description="As in /v2/top-headlines.")
    language: str | None = Field(default=None, pattern=_LANGUAGE)
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return language_of(value)
