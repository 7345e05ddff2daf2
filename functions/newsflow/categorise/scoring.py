"""Scoring: signals from one item -> points per category -> a ranked, thresholded verdict.

Signals, strongest first (points = signal weight x entry weight):
- feed tags that are aliases of a category ("Politics", "Tech", "Aerospace & Defense"): 10 each;
- URL sections and the sub-domain that are aliases ("/politics/", "tech.example.com"): 5 each;
- lexicon terms in the title x3, in non-alias feed tags x2, in the summary x2, in the body x1.
  A term counts at most twice in the title and summary and three times in the body, so one repeated
  word cannot carry an article; only the first BODY_CHARS characters of the body are read.

Terms are found in one pass over the tokens: a dict of phrases keyed by their joined tokens, probed
longest first only at tokens that start some phrase (no regex per term); the longest match wins and
consumes its tokens ("bank of america" is one bank, not a bank plus a country).

From points to scores in [0, 1], for each category c with points p(c):
    evidence(c) = 1 - exp(-p(c) / EVIDENCE_SCALE)           (absolute: how much was found for c)
    margin(c)   = p(c) / (p(c) + p(strongest other))         (relative: 1 alone, 0.5 in a tie)
    score(c)    = evidence(c) * margin(c)
so a lone weak term scores low, a long article that is clearly about c scores near 1, and two
categories with equal evidence share the honours. The primary category is the best one if its score
reaches MIN_PRIMARY_SCORE, else GENERAL_CATEGORY with that (low) score. Secondary categories are
those with at least SECONDARY_RATIO of the best points and a score of MIN_SECONDARY_SCORE. `scores`
holds the primary and the secondaries only (it decides on which category pages an article appears);
`explain` shows the full ranking and the terms.

A later scorer (a trained linear model) can consume the same `Document` and add its points per
category before `decide`; nothing here depends on the lexicon being the only source.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import urlsplit

from newsflow.categorise.tokens import key, tokenise

TAG_ALIAS_WEIGHT: Final = 1.0
URL_ALIAS_WEIGHT: Final = 0.6
TITLE_WEIGHT: Final = 3.0
SUMMARY_WEIGHT: Final = 2.0
BODY_WEIGHT: Final = 1.0
TITLE_CAP: Final = 2
SUMMARY_CAP: Final = 2
BODY_CAP: Final = 3
BODY_CHARS: Final = 8_000
MAX_URL_SECTIONS: Final = 6

_SPEC_LINE = re.compile(r"^\s*([^,:\s][^,:]*):(.*)$")
_IGNORED_SUBDOMAINS: Final = frozenset({"www", "m", "amp", "mobile", "news", "edition", "en", "feeds", "rss"})


def parse_spec(spec: str) -> list[tuple[str, list[str]]]:
    """Parse "head: item, item, ..." lines (continuation lines carry on the previous head)."""
    groups: list[tuple[str, list[str]]] = []
    for line in spec.splitlines():
        if not line.strip():
            continue
        match = _SPEC_LINE.match(line)
        if match:
            groups.append((match.group(1).strip(), []))
            rest = match.group(2)
        elif groups:
            rest = line
        else:
            raise ValueError(f"spec line without a head: {line!r}")
        groups[-1][1].extend(item.strip() for item in rest.split(",") if item.strip())
    return groups


def plural_forms(word: str) -> list[str]:
    """English plurals of a lexicon word (only added where the lexicon has no entry of its own)."""
    if len(word) < 3 or not word.isalpha():
        return []
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return [word + "es"]
    if word.endswith("y") and word[-2] not in "aeiou":
        return [word[:-1] + "ies"]
    return [word + "s"]


# The classes of this module are plain slotted classes, not dataclasses: creating a dataclass costs about
# a millisecond at import, and import is part of every ingest cold start.


class Entry:
    """One matchable term: its spelling for explanations, its category weights, the country it names.
    Compared by identity (it is a dict key of `TermIndex.match`)."""

    __slots__ = ("ambiguous", "blocks_country", "country", "label", "weights")

    def __init__(
        self,
        label: str,
        weights: dict[str, float] | None = None,
        country: str | None = None,
        blocks_country: bool = False,
        ambiguous: bool = False,  # a case-sensitive name that is also a common word: needs agreeing context
    ) -> None:
        self.label = label
        self.weights: dict[str, float] = weights if weights is not None else {}
        self.country = country
        self.blocks_country = blocks_country
        self.ambiguous = ambiguous

    def __repr__(self) -> str:
        return f"Entry({self.label!r}, {self.weights!r})"


class TermIndex:
    """The compiled lexicon: lower-cased keys, case-sensitive surfaces, aliases for tags/URL sections."""

    __slots__ = ("aliases", "cased", "cased_lower", "entries", "phrase_len", "prefixes", "starts")

    def __init__(
        self,
        entries: dict[str, Entry],
        cased: dict[str, Entry],
        cased_lower: frozenset[str],
        phrase_len: dict[str, int],
        aliases: dict[str, dict[str, float]],
    ) -> None:
        self.entries = entries
        self.cased = cased
        self.cased_lower = cased_lower
        self.phrase_len = phrase_len
        self.aliases = aliases
        # Every lower-cased token at which `match` can find something (a phrase start, a single-word entry
        # or the lower case of a case-sensitive surface): the others are skipped without a probe.
        self.starts = frozenset({k for k in entries if " " not in k} | phrase_len.keys() | cased_lower)
        # The first two words of every phrase: a phrase start ("new", "bank") is probed for its phrases
        # only when the next word continues one ("new york", "bank of"): one lookup, not one per length.
        self.prefixes = frozenset(" ".join(k.split(" ")[:2]) for k in entries if " " in k)

    def match(self, original: list[str], lowered: list[str]) -> dict[Entry, int]:
        """Count the entries found in a token sequence (longest match first, non-overlapping)."""
        hits: dict[Entry, int] = {}
        entries = self.entries
        phrase_len = self.phrase_len
        cased_lower = self.cased_lower
        starts = self.starts
        prefixes = self.prefixes
        n = len(lowered)
        last = n - 1
        free = 0  # tokens before `free` were consumed by a phrase
        for i in itertools.compress(itertools.count(), map(starts.__contains__, lowered)):
            if i < free:
                continue
            token = lowered[i]
            longest = phrase_len.get(token)
            if longest and i < last and f"{token} {lowered[i + 1]}" in prefixes:
                for size in range(min(longest, n - i), 1, -1):
                    entry = entries.get(" ".join(lowered[i : i + size]))
                    if entry is not None:
                        hits[entry] = hits.get(entry, 0) + 1
                        free = i + size
                        break
                if free > i:
                    continue
            entry = None
            if token in cased_lower:
                entry = self.cased.get(original[i])
            if entry is None:
                entry = entries.get(token)
            if entry is not None:
                hits[entry] = hits.get(entry, 0) + 1
        return hits

    @property
    def size(self) -> int:
        return len(self.entries) + len(self.cased)


def compile_index(
    lexicon: Mapping[str, str],
    aliases: Mapping[str, Mapping[str, float]],
    countries: str,
    category_names: Mapping[str, str],
) -> TermIndex:
    """Build the index from lexicon specs (slug -> spec), aliases and the country spec.

    Raises ValueError for a slug that is not in `category_names` or a case-sensitive phrase.
    """
    entries: dict[str, Entry] = {}
    cased: dict[str, Entry] = {}
    explicit: set[str] = set()

    def entry_for(term: str) -> Entry | None:
        if term.startswith("="):
            surface = term[1:]
            if len(key(surface).split()) != 1:
                raise ValueError(f"case-sensitive terms must be single words: {term!r}")
            entry = cased.get(surface)
            if entry is None:
                entry = cased[surface] = Entry(surface, ambiguous=True)
            return entry
        term_key = key(term)
        if not term_key:
            return None
        explicit.add(term_key)
        entry = entries.get(term_key)
        if entry is None:
            entry = entries[term_key] = Entry(term_key)
        return entry

    for slug, spec in lexicon.items():
        if slug not in category_names:
            raise ValueError(f"lexicon category {slug!r} is not in the taxonomy")
        for weight_text, terms in parse_spec(spec):
            weight = float(weight_text)
            for term in terms:
                entry = entry_for(term)
                if entry is not None:
                    current = entry.weights.get(slug)
                    if current is None or weight > current:
                        entry.weights[slug] = max(weight, 0.0)

    for canonical, names in parse_spec(countries):
        for name in [*names, canonical] if canonical != "-" else names:
            entry = entry_for(name)
            if entry is None:
                continue
            if canonical == "-":
                entry.blocks_country = True
            elif entry.country is None:
                entry.country = canonical

    # Phrases that contain a country word name that country too ("bank of england" -> United Kingdom).
    single_countries = {k: e.country for k, e in entries.items() if e.country and " " not in k}
    country_words = single_countries.keys()
    for term_key, entry in entries.items():
        if entry.country is None and not entry.blocks_country and " " in term_key:
            words = term_key.split(" ")
            if not country_words.isdisjoint(words):
                entry.country = next(single_countries[w] for w in words if w in single_countries)

    # Plurals of the last word, for lower-case terms, unless the plural is an entry of its own.
    for term_key, entry in list(entries.items()):
        if not entry.weights:
            continue
        head, _, last = term_key.rpartition(" ")
        if len(last) < 3 or not last.isalpha():  # plural_forms has none (checked here: the common case)
            continue
        for plural in plural_forms(last):
            plural_key = f"{head} {plural}" if head else plural
            if plural_key not in explicit and plural_key not in entries:
                entries[plural_key] = entry

    # Case-sensitive surfaces also match in ALL CAPS ("APPLE SHARES SURGE").
    for surface, entry in list(cased.items()):
        cased.setdefault(surface.upper(), entry)

    phrase_len: dict[str, int] = {}
    for term_key in entries:
        words = term_key.split(" ")
        if len(words) > 1:
            phrase_len[words[0]] = max(phrase_len.get(words[0], 0), len(words))

    alias_map: dict[str, dict[str, float]] = {}
    for slug, name in category_names.items():
        for spelling in (slug, name):
            alias_map.setdefault(key(spelling), {})[slug] = 1.0
    for alias, weights in aliases.items():
        for slug, weight in weights.items():
            if slug not in category_names:
                raise ValueError(f"alias {alias!r} names unknown category {slug!r}")
            alias_map.setdefault(key(alias), {})[slug] = weight

    return TermIndex(
        entries=entries,
        cased=cased,
        cased_lower=frozenset(surface.lower() for surface in cased),
        phrase_len=phrase_len,
        aliases=alias_map,
    )


class Document:
    """An item reduced to what scorers read, tokenised once: (original, lower-cased) tokens per field."""

    __slots__ = ("body", "summary", "tags", "title", "url_sections")

    def __init__(
        self,
        title: tuple[list[str], list[str]],
        summary: tuple[list[str], list[str]],
        body: tuple[list[str], list[str]],
        tags: list[str],
        url_sections: list[str],
    ) -> None:
        self.title = title
        self.summary = summary
        self.body = body
        self.tags = tags
        self.url_sections = url_sections


def url_sections(url: str | None) -> list[str]:
    """Section names in a URL: the sub-domain ("tech.example.com") and short path segments
    ("/business/energy/..."); article slugs (more than three words) and dates are skipped."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    sections: list[str] = []
    labels = (parts.hostname or "").split(".")
    if len(labels) > 2 and labels[0] not in _IGNORED_SUBDOMAINS:
        sections.append(labels[0])
    for segment in parts.path.split("/"):
        words = key(segment)
        if words and not words.replace(" ", "").isdigit() and words.count(" ") <= 2:
            sections.append(words)
        if len(sections) >= MAX_URL_SECTIONS:
            break
    return sections


def build_document(title: str, summary: str, body: str, tags: Iterable[str], url: str | None) -> Document:
    body_tokens = tokenise(body, max_chars=BODY_CHARS)
    # A summary that repeats the body's opening (the lead used as summary, or a summary-only item whose
    # body is the summary) is counted once, as body.
    lead = " ".join(summary[:120].split())
    repeats_body = bool(lead) and " ".join(body[: len(summary) + 200].split()).startswith(lead.rstrip("…"))
    summary_tokens = ([], []) if repeats_body else tokenise(summary)
    return Document(
        title=tokenise(title),
        summary=summary_tokens,
        body=body_tokens,
        tags=list(tags),
        url_sections=url_sections(url),
    )


class Evidence:
    """What the aliases and the lexicon found, per category (the decision is `combine.decide`'s).

    points    lexicon points per category (title x3, summary x2, body x1, capped repeats);
    terms     the distinct lexicon entries behind them (by label), each with its points and whether it
              is ambiguous (a company or product name that is also a common word: "=Apple", "=Coke");
    aliases   reviewed tag / URL-section aliases per category, in alias-weight units (tag 1, URL 0.5);
    general   reviewed aliases of off-topic sections ("Sport", "Film", "Recipes") seen in tags or URL;
    countries country weights for the tags.
    """

    __slots__ = ("alias_rules", "aliases", "countries", "general", "general_rules", "points", "terms")

    def __init__(
        self,
        *,
        points: dict[str, float] | None = None,
        terms: dict[str, dict[str, tuple[float, bool]]] | None = None,
        aliases: dict[str, float] | None = None,
        alias_rules: dict[str, list[str]] | None = None,
        general: float = 0.0,
        general_rules: list[str] | None = None,
        countries: dict[str, float] | None = None,
    ) -> None:
        self.points = points if points is not None else {}
        self.terms = terms if terms is not None else {}
        self.aliases = aliases if aliases is not None else {}
        self.alias_rules = alias_rules if alias_rules is not None else {}
        self.general = general
        self.general_rules = general_rules if general_rules is not None else []
        self.countries = countries if countries is not None else {}

    def add_term(self, slug: str, label: str, points: float, ambiguous: bool) -> None:
        self.points[slug] = self.points.get(slug, 0.0) + points
        per_slug = self.terms.setdefault(slug, {})
        before = per_slug.get(label, (0.0, ambiguous))[0]
        per_slug[label] = (before + points, ambiguous)

    def add_alias(self, slug: str, weight: float, rule: str) -> None:
        self.aliases[slug] = self.aliases.get(slug, 0.0) + weight
        self.alias_rules.setdefault(slug, []).append(rule)


_FIELDS: Final = (
    ("title", TITLE_WEIGHT, TITLE_CAP, 3.0),
    ("summary", SUMMARY_WEIGHT, SUMMARY_CAP, 2.0),
    ("body", BODY_WEIGHT, BODY_CAP, 1.0),
)


def lexicon_evidence(document: Document, index: TermIndex, general_aliases: frozenset[str] = frozenset()) -> Evidence:
    """Aliases (tags, URL sections) and lexicon terms (title, summary, body) of one document.

    Only tags and URL sections that are reviewed aliases count (of a category, or of an off-topic
    section in `general_aliases`); the words of any other tag are not read: a Guardian tag
    "Television" is a TV-listings section, not an electronics term.
    """
    evidence = Evidence()
    for tag in document.tags:
        tag_key = key(tag)
        alias = index.aliases.get(tag_key)
        if alias:
            for slug, weight in alias.items():
                evidence.add_alias(slug, TAG_ALIAS_WEIGHT * weight, f"tag {tag!r}")
        elif tag_key in general_aliases:
            evidence.general += TAG_ALIAS_WEIGHT
            evidence.general_rules.append(f"tag {tag!r}")
    for section in document.url_sections:
        alias = index.aliases.get(section)
        if alias:
            for slug, weight in alias.items():
                evidence.add_alias(slug, URL_ALIAS_WEIGHT * weight, f"url section {section!r}")
        elif section in general_aliases:
            evidence.general += URL_ALIAS_WEIGHT
            evidence.general_rules.append(f"url section {section!r}")
    points, terms, countries = evidence.points, evidence.terms, evidence.countries
    for name, field_weight, cap, country_weight in _FIELDS:
        original, lowered = getattr(document, name)
        if not lowered:
            continue
        for entry, count in index.match(original, lowered).items():
            if entry.country is not None:
                countries[entry.country] = countries.get(entry.country, 0.0) + count * country_weight
            counted = (count if count < cap else cap) * field_weight
            label, ambiguous = entry.label, entry.ambiguous
            for slug, weight in entry.weights.items():  # Evidence.add_term, inlined (the hot loop)
                value = weight * counted
                points[slug] = points.get(slug, 0.0) + value
                per_slug = terms.get(slug)
                if per_slug is None:
                    per_slug = terms[slug] = {}
                before = per_slug.get(label)
                per_slug[label] = (value + before[0], ambiguous) if before else (value, ambiguous)
    return evidence
