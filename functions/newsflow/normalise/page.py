"""Whole article pages: tell them from feed fragments, and extract the article from them.

`is_whole_page` is cheap (it looks at the first few KB and counts a few tags): feed fragments
(content:encoded) take the light path in `html.py`; only real pages pay for boilerplate removal.

`extract_page` on a page:
1. one lxml parse (libxml2; nesting capped at depth 256, so deep hostile trees stay small and nothing
   downstream recurses deeply); input beyond MAX_PAGE_CHARS is cut before parsing;
2. the metadata is read from the intact tree (`pagemeta.read_metadata`);
3. the tree is pre-pruned: never-content tags (script, style, svg, iframe, nav, aside, footer,
   figcaption, ...), blocks whose class/id names boilerplate (share bars, related/latest posts,
   newsletter and subscribe boxes, comments, cookie banners, ads, breadcrumbs, author boxes, video
   players, captions) and paragraphs that are a single link (inline "read also" teasers) are removed,
   unless the block holds the article itself (it contains <article>/articleBody, or more than 40% of
   the page's words). Only containers are judged by class: a <p class="paywall"> is still a paragraph;
4. when the page marks its article body unambiguously (itemprop=articleBody, a well-known body class,
   or a single <article>) and it holds >= 120 words, only that subtree is handed on (`narrow_to_article`);
5. trafilatura 2.3.1 extracts the main content in fast mode (no readability / jusText comparison, no
   comments, no links, no formatting: each costs time and precision on the benchmarks; images kept);
6. its output becomes HTML: a leading heading that repeats the page title is dropped, a paragraph
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

import logging
import re
import threading
import time
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from lxml import etree
from lxml import html as lxml_html

from newsflow.normalise.html import clean_fragment, html_to_text
from newsflow.normalise.pagemeta import PageMetadata, read_metadata

if TYPE_CHECKING:
    from collections.abc import Callable

LOGGER = logging.getLogger(__name__)

MAX_PAGE_CHARS: Final = 3_000_000
MAX_ELEMENTS: Final = 60_000
EXTRACTION_BUDGET_S: Final = 2.0

_PAGE_MARKERS = re.compile(rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_LAYOUT_TAGS = re.compile(rb"<(?:nav|header|footer|aside|form|menu)[\s>]", re.IGNORECASE)

# Tags never part of an article; removed with their content (their tail text is kept).
_DROP_TAGS: Final = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "svg", "math", "canvas", "audio", "video", "button", "select", "textarea", "input", "nav", "aside",
    "footer", "dialog", "menu", "link", "meta", "base", "figcaption",
)  # fmt: skip
# class/id tokens that name boilerplate blocks (matched on whole words of the attribute, any case).
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|sharebar|share-?buttons|social|socials|social-?share|related|"
    r"related-?(?:posts|articles|stories|content)|recommended|recommendations|more-?stories|"
    r"read-?more|also-?read|latest-?(?:posts|news)|popular|trending|most-?read|newsletter|subscribe|"
    r"subscription|signup|sign-?up|promo|promotion|advert|advertisement|ads|ad-?slot|ad-?container|"
    r"sponsored|outbrain|taboola|comments?|comment-?(?:form|list|section)|respond|disqus|breadcrumbs?|"
    r"sidebar|widget|widgets|cookie|consent|gdpr|modal|popup|author-?(?:box|bio)|about-?author|"
    r"tags?-?list|post-?tags|post-?navigation|pagination|jp-relatedposts|sharedaddy|skip-?link|"
    r"navigation|navbar|site-?header|site-?footer|masthead|toolbar|caption|video-?(?:player|container|embed)|"
    r"inline-?promo|promo-?(?:box|block|link))(?=$|[\s_-])",
    re.IGNORECASE,
)
_PRUNABLE: Final = frozenset({"div", "section", "ul", "ol", "dl", "form", "header", "table", "span", "figure"})
_KEEP_MARKERS = re.compile(r"articlebody|article-?body|post-?content|entry-?content|story-?body", re.IGNORECASE)
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


def _parser() -> lxml_html.HTMLParser:
    parser: lxml_html.HTMLParser | None = getattr(_local, "page_parser", None)
    if parser is None:
        # No huge_tree: libxml2 stops nesting at depth 256 (what lies deeper is dropped), which bounds
        # every recursive walk downstream. remove_comments/pis: never content.
        parser = lxml_html.HTMLParser(
            encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, default_doctype=False
        )
        _local.page_parser = parser
    return parser


def parse_page(markup: str) -> lxml_html.HtmlElement | None:
    text = markup[:MAX_PAGE_CHARS]
    if "\x00" in text:
        text = text.replace("\x00", "")
    data = text.encode("utf-8", "replace")
    try:
        root = lxml_html.document_fromstring(data, parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root


def _text_length(element: etree._Element) -> int:
    return len(etree.tostring(element, method="text", encoding="unicode", with_tail=False).split())


def _is_link_only(paragraph: etree._Element) -> bool:
    """A paragraph that is one link and nothing else (an inline "related story" teaser)."""
    links = paragraph.findall(".//a")
    if len(links) != 1:
        return False
    text = " ".join("".join(paragraph.itertext()).split())
    return len(text.split()) >= 4 and text == " ".join("".join(links[0].itertext()).split())


def prune_boilerplate(root: lxml_html.HtmlElement) -> int:
    """Remove never-content tags and boilerplate blocks in place; returns the number of blocks removed.

    Only containers are judged by their class/id (a <p class="paywall"> is still a paragraph), and a
    removed block's subtree is not visited again.
    """
    etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    body = root.find("body")
    total = _text_length(body if body is not None else root) or 1
    doomed: list[etree._Element] = []
    walker = etree.iterwalk(root, events=("start",))
    for _, element in walker:
        if element.tag not in _PRUNABLE:
            continue
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        if len(names) < 3 or not _BOILERPLATE.search(names) or _KEEP_MARKERS.search(names):
            continue
        if element.find(".//article") is not None or element.find(".//*[@itemprop='articleBody']") is not None:
            continue
        if _text_length(element) > 0.4 * total:
            continue
        doomed.append(element)
        walker.skip_subtree()
    for paragraph in root.iter("p"):
        # Cheap pre-check: a link-only paragraph has a child and no text of its own before it.
        if len(paragraph) and not (paragraph.text or "").strip() and _is_link_only(paragraph):
            doomed.append(paragraph)
    for element in doomed:
        parent = element.getparent()
        if parent is None:
            continue
        # The tail text belongs to the parent: keep it, drop the element.
        tail = element.tail
        if tail and tail.strip():
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(element)
    return len(doomed)


_ARTICLE_CONTAINER = re.compile(
    r"(?:^|\s)(?:article-?body|articlebody|article-?content|article__body|article-?text|story-?body|story-?content|"
    r"post-?content|post-?body|entry-?content|entry-?body|main-?content|content-?body|body-?text|"
    r"rich-?text|c-entry-content|field-?name-?body)(?:$|\s)",
    re.IGNORECASE,
)
MIN_CONTAINER_WORDS: Final = 120


def narrow_to_article(root: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """When the page marks its article body unambiguously (one <article>, itemprop=articleBody, or a
    well-known body class) and it holds enough prose, hand only that subtree to the extractor: less
    work for it, and nothing outside the article can leak in. Otherwise the whole (pruned) page."""
    body = root.find("body")
    if body is None:
        return root
    candidates = body.xpath(".//*[@itemprop='articleBody']")
    if not candidates:
        candidates = [
            e for e in body.iter("div", "section", "article") if _ARTICLE_CONTAINER.search(e.get("class") or "")
        ]
    if not candidates:
        articles = body.findall(".//article")
        candidates = articles if len(articles) == 1 else []
    if not candidates:
        return root
    best = max(candidates, key=_text_length)
    if _text_length(best) < MIN_CONTAINER_WORDS:
        return root
    # Headings just before the container (title, standfirst) are not needed: metadata carries them.
    new_root = lxml_html.Element("html")
    new_body = etree.SubElement(new_root, "body")
    best.tail = None
    new_body.append(best)
    return new_root


def _trafilatura() -> tuple[Callable[..., Any], Callable[..., Any], Any]:
    """trafilatura's bare_extraction, its XML->HTML converter and our options, built on first use.

    Imported lazily (~250 ms with its dependencies) so that feed-only cold starts never pay for it.
    """
    cached = getattr(_local, "trafilatura", None)
    if cached is None:
        from trafilatura.core import bare_extraction
        from trafilatura.htmlprocessing import convert_to_html
        from trafilatura.settings import Extractor

        # fast: no readability/jusText comparison; comments, links and formatting off (they cost time and
        # precision); images on (recall: trafilatura keeps more of the article around figures).
        options = Extractor(
            fast=True, comments=False, tables=True, links=False, images=True, formatting=False, with_metadata=False
        )
        cached = (bare_extraction, convert_to_html, options)
        _local.trafilatura = cached
    return cached


def _extract_with_trafilatura(root: lxml_html.HtmlElement) -> etree._Element | None:
    bare_extraction, convert_to_html, options = _trafilatura()
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
    """Equal once case, punctuation and spacing are ignored (or one a long prefix of the other)."""
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 40 and longer.startswith(shorter)


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


def extract_page(markup: str, url: str | None = None, base_url: str | None = None) -> Page:
    """Metadata, sanitised body HTML, plain text and first image of a whole article page."""
    started = time.perf_counter()
    root = parse_page(markup)
    if root is None:
        return Page("", "", None, PageMetadata(), "empty")
    metadata = read_metadata(root)
    prune_boilerplate(root)
    elements = sum(1 for _ in root.iter())
    elapsed = time.perf_counter() - started
    if elements > MAX_ELEMENTS or elapsed > EXTRACTION_BUDGET_S:
        LOGGER.warning("page too large for full extraction (%d elements, %.2f s): paragraphs only", elements, elapsed)
        display = text_markup = _paragraphs_only(root)
        method = "paragraphs"
    else:
        extracted = _extract_with_trafilatura(narrow_to_article(root))
        display, text_markup = tidy_extracted(extracted, metadata) if extracted is not None else ("", "")
        method = "trafilatura"
    cleaned = clean_fragment(display, base_url or url)
    text = drop_boilerplate_lines(html_to_text(text_markup)) if text_markup != display else cleaned.text
    text = drop_boilerplate_lines(text)
    return Page(cleaned.html, text, cleaned.first_image, metadata, method if text else "empty")


def extract_main_text(markup: str, url: str | None = None) -> str:
    """Just the article text of a whole page (what the extraction benchmark scores)."""
    return extract_page(markup, url).body_text
