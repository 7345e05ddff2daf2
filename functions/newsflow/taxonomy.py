"""The site's taxonomy: its categories, loaded from a TOML file and validated once per process.

The default is the 14 sections of the target news site, shipped as package data
(`newsflow/data/taxonomy.toml`). A deployment replaces it by pointing NEWSFLOW_TAXONOMY_PATH at its own
file (same format; see the comments at the top of the default file). A broken file fails loudly at
load with every problem listed (`TaxonomyError`), never half-way through ingest.

`DEFAULT_CATEGORIES`, `CATEGORY_SLUGS`, `CATEGORY_NAMES` and `is_known_category` describe the taxonomy
in use (the default, or the replacement NEWSFLOW_TAXONOMY_PATH names), read once, on first use.
"""

from __future__ import annotations

import os
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from newsflow.constants import ENV_TAXONOMY_PATH
from newsflow.models import GENERAL_CATEGORY

DEFAULT_TAXONOMY_PATH: Final = Path(__file__).resolve().parent / "data" / "taxonomy.toml"
SLUG_PATTERN: Final = r"^[a-z0-9][a-z0-9-]{0,63}$"
_HAS_WORD = re.compile(r"[^\W_]")
_SPEC_WEIGHT = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*:")


class TaxonomyError(ValueError):
    """The taxonomy file is missing, is not TOML, or does not validate."""


class Category(BaseModel):
    """One section of the site."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    slug: str = Field(pattern=SLUG_PATTERN)
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2_000)
    aliases: dict[str, Annotated[float, Field(gt=0.0, le=1.0)]] = Field(default_factory=dict)
    lexicon: str | None = None

    @field_validator("aliases", mode="before")
    @classmethod
    def _list_means_weight_one(cls, value: object) -> object:
        if isinstance(value, list):
            return dict.fromkeys(value, 1.0)
        return value

    @field_validator("aliases")
    @classmethod
    def _aliases_have_words(cls, value: dict[str, float]) -> dict[str, float]:
        empty = [alias for alias in value if not _HAS_WORD.search(alias)]
        if empty:
            raise ValueError(f"aliases without any letter or digit: {empty}")
        return value

    @field_validator("slug")
    @classmethod
    def _not_general(cls, value: str) -> str:
        if value == GENERAL_CATEGORY:
            raise ValueError(f"{GENERAL_CATEGORY!r} is reserved for items that fit no category")
        return value

    @field_validator("lexicon")
    @classmethod
    def _lexicon_lines(cls, value: str | None) -> str | None:
        if value is None:
            return None
        for line in value.splitlines():
            match = _SPEC_WEIGHT.match(line)
            if match and not 0 < float(match.group(1)) <= 3:
                raise ValueError(f"lexicon weights must be in (0, 3]: {line.strip()!r}")
        return value


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(default=1, ge=1, le=1)
    categories: tuple[Category, ...] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _unique(self) -> Taxonomy:
        for attribute in ("slug", "name"):
            values = [getattr(c, attribute).casefold() for c in self.categories]
            duplicates = sorted({v for v in values if values.count(v) > 1})
            if duplicates:
                raise ValueError(f"duplicate category {attribute}s: {duplicates}")
        return self

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(c.slug for c in self.categories)

    @property
    def names(self) -> dict[str, str]:
        return {c.slug: c.name for c in self.categories}


def parse_taxonomy(text: str, *, source: str = "<taxonomy>") -> Taxonomy:
    """Validate a taxonomy document; raises TaxonomyError naming the source and every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{source}: not valid TOML: {exc}") from exc
    try:
        return Taxonomy.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'taxonomy'}: {e['msg']}" for e in exc.errors())
        raise TaxonomyError(f"{source}: invalid taxonomy: {problems}") from exc


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file (the default one when `path` is None)."""
    file = Path(path) if path else DEFAULT_TAXONOMY_PATH
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxonomyError(f"{file}: cannot read taxonomy file: {exc.strerror or exc}") from exc
    return parse_taxonomy(text, source=str(file))


def configured_taxonomy_path(environ: dict[str, str] | None = None) -> Path | None:
    """The replacement taxonomy named by NEWSFLOW_TAXONOMY_PATH, if any."""
    env = os.environ if environ is None else environ
    value = env.get(ENV_TAXONOMY_PATH, "").strip()
    return Path(value) if value else None


@cache
def active_taxonomy() -> Taxonomy:
    """The taxonomy in use by this process (read once)."""
    return load_taxonomy(configured_taxonomy_path())


@cache
def _category_slugs() -> frozenset[str]:
    return frozenset(active_taxonomy().slugs)


def __getattr__(name: str) -> Any:
    """TAXONOMY, DEFAULT_CATEGORIES, CATEGORY_SLUGS, CATEGORY_NAMES: the taxonomy in use, read on first use (not
    at import: importing a handler reads no file)."""
    if name == "TAXONOMY":
        return active_taxonomy()
    if name == "DEFAULT_CATEGORIES":
        return active_taxonomy().categories
    if name == "CATEGORY_SLUGS":
        return _category_slugs()
    if name == "CATEGORY_NAMES":
        return active_taxonomy().names | {GENERAL_CATEGORY: "General"}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_known_category(slug: str) -> bool:
    return slug == GENERAL_CATEGORY or slug in _category_slugs()
