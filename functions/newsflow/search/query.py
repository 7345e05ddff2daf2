"""A safe parser for what people type into the search box.

Raw user text never reaches a query-language parser (tantivy's `parse_query`, OpenSearch
`query_string`): this module turns it into a small AST and each adapter builds its own query
objects from that AST. `parse_query` never raises; malformed input degrades to plain words.

Syntax (a small, forgiving subset of what web search engines accept):

- `bank rates`          bare words: ALL must match (see "Semantics" below), ranked by BM25
- `"interest rates"`    an exact phrase (also with typographic quotes “…”)
- `+word`, `-word`      must / must not (`-"a phrase"`, `-(a OR b)` work too)
- `a OR b`, `a AND b`, `NOT a`   operators, upper case only (lower-case `or` is a word)
- `( … )`               grouping

Semantics. Bare words are joined with AND: every word has to appear somewhere in the title,
summary or body, and the hits are ranked by BM25 with title matches weighted highest. A news
search box is used with a few keywords that narrow ("tesla recall", "fed rates"); OR would flood
the first page with every article on "rates". Explicit `OR` is there for the other case.
`OR` binds tighter than `AND`, as in web search engines: `tesla earnings OR revenue` means
`tesla AND (earnings OR revenue)`; `NOT` / `-` bind tightest. Adapters also add an optional
proximity boost for the bare words, so that documents where they appear close together (in
the title or summary) rank first. Common English stop words (`the`, `of`, …) given as bare words are dropped, as the
OpenSearch `english` analyzer does, unless nothing else is left; inside phrases they are kept.

Tokenisation matches how the adapters analyse text (tantivy `en_stem`: split on every
non-alphanumeric character, lower-case, drop tokens of 40 bytes or more). A bare token that
splits into several words (`covid-19`, `U.S.`, `Apple's`) becomes a phrase of those words, as
Lucene does. Stemming is left to the adapters: each analyses `Word.text` / `Phrase.text` (the
surface text) with the analyzer it indexed with, so query and index always agree even where this
module's split is only approximate (Python's `isalnum` misses a few combining vowel signs that
Rust counts as alphabetic: such a word becomes a `Phrase`, which the adapter re-analyses into the
same single token).

Text with nothing searchable in it (`!!!`, `-`, `()`) parses to an empty query: the adapters then
list everything (filters still apply) newest first, like an empty search box.

Bounds: the input is cut at 500 characters, at most 32 words/phrases are kept, and parentheses
nest at most 8 deep (deeper ones are ignored), so a hostile query cannot make an expensive one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

MAX_QUERY_CHARS: Final = 500
MAX_CLAUSES: Final = 32
MAX_DEPTH: Final = 8
MAX_TOKEN_BYTES: Final = 39  # tantivy's en_stem drops tokens of 40 bytes or more (RemoveLongFilter(40))

# Lucene's English stop set (what the OpenSearch `english` analyzer removes).
STOP_WORDS: Final = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
        "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
        "they", "this", "to", "was", "will", "with",
    }
)  # fmt: skip

# Ranking and faceting knobs both adapters use, so that they rank and count alike.
TEXT_FIELD_BOOSTS: Final = {"title": 3.0, "summary": 1.5, "body": 1.0}
TIE_BREAKER: Final = 0.3  # per word, the best field counts fully and the others 30 % (dis_max)
PROXIMITY_SLOP: Final = 3  # bare words within 3 positions of each other, in order, get a bonus
PROXIMITY_BOOST: Final = 1.0
# The bonus looks at the title and summary only: a phrase check over every long body of a common-word
# query costs ~25 ms per search at 100k articles (positions of two frequent terms), for a weak signal.
PROXIMITY_FIELDS: Final = ("title", "summary")
FACET_FIELDS: Final = {
    "category": "categories",
    "source": "source_id",
    "language": "language",
    "month": "month",
    "publisher": "publisher",  # "<source_id>\x1f<name>\x1f<domain>": what /sources lists
}
FACET_SIZE: Final = 100
MONTH_FACET_SIZE: Final = 1200  # a century of monthly archives
# Highlighted snippets: the whole title, a teaser-sized piece of the summary and of the body.
HIGHLIGHT_CHARS: Final = {"title": 300, "summary": 240, "body": 200}

_ALNUM_RUN = re.compile(r"[^\W_]+")
_OPEN_QUOTES = frozenset('"“”„«»')  # "“”„«»: any of them opens or closes a phrase


# ---------------------------------------------------------------------------------------- the AST


@dataclass(frozen=True, slots=True)
class Word:
    """One word, lower-cased (not stemmed: adapters analyse `text` with their own analyzer)."""

    text: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words that must appear in this order, adjacent. `text` is what the user typed (cleaned)."""

    text: str
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class And:
    """All positive items must match; `Not` items must not. Only `Not` items: everything else matches."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


Node = Word | Phrase | Not | And | Or


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """The result of parsing: `root` is None when the text holds nothing searchable."""

    root: Node | None

    @property
    def is_empty(self) -> bool:
        return self.root is None

    @property
    def scores(self) -> bool:
        """True when some positive word or phrase can rank documents (else sort by date)."""
        return self.root is not None and _has_positive(self.root)

    def proximity_words(self) -> tuple[str, ...]:
        """The required bare words, in order, when there are two or more (for a proximity boost)."""
        root = self.root
        if not isinstance(root, And):
            return ()
        words = tuple(item.text for item in root.items if isinstance(item, Word))
        return words if len(words) >= 2 else ()

    def __str__(self) -> str:
        return "" if self.root is None else to_text(self.root)


def _has_positive(node: Node) -> bool:
    if isinstance(node, Word | Phrase):
        return True
    if isinstance(node, Not):
        return False
    return any(_has_positive(item) for item in node.items)


def leaves(node: Node) -> Iterator[Word | Phrase]:
    """Every word and phrase in the tree, positive or negated."""
    if isinstance(node, Word | Phrase):
        yield node
    elif isinstance(node, Not):
        yield from leaves(node.item)
    else:
        for item in node.items:
            yield from leaves(item)


def to_text(node: Node) -> str:
    """A canonical, fully parenthesised rendering (for logs and tests; never fed to a parser)."""
    if isinstance(node, Word):
        return node.text
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words) + '"'
    if isinstance(node, Not):
        return "-" + to_text(node.item)
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(to_text(item) for item in node.items) + ")"


# ------------------------------------------------------------------------------------ tokenising


def words_of(text: str) -> list[str]:
    """Split and lower-case like tantivy's SimpleTokenizer + LowerCaser + RemoveLongFilter(40).

    Lower-casing is per character, as Rust's LowerCaser and Lucene's do (str.lower() would turn
    a word-final "Σ" into "ς", which the index never contains).
    """
    words = ("".join(ch.lower() for ch in m.group()) for m in _ALNUM_RUN.finditer(text))
    return [w for w in words if _short(w)]


def _short(word: str) -> bool:
    return len(word.encode("utf-8", "surrogatepass")) <= MAX_TOKEN_BYTES


def clean_text(text: str) -> str:
    """NFC-normalise; control, format, surrogate and private-use characters become spaces."""
    text = text[:MAX_QUERY_CHARS]
    # Lone surrogates cannot be normalised or encoded: drop them before anything else.
    text = "".join(" " if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
    text = unicodedata.normalize("NFC", text)
    return "".join(" " if unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} else ch for ch in text)


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "word" | "phrase" | "(" | ")" | "AND" | "OR" | "NOT" | "+" | "-"
    text: str = ""


_OPERATORS: Final = frozenset({"AND", "OR", "NOT"})
_BREAKS: Final = frozenset("()") | _OPEN_QUOTES


def _lex(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            toks.append(_Tok(ch))
            i += 1
        elif ch in _OPEN_QUOTES:
            end = next((j for j in range(i + 1, n) if text[j] in _OPEN_QUOTES), -1)
            if end == -1:  # unbalanced quote: the rest is plain words
                i += 1
                continue
            toks.append(_Tok("phrase", text[i + 1 : end].strip()))
            i = end + 1
        elif ch in "+-" and i + 1 < n and not text[i + 1].isspace():
            toks.append(_Tok(ch))  # a prefix only when glued to what follows
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _BREAKS:
                j += 1
            raw = text[i:j]
            toks.append(_Tok(raw) if raw in _OPERATORS else _Tok("word", raw))
            i = j
    return toks


# -------------------------------------------------------------------------------------- parsing


class _Parser:
    """Recursive descent over the tokens. Precedence: NOT/-/+ > OR > AND (explicit or implicit).

    Every rule returns None instead of failing; stray operators and parentheses are skipped.
    """

    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.pos = 0
        self.clauses = 0

    def peek(self) -> str | None:
        return self.toks[self.pos].kind if self.pos < len(self.toks) else None

    def parse(self) -> Node | None:
        items: list[Node] = []
        while self.pos < len(self.toks):
            node = self.and_expr(depth=0)
            if node is not None:
                items.append(node)
            if self.peek() == ")":  # unmatched closing parenthesis
                self.pos += 1
        return _make_and(items)

    def and_expr(self, depth: int) -> Node | None:
        items: list[Node] = []
        while (kind := self.peek()) is not None and kind != ")":
            if kind == "AND":
                self.pos += 1
                continue
            node = self.or_expr(depth)
            if node is not None:
                items.append(node)
        return _make_and(items)

    def or_expr(self, depth: int) -> Node | None:
        if self.peek() == "OR":  # no left operand
            self.pos += 1
            return None
        items: list[Node] = []
        first = self.unary(depth)
        if first is not None:
            items.append(first)
        while self.peek() == "OR":
            self.pos += 1
            nxt = self.unary(depth)
            if nxt is not None:
                items.append(nxt)
        return _make_or(items)

    def unary(self, depth: int) -> Node | None:
        negated = False
        while (kind := self.peek()) in {"NOT", "-", "+"}:  # a loop, not recursion: "------x" is cheap
            negated ^= kind != "+"
            self.pos += 1
        if self.peek() in {None, ")", "AND", "OR"}:  # a prefix with nothing after it
            return None
        node = self.primary(depth)
        return _negate(node) if negated and node is not None else node

    def primary(self, depth: int) -> Node | None:
        tok = self.toks[self.pos]
        self.pos += 1
        if tok.kind == "(":
            if depth >= MAX_DEPTH:  # too deep: ignore this parenthesis, keep the contents
                return None
            inner = self.and_expr(depth + 1)
            if self.peek() == ")":
                self.pos += 1
            return inner  # an unclosed "(" closes at the end of the text
        if tok.kind in {"word", "phrase"}:
            return self.leaf(tok)
        return None  # AND / OR / ")" reached here only through odd input: skip

    def leaf(self, tok: _Tok) -> Node | None:
        words = words_of(tok.text)
        if not words or self.clauses >= MAX_CLAUSES:
            return None
        self.clauses += 1
        if len(words) == 1:
            return Word(words[0])
        return Phrase(" ".join(tok.text.split()), tuple(words))


def _negate(node: Node) -> Node:
    return node.item if isinstance(node, Not) else Not(node)


def _make_and(items: list[Node]) -> Node | None:
    flat: list[Node] = []
    for item in items:
        for sub in item.items if isinstance(item, And) else (item,):
            if sub not in flat:
                flat.append(sub)
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _make_or(items: list[Node]) -> Node | None:
    flat: list[Node] = []
    for item in items:
        for sub in item.items if isinstance(item, Or) else (item,):
            if sub not in flat:
                flat.append(sub)
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def _drop_stop_words(root: Node) -> Node:
    """Drop bare stop words from the top-level AND, unless nothing positive would be left."""
    if not isinstance(root, And):
        return root
    kept = [i for i in root.items if not (isinstance(i, Word) and i.text in STOP_WORDS)]
    if not any(_has_positive(i) for i in kept):
        return root
    return _make_and(kept) or root


def _plain_words(text: str) -> Node | None:
    words = words_of(text)[:MAX_CLAUSES]
    return _make_and([Word(w) for w in words])


def parse_query(text: object) -> ParsedQuery:
    """Parse raw search-box text. Never raises: anything odd degrades to plain words."""
    if not isinstance(text, str):
        return ParsedQuery(None)
    try:
        cleaned = clean_text(text)
    except Exception:  # pragma: no cover - clean_text handles every str; this is the last resort
        return ParsedQuery(None)
    try:
        root = _Parser(_lex(cleaned)).parse()
        if isinstance(root, Word) and root.text in STOP_WORDS:
            return ParsedQuery(root)
        return ParsedQuery(None if root is None else _drop_stop_words(root))
    except Exception:  # pragma: no cover - defensive: the grammar above is total
        try:
            return ParsedQuery(_plain_words(cleaned))
        except Exception:
            return ParsedQuery(None)
