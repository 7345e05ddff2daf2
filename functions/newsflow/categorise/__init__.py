"""Categorisation: a NormalisedItem -> primary category, secondary categories, scores and tags.

Three signals, combined on one log-odds scale by `combine.py` (the rule and its reasons are there):
1. the linear text model (`model.py`), trained on realistic news text written for it
   (newsflow/data/training), read over title, summary and the start of the body;
2. the curated lexicon: weighted terms in the title, summary and body, counted only where terms agree
   (one generic word decides nothing; an ambiguous company name needs a second term);
3. reviewed aliases: feed tags and URL sections that the taxonomy file names for a category, and the
   off-topic sections of `sections.py` (sport, culture, ...), which count against every category.
Source names, bylines and wire furniture are removed first (`sources.py`): they are not evidence.
`explain` lists, per category, the signed parts (model, lexicon terms, aliases) behind its score.

The taxonomy is the one in use (`newsflow.taxonomy`, replaceable by NEWSFLOW_TAXONOMY_PATH), the model
the packaged one (replaceable by NEWSFLOW_CATEGORY_MODEL_PATH). Import is cheap; the lexicon index is
read (the packaged taxonomy's, `index_cache.py`) or compiled, and the model loaded, on first use (once per
process).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Final

from newsflow.categorise.combine import Rule, combine, decide, ranked, sigmoid
from newsflow.categorise.countries import COUNTRY_SPECS
from newsflow.categorise.entities import find_entities
from newsflow.categorise.index_cache import cached_index, inputs_digest
from newsflow.categorise.lexicon import LEXICON_SPECS
from newsflow.categorise.model import LinearModel, field_features
from newsflow.categorise.scoring import (
    BODY_CHARS,
    Document,
    Evidence,
    TermIndex,
    build_document,
    compile_index,
    lexicon_evidence,
    parse_spec,
)
from newsflow.categorise.sections import GENERAL_ALIASES
from newsflow.categorise.sources import strip_sources
from newsflow.categorise.tags import build_tags
from newsflow.categorise.tokens import key
from newsflow.constants import ENV_CATEGORY_MODEL_PATH
from newsflow.models import GENERAL_CATEGORY, Categorisation, NormalisedItem
from newsflow.taxonomy import Taxonomy, active_taxonomy

__all__ = [
    "DEFAULT_MODEL_PATH",
    "Categoriser",
    "CategoryExplanation",
    "Explanation",
    "categorise",
    "default_categoriser",
    "explain",
    "taxonomy_aliases",
    "taxonomy_index",
    "taxonomy_lexicon",
]

DEFAULT_MODEL_PATH: Final = Path(__file__).resolve().parent.parent / "data" / "category_model.nfm"
MODEL_TERMS_EXPLAINED: Final = 6
SHORT_TEXT_TOKENS: Final = 12


@dataclass(frozen=True, slots=True)
class CategoryExplanation:
    slug: str
    logit: float  # the log-odds z (see combine.py)
    score: float  # sigmoid(z)
    rules: list[tuple[str, float]]  # (rule, signed log-odds), largest first


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
            lines.append(f"  {category.slug}: z {category.logit:+.2f}, score {category.score:.3f}{model}")
            lines.extend(f"      {value:+6.2f}  {rule}" for rule, value in category.rules[:top])
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


def taxonomy_index(taxonomy: Taxonomy, *, cached: bool = True) -> TermIndex:
    """The compiled lexicon index of a taxonomy: the packaged one (index_cache.py) when it was built from
    the same inputs, else compiled here."""
    lexicon, aliases = taxonomy_lexicon(taxonomy), taxonomy_aliases(taxonomy)
    index = cached_index(inputs_digest(lexicon, aliases, COUNTRY_SPECS, taxonomy.names)) if cached else None
    if index is None:
        index = compile_index(lexicon, aliases, COUNTRY_SPECS, taxonomy.names)
    return index


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
    """Scores an item with model, lexicon and reviewed aliases, and turns them into a verdict."""

    def __init__(
        self,
        index: TermIndex,
        rule: Rule | None = None,
        model: LinearModel | None = None,
        *,
        slugs: frozenset[str] | None = None,
        general_aliases: frozenset[str] = GENERAL_ALIASES,
    ) -> None:
        self.index = index
        self.rule = rule or Rule()
        self.model = model
        self.general_aliases = general_aliases
        known = slugs if slugs is not None else frozenset(s for weights in index.aliases.values() for s in weights)
        self.slugs = tuple(sorted(known))
        # Model classes outside the taxonomy (a model trained for another one) are ignored, and so is its
        # "general" class unless the model knows every category (else it would claim the unknown ones).
        general = model is not None and known <= set(model.classes)
        self._model_classes = (
            [
                (i, slug)
                for i, slug in enumerate(model.classes)
                if slug in known or (general and slug == GENERAL_CATEGORY)
            ]
            if model is not None
            else []
        )

    @classmethod
    def from_taxonomy(
        cls, taxonomy: Taxonomy, model: LinearModel | None = None, rule: Rule | None = None
    ) -> Categoriser:
        return cls(taxonomy_index(taxonomy), rule, model=model, slugs=frozenset(taxonomy.slugs))

    @staticmethod
    def document(item: NormalisedItem) -> Document:
        return build_text_document(item.title, item.summary, item.body_text, item.feed_tags, item.url)

    def _model_logits(self, document: Document) -> tuple[dict[str, float] | None, Counter[str] | None]:
        if self.model is None or not self._model_classes:
            return None, None
        fields = (document.title[1], document.summary[1], document.body[1])
        counts = field_features(fields, max_body_tokens=self.model.max_body_tokens)
        margins = self.model.margins(counts)
        a, b = self.model.calibration
        # A few words are little evidence: the model's log-odds move from its prior (the margin of an empty
        # text) towards what it read in proportion to the text's length, up to SHORT_TEXT_TOKENS words.
        words = len(document.title[1]) + len(document.summary[1]) + len(document.body[1])
        strength = min(1.0, words / SHORT_TEXT_TOKENS)
        intercepts = self.model.intercepts
        return {
            slug: a * (intercepts[i] + strength * (margins[i] - intercepts[i])) + b for i, slug in self._model_classes
        }, counts

    def _scores(self, document: Document, *, collect: bool) -> tuple[dict[str, float], Evidence, Any]:
        evidence = lexicon_evidence(document, self.index, self.general_aliases)
        logits, counts = self._model_logits(document)
        scores = combine(evidence, logits, self.slugs, self.rule, collect=collect)
        return scores.logits, evidence, (scores, logits, counts)

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
        logits, evidence, _ = self._scores(build_text_document(title, summary, body, tags, url), collect=False)
        return decide(logits, build_tags(tags, evidence.countries), self.rule, frozenset(evidence.aliases))

    def categorise(self, item: NormalisedItem) -> Categorisation:
        logits, evidence, _ = self._scores(self.document(item), collect=False)
        return decide(logits, self._tags(item, evidence), self.rule, frozenset(evidence.aliases))

    def explain(self, item: NormalisedItem) -> Explanation:
        logits, evidence, (scores, model_logits, counts) = self._scores(self.document(item), collect=True)
        verdict = decide(logits, self._tags(item, evidence), self.rule, frozenset(evidence.aliases))
        parts = scores.parts or {}
        probabilities: dict[str, float] = {}
        if model_logits is not None and self.model is not None and counts is not None:
            classes = dict((slug, i) for i, slug in self._model_classes)
            for slug, z in model_logits.items():
                probabilities[slug] = round(sigmoid(z), 4)
                terms = self.model.contributions(counts, classes[slug], top=MODEL_TERMS_EXPLAINED)
                if terms:
                    named = ", ".join(repr(t.term) for t in terms)
                    parts[slug] = [(f"model ({named})" if r == "model" else r, v) for r, v in parts.get(slug, [])]
        categories = [
            CategoryExplanation(
                slug=slug,
                logit=round(z, 3),
                score=score,
                rules=sorted(parts.get(slug, []), key=lambda pair: (-abs(pair[1]), pair[0])),
            )
            for slug, z, score in ranked(logits)
        ]
        return Explanation(verdict=verdict, categories=categories, model_probabilities=probabilities)


def build_text_document(title: str, summary: str, body: str, tags: Sequence[str], url: str | None) -> Document:
    """The scored document of raw fields, source names and bylines removed (sources.py)."""
    return build_document(strip_sources(title), strip_sources(summary), strip_sources(body[:BODY_CHARS]), tags, url)


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
    return Categoriser.from_taxonomy(active_taxonomy(), LinearModel.load(path) if path else None)


def categorise(item: NormalisedItem) -> Categorisation:
    """Primary category (or "general"), ranked scores in [0, 1] and tags for one item."""
    return default_categoriser().categorise(item)


def explain(item: NormalisedItem) -> Explanation:
    """The verdict with, per category, its points, score and the rules and terms that produced them."""
    return default_categoriser().explain(item)
