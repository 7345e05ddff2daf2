"""Similarity sketches of article text: one-permutation MinHash over content-word bigrams.

Why this sketch:
- Republishers add boilerplate, drop or reorder paragraphs, rewrite headlines, swap words for synonyms, or
  keep only the lead. Shingle-set resemblance (Jaccard) survives reordering and moderate edits; estimating
  it from MinHash signatures needs no access to the other article's text, so candidates can be verified
  from what the candidate index returns — no extra reads.
- Shingles are *bigrams of content words* (stop words dropped, light suffix folding): synonym swaps break
  fewer shingles than with longer shingles, and the function words that every article shares cannot make
  two different stories look alike.
- One-permutation hashing (Li, Owen & Zhang 2012) with rotation densification (Shrivastava & Li 2014)
  hashes each shingle once instead of once per permutation: ~50x cheaper than classic MinHash in Python,
  with the same collision probability (= Jaccard) per slot.
- A second, smaller signature covers the *lead* (first paragraph): a copy that keeps only the first
  paragraph has a tiny Jaccard with the full article but an identical lead.
SimHash was rejected: it estimates cosine over the whole text and degrades badly on partial copies.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import re
import struct
from typing import Final

from pydantic import BaseModel, ConfigDict

SLOTS: Final = 64  # signature length (OPH bins); the Jaccard estimate's standard error is ~sqrt(J(1-J)/64)
LEAD_SLOTS: Final = 32
LEAD_MAX_WORDS: Final = 90
MAX_WORDS: Final = 4000  # long bodies: the first 4,000 words decide

_EMPTY: Final = 0xFFFFFFFF
_WORD = re.compile("[^\\W_]+(?:['\u2019][^\\W_]+)*", re.UNICODE)

_STOP_WORD_TEXT = """a about above after again against all also am an and any are as at be because been before
being below
between both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off
on once only or other our ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves said says say mr mrs ms one two new could told
s t year years"""
STOP_WORDS: Final = frozenset(_STOP_WORD_TEXT.split())


class Sketch(BaseModel):
    """What the candidate index stores per article and what verification compares."""

    model_config = ConfigDict(frozen=True)

    body: tuple[int, ...]
    lead: tuple[int, ...]
    body_shingles: int
    lead_shingles: int

    def pack(self) -> bytes:
        return struct.pack(f"<{SLOTS}I{LEAD_SLOTS}I2I", *self.body, *self.lead, self.body_shingles, self.lead_shingles)

    @classmethod
    def unpack(cls, raw: bytes) -> Sketch:
        values = struct.unpack(f"<{SLOTS}I{LEAD_SLOTS}I2I", raw)
        return cls(
            body=values[:SLOTS],
            lead=values[SLOTS : SLOTS + LEAD_SLOTS],
            body_shingles=values[-2],
            lead_shingles=values[-1],
        )


def _fold(word: str) -> str:
    # Light, language-agnostic suffix folding so "bank"/"banks" and "rise"/"rises" share shingles.
    word = word.removesuffix("'s").removesuffix("\u2019s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str, limit: int = MAX_WORDS) -> list[str]:
    words = []
    for match in _WORD.finditer(text.casefold()):
        word = match.group()
        if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        word = _fold(word)
        if word in STOP_WORDS:
            continue
        words.append(word)
        if len(words) >= limit:
            break
    return words


def _hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "little")


def shingles(words: list[str]) -> set[str]:
    if len(words) < 2:
        return set(words)
    return {f"{a} {b}" for a, b in itertools.pairwise(words)}


def one_permutation_minhash(items: set[str], slots: int) -> tuple[int, ...]:
    """OPH: each item hashed once; the top bits pick a bin, the low 32 bits compete for the bin's minimum."""
    bins = [_EMPTY] * slots
    for item in items:
        value = _hash(item)
        index = (value >> 32) % slots
        low = value & 0xFFFFFFFF
        if low < bins[index]:
            bins[index] = low
    if all(b == _EMPTY for b in bins):
        return tuple(bins)
    # Rotation densification: an empty bin borrows the next non-empty bin's value, offset by the distance,
    # so two sets still collide in a bin with probability equal to their Jaccard similarity.
    dense = list(bins)
    for i in range(slots):
        if bins[i] != _EMPTY:
            continue
        distance = 1
        while bins[(i + distance) % slots] == _EMPTY:
            distance += 1
        dense[i] = (bins[(i + distance) % slots] + distance * 0x9E3779B1) & 0xFFFFFFFE
    return tuple(dense)


def lead_text(body: str) -> str:
    """The first paragraph (capped): what a copy that keeps only the lead still shares with the original."""
    for paragraph in (p.strip() for p in body.split("\n")):
        if paragraph:
            return paragraph
    return ""


def sketch(title: str, body: str) -> Sketch:
    text = body if body.strip() else title
    body_set = shingles(content_words(text))
    lead_set = shingles(content_words(lead_text(text), LEAD_MAX_WORDS))
    return Sketch(
        body=one_permutation_minhash(body_set, SLOTS),
        lead=one_permutation_minhash(lead_set, LEAD_SLOTS),
        body_shingles=len(body_set),
        lead_shingles=len(lead_set),
    )


def band_keys(signature: tuple[int, ...], bands: int, rows: int, prefix: str) -> list[str]:
    """LSH banding: documents that agree on all `rows` slots of any band share that band's key."""
    keys = []
    for band in range(bands):
        chunk = signature[band * rows : (band + 1) * rows]
        if len(chunk) < rows or all(v == _EMPTY for v in chunk):
            continue
        digest = hashlib.blake2b(struct.pack(f"<{rows}I", *chunk), digest_size=8).hexdigest()
        keys.append(f"{prefix}{band}#{digest}")
    return keys


def jaccard(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """The share of slots where the two signatures agree, over the slots not empty in both."""
    if len(a) != len(b):
        raise ValueError(f"signatures of {len(a)} and {len(b)} slots")
    if _EMPTY in a and _EMPTY in b:  # only a text without shingles has empty slots (densified otherwise)
        pairs = [(x, y) for x, y in zip(a, b, strict=True) if x != _EMPTY or y != _EMPTY]
        return sum(1 for x, y in pairs if x == y) / len(pairs) if pairs else 0.0
    # No slot is empty in both: every slot counts, compared in C (a story lookup compares ~100 candidates).
    return sum(map(operator.eq, a, b)) / len(a) if a else 0.0
