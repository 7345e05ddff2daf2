"""The decision rule: evidence from the model, the lexicon and reviewed aliases has to agree.

Everything is added up on one scale, the log-odds that an item belongs to a category:

    z(c) = model(c)                      the text model's calibrated log-odds (a Platt sigmoid of its
                                         margin); without a model a fixed prior, NO_MODEL_PRIOR
         + lexicon(c)                    LEXICON_WEIGHT x log(1 + L(c) / LEXICON_SCALE), at most
                                         LEXICON_CAP, where L(c) are the lexicon points that agree:
                                         - a name that is also a common word ("Apple", "Coke", "3M")
                                           counts only next to another term of the same category;
                                         - a category found through a single distinct term keeps only
                                           SINGLE_TERM_FACTOR of its points ("fish stocks" is not banking,
                                           "border" is not politics); a plural is the same term as its
                                           singular ("airline", "airlines" are one term);
         + aliases(c)                    reviewed feed-tag / URL-section aliases of c, ALIAS_WEIGHT per
                                         unit, at most ALIAS_CAP;

Because the lexicon's part is bounded and compressed, a model that reads the whole text can overrule
it; because the model's part is calibrated on realistic text, it only does so when it is sure. Each
category's score is sigmoid(z(c)). The primary is the best category if its score reaches
MIN_PRIMARY and beats z(general), otherwise GENERAL_CATEGORY (with the best category's score, then
low). z(general) is GENERAL_MODEL_WEIGHT x the model's own "general" class + GENERAL_BIAS (a model
trained for this taxonomy; else a fixed prior) plus GENERAL_WEIGHT per reviewed off-topic section
alias: the general class is damped because "nothing in particular" is what a model says of any long
text with few sector words, and halving it moved long articles out of `general` on the tune half.
A company's news is filed under its sector: when banking-finance is best and the runner-up (not
economy) is within DEFER_GAP and would qualify as a primary itself, the runner-up becomes the
primary (banking-finance usually stays as a secondary), because finance words ("shares", "takeover",
"profit") occur in every sector's company news while the sector's words do not occur in a bank's.
Plurals count as their singular when distinct terms are counted. Secondary categories (an airline's
results: transport and finance) are the others whose score reaches MIN_SECONDARY and whose z is within
SECONDARY_GAP of the best, or that a reviewed alias names and that scores MIN_PRIMARY; at most
MAX_CATEGORIES in all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from newsflow.categorise.scoring import Evidence
from newsflow.models import GENERAL_CATEGORY, Categorisation, CategoryScore

NO_MODEL_PRIOR: Final = -1.5
FINANCE_CATEGORY: Final = "banking-finance"
# Categories finance does not defer to: the economy's news is not a company's (see the docstring).
NOT_DEFERRED_TO: Final = frozenset({"economy"})
NO_GENERAL_PRIOR: Final = -1.0


@dataclass(frozen=True, slots=True)
class Rule:
    lexicon_weight: float = 4.0
    lexicon_scale: float = 6.0
    lexicon_cap: float = 5.0
    single_term_factor: float = 0.3
    alias_weight: float = 5.0
    alias_cap: float = 4.5
    general_weight: float = 3.0
    general_cap: float = 8.0
    general_model_weight: float = 0.5
    general_bias: float = -1.0
    min_primary: float = 0.1
    min_secondary: float = 0.5
    secondary_gap: float = 2.5
    max_categories: int = 3
    defer_gap: float = 2.0


class Scores:
    """Log-odds per category and, when collected, the signed parts that produced them."""

    __slots__ = ("logits", "parts")

    def __init__(self, parts: dict[str, list[tuple[str, float]]] | None = None) -> None:
        self.logits: dict[str, float] = {}
        self.parts = parts

    def add(self, slug: str, value: float, rule: str) -> None:
        self.logits[slug] = self.logits.get(slug, 0.0) + value
        if self.parts is not None and value:
            self.parts.setdefault(slug, []).append((rule, value))


def agreeing_points(terms: Mapping[str, tuple[float, bool]], rule: Rule) -> float:
    """The lexicon points of one category that count (see the module docstring)."""
    plain = [points for points, ambiguous in terms.values() if not ambiguous]
    points = sum(plain)
    if plain:  # ambiguous names count once another term of the category agrees
        points += sum(p for p, ambiguous in terms.values() if ambiguous)
    distinct = len({term_stem(term) for term in terms}) if plain else 0
    return points if distinct >= 2 else points * rule.single_term_factor


@lru_cache(maxsize=8192)
def term_stem(term: str) -> str:
    """A term's singular, crudely: "airlines" and "airline" are one distinct term, not two that agree."""
    term = term.lower()
    return term[:-1] if len(term) > 3 and term.endswith("s") and not term.endswith("ss") else term


def lexicon_logit(points: float, rule: Rule) -> float:
    if points <= 0:
        return 0.0
    return min(rule.lexicon_cap, rule.lexicon_weight * math.log1p(points / rule.lexicon_scale))


def combine(
    evidence: Evidence,
    model_logits: Mapping[str, float] | None,
    slugs: Iterable[str],
    rule: Rule,
    *,
    collect: bool = False,
) -> Scores:
    """z(c) for every category of `slugs`, and z(general) (see the module docstring). With `collect`,
    the signed parts behind each z are kept for `explain`."""
    scores = Scores(parts={} if collect else None)
    logits = scores.logits
    general_prior = model_logits.get(GENERAL_CATEGORY) if model_logits is not None else None
    general = (
        NO_GENERAL_PRIOR if general_prior is None else rule.general_model_weight * general_prior + rule.general_bias
    )
    if collect:
        scores.add(GENERAL_CATEGORY, general, "model" if general_prior is not None else "prior (no model)")
    else:
        logits[GENERAL_CATEGORY] = general
    if evidence.general:
        value = min(rule.general_cap, rule.general_weight * evidence.general)
        if collect:
            scores.add(GENERAL_CATEGORY, value, "off-topic section: " + ", ".join(evidence.general_rules))
        else:
            logits[GENERAL_CATEGORY] += value
    terms_of, aliases = evidence.terms, evidence.aliases
    for slug in slugs:
        z = NO_MODEL_PRIOR if model_logits is None else model_logits.get(slug, NO_MODEL_PRIOR)
        terms = terms_of.get(slug)
        lexicon = lexicon_logit(agreeing_points(terms, rule), rule) if terms else 0.0
        alias = aliases.get(slug)
        from_aliases = min(rule.alias_cap, rule.alias_weight * alias) if alias else 0.0
        if not collect:
            logits[slug] = z + lexicon + from_aliases
            continue
        scores.add(slug, z, "model" if model_logits is not None else "prior (no model)")
        if lexicon and terms:
            top = sorted(terms.items(), key=lambda pair: (-pair[1][0], pair[0]))[:6]
            scores.add(slug, lexicon, "lexicon: " + ", ".join(f"{t!r}{'?' if amb else ''}" for t, (_, amb) in top))
        if from_aliases:
            scores.add(slug, from_aliases, ", ".join(evidence.alias_rules.get(slug, [])))
    return scores


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def ranked(logits: Mapping[str, float]) -> list[tuple[str, float, float]]:
    """(slug, z, score) for every category, best first."""
    order = sorted(logits.items(), key=lambda pair: (-pair[1], pair[0]))
    return [(slug, z, round(sigmoid(z), 4)) for slug, z in order]


def decide(
    logits: Mapping[str, float], tags: list[str], rule: Rule, aliased: frozenset[str] = frozenset()
) -> Categorisation:
    """Primary + secondary categories (or GENERAL_CATEGORY) from the log-odds per category. A category
    the publisher's tags or URL name (`aliased`, through the reviewed mapping) is a secondary whenever
    its score reaches MIN_PRIMARY, however far behind the primary."""
    general = logits.get(GENERAL_CATEGORY)
    order = sorted(((z, slug) for slug, z in logits.items() if slug != GENERAL_CATEGORY), key=_best_first)
    if not order:
        return Categorisation(
            primary=GENERAL_CATEGORY, scores=[CategoryScore(slug=GENERAL_CATEGORY, score=0.0)], tags=tags
        )
    if (
        rule.defer_gap > 0
        and len(order) > 1
        and order[0][1] == FINANCE_CATEGORY
        and order[1][1] not in NOT_DEFERRED_TO
        and order[1][0] >= order[0][0] - rule.defer_gap
        and sigmoid(order[1][0]) >= rule.min_primary
        and (general is None or order[1][0] > general)
    ):
        order[0], order[1] = order[1], order[0]
    best_z, best_slug = order[0]
    best_score = round(sigmoid(best_z), 4)
    if best_score < rule.min_primary or (general is not None and general > best_z):
        return Categorisation(
            primary=GENERAL_CATEGORY, scores=[CategoryScore(slug=GENERAL_CATEGORY, score=best_score)], tags=tags
        )
    chosen = [CategoryScore(slug=best_slug, score=best_score)]
    floor = min(rule.min_secondary, rule.min_primary)
    for z, slug in order[1:]:
        score = round(sigmoid(z), 4)
        if len(chosen) >= rule.max_categories or score < floor:
            break  # sorted: nothing further down scores more
        close = score >= rule.min_secondary and z >= best_z - rule.secondary_gap
        named = slug in aliased and score >= rule.min_primary
        if close or named:
            chosen.append(CategoryScore(slug=slug, score=score))
    return Categorisation(primary=best_slug, scores=chosen, tags=tags)


def _best_first(pair: tuple[float, str]) -> tuple[float, str]:
    return (-pair[0], pair[1])
