"""Publisher HTML: sanitise it for display and turn it into paragraph-preserving plain text.

One lxml parse serves both outputs (`clean_fragment`); nh3 (ammonia) is the security boundary.

Pipeline: lxml (libxml2) parses the markup into a tree, subtrees that are never content are dropped
(script, style, nav, aside, footer, form, iframe, ...; their tails are kept), the text is read from the
tree, and the tree is serialised again and run through nh3 with an allow-list.

Hostile input is bounded in three ways (tests cover each):
- size: input beyond MAX_HTML_CHARS (10 MB) is cut before parsing (normalise_item cuts earlier, at 2 MB);
- depth: libxml2 stops building the tree at nesting depth 2,048 (`huge_tree`; 256 otherwise) and
  we keep what was parsed up to there. Feeding nh3 only that bounded re-serialisation matters:
  html5ever's cost grows with depth squared, and 200,000 nested <div>s handed to nh3 directly take
  minutes;
- recursion: the tree is walked with lxml's iterative `iterwalk`, never by Python recursion.
"""

from __future__ import annotations

import re
import threading
from html import unescape
from typing import Final, Literal, NamedTuple

import nh3
from lxml import etree

from newsflow.normalise.text import clean_text

MAX_HTML_CHARS: Final = 10_000_000
LINK_REL: Final = "noopener nofollow"

ALLOWED_TAGS: Final = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div", "dl",
        "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
        "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "strong", "sub", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: Final = {
    "*": {"lang", "dir"},
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "ol": {"start", "reversed"},
    "abbr": {"title"},
}
URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})

# Removed with everything inside them (their tail text stays): never article content.
DROPPED_WITH_CONTENT: Final = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
    "applet", "svg", "math", "canvas", "audio", "video", "form", "button", "select", "textarea",
    "input", "nav", "aside", "footer", "head", "title", "meta", "link", "base", "dialog",
)  # fmt: skip
# nh3 must drop the same with content (ammonia's default unwraps unknown tags and keeps their text).
_NH3_CLEAN_CONTENT: Final = frozenset(DROPPED_WITH_CONTENT) - {"meta", "link", "base", "input"}

# Paragraph-level elements: a blank line before and after. Line-level: a newline before.
_PARAGRAPH: Final = (
    "address", "article", "blockquote", "body", "center", "details", "div", "dl", "fieldset",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "main", "ol",
    "p", "pre", "section", "summary", "table", "ul", "legend", "caption",
)  # fmt: skip
_LINE: Final = ("li", "dt", "dd", "tr", "figcaption", "option", "br")
_CELL: Final = ("td", "th")
# Break markers written into the tree by tree_to_text: a private-use character that parse_html
# removes from the input (it carries no meaning in news text), so it can never be content.
_LINE_BREAK: Final = "\ue000"
_PARAGRAPH_BREAK: Final = _LINE_BREAK * 2
_CONTROL_BYTES: Final = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20)) + b"\x7f"
_FIRST_IMG_SRC = re.compile(r'<img\b[^>]*?\bsrc="([^"]+)"')

_local = threading.local()


class CleanHtml(NamedTuple):
    html: str
    text: str
    first_image: str | None


def _parser() -> etree.HTMLParser:
    # lxml parsers must not be shared between threads: one per thread, created on first use.
    parser: etree.HTMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(
            encoding="utf-8",
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
            no_network=True,
            default_doctype=False,
        )
        _local.parser = parser
    return parser


def parse_html(markup: str | None) -> etree._Element | None:
    """Parse a fragment or a page with libxml2's forgiving HTML parser; None when nothing is there.

    Bytes are always passed (UTF-8) so that in-document charset declarations cannot mis-decode the
    already-decoded text; C0 control characters (not tab/newline), noncharacters and the break marker
    U+E000 are dropped; lone surrogates become '?'.
    """
    if not markup or markup.isspace():
        return None
    text = markup[:MAX_HTML_CHARS].replace(_LINE_BREAK, "")
    if "\ufffe" in text or "\uffff" in text:
        text = text.replace("\ufffe", "").replace("\uffff", "")
    # C0 controls are deleted on the UTF-8 bytes (exact: multi-byte sequences hold no ASCII bytes).
    data = text.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, etree.ParserError, ValueError):
        return None
    if root is None:
        return None
    etree.strip_elements(root, *DROPPED_WITH_CONTENT, with_tail=False)
    return root


def tree_to_text(root: etree._Element) -> str:
    """Plain text of a parsed tree: blocks become paragraphs, <br>/<li>/<tr> become lines.

    The tree is consumed: break markers are written into it (U+E000, which parse_html has removed from
    the input, so it cannot be confused with content) and libxml2 then serialises the text in C,
    several times faster than walking the tree in Python. Serialise HTML from the tree before this.
    """
    for pre in root.iter("pre"):
        for node in pre.iter():
            if node.text:
                node.text = node.text.replace("\n", _LINE_BREAK)
            if node.tail and node is not pre:
                node.tail = node.tail.replace("\n", _LINE_BREAK)
    for element in root.iter(*_PARAGRAPH):
        element.text = _PARAGRAPH_BREAK + (element.text or "")
        element.tail = _PARAGRAPH_BREAK + (element.tail or "")
    for element in root.iter(*_LINE):
        if element.tag == "br":
            element.tail = _LINE_BREAK + (element.tail or "")
        else:
            element.text = _LINE_BREAK + (element.text or "")
    for element in root.iter(*_CELL):
        element.tail = " " + (element.tail or "")
    raw: str = etree.tostring(root, method="text", encoding="unicode", with_tail=False)
    # Collapse the source's whitespace (C-speed split/join keeps the markers, which are not whitespace).
    text = " ".join(raw.split()).replace(" " + _LINE_BREAK, _LINE_BREAK).replace(_LINE_BREAK + " ", _LINE_BREAK)
    text = text.replace(_PARAGRAPH_BREAK, "\n\n").replace(_LINE_BREAK, "\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return clean_text(text)


def _body_markup(root: etree._Element) -> str:
    body = root.find("body")
    if body is None:
        return ""
    markup: str = etree.tostring(body, method="html", encoding="unicode", with_tail=False)
    return markup


_UrlRelative = Literal["deny"] | tuple[Literal["rewrite_with_base"], str]


def _nh3_clean(markup: str, base_url: str | None) -> str:
    if not markup:
        return ""
    url_relative: _UrlRelative = ("rewrite_with_base", base_url) if base_url else "deny"
    try:
        cleaned = _clean_with(markup, url_relative)
    except ValueError:  # a base nh3 cannot use: unresolvable relative links are dropped, not kept
        cleaned = _clean_with(markup, "deny")
    return cleaned.strip()


def _clean_with(markup: str, url_relative: _UrlRelative) -> str:
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_NH3_CLEAN_CONTENT),
        attributes=ALLOWED_ATTRIBUTES,
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        url_relative=url_relative,
    )


def clean_fragment(markup: str | None, base_url: str | None) -> CleanHtml:
    """Sanitised HTML, its plain text and its first image URL, from a single parse."""
    root = parse_html(markup)
    if root is None:
        return CleanHtml("", "", None)
    markup = _body_markup(root)  # before tree_to_text, which writes break markers into the tree
    text = tree_to_text(root)
    cleaned = _nh3_clean(markup, base_url)
    image = _FIRST_IMG_SRC.search(cleaned)
    return CleanHtml(cleaned, text, unescape(image.group(1)) if image else None)


def sanitise_html(fragment: str | None, base_url: str | None) -> str:
    """Safe display HTML: allow-listed tags and attributes only; no script/style/iframe/object, no event
    handlers, no javascript:/data: URLs; links get rel="noopener nofollow"; relative href/src are made
    absolute against `base_url` (dropped when there is no base)."""
    root = parse_html(fragment)
    if root is None:
        return ""
    return _nh3_clean(_body_markup(root), base_url)


def html_to_text(markup: str | None) -> str:
    """Plain text with paragraphs kept (blank-line separated), <br> and list items as lines, entities
    decoded, script/style/nav/aside/footer/form and other non-content dropped."""
    root = parse_html(markup)
    return tree_to_text(root) if root is not None else ""


def looks_like_html(text: str) -> bool:
    """Cheap test: does this string contain markup or entities worth parsing?"""
    return ("<" in text and ">" in text) or ("&" in text and ";" in text)
