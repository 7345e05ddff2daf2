"""The one tokeniser shared by texts, lexicon terms, aliases and country names.

Tokens are runs of letters and digits; "&" between two such runs is kept inside the token ("S&P",
"AT&T", "M&A"), every other character separates. Matching compares lower-cased tokens, except for the
few case-sensitive terms of the lexicon, which need the original spelling: `tokenise` returns both.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[^\W_]+(?:&[^\W_]+)*")
# The same tokens, faster on long texts: underscores become spaces first, then plain \w runs.
_FAST_TOKEN = re.compile(r"\w+(?:&\w+)*")


def tokenise(text: str, *, max_chars: int | None = None) -> tuple[list[str], list[str]]:
    """(original tokens, lower-cased tokens) of `text`, reading at most `max_chars` characters."""
    if not text:
        return [], []
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars]
    original = _FAST_TOKEN.findall(text.replace("_", " ") if "_" in text else text)
    if not original:
        return [], []
    # Tokens hold no spaces and lower() never creates one: join, lower and split is exact (and fast).
    return original, " ".join(original).lower().split(" ")


def key(text: str) -> str:
    """The lookup key of a term, alias or tag: its lower-cased tokens joined by single spaces."""
    words = text.lower().split()
    # Words of letters and digits only are tokens as they are (str.isalnum is the regex's [^\W_]).
    if all(map(str.isalnum, words)):
        return " ".join(words)
    return " ".join(_TOKEN.findall(text.lower()))
