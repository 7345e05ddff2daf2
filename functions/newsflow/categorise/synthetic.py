"""The default model's training set: synthetic headlines and ledes, generated from the lexicon.

No public labelled news set may be shipped (their licences are research-only), so the default model is
trained on text generated here, deterministically (fixed seed), from
- each category's description in the taxonomy file (a few copies),
- PER_CATEGORY headline + lede pairs per category, written by filling hand-written templates with that
  category's lexicon terms (weight >= 1, sampled by weight; a term shared by several categories goes
  to the one that weights it most) and neutral business filler shared by every category,
- GENERAL_ITEMS off-topic items (sport, weather, celebrities, crime, lifestyle) labelled "general",
  which teach the model what belongs to no section.
So the model learns the lexicon's vocabulary with TF-IDF weighting and word pairs; it is not a model
of real news text, and its real-world accuracy is measured on hand-written held-out items instead.
`newsflow categories build-default` regenerates the file and retrains the shipped model.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from newsflow.categorise.lexicon import LEXICON_SPECS
from newsflow.categorise.scoring import parse_spec
from newsflow.categorise.training import LabelledItem
from newsflow.models import GENERAL_CATEGORY
from newsflow.taxonomy import Taxonomy

SEED = 20261129
PER_CATEGORY = 300
GENERAL_ITEMS = 600
DESCRIPTION_COPIES = 3

_HEADLINES = [
    "{T1} {moves} as {t2} {pressure}",
    "{Company} {bets} on {t1} amid {t2} {pressure}",
    "{T1}: what {t2} means for {audience}",
    "{Country} {plans} new rules on {t1}",
    "{T1} {moves} {pct} in {period}, {t2} {moves2}",
    "Why {t1} is the next big thing for {t2}",
    "{Company} to invest {money} in {t1}",
    "{T1} and {t2} top the agenda at {event}",
    "Analysts see {t1} {pressure} easing by {year}",
    "{Company} {wins} {money} {t1} deal",
    "{T1} {pressure} hits {t2} in {country}",
    "Inside the race for {t1}",
    "{Country}'s {t1} sector braces for {t2} shake-up",
    "{T1} makers warn on {t2}",
]
_LEDES = [
    "{T1} {moves} {pct} {period} as {t2} and {t3} {moves2}, {source} said.",
    "{Company} said on {day} it would {expand} its {t1} business, citing {t2} and {t3}.",
    "The {t1} market is expected to grow {pct} a year through {year}, driven by {t2}, according to {source}.",
    "Executives at {event} said {t2} remained the main concern for {t1}, while {t3} {moves2}.",
    "Officials in {country} are reviewing {t1} after {t2} {moves2} {period}.",
    "{T2} {moves} {pct} in {period}, the latest sign that {t1} is under {pressure}.",
    "A report by {source} found that {t1}, {t2} and {t3} account for most of the change.",
    "{Company} shares {moves2} after it reported higher {t1} and flagged {t2}.",
]
_GENERAL_HEADLINES = [
    "{Team} beat {team} {score} in {sport} thriller",
    "{Celebrity} {celebrates} {life} in {city}",
    "Weather: {weather} expected across {region} this {weekday}",
    "{Sport} star {celebrity} ruled out with {injury}",
    "Police appeal after {crime} in {city}",
    "How to {hobby} this {season}",
    "Review: {show} returns for a {ordinal} season",
    "{Team} sack manager after {sport} defeat",
    "Ten tips for a better {life}",
    "Local {club} celebrates {ordinal} anniversary",
]
_GENERAL_LEDES = [
    "{Celebrity} scored twice as {team} won the {sport} match in front of a sell-out crowd.",
    "Forecasters said {weather} would reach {region} by {weekday}, with temperatures near normal.",
    "The {ordinal} season of {show} drew mixed reviews from critics and fans on social media.",
    "Members of the {club} meet every {weekday} to {hobby} and share tips with newcomers.",
    "Police said the {crime} happened late on {weekday} and asked witnesses to come forward.",
    "{Celebrity} spoke about {life} and family in an interview ahead of the premiere.",
]
_FILL: dict[str, list[str]] = {
    "moves": ["rises", "falls", "jumps", "slips", "surges", "slumps", "climbs", "stalls", "rebounds"],
    "moves2": ["rose", "fell", "held steady", "weakened", "improved", "slowed", "picked up"],
    "pressure": ["pressure", "concerns", "demand grows", "costs climb", "uncertainty", "shortage", "boom"],
    "bets": ["bets", "doubles down", "pins hopes", "focuses"],
    "plans": ["plans", "weighs", "unveils", "proposes"],
    "wins": ["wins", "signs", "secures", "lands"],
    "expand": ["expand", "restructure", "review", "sell", "grow", "split off"],
    "audience": ["investors", "customers", "companies", "workers", "households", "suppliers"],
    "period": ["the first quarter", "the second quarter", "October", "the past year", "March", "a week"],
    "pct": ["2%", "3.5%", "7%", "12%", "0.4%", "20%", "a fifth", "a third"],
    "money": ["$2 billion", "$450 million", "€1.2 billion", "£300 million", "$80 million"],
    "year": ["2027", "2028", "2030", "the end of the decade", "next year"],
    "event": ["an industry conference", "the annual summit", "a trade fair", "an investor day"],
    "source": ["analysts", "a consultancy", "the company", "an industry group", "researchers", "officials"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "company": ["the company", "the group", "a rival", "its largest competitor", "the firm", "a startup"],
    "country": ["the U.S.", "China", "Germany", "India", "Brazil", "Japan", "Britain", "France", "Canada"],
    # Off-topic filler for "general" items.
    "team": ["United", "City", "Rovers", "the Lions", "the Eagles", "Athletic", "the Rangers"],
    "sport": ["football", "rugby", "cricket", "tennis", "basketball", "baseball", "hockey"],
    "score": ["2-1", "3-0", "1-1", "4-2", "24-17", "98-91"],
    "celebrity": ["the singer", "the actor", "the striker", "the pop star", "the comedian", "the goalkeeper"],
    "celebrates": ["opens up about", "celebrates", "reflects on", "shares"],
    "life": ["her wedding", "his birthday", "family life", "a new album", "fitness routine", "a night out"],
    "city": ["Leeds", "Austin", "Melbourne", "Glasgow", "Denver", "Bristol", "Lyon"],
    "weather": ["heavy rain", "snow showers", "a heatwave", "strong winds", "thunderstorms", "fog"],
    "region": ["the north", "the south coast", "the Midwest", "the islands", "the valleys"],
    "weekday": ["weekend", "Monday", "Friday", "evening", "morning"],
    "injury": ["a hamstring injury", "a knee problem", "a broken wrist", "concussion"],
    "crime": ["a burglary", "a stabbing", "a car theft", "a break-in", "an assault"],
    "hobby": ["knit", "garden", "bake bread", "run further", "paint", "sleep better", "declutter"],
    "season": ["spring", "summer", "autumn", "winter", "holiday season"],
    "show": ["the drama", "the sitcom", "the reality show", "the detective series", "the talent contest"],
    "ordinal": ["second", "third", "fifth", "tenth", "25th"],
    "club": ["book club", "choir", "knitting circle", "running club", "chess club", "allotment society"],
}


def category_terms(specs: Mapping[str, str]) -> dict[str, list[tuple[str, float]]]:
    """(term, weight) per category: terms of weight >= 1, each in the category that weights it most."""
    best: dict[str, tuple[str, float]] = {}
    for slug, spec in specs.items():
        for weight_text, terms in parse_spec(spec):
            weight = float(weight_text)
            for term in terms:
                surface = term.lstrip("=")
                if weight >= 1 and (surface not in best or best[surface][1] < weight):
                    best[surface] = (slug, weight)
    out: dict[str, list[tuple[str, float]]] = {slug: [] for slug in specs}
    for surface, (slug, weight) in sorted(best.items()):
        out[slug].append((surface, weight))
    return out


def _fill(template: str, rng: random.Random, terms: list[tuple[str, float]] | None) -> str:
    values: dict[str, str] = {}
    if terms:
        population = [t for t, _ in terms]
        weights = [w * w for _, w in terms]
        picked = rng.choices(population, weights=weights, k=3)
        for i, term in enumerate(picked, start=1):
            values[f"t{i}"] = term
            values[f"T{i}"] = term[:1].upper() + term[1:]
    for name, options in _FILL.items():
        choice = rng.choice(options)
        values[name] = choice
        values[name[:1].upper() + name[1:]] = choice[:1].upper() + choice[1:]
    return template.format(**values)


def generate(
    taxonomy: Taxonomy, *, per_category: int = PER_CATEGORY, general: int = GENERAL_ITEMS
) -> list[LabelledItem]:
    """The synthetic training set for a taxonomy (categories without lexicon terms get descriptions only)."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible text generation, not security
    specs = {
        c.slug: (c.lexicon if c.lexicon is not None else LEXICON_SPECS.get(c.slug, "")) for c in taxonomy.categories
    }
    terms = category_terms({slug: spec for slug, spec in specs.items() if spec})
    items: list[LabelledItem] = []
    for category in taxonomy.categories:
        if category.description:
            for _ in range(DESCRIPTION_COPIES):
                items.append(
                    LabelledItem(title=category.name, summary=category.description, categories=[category.slug])
                )
        pool = terms.get(category.slug) or []
        if not pool:
            continue
        for _ in range(per_category):
            title = _fill(rng.choice(_HEADLINES), rng, pool)
            lede = " ".join(_fill(rng.choice(_LEDES), rng, pool) for _ in range(rng.randint(1, 2)))
            items.append(LabelledItem(title=title, summary=lede, categories=[category.slug]))
    for _ in range(general):
        title = _fill(rng.choice(_GENERAL_HEADLINES), rng, None)
        lede = _fill(rng.choice(_GENERAL_LEDES), rng, None)
        items.append(LabelledItem(title=title, summary=lede, categories=[GENERAL_CATEGORY]))
    rng.shuffle(items)
    return items
