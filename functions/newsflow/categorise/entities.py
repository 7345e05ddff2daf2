"""Organisations and people mentioned prominently: capitalised n-grams, with rules (no NER model).

Candidates are runs of capitalised words ("Lockheed Martin", "Bank of England", "Procter & Gamble",
"Armin Papperger") and acronyms ("NATO", "USDA"), found in the title, the summary and the first
BODY_CHARS characters of the body (a name that matters appears early). Rules:
- "A and B" is two names, and a country word at either end is not part of a name;
- a leading function word or title is dropped ("The Pentagon" -> "Pentagon", "Chancellor Olaf Scholz"
  -> "Olaf Scholz"); connectors (of, and, &, de, for) are kept only inside a name;
- a lone capitalised word at the start of a sentence is not a name (it is just capitalised) unless it is
  an acronym or appears elsewhere mid-sentence; a title in Title Case is not used to find names (every
  word is capitalised there), only to count mentions of names found elsewhere;
- common capitalised words (days, months, roles, "Inc" alone ...) and countries (they are tags of their
  own) are not names;
- a later mention of a name's last word ("Papperger") counts for the full name; a name contained in a
  longer one ("Martin" in "Lockheed Martin") is merged into it.
Prominence: a mention in the title counts 3, in the summary 2, in the body 1; a name needs 2 points
(in the title or the summary, or mentioned more than once in the body) and the MAX_ENTITIES most prominent are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Final

BODY_CHARS: Final = 1_000
MAX_ENTITIES: Final = 5
MIN_PROMINENCE: Final = 2.0
MAX_WORDS: Final = 5


def _words(text: str) -> list[str]:
    return text.split()


_WORD = r"(?:[A-Z][A-Za-z0-9&'\u2019.\-]*[A-Za-z0-9]|[A-Z])"
_CANDIDATE = re.compile(rf"{_WORD}(?:\s+(?:(?:of|and|&|de|for|du|von|van|der)\s+)?{_WORD})*")
_SENTENCE_END = re.compile(r"[.!?:;\"\u201c\u201d\u2018(\[\u2014\u2013-]\s*$")
_AND = re.compile(r"\s+and\s+")
_AMPERSAND = re.compile(r"\s+&\s+")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,6}$")

_LEADING: Final = frozenset(
    _words(
        """a an the this that these those in on at by for from with after before during while when where as but
        and or so if then than though although because since until unless despite under over about into it
        its he she they we his her their our i you mr mrs ms dr sir dame lord lady president prime minister
        chancellor senator governor chairman chairwoman chair secretary chief executive ceo cfo cto founder
        king queen prince princess pope judge general gen col rep sen gov according shares stocks meanwhile
        however also still even only some many most several other another more less new old first last next
        why how what who which will would could should may might can must said says"""
    )
)
_NOT_NAMES: Final = frozenset(
    _words(
        """monday tuesday wednesday thursday friday saturday sunday january february march april may june july
        august september october november december inc corp ltd plc llc co group company ag sa nv ceo cfo
        cto coo chief executive president minister chairman officer director analyst analysts the reuters ap
        afp bloomberg update breaking exclusive live watch video photos opinion analysis editorial q1 q2 q3
        q4 h1 h2 fy ai it eu european asian african arab latin western eastern northern southern global
        international national federal government state city europe asia africa oceania americas eurozone"""
    )
)
_CONNECTORS: Final = frozenset({"of", "and", "&", "de", "for", "du", "von", "van", "der"})
# Acronyms that are organisations even though "not names" above would drop them as words.
_KEEP_ACRONYMS: Final = frozenset({"EU"})


def _strip(words: list[str]) -> list[str]:
    while words and words[0].lower().strip(".") in _LEADING:
        words = words[1:]
    while words and words[-1].lower() in _CONNECTORS:
        words = words[:-1]
    return words


def _clean(word: str) -> str:
    for suffix in ("'s", "\u2019s"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word.rstrip(".'\u2019-")


def _title_case(title: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'\u2019-]*", title) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) > 0.7


def _candidate(raw: str) -> tuple[str, bool] | None:
    """The name in one capitalised run and whether a dropped leading word made it not sentence-initial."""
    if " " not in raw:  # the common case: one word
        word = _clean(raw)
        return (word, False) if word and word.lower() not in _LEADING else None
    raw_words = [_clean(w) for w in raw.split()]
    words = _strip(raw_words)
    if not words:
        return None
    # "The Pentagon": the name itself is not sentence-initial
    return " ".join(words[:MAX_WORDS]), words[0] != raw_words[0]


def _initial(text: str, start: int) -> bool:
    return start == 0 or bool(_SENTENCE_END.search(text, max(0, start - 3), start))


def _split_countries(name: str, is_country: Callable[[str], bool]) -> list[str]:
    """ "Fanuc and Yaskawa" is two names, "Germany & France" two countries, "Procter & Gamble" one name;
    a country word at either end is not part of the name ("Afghanistan Taliban" -> "Taliban")."""
    if " " not in name:
        return [name]
    split: list[str] = []
    for part in _AND.split(name) if " and " in name else [name]:
        pieces = _AMPERSAND.split(part) if " & " in part else [part]
        split.extend(pieces if len(pieces) > 1 and any(is_country(p) for p in pieces) else [part])
    names: list[str] = []
    for part in split:
        words = part.split()
        while len(words) > 1 and is_country(words[0]):
            words = words[1:]
        while len(words) > 2 and is_country(words[-1]) and words[-2] not in _CONNECTORS:
            words = words[:-1]
        names.append(" ".join(words))
    return names


@lru_cache(maxsize=16_384)
def _name_info(name: str) -> tuple[str, bool] | None:
    """(case-folded name, is it a name on its own: several words or an acronym), or None if no name."""
    folded = name.casefold()
    words = folded.split()
    if len(name) < 2 or (name not in _KEEP_ACRONYMS and _NOT_NAMES.issuperset(words)):
        return None
    return folded, len(words) > 1 or bool(_ACRONYM.match(name))


Part = tuple[bool, str, str, bool]  # (first part of its run, name, case-folded name, strong)


@lru_cache(maxsize=32_768)
def _resolve(raw: str, is_country: Callable[[str], bool]) -> tuple[bool, tuple[Part, ...]]:
    """A capitalised run's names (after `_candidate`, `_split_countries`, `_name_info`, countries
    dropped) and whether its name is not sentence-initial even at a sentence start; cached per run."""
    candidate = _candidate(raw)
    if candidate is None:
        return False, ()
    name, not_initial = candidate
    parts: list[Part] = []
    for position, part in enumerate(_split_countries(name, is_country)):
        info = _name_info(part)
        if info is None or is_country(part):
            continue
        parts.append((position == 0, part, info[0], info[1]))
    return not_initial, tuple(parts)


def find_entities(
    title: str,
    summary: str,
    body: str,
    *,
    is_country: Callable[[str], bool] = lambda _: False,
    limit: int = MAX_ENTITIES,
) -> list[str]:
    """The organisations and people an item mentions prominently, most prominent first."""
    fields: list[tuple[str, float, bool]] = [
        (summary, 2.0, True),
        (body[:BODY_CHARS], 1.0, True),
        (title, 3.0, not _title_case(title)),
    ]
    points: dict[str, float] = {}
    spelling: dict[str, str] = {}
    # Seen mid-sentence, or an acronym, or multi-word. A dict, not a set: its order decides which full name
    # a bare later mention belongs to, and set order changes between processes (hash seeds). Tags must be
    # the same on every delivery, or a redelivered item would look changed.
    confirmed: dict[str, None] = {}
    pending: list[tuple[str, float]] = []
    for text, weight, discover in fields:
        if not text:
            continue
        for match in _CANDIDATE.finditer(text):
            not_initial, parts = _resolve(match.group(0), is_country)
            if not parts:
                continue
            initial: bool | None = False if not_initial else None  # computed when needed
            for first, name, folded, strong in parts:
                if discover and not strong and first and initial is None:
                    initial = _initial(text, match.start())
                if discover and (strong or not (first and initial)):
                    confirmed[folded] = None
                if discover or folded in confirmed:
                    spelling.setdefault(folded, name)
                pending.append((folded, weight))
    last_words: dict[str, str] = {}
    for name in confirmed:
        if " " in name:
            last_words.setdefault(name.rsplit(" ", 1)[1], name)
    for folded, weight in pending:
        target = folded if folded in confirmed else last_words.get(folded)
        if target is not None:
            points[target] = points.get(target, 0.0) + weight
    # Merge a name into a longer one that contains it ("Martin", "Papperger" -> the full names).
    if len(points) > 1:
        # A name no other one contains (the common case) is passed over with one substring count.
        names = "|".join(f" {name} " for name in points)
        for short in sorted(points, key=len):
            padded = f" {short} "
            if names.count(padded) < 2:
                continue
            longer = [n for n in points if n != short and len(n) > len(short) and padded in f" {n} "]
            if longer:
                target = max(longer, key=lambda n: points[n])
                points[target] += points.pop(short)
    ranked = sorted(points.items(), key=lambda pair: (-pair[1], pair[0]))
    return [spelling[name] for name, score in ranked if score >= MIN_PROMINENCE][:limit]
