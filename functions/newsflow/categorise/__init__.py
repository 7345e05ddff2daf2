"""Categorisation: a NormalisedItem -> primary category, secondary categories, scores and tags.

Three signals, added up as points per category (see `scoring.py` for the lexicon rules):
1. the feed's own tags and the URL's sections that are aliases of a category (from the taxonomy file);
2. the curated lexicon: weighted terms in the title, summary and body;
3. the linear text model (`model.py`): TF-IDF words and word pairs, one-vs-rest linear SVM with
   calibrated probabilities; a category the model gives probability p earns MODEL_POINTS x p points
   (nothing below MODEL_MIN_PROBABILITY).
The points become scores in [0, 1] and a verdict in `scoring.decide`; nothing confident -> "general".
`explain` lists, per category, the rules and the terms (lexicon and model) that produced its points.

The taxonomy is the one in use (`newsflow.taxonomy`, replaceable by NEWSFLOW_TAXONOMY_PATH), the model
the packaged one (replaceable by NEWSFLOW_CATEGORY_MODEL_PATH). Import is cheap; the lexicon is
compiled and the model loaded on first use (once per process).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Final

from newsflow.categorise.countries import COUNTRY_SPECS
from newsflow.categorise.entities import find_entities
from newsflow.categorise.lexicon import LEXICON_SPECS
from newsflow.categorise.model import LinearModel, field_features
from newsflow.categorise.scoring import (
    Document,
    Evidence,
    TermIndex,
    Thresholds,
    build_document,
    compile_index,
    decide,
    lexicon_evidence,
    parse_spec,
    ranked_scores,
)
from newsflow.categorise.tags import build_tags
from newsflow.categorise.tokens import key
from newsflow.constants import ENV_CATEGORY_MODEL_PATH
from newsflow.models import Categorisation, NormalisedItem
from newsflow.taxonomy import TAXONOMY, Taxonomy

__all__ = [
    "DEFAULT_MODEL_PATH",
    "Categoriser",
    "CategoryExplanation",
    "Explanation",
    "categorise",
    "default_categoriser",
    "explain",
    "taxonomy_aliases",
    "taxonomy_lexicon",
]

DEFAULT_MODEL_PATH: Final = Path(__file__).resolve().parent.parent / "data" / "category_model.nfm"
MODEL_POINTS: Final = 8.0
MODEL_MIN_PROBABILITY: Final = 0.1
MODEL_TERMS_EXPLAINED: Final = 6


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
    model_probabilities: dict[str, float]

    def format(self, *, top: int = 8) -> str:
        lines = [f"primary: {self.verdict.primary}"]
        lines.append("scores: " + ", ".join(f"{s.slug}={s.score:.3f}" for s in self.verdict.scores))
        for category in self.categories:
            probability = self.model_probabilities.get(category.slug)
            model = f", model p={probability:.2f}" if probability is not None else ""
            lines.append(f"  {category.slug}: {category.points:.1f} points, score {category.score:.3f}{model}")
            lines.extend(f"      {points:6.1f}  {rule}" for rule, points in category.rules[:top])
        lines.append("tags: " + ", ".join(self.verdict.tags))
        return "\n".join(lines)


def taxonomy_lexicon(taxonomy: Taxonomy) -> dict[str, str]:
    """Each category's lexicon: its own from the taxonomy file, else the built-in one of that slug."""
    specs: dict[str, str] = {}
    for category in taxonomy.categories:
        spec = category.lexicon if category.lexicon is not None else LEXICON_SPECS.get(category.slug)
        if spec:
            specs[category.slug] = spec
    return specs


def taxonomy_aliases(taxonomy: Taxonomy) -> dict[str, dict[str, float]]:
    aliases: dict[str, dict[str, float]] = {}
    for category in taxonomy.categories:
        for alias, weight in category.aliases.items():
            aliases.setdefault(key(alias), {})[category.slug] = weight
    return aliases


_COUNTRY_KEYS: Final = frozenset(
    key(name.lstrip("="))
    for canonical, names in parse_spec(COUNTRY_SPECS)
    if canonical != "-"
    for name in [canonical, *names]
)
_COUNTRY_CASED: Final = frozenset(
    name[1:]
    for canonical, names in parse_spec(COUNTRY_SPECS)
    if canonical != "-"
    for name in names
    if name.startswith("=")
)


@lru_cache(maxsize=8192)
def _is_country(name: str) -> bool:
    return name in _COUNTRY_CASED or key(name) in _COUNTRY_KEYS


class Categoriser:
    """Scores an item with aliases, lexicon and model, and turns the points into a verdict."""

    def __init__(
        self,
        index: TermIndex,
        thresholds: Thresholds | None = None,
        model: LinearModel | None = None,
        *,
        model_points: float = MODEL_POINTS,
        slugs: frozenset[str] | None = None,
    ) -> None:
        self.index = index
        self.thresholds = thresholds or Thresholds()
        self.model = model
        self.model_points = model_points
        known = slugs if slugs is not None else frozenset(s for weights in index.aliases.values() for s in weights)
        # Model classes outside the taxonomy (a model trained for another one) are ignored.
        self._model_classes = (
            [(i, slug) for i, slug in enumerate(model.classes) if slug in known] if model is not None else []
        )

    @classmethod
    def from_taxonomy(cls, taxonomy: Taxonomy, model: LinearModel | None = None) -> Categoriser:
        index = compile_index(taxonomy_lexicon(taxonomy), taxonomy_aliases(taxonomy), COUNTRY_SPECS, taxonomy.names)
        return cls(index, model=model, slugs=frozenset(taxonomy.slugs))

    @staticmethod
    def document(item: NormalisedItem) -> Document:
        return build_document(item.title, item.summary, item.body_text, item.feed_tags, item.url)

    def _model_features(self, document: Document) -> Counter[str]:
        assert self.model is not None
        fields = (document.title[1], document.summary[1], document.body[1])
        return field_features(fields, max_body_tokens=self.model.max_body_tokens)

    def _evidence(self, document: Document, *, collect: bool) -> tuple[Evidence, dict[str, float]]:
        evidence = lexicon_evidence(document, self.index, collect=collect)
        probabilities: dict[str, float] = {}
        if self.model is None or not self._model_classes:
            return evidence, probabilities
        counts = self._model_features(document)
        margins = self.model.margins(counts)
        for i, slug in self._model_classes:
            p = self.model.probability(margins[i])
            probabilities[slug] = round(p, 4)
            if p < MODEL_MIN_PROBABILITY:
                continue
            points = self.model_points * p
            if not collect:
                evidence.add(slug, points, None)
                continue
            # The points are shared among the top terms by their part of the margin; the rest is "other".
            terms = self.model.contributions(counts, i, top=MODEL_TERMS_EXPLAINED)
            total = sum(t.value for t in terms)
            share = total / max(margins[i] - self.model.intercepts[i], 1e-9) if terms else 0.0
            explained = points * min(1.0, max(0.0, share))
            for term in terms:
                evidence.add(slug, explained * term.value / total, f"model term {term.term!r}")
            if points - explained > 1e-9:
                evidence.add(slug, points - explained, f"model p={p:.2f} (other terms)")
        return evidence, probabilities

    @staticmethod
    def is_country(name: str) -> bool:
        """Is `name` a country (or a country's alias, "U.S.", "British")? "Bank of England" is not."""
        return _is_country(name)

    def _tags(self, item: NormalisedItem, evidence: Evidence) -> list[str]:
        entities = find_entities(item.title, item.summary, item.body_text, is_country=self.is_country)
        return build_tags(item.feed_tags, evidence.countries, entities)

    def categorise_text(
        self, title: str, summary: str = "", body: str = "", tags: Sequence[str] = (), url: str | None = None
    ) -> Categorisation:
        """The verdict for raw fields (evaluation, the CLI); tags hold feed tags and countries only."""
        evidence, _ = self._evidence(build_document(title, summary, body, tags, url), collect=False)
        return decide(evidence.points, build_tags(tags, evidence.countries), self.thresholds)

    def categorise(self, item: NormalisedItem) -> Categorisation:
        evidence, _ = self._evidence(self.document(item), collect=False)
        return decide(evidence.points, self._tags(item, evidence), self.thresholds)

    def explain(self, item: NormalisedItem) -> Explanation:
        evidence, probabilities = self._evidence(self.document(item), collect=True)
        verdict = decide(evidence.points, self._tags(item, evidence), self.thresholds)
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
        return Explanation(verdict=verdict, categories=categories, model_probabilities=probabilities)


def configured_model_path() -> Path | None:
    """The model named by NEWSFLOW_CATEGORY_MODEL_PATH, else the packaged one (None if absent)."""
    value = os.environ.get(ENV_CATEGORY_MODEL_PATH, "").strip()
    if value:
        return Path(value)  # named explicitly: a missing file is an error, raised at load
    return DEFAULT_MODEL_PATH if DEFAULT_MODEL_PATH.exists() else None


@cache
def default_categoriser() -> Categoriser:
    """The categoriser of the taxonomy and model in use (built once per process)."""
    path = configured_model_path()
    return Categoriser.from_taxonomy(TAXONOMY, LinearModel.load(path) if path else None)


def categorise(item: NormalisedItem) -> Categorisation:
    """Primary category (or "general"), ranked scores in [0, 1] and tags for one item."""
    return default_categoriser().categorise(item)


def explain(item: NormalisedItem) -> Explanation:
    """The verdict with, per category, its points, score and the rules and terms that produced them."""
    return default_categoriser().explain(item)
