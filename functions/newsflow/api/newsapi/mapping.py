"""Settings of the NewsAPI-compatible routes, and the documented, configurable mappings of NewsAPI's
vocabulary onto a newsflow deployment.

Environment (all optional):
- NEWSFLOW_NEWSAPI_MAPPING_PATH: a JSON file `{"categories": {...}, "countries": {...}}` that replaces the
  default mappings below (each key it gives replaces that whole mapping);
- NEWSFLOW_NEWSAPI_CONTENT: `truncated` (default: NewsAPI's 200 characters + "… [+N chars]") or `full`;
- NEWSFLOW_NEWSAPI_MAX_DEPTH: how deep `page` may go, as page x pageSize (default 1000, at most 10000:
  OpenSearch's result window is 11000); deeper results are read with /v1/search's cursor;
- NEWSFLOW_NEWSAPI_HEADLINES_WINDOW: `24h` (default) or `7d`, the window of /v2/top-headlines.

Categories: NewsAPI has seven names; each maps to one category slug of the taxonomy, to `*` (every
category: no filter), or to null (refused with a 400 that says the deployment has no such section).
A taxonomy slug is accepted as it is, too.

Countries: newsflow does not know where a publisher is. `country` maps to filters the index has: a
`language` (the country's main language), and/or `sources` or `domains` lists that a deployment sets.
A country missing from the mapping is refused with a 400.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from newsflow.constants import (
    ENV_NEWSAPI_CONTENT,
    ENV_NEWSAPI_HEADLINES_WINDOW,
    ENV_NEWSAPI_MAPPING_PATH,
    ENV_NEWSAPI_MAX_DEPTH,
)

ALL_CATEGORIES: Final = "*"
NEWSAPI_CATEGORIES: Final = ("business", "entertainment", "general", "health", "science", "sports", "technology")

# The default taxonomy is a business-news site's 14 sections: "business" is its economy section (use "*" for
# every section), "technology" its IT section; it has no entertainment, health, science or sports section.
DEFAULT_CATEGORIES: Final[dict[str, str | None]] = {
    "business": "economy",
    "entertainment": None,
    "general": ALL_CATEGORIES,
    "health": None,
    "science": None,
    "sports": None,
    "technology": "information-technology",
}

# NewsAPI's 54 countries -> the main language of their press (ISO 639-1). Countries that share a language
# (us, gb, au, ca, ie, in, nz, ...) cannot be told apart this way: a deployment that can, maps them to
# `sources` or `domains` instead.
_COUNTRY_LANGUAGES: Final = {
    "ae": "ar", "ar": "es", "at": "de", "au": "en", "be": "nl", "bg": "bg", "br": "pt", "ca": "en", "ch": "de",
    "cn": "zh", "co": "es", "cu": "es", "cz": "cs", "de": "de", "eg": "ar", "fr": "fr", "gb": "en", "gr": "el",
    "hk": "zh", "hu": "hu", "id": "id", "ie": "en", "il": "he", "in": "en", "it": "it", "jp": "ja", "kr": "ko",
    "lt": "lt", "lv": "lv", "ma": "ar", "mx": "es", "my": "ms", "ng": "en", "nl": "nl", "no": "no", "nz": "en",
    "ph": "en", "pl": "pl", "pt": "pt", "ro": "ro", "rs": "sr", "ru": "ru", "sa": "ar", "se": "sv", "sg": "en",
    "si": "sl", "sk": "sk", "th": "th", "tr": "tr", "tw": "zh", "ua": "uk", "us": "en", "ve": "es", "za": "en",
}  # fmt: skip

# NewsAPI's own language codes that are not ISO 639-1 (its clients send them): se = Swedish, ud = Urdu,
# cn = Chinese; `en-US` is in newsapi-python's list.
LANGUAGE_ALIASES: Final = {"se": "sv", "ud": "ur", "cn": "zh", "en-us": "en"}


class CountryFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    sources: list[str] = Field(default_factory=list, max_length=50)
    domains: list[str] = Field(default_factory=list, max_length=50)


DEFAULT_COUNTRIES: Final = {code: CountryFilter(language=lang) for code, lang in _COUNTRY_LANGUAGES.items()}


class NewsApiConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    categories: dict[str, str | None] = Field(default_factory=lambda: dict(DEFAULT_CATEGORIES))
    countries: dict[str, CountryFilter] = Field(default_factory=lambda: dict(DEFAULT_COUNTRIES))
    content: Literal["truncated", "full"] = "truncated"
    max_depth: int = Field(default=1000, ge=1, le=10_000)
    headlines_window: Literal["24h", "7d"] = "24h"

    @field_validator("categories")
    @classmethod
    def _slugs_exist(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        from newsflow.taxonomy import is_known_category

        unknown = sorted(v for v in value.values() if v not in (None, ALL_CATEGORIES) and not is_known_category(v))
        if unknown:
            raise ValueError(f"categories map onto unknown taxonomy slugs: {', '.join(unknown)}")
        return {k.lower(): v for k, v in value.items()}

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> NewsApiConfig:
        env = os.environ if environ is None else environ
        raw: dict[str, object] = {}
        path = env.get(ENV_NEWSAPI_MAPPING_PATH)
        if path:
            try:
                loaded = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ValueError(f"{ENV_NEWSAPI_MAPPING_PATH}={path}: {exc}") from exc
            if not isinstance(loaded, dict) or set(loaded) - {"categories", "countries"}:
                raise ValueError(f"{path}: expected an object with 'categories' and/or 'countries'")
            raw.update(loaded)
        for key, name in (
            ("content", ENV_NEWSAPI_CONTENT),
            ("max_depth", ENV_NEWSAPI_MAX_DEPTH),
            ("headlines_window", ENV_NEWSAPI_HEADLINES_WINDOW),
        ):
            if env.get(name):
                raw[key] = env[name]
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ValueError(f"invalid NewsAPI compatibility settings: {problems}") from exc


@lru_cache(maxsize=1)
def get_config() -> NewsApiConfig:
    return NewsApiConfig.from_env()


def language_of(code: str | None) -> str | None:
    """NewsAPI's language code (its clients' spellings too) as the ISO 639-1 code the index holds."""
    if code is None:
        return None
    lowered = code.strip().lower()
    lowered = LANGUAGE_ALIASES.get(lowered, lowered).split("-", 1)[0]  # a region tag (en-GB) is dropped
    return LANGUAGE_ALIASES.get(lowered, lowered)
