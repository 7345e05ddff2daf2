"""Second opinions for the page path: when the first extraction looks wrong, ask two other extractors and
keep the text they agree on.

The fast path (trafilatura fast mode on the pruned, narrowed page) is right on most pages and cheap. Its
result is checked against the page itself (`looks_wrong`), with measures that do not depend on any one
site's markup:
- length against the page's visible prose: the words outside links in the page's body after pruning.
  An article that holds under 40% of them, or under 100 words on a page with 150 or more, has probably
  lost part of the body (a wrong block picked, a fragment, a pruned container);
- paragraph structure and link text: text whose words are mostly in short lines (< 10 words) and that
  holds more words than the page has outside links reads as menus or lists of links, not as an
  article (a list-like text within the page's own prose is a list-like page: a recipe, a table);
- nothing at all.

Only then are second opinions asked, one at a time, on the same pruned page (not narrowed), so that
the fast path's choice of container does not carry over, and each only when the one before did not
settle the question:
1. readability-lxml 0.9 (`Document(...).summary()`): scores paragraphs and their parents, leads on news
   pages. When its text agrees with the fast text (word-trigram F1 >= AGREEMENT), the fast text was
   right after all (the page simply holds more prose than the article): it is kept. When it does not
   agree and passes the check itself, it is kept;
2. otherwise trafilatura full mode (fast=False: its own comparison with its readability port and
   jusText; comments off) is built too, and `decide` picks among the three.

`decide` keeps a second opinion that passes the same check (of two that pass, the one with more prose
words unless it is over three times longer: it then holds more than the article). When neither passes,
the choice is by agreement (`choose`): every candidate's word trigrams are counted; trigrams found in at
least two candidates form the consensus; the candidate with the best F1 against the consensus wins (ties
go to the earlier one: fast, then readability, then full). With only two usable candidates there is no
majority: the one with more prose words wins unless it is over three times longer (it then holds more
than the article). Neither readability-lxml nor trafilatura is imported before a page needs them.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import TYPE_CHECKING, Any, Final, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable

    from lxml import etree

LOGGER = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
SHORT_LINE_WORDS: Final = 10
MIN_COVERAGE: Final = 0.4
MIN_WORDS: Final = 100
MIN_PAGE_WORDS: Final = 150
MIN_PROSE_SHARE: Final = 0.5
TOO_LONG: Final = 3.0
AGREEMENT: Final = 0.7


class TextShape(NamedTuple):
    words: int
    prose_words: int  # words in lines of >= SHORT_LINE_WORDS words


def shape(text: str) -> TextShape:
    words = prose = 0
    for line in text.split("\n"):
        n = len(line.split())
        words += n
        if n >= SHORT_LINE_WORDS:
            prose += n
    return TextShape(words, prose)


def looks_wrong(text: str, page_words: int) -> str | None:
    """Why the fast path's text looks wrong for a page with `page_words` visible prose words, or None."""
    found = shape(text)
    if not found.words:
        return "empty"
    if page_words >= MIN_PAGE_WORDS and found.words < MIN_WORDS:
        return "short"
    if page_words and found.words < MIN_COVERAGE * page_words:
        return "low coverage"
    if found.words >= MIN_WORDS and found.prose_words < MIN_PROSE_SHARE * found.words and found.words > page_words:
        return "list-like"
    return None


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return set(zip(words, words[1:], words[2:], strict=False))


def _f1(found: set[tuple[str, ...]], reference: set[tuple[str, ...]]) -> float:
    if not found or not reference:
        return 0.0
    shared = len(found & reference)
    return 2 * shared / (len(found) + len(reference))


def agree(a: str, b: str) -> bool:
    """The two texts hold mostly the same words in the same order: F1 >= AGREEMENT over their word
    trigrams counted with repetition (a page that repeats a paragraph is not one paragraph)."""
    grams_a, grams_b = _trigram_counts(a), _trigram_counts(b)
    total = sum(grams_a.values()) + sum(grams_b.values())
    return bool(total) and 2 * sum((grams_a & grams_b).values()) >= AGREEMENT * total


def _trigram_counts(text: str) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return Counter(zip(words, words[1:], words[2:], strict=False))


def choose(texts: list[str]) -> int:
    """Index of the text to keep (see the module doc); 0 when nothing else is usable."""
    usable = [i for i, text in enumerate(texts) if text.strip()]
    if not usable:
        return 0
    if len(usable) == 1:
        return usable[0]
    if len(usable) == 2:
        a, b = usable
        sa, sb = shape(texts[a]).prose_words, shape(texts[b]).prose_words
        longer, shorter = (a, b) if sa > sb else (b, a)
        return longer if max(sa, sb) <= TOO_LONG * max(1, min(sa, sb)) else shorter
    grams = {i: _trigrams(texts[i]) for i in usable}
    counts: Counter[tuple[str, ...]] = Counter(g for i in usable for g in grams[i])
    consensus = {g for g, n in counts.items() if n >= 2}
    if not consensus:
        return usable[0]
    return max(usable, key=lambda i: (_f1(grams[i], consensus), -i))


def second_opinion(fast: str, readability: str, full: Callable[[], str], page_words: int) -> tuple[int, list[str]]:
    """Which of [fast, readability, full] to keep once the fast text looked wrong, and the texts built.

    `full` is called only when readability-lxml neither agrees with the fast text nor passes the check."""
    if fast.strip() and agree(fast, readability):
        return 0, [fast, readability]
    if readability.strip() and looks_wrong(readability, page_words) is None:
        return 1, [fast, readability]
    texts = [fast, readability, full()]
    return decide(texts, page_words), texts


def decide(texts: list[str], page_words: int) -> int:
    """Which of [fast, readability, full] to keep once the fast one looked wrong: of the second opinions
    that pass `looks_wrong` themselves, the only one, or between the two the one with more prose unless
    it is over three times longer; when neither passes, the consensus of all three (`choose`)."""
    passing = [i for i in (1, 2) if i < len(texts) and texts[i].strip() and looks_wrong(texts[i], page_words) is None]
    if len(passing) == 2:
        return passing[choose([texts[i] for i in passing])]
    if passing:
        return passing[0]
    return choose(texts)


def readability_html(markup: str | etree._Element) -> str:
    """readability-lxml's article HTML (a <div>), or "" when it finds nothing or fails."""
    document_class = _readability()
    try:
        summary: str = document_class(markup).summary(html_partial=True)
    except Exception as error:
        LOGGER.debug("readability-lxml failed: %s", error)
        return ""
    return summary


def _readability() -> Callable[..., Any]:
    from readability import Document
    from readability.readability import log

    log.setLevel(logging.CRITICAL)  # it logs every failure with a traceback; ours are counted, not logged
    return Document
