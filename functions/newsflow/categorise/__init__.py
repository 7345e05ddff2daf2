"""Categorisation: a NormalisedItem -> primary category, secondary categories, scores and tags.

The default categoriser scores the 14 categories of the default taxonomy with a curated lexicon and
aliases (see `lexicon.py` and `scoring.py` for the rules); `explain` tells why. Import is cheap: the
lexicon is compiled on first use (a few milliseconds), not at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from newsflow.categorise.countries import COUNTRY_SPECS
from newsflow.categorise.lexicon import ALIAS_SPECS, LEXICON_SPECS
from newsflow.categorise.scoring import (
    Document,
    TermIndex,
    Thresholds,
    build_document,
    compile_index,
    decide,
    lexicon_evidence,
    ranked_scores,
)
from newsflow.categorise.tags import build_tags
from newsflow.models import Categorisation, NormalisedItem
from newsflow.taxonomy import DEFAULT_CATEGORIES

__all__ = [
    "Categoriser",
    "CategoryExplanation",
    "Explanation",
    "categorise",
    "default_categoriser",
    "explain",
]


@dataclass(frozen=True, slots=True)
class CategoryExplanation:
    slug: str
    points: float
    score: float
    rules: list[tuple[str, float]]  # (rule, points), strongest first


@dataclass(frozen=True, slots=True)
class Explanation:
    verdict: Categorisation
    categories: list[CategoryExplanation]  # every category with points, best first

    def format(self, *, top: int = 8) -> str:
        lines = [f"primary: {self.verdict.primary}"]
        lines.append("scores: " + ", ".join(f"{s.slug}={s.score:.3f}" for s in self.verdict.scores))
        for category in self.categories:
            lines.append(f"  {category.slug}: {category.points:.1f} points, score {category.score:.3f}")
            lines.extend(f"      {points:6.1f}  {rule}" for rule, points in category.rules[:top])
        lines.append("tags: " + ", ".join(self.verdict.tags))
        return "\n".join(lines)


class Categoriser:
    """Scores an item against a compiled term index and turns the points into a verdict."""

    def __init__(self, index: TermIndex, thresholds: Thresholds | None = None) -> None:
        self.index = index
        self.thresholds = thresholds or Thresholds()

    @staticmethod
    def document(item: NormalisedItem) -> Document:
        return build_document(item.title, item.summary, item.body_text, item.feed_tags, item.url)

    def categorise(self, item: NormalisedItem) -> Categorisation:
        evidence = lexicon_evidence(self.document(item), self.index)
        return decide(evidence.points, build_tags(item.feed_tags, evidence.countries), self.thresholds)

    def explain(self, item: NormalisedItem) -> Explanation:
        evidence = lexicon_evidence(self.document(item), self.index, collect=True)
        verdict = decide(evidence.points, build_tags(item.feed_tags, evidence.countries), self.thresholds)
        rules = evidence.rules or {}
        categories = [
            CategoryExplanation(
                slug=slug,
                points=round(points, 3),
                score=score,
                rules=sorted(rules.get(slug, {}).items(), key=lambda pair: (-pair[1], pair[0])),
            )
            for slug, points, score in ranked_scores(evidence.points, self.thresholds)
        ]
        return Explanation(verdict=verdict, categories=categories)


@cache
def default_categoriser() -> Categoriser:
    """The categoriser of the default taxonomy (compiled once per process)."""
    names = {category.slug: category.name for category in DEFAULT_CATEGORIES}
    return Categoriser(compile_index(LEXICON_SPECS, ALIAS_SPECS, COUNTRY_SPECS, names))


def categorise(item: NormalisedItem) -> Categorisation:
    """Primary category (or "general"), ranked scores in [0, 1] and tags for one item."""
    return default_categoriser().categorise(item)


def explain(item: NormalisedItem) -> Explanation:
    """The verdict with, per category, its points, score and the rules and terms that produced them."""
    return default_categoriser().explain(item)
