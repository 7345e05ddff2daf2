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
0. readability's scoring done cheaply on the pruned tree (`quick_article_text`, a few milliseconds):
   when its text agrees with the fast text, the fast text stands and readability-lxml is not built;
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
    from collections.abc import Callable, Iterator

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


_TAG_SCORES: Final = {
    "div": 5, "pre": 3, "td": 3, "blockquote": 3, "address": -3, "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3,
    "li": -3, "form": -3, "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5,
}  # fmt: skip
_SENTENCE_END = re.compile(r"\.( |$)")
_LINK_TEXT = "a"
_NEGATIVE_NAME = re.compile(
    r"combx|comment|com-|contact|foot|footer|footnote|masthead|media|meta|outbrain|promo|related|scroll|shoutbox|"
    r"sidebar|sponsor|shopping|tags|tool|widget",
    re.IGNORECASE,
)
_POSITIVE_NAME = re.compile(r"article|body|content|entry|hentry|main|page|pagination|post|text|blog|story", re.I)
_TEXT_ONLY_CHILDREN: Final = frozenset({"a", "br"})


def _name_weight(element: etree._Element) -> float:
    weight = 0.0
    for name in (element.get("class"), element.get("id")):
        if name:
            weight -= 25 if _NEGATIVE_NAME.search(name) else 0
            weight += 25 if _POSITIVE_NAME.search(name) else 0
    return weight


def _paragraphs(root: etree._Element) -> Iterator[etree._Element]:
    """p, pre and td, and divs holding only text and links (readability's "misused divs")."""
    for element in root.iter("p", "pre", "td", "div"):
        if element.tag != "div" or all(child.tag in _TEXT_ONLY_CHILDREN for child in element):
            yield element


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _link_density(element: etree._Element, length: int) -> float:
    linked = sum(len(_text(a)) for a in element.iter(_LINK_TEXT))
    return linked / max(1, length)


def quick_article_text(root: etree._Element) -> str:
    """The article as readability's scoring finds it, on an already pruned page, in a few milliseconds: a
    cheap stand-in for readability-lxml used only to tell whether the fast text was right after all.

    Paragraphs (p, pre, td, and divs holding only text and links) of >= 25 characters give their parent
    1 + commas + one point per 100 characters (at most 3), and half of that to their grandparent; a
    candidate's score (plus its tag's base score and +-25 for a positive or negative class/id name, as
    readability weighs them) is scaled by 1 - its link density; the best one is kept with those of its
    siblings that score >= max(10, 20% of it), or are paragraphs that read as prose. No removal of
    unlikely candidates (pruning did that), no rewriting of the tree. Returns the text, one line per kept
    element."""
    scores: dict[etree._Element, float] = {}
    for paragraph in _paragraphs(root):
        parent = paragraph.getparent()
        if parent is None:
            continue
        text = _text(paragraph)
        if len(text) < 25:
            continue
        score = 1 + text.count(",") + min(len(text) // 100, 3)
        for element, share in ((parent, 1.0), (parent.getparent(), 0.5)):
            if element is None or not isinstance(element.tag, str):
                continue
            if element not in scores:
                scores[element] = _TAG_SCORES.get(element.tag, 0) + _name_weight(element)
            scores[element] += score * share
    if not scores:
        return ""
    lengths: dict[etree._Element, int] = {}

    def final(element: etree._Element) -> float:
        length = lengths.setdefault(element, len(_text(element)))
        return scores[element] * (1 - _link_density(element, length))

    top = sorted(scores, key=scores.__getitem__, reverse=True)[:5]
    best = max(top, key=final)
    best_score = final(best)
    threshold = max(10.0, best_score * 0.2)
    parent = best.getparent()
    siblings = list(parent) if parent is not None else [best]
    kept = []
    for sibling in siblings:
        if sibling is best or (sibling in scores and final(sibling) >= threshold):
            kept.append(sibling)
        elif sibling.tag == "p":
            text = _text(sibling)
            density = _link_density(sibling, len(text))
            prose = len(text) > 80 and density < 0.25
            if prose or (0 < len(text) <= 80 and density == 0 and _SENTENCE_END.search(text)):
                kept.append(sibling)
    return "\n".join(t for t in map(_text, kept) if t)


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
