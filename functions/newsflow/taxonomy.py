"""The default taxonomy: the 14 sections of the target news site."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel

from newsflow.models import GENERAL_CATEGORY


class Category(BaseModel):
    slug: str
    name: str


DEFAULT_CATEGORIES: Final[tuple[Category, ...]] = tuple(
    Category(slug=slug, name=name)
    for slug, name in (
        ("aerospace-defense", "Aerospace & Defense"),
        ("agriculture", "Agriculture"),
        ("automation-process-control", "Automation & Process Control"),
        ("automotive-transportation", "Automotive & Transportation"),
        ("banking-finance", "Banking & Finance"),
        ("chemicals-materials", "Chemicals & Materials"),
        ("consumer-goods-services", "Consumer Goods & Services"),
        ("economy", "Economy"),
        ("electronics-semiconductor", "Electronics & Semiconductor"),
        ("energy-resources", "Energy & Resources"),
        ("food-beverage", "Food & Beverage"),
        ("hospitality-tourism", "Hospitality & Tourism"),
        ("information-technology", "Information Technology"),
        ("political", "Political"),
    )
)

CATEGORY_SLUGS: Final[frozenset[str]] = frozenset(c.slug for c in DEFAULT_CATEGORIES)
CATEGORY_NAMES: Final[dict[str, str]] = {c.slug: c.name for c in DEFAULT_CATEGORIES} | {GENERAL_CATEGORY: "General"}


def is_known_category(slug: str) -> bool:
    return slug in CATEGORY_SLUGS or slug == GENERAL_CATEGORY
