"""Per-feed settings an operator sets (user agent, headers, timeout, filter rules, hints, full text).

Kept apart from the polling state so that other stages (the full-text stage reads `full_text`) import
only this. Secret header values are never stored: a header names an SSM SecureString parameter, and the
fetch worker reads it at fetch time.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

if TYPE_CHECKING:
    from newsflow.models import FeedItem

# Secret references must live under this prefix (the fetch worker's IAM grant is scoped to it).
PARAMETER_PREFIX = "/newsflow/feeds/"
RuleField = Literal["title", "url", "author", "tags"]
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
_FORBIDDEN_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "if-none-match",
                      "if-modified-since", "accept-encoding"}  # fmt: skip


class FilterRule(BaseModel):
    """A regular expression (Python syntax, case-insensitive) matched against one field of an item."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)

    field: RuleField
    pattern: str = Field(min_length=1, max_length=500)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        return value

    def matches(self, item: FeedItem) -> bool:
        regex = re.compile(self.pattern, re.IGNORECASE)
        if self.field == "title":
            values = [item.title]
        elif self.field == "url":
            values = [item.url or ""]
        elif self.field == "author":
            values = list(item.authors)
        else:
            values = list(item.tags)
        return any(regex.search(value) for value in values if value)


class SecretHeader(BaseModel):
    """A request header whose value is read from an SSM SecureString parameter at fetch time."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)

    name: str
    parameter: str = Field(
        max_length=1011, description=f"SSM parameter name, under {PARAMETER_PREFIX} (e.g. {PARAMETER_PREFIX}ft-token)."
    )

    @field_validator("name")
    @classmethod
    def _header_name(cls, value: str) -> str:
        return _check_header_name(value)

    @field_validator("parameter")
    @classmethod
    def _under_prefix(cls, value: str) -> str:
        if not value.startswith(PARAMETER_PREFIX) or ".." in value or not re.fullmatch(r"[A-Za-z0-9_.\-/]+", value):
            raise ValueError(f"secret parameters must be SSM names under {PARAMETER_PREFIX}")
        return value


class FeedSettings(BaseModel):
    """What an operator may set per feed. Every field has a default: an empty object is valid."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)

    user_agent: str | None = Field(default=None, max_length=300)
    headers: dict[str, str] = Field(default_factory=dict, description="Extra request headers (not secret).")
    secret_headers: list[SecretHeader] = Field(default_factory=list, max_length=10)
    timeout_seconds: float | None = Field(default=None, gt=0, le=60)
    keep: list[FilterRule] = Field(default_factory=list, max_length=50, description="If any, only matches are sent.")
    block: list[FilterRule] = Field(default_factory=list, max_length=50, description="Matches are never sent.")
    category_hint: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=35)
    full_text: Literal["auto", "always", "never"] = "auto"

    @field_validator("headers")
    @classmethod
    def _plain_headers(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 20:
            raise ValueError("at most 20 headers")
        for name, header_value in value.items():
            _check_header_name(name)
            if len(header_value) > 2000 or any(ch in header_value for ch in "\r\n\0"):
                raise ValueError(f"header {name}: invalid value")
            if name.lower() in {"authorization", "cookie", "proxy-authorization"} or "token" in name.lower():
                raise ValueError(f"header {name} looks secret: give it as a secret header (an SSM parameter)")
        return value

    @model_validator(mode="after")
    def _no_duplicate_headers(self) -> FeedSettings:
        names = [n.lower() for n in self.headers] + [s.name.lower() for s in self.secret_headers]
        if len(names) != len(set(names)):
            raise ValueError("a header is given twice")
        return self

    def allows(self, item: FeedItem) -> str | None:
        """None when the item may be sent, else why not ("blocked" or "not-kept")."""
        if any(rule.matches(item) for rule in self.block):
            return "blocked"
        if self.keep and not any(rule.matches(item) for rule in self.keep):
            return "not-kept"
        return None


def _check_header_name(name: str) -> str:
    if not _HEADER_NAME.match(name):
        raise ValueError(f"invalid header name {name!r}")
    if name.lower() in _FORBIDDEN_HEADERS:
        raise ValueError(f"header {name} is set by the fetcher")
    return name
