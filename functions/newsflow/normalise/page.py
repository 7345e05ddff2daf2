"""Whole article pages: tell them from feed fragments, and extract the article from them.

`is_whole_page` is cheap (it looks at the first few KB and counts a few tags): feed fragments
(content:encoded) take the light path in `html.py`; only real pages pay for boilerplate removal.

`extract_page` on a page:
1. one lxml parse (libxml2; nesting capped at depth 256, so deep hostile trees stay small and nothing
   downstream recurses deeply); input beyond MAX_PAGE_CHARS is cut before parsing;
2. the metadata is read from the intact tree (`pagemeta.read_metadata`; the byline search only when the
   caller does not know the authors already: `authors=False` when the feed item names them);
3. the tree is pre-pruned: never-content tags (script, style, svg, iframe, nav, aside, footer,
   figcaption, ...), blocks whose class/id names boilerplate (share bars, related/latest posts,
   newsletter and subscribe boxes, comments, cookie banners, ads, breadcrumbs, author boxes, video
   players, captions) and paragraphs that are a single link (inline "read also" teasers) are removed,
   unless the block holds the article itself (it contains <article>/articleBody, or more than 40% of
   the page's words). Only containers are judged by class: a <p class="paywall"> is still a paragraph;
4. when the page marks its article body unambiguously (itemprop=articleBody, a well-known body class,
   or a single <article>) and it holds >= 120 words, only that subtree is handed on (`narrow_to_article`);
5. inline formatting tags (span, b, em, font, ...) are unwrapped and images removed (their text and
   tails stay), on the whole pruned page before the article container is copied: the extractor is asked
   for plain text, and a third fewer elements make the copy, the extractor and any second opinion faster;
6. trafilatura 2.3.1 extracts the main content in fast mode (no readability / jusText comparison, no
   comments, no links, no formatting: each costs time and precision on the benchmarks), with its
   costliest class/id XPaths run as Python selectors (`fast_xpaths`, same output);
7. its output becomes HTML: a leading heading that repeats the page title is dropped, a paragraph
   that repeats the preceding image's alt text becomes a <figcaption> (kept for display, left out of
   the text); the HTML is sanitised by the same nh3 allow-list as feed content and turned into
   paragraph-preserving text; whole lines that are page furniture ("Advertisement", "Share this
   article", "Sign up for ...", "Reporting by ...; Editing by ...", copyright lines, bare epoch
   numbers, share-network lists) are dropped.

Time is bounded: size cap before parsing, depth cap in the parser, and an element budget
(MAX_ELEMENTS) after pruning: a page beyond it, or one that took more than EXTRACTION_BUDGET_S
before extraction, is reduced to its <p> paragraphs by the light path instead of being handed to
trafilatura. trafilatura and its dependencies are imported on the first whole page only: feed-only
cold starts never pay for them.
"""

from __future__ import annotations

import copy
import logging
import re
import threading
import time
from typing import TYPE_CHECKING, Any, Final, NamedTuple
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from newsflow.normalise import fast_xpaths
from newsflow.normalise.candidates import agree, looks_wrong, quick_article_text, readability_html, second_opinion
from newsflow.normalise.html import clean_fragment, html_to_text
from newsflow.normalise.pagemeta import PageMetadata, read_metadata
from newsflow.normalise.prune import (
    INLINE_TAGS,
    article_container,
    container_document,
    flatten_inline,
    link_words,
    prune_boilerplate,
    text_length,
)

if TYPE_CHECKING:
    from collections.abc import Callable

LOGGER = logging.getLogger(__name__)

MAX_PAGE_CHARS: Final = 3_000_000
MAX_ELEMENTS: Final = 30_000
EXTRACTION_BUDGET_S: Final = 2.0
MAX_SECOND_OPINION_ELEMENTS: Final = 20_000

_PAGE_MARKERS = re.compile(rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_LAYOUT_TAGS = re.compile(rb"<(?:nav|header|footer|aside|form|menu)[\s>]", re.IGNORECASE)

# Whole lines that are page furniture, not article text.
_BOILERPLATE_LINE = re.compile(
    r"^(?:advertisement|advertising|sponsored( content)?|ad|close|video|audio|listen|play|print|menu|search|"
    r"log ?in|sign ?in|register|comments?|image|photo|gallery|share( this( article| story| page)?)?|"
    r"share on \w+|license this content|\d{9,13}|"
    r"(?:sign up|subscribe)\b.{0,120}|"
    r"(?:read more|related|see also|also read|more from [\w ]{1,40}|recommended|watch)\s*:.{0,200}|"
    r"(?:(?:additional )?reporting|writing|editing|compiled|produced) by .{0,200}|"
    r"our standards:.{0,100}|"
    r"(?:©|\(c\)|copyright)\s.{0,150}|all rights reserved\W*|"
    r"(?:follow us|like us) on .{0,60}|click here .{0,80}|"
    r"(?:facebook|twitter|x|linkedin|whatsapp|email|pinterest|reddit|telegram|tumblr|copy link)"
    r"(?:\s+(?:facebook|twitter|x|linkedin|whatsapp|email|pinterest|reddit|telegram|tumblr|copy link))*)$",
    re.IGNORECASE,
)
_COMPARABLE = re.compile(r"[^\W_]+")
_CONTROL_BYTES: Final = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20)) + b"\x7f"

_local = threading.local()


class Page(NamedTuple):
    body_html: str
    body_text: str
    first_image: str | None
    metadata: PageMetadata
    method: str  # "trafilatura", "paragraphs" (budget fallback) or "empty"


def is_whole_page(markup: str | None) -> bool:
    """A whole HTML document (doctype/<html>/<head>/<body> near the start), or a big layout-heavy one."""
    if not markup:
        return False
    head = markup[:4096].encode("utf-8", "replace")
    if _PAGE_MARKERS.search(head):
        return True
    if len(markup) < 20_000:
        return False
    return len(_LAYOUT_TAGS.findall(markup[:200_000].encode("utf-8", "replace"))) >= 3


def _parser() -> etree.HTMLParser:
    parser: etree.HTMLParser | None = getattr(_local, "page_parser", None)
    if parser is None:
        # No huge_tree: libxml2 stops nesting at depth 256 (what lies deeper is dropped), which bounds
        # every recursive walk downstream. remove_comments/pis: never content.
        # Every element is an HtmlElement (what trafilatura needs) by libxml2-side lookup: lxml.html's own
        # parser asks a Python callback for each element proxy (form/input classes), ~6% of a page's time.
        parser = etree.HTMLParser(
            encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, default_doctype=False
        )
        parser.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=lxml_html.HtmlElement,
                comment=lxml_html.HtmlComment,
                pi=lxml_html.HtmlProcessingInstruction,
                entity=lxml_html.HtmlEntity,
            )
        )
        _local.page_parser = parser
    return parser


def parse_page(markup: str) -> lxml_html.HtmlElement | None:
    text = markup[:MAX_PAGE_CHARS]
    # C0 controls (a stray BEL, NUL, ...) make libxml2 stop reading: deleted on the UTF-8 bytes (exact:
    # multi-byte sequences hold no ASCII bytes), as the fragment path does.
    data = text.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)
    try:
        root = lxml_html.document_fromstring(data, parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root


def _trafilatura(*, fast: bool) -> tuple[Callable[..., Any], Callable[..., Any], Any]:
    """trafilatura's bare_extraction, its XML->HTML converter and our options, built on first use.

    Imported lazily (~250 ms with its dependencies) so that feed-only cold starts never pay for it.
    `bare_extraction` is trafilatura's own, run with Python selectors in place of its costliest XPaths
    (`fast_xpaths`: same output, a quarter less time).
    Comments, links, formatting and images off: each costs time and precision, and images=True loses
    text on some pages (the text around a figure goes with it).
    """
    key = "trafilatura_fast" if fast else "trafilatura_full"
    cached = getattr(_local, key, None)
    if cached is None:
        from trafilatura.htmlprocessing import convert_to_html
        from trafilatura.settings import Extractor

        options = Extractor(
            fast=fast, comments=False, tables=True, links=False, images=False, formatting=False, with_metadata=False
        )
        cached = (fast_xpaths.bare_extraction(), convert_to_html, options)
        setattr(_local, key, cached)
    return cached


def _extract_with_trafilatura(root: lxml_html.HtmlElement, *, fast: bool = True) -> etree._Element | None:
    bare_extraction, convert_to_html, options = _trafilatura(fast=fast)
    document = bare_extraction(root, options=options)
    body = getattr(document, "body", None)
    if body is None or not len(body):
        return None
    converted: etree._Element = convert_to_html(body)
    return converted


def _all_text(element: etree._Element) -> str:
    return "".join(element.itertext())


def _comparable(text: str | None) -> str:
    return " ".join(_COMPARABLE.findall(text.lower())) if text else ""


def _same_text(a: str, b: str) -> bool:
    """Equal once case, punctuation and spacing are ignored (or one a long prefix of the other, not much
    shorter than it: a lead sentence that starts with the headline is not the headline)."""
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 40 and longer.startswith(shorter) and len(longer) <= 1.5 * len(shorter)


def tidy_extracted(fragment: etree._Element, metadata: PageMetadata) -> tuple[str, str]:
    """(display markup, text markup) of an extracted fragment.

    - a heading at the very start that repeats the page title is removed (the title is its own field);
    - a paragraph right after an image that repeats the image's alt text is its caption: it becomes a
      <figcaption> in the display markup and is left out of the text (captions are not article prose);
    """
    body = fragment.find(".//body")
    container = body if body is not None else fragment
    titles = {t for t in map(_comparable, (metadata.og_title, metadata.html_title, metadata.h1, metadata.title)) if t}
    for element in list(container)[:3]:
        if element.tag in ("h1", "h2") and any(_same_text(_comparable(_all_text(element)), t) for t in titles):
            container.remove(element)
            break
    for image in list(container.iter("img")):
        caption = image.getnext()
        alt = _comparable(image.get("alt"))
        if caption is None or caption.tag != "p" or not alt:
            continue
        if _same_text(_comparable(_all_text(caption)), alt):
            figure = etree.Element("figure")
            image.addprevious(figure)
            figure.append(image)
            caption.tag = "figcaption"
            figure.append(caption)
    display: str = etree.tostring(container, method="html", encoding="unicode", with_tail=False)
    for caption in list(container.iter("figcaption")):
        parent = caption.getparent()
        if parent is not None:
            parent.remove(caption)
    text_markup: str = etree.tostring(container, method="html", encoding="unicode", with_tail=False)
    return display, text_markup


def _paragraphs_only(root: lxml_html.HtmlElement) -> str:
    """The budget fallback: the page's headings and paragraphs, in order, as a fragment."""
    parts = [
        etree.tostring(element, method="html", encoding="unicode", with_tail=False)
        for element in root.iter("p", "h2", "h3", "blockquote")
        if "".join(element.itertext()).strip()
    ]
    return "".join(parts[:2000])


def drop_boilerplate_lines(text: str) -> str:
    kept = [line for line in text.split("\n") if not (line and len(line) < 300 and _BOILERPLATE_LINE.match(line))]
    return "\n".join(kept).strip()


class _Result(NamedTuple):
    html: str
    text: str
    first_image: str | None


def _finish(extracted: etree._Element | None, metadata: PageMetadata, base_url: str | None) -> _Result:
    """An extractor's fragment -> sanitised display HTML, paragraph text without furniture lines."""
    if extracted is None:
        return _Result("", "", None)
    display, text_markup = tidy_extracted(extracted, metadata)
    cleaned = clean_fragment(display, base_url)
    text = html_to_text(text_markup) if text_markup != display else cleaned.text
    return _Result(cleaned.html, drop_boilerplate_lines(text), cleaned.first_image)


def _first_image(root: etree._Element) -> str | None:
    for image in root.iter("img"):
        src = (image.get("src") or "").strip()
        if src and not src.startswith("data:"):
            return src
    return None


def _page_words(root: lxml_html.HtmlElement) -> int:
    """Visible words of the pruned page outside links: what an article is measured against."""
    body = root.find("body")
    scope = body if body is not None else root
    return max(0, text_length(scope) - link_words(scope))


def _readability_candidate(pruned: lxml_html.HtmlElement, metadata: PageMetadata, base_url: str | None) -> _Result:
    # readability-lxml drops hidden elements from the tree it is given: a copy, the page serves full mode next
    summary = readability_html(copy.deepcopy(pruned))
    parsed = parse_page(f"<html><body>{summary}</body></html>") if summary else None
    return _finish(parsed, metadata, base_url)


def _full_candidate(pruned: lxml_html.HtmlElement, metadata: PageMetadata, base_url: str | None) -> _Result:
    return _finish(_extract_with_trafilatura(pruned, fast=False), metadata, base_url)  # it works on a copy


def _second_opinion(
    fast: _Result, pruned: lxml_html.HtmlElement, metadata: PageMetadata, base_url: str | None, page_words: int
) -> tuple[str, _Result]:
    """The fast path looked wrong: ask readability-lxml, then if need be trafilatura's full mode
    (`candidates.second_opinion`), both on the pruned page."""
    built: dict[str, _Result] = {"trafilatura": fast}

    def full() -> str:
        built["trafilatura-full"] = _full_candidate(pruned, metadata, base_url)
        return built["trafilatura-full"].text

    if agree(fast.text, quick_article_text(pruned)):  # readability's scoring, cheaply: the fast text was right
        return "trafilatura", fast
    built["readability"] = _readability_candidate(pruned, metadata, base_url)
    index, _ = second_opinion(fast.text, built["readability"].text, full, page_words)
    method = ("trafilatura", "readability", "trafilatura-full")[index]
    return method, built[method]


def extract_page(markup: str, url: str | None = None, base_url: str | None = None, *, authors: bool = True) -> Page:
    """Metadata, sanitised body HTML, plain text and first image of a whole article page.

    `authors=False`: the caller already knows the authors (the feed item names them), so the page's
    byline is not searched for (`metadata.authors` stays empty); it is the costliest metadata field."""
    _trafilatura(fast=True)  # imported on the first page: its import must not count against the page's budget
    started = time.perf_counter()
    base = base_url or url
    root = parse_page(markup)
    if root is None:
        return Page("", "", None, PageMetadata(), "empty")
    metadata = read_metadata(root, authors=authors)
    prune_boilerplate(root, live=metadata.live)
    elements = int(root.xpath("count(//*)"))
    elapsed = time.perf_counter() - started
    if elements > MAX_ELEMENTS or elapsed > EXTRACTION_BUDGET_S:
        LOGGER.warning("page too large for full extraction (%d elements, %.2f s): paragraphs only", elements, elapsed)
        fragment = _paragraphs_only(root)
        cleaned = clean_fragment(fragment, base)
        text = drop_boilerplate_lines(cleaned.text)
        return Page(cleaned.html, text, cleaned.first_image, metadata, "paragraphs" if text else "empty")
    page_words = _page_words(root)
    container = article_container(root)
    image = _first_image(container if container is not None else root)
    if container is not None and container.tag in INLINE_TAGS:  # a <span itemprop="articleBody">
        narrowed = container_document(root, container)
        flatten_inline(narrowed)
    else:  # before the copy: the copy and every second opinion work on fewer elements
        flatten_inline(root)
        narrowed = container_document(root, container)
    chosen = ("trafilatura", _finish(_extract_with_trafilatura(narrowed), metadata, base))
    reason = looks_wrong(chosen[1].text, page_words)
    if reason is not None and (
        elements > MAX_SECOND_OPINION_ELEMENTS or time.perf_counter() - started > EXTRACTION_BUDGET_S / 2
    ):
        LOGGER.debug("fast extraction looks wrong (%s) but the page is too big for second opinions", reason)
    elif reason is not None:
        LOGGER.debug("fast extraction looks wrong (%s): asking readability-lxml and trafilatura's full mode", reason)
        chosen = _second_opinion(chosen[1], root, metadata, base, page_words)
    method, result = chosen
    first_image = result.first_image or (_absolute_http(image, base) if image else None)
    return Page(result.html, result.text, first_image, metadata, method if result.text else "empty")


def _absolute_http(src: str, base: str | None) -> str | None:
    joined = urljoin(base, src) if base else src
    return joined if urlsplit(joined).scheme in ("http", "https") else None


def extract_main_text(markup: str, url: str | None = None) -> str:
    """Just the article text of a whole page (what the extraction benchmark scores)."""
    return extract_page(markup, url).body_text
