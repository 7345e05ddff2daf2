"""Shape limits for untrusted documents, checked before any parser builds anything (stdlib only, C-speed scans).

A parser's memory grows with a document's shape, not only its size: feedparser took 698 MB and three minutes
on a 10 MB feed nested 1.5 million elements deep, and `json.loads` raises RecursionError (which looks like a
transient crash) on 5,000 levels. These checks bound the shape cheaply and say why, so the callers can turn
a hostile or broken document into a permanent, explained refusal:

- depth: XML elements / JSON containers nested deeper than any real feed, page or message needs;
- breadth: more XML elements than a feed of the allowed size and entry count can hold;
- entity references: a document made of millions of `&...;` references (each costs the parser work);
- numbers: JSON integers longer than any real value (Python refuses >4,300 digits, with a ValueError).

Pages need no check of their own: the page parser reads at most 3 M characters, libxml2 stops nesting at 256,
and a tree of more than MAX_ELEMENTS elements takes the paragraphs-only path (normalise/page.py); measured.

Each check stops at the first excess, so a hostile document is refused after reading as little as needed.
The figures these bounds give are in the README (`python -m benchmarks memory`).
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

# Feeds: real feeds nest a dozen levels (Atom xhtml content adds the article's own HTML, rarely 30).
MAX_FEED_DEPTH: Final = 128
MAX_FEED_ELEMENTS: Final = 100_000
MAX_FEED_ENTITY_REFS: Final = 1_000_000
# Queue messages (FeedItem JSON): `source` and `extra` are shallow objects.
MAX_MESSAGE_DEPTH: Final = 32
MAX_INTEGER_DIGITS: Final = 64

# An XML start tag, end tag or self-closing end; comments, CDATA and processing instructions are skipped by
# matching them first (their content is not structure).
_XML_TOKEN = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!|</|<[A-Za-z_:]|/>", re.DOTALL)
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKETS = re.compile(r"[\[\]{}]")
_LONG_DIGITS = re.compile(r"\d{%d,}" % (MAX_INTEGER_DIGITS + 1))  # noqa: UP031 (a regex quantifier)


class ShapeError(ValueError):
    """A document whose shape exceeds a limit. `reason` is a short code, the message says by how much."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def check_xml_shape(
    content: bytes,
    *,
    max_depth: int = MAX_FEED_DEPTH,
    max_elements: int = MAX_FEED_ELEMENTS,
    max_entity_refs: int = MAX_FEED_ENTITY_REFS,
) -> None:
    """Raise ShapeError when an XML document nests, spreads or references entities beyond the limits."""
    references = content.count(b"&")
    if references > max_entity_refs:
        raise ShapeError("too_many_entities", f"{references} entity references (the limit is {max_entity_refs})")
    depth = 0
    elements = 0
    pending_open = False  # inside a start tag: "/>" closes it again
    for match in _XML_TOKEN.finditer(content):
        token = match.group()
        if len(token) == 2 and token[0:1] == b"<" and token not in (b"</", b"<!"):
            depth += 1
            elements += 1
            pending_open = True
            if depth > max_depth:
                raise ShapeError("too_deep", f"elements nested more than {max_depth} deep")
            if elements > max_elements:
                raise ShapeError("too_many_elements", f"more than {max_elements} elements")
        elif token == b"</":
            depth -= 1
            pending_open = False
        elif token == b"/>":
            if pending_open:
                depth -= 1
                pending_open = False
        else:
            pending_open = False


def check_json_shape(text: str, *, max_depth: int, max_containers: int = MAX_FEED_ELEMENTS) -> None:
    """Raise ShapeError when JSON nests containers deeper than `max_depth` or carries an overlong integer."""
    structure = _JSON_STRING.sub('""', text) if '"' in text else text
    long_number = _LONG_DIGITS.search(structure)
    if long_number:
        raise ShapeError(
            "number_too_long", f"a number of {len(long_number.group())} digits (the limit is {MAX_INTEGER_DIGITS})"
        )
    depth = 0
    containers = 0
    for match in _JSON_BRACKETS.finditer(structure):
        if match.group() in "[{":
            depth += 1
            containers += 1
            if depth > max_depth:
                raise ShapeError("too_deep", f"JSON nested more than {max_depth} deep")
            if containers > max_containers:
                raise ShapeError("too_many_elements", f"more than {max_containers} JSON objects and arrays")
        else:
            depth -= 1


def check_feed_shape(content: bytes) -> None:
    """The shape limits of a feed document (JSON Feed or XML), as a FeedError the poller records on the feed."""
    from newsflow.errors import FeedError

    try:
        if content.lstrip()[:1] in (b"{", b"["):
            check_json_shape(content.decode("utf-8", "replace"), max_depth=MAX_FEED_DEPTH)
        else:
            check_xml_shape(content)
    except ShapeError as exc:
        raise FeedError(f"feed refused before parsing ({exc.reason}): {exc.detail}") from exc


def load_json(text: str | bytes, *, max_depth: int) -> Any:
    """json.loads behind the shape checks: every failure is a ValueError (ShapeError or JSONDecodeError),
    never a RecursionError."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # UnicodeDecodeError is a ValueError
    check_json_shape(text, max_depth=max_depth)
    try:
        return json.loads(text)
    except RecursionError as exc:  # pragma: no cover - the depth check comes first
        raise ShapeError("too_deep", "JSON nested too deep to decode") from exc
