"""Pre-pruning of a parsed page before extraction, and narrowing to the article container.

Everything here judges a block by what it holds as well as by what it is called, so that a name that
happens to contain a boilerplate word ("elementor-widget-theme-post-content", "category-social",
"sharing-with-students") or a layout tag wrapped around the article by a broken page (an unclosed <nav>)
never takes the article with it.

1. Never-content tags (script, style, iframe, svg, form controls, figcaption, ...) go with their content.
2. Layout tags are judged: <nav>, <footer>, <menu> go unless they hold the article (an <article>, an
   articleBody, or more than 40% of the page's words in >= 2 prose paragraphs, links under half of
   them), in which case they become a <div>; an <aside>
   or a <noscript> that holds prose (a paragraph of >= 10 words, links under 30% of its words) inside
   the article's container is kept as a <div>, any other goes.
3. Boilerplate containers are found by their class/id *tokens*: a token names boilerplate when its head
   is a boilerplate word, the head being its last part ("post-share", "article__comments") or the last
   part before trailing container nouns ("share-buttons", "related-posts", "newsletter-signup-box");
   a boilerplate word followed by anything else ("sharing-with-students") is not the head. Taxonomy
   labels that WordPress and others write on the article itself ("category-promo", "tag-social",
   "format-video") are not names of the block. A block is kept when it holds the article, or when it
   reads as prose (>= 3 paragraphs of >= 25 words, links under 10%) and its name is not about comments.
4. In a live blog or ticker (a container named liveblog/ticker/live-updates, or JSON-LD LiveBlogPosting)
   entries are content: "comment" in their class/id is neutralised so that neither our pruning nor the
   extractor's comment removal drops them.
5. Paragraphs that are a single link (inline "read also" teasers) are removed.

`narrow_to_article` hands the extractor only the marked article container when one holds the page's
prose: of the marked containers (itemprop=articleBody, a well-known body class, a single <article>) the
tightest one holding >= 90% of the best one's prose; when other marked boxes outside it hold prose too
(>= 30 words: the article is split, story-body-1 / story-body-2), their nearest common ancestor below
<body>; and only when that holds >= 60% of the page's prose (otherwise the marked box is a teaser:
the whole page goes).
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Final

from lxml import etree
from lxml import html as lxml_html

# Tags never part of an article; removed with their content (their tail text is kept).
DROP_TAGS: Final = (
    "script", "style", "template", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "canvas", "audio", "video", "button", "select", "textarea", "input", "dialog", "link", "meta", "base",
    "figcaption",
)  # fmt: skip
_STRUCTURAL: Final = ("nav", "footer", "menu")
_PROSE_HOLDERS: Final = ("aside", "noscript")
_HOLDS_ARTICLE_SHARE: Final = 0.4

# Words that name a boilerplate block when they are a class/id token's head.
_BOILERPLATE_WORDS: Final = frozenset(
    {
        "share", "shares", "sharing", "sharebar", "sharer", "social", "socials", "related", "recommended",
        "recommendations", "recirculation", "popular", "trending", "mostread", "newsletter", "newsletters",
        "subscribe", "subscription", "signup", "promo", "promotion", "promos", "advert", "advertisement",
        "ads", "ad", "adslot", "sponsored", "outbrain", "taboola", "comments", "respond", "disqus",
        "breadcrumb", "breadcrumbs", "sidebar", "cookie", "cookies", "consent", "gdpr", "modal", "popup",
        "pagination", "navigation", "navbar", "masthead", "toolbar", "caption", "sharedaddy",
        "jp-relatedposts", "byline", "tags", "taglist", "author-box", "author-bio", "about-author",
        "read-more", "also-read", "more-stories", "most-read", "latest-posts", "latest-news", "skip-link",
        "site-header", "site-footer", "post-navigation", "post-tags", "tags-list", "comment-list",
        "comment-form", "comment-section", "comments-area", "ad-slot", "ad-container", "video-player",
        "video-container", "video-embed", "inline-promo", "sign-up",
    }
)  # fmt: skip
# Container nouns that may follow the head word ("share-buttons", "related-posts", "comments-area").
_CONTAINER_NOUNS: Final = frozenset(
    {
        "bar", "box", "boxes", "block", "buttons", "button", "btns", "links", "link", "list", "lists",
        "container", "wrapper", "wrap", "section", "area", "widget", "icons", "tools", "tool", "panel",
        "posts", "articles", "stories", "content", "items", "news", "module", "unit", "slot", "banner",
        "inner", "outer", "holder", "placeholder", "teaser", "teasers", "rail", "strip", "row", "menu",
        "form", "thread", "count", "services", "networks", "top", "bottom", "footer", "header",
    }
)  # fmt: skip
# Comment-related heads: pruned even when they read as prose (user comments do).
_COMMENT_WORDS: Final = frozenset({"comments", "respond", "disqus", "comment-list", "comment-form", "comment-section",
                                   "comments-area"})  # fmt: skip
# Prefixes of taxonomy labels written on an article's own element (WordPress post_class() and the like).
_TAXONOMY = re.compile(r"^(?:category|categories|tag|tags|format|post-format|type|status|topic|section|cat|term)-")
_TOKEN_SPLIT = re.compile(r"__|[-_]")
KEEP_MARKERS = re.compile(r"articlebody|article-?body|post-?content|entry-?content|story-?body", re.IGNORECASE)
_LIVE = re.compile(
    r"live-?blog|live-?ticker|(?:^|[\s_-])ticker(?:$|[\s_-])|live-?(?:updates|feed|stream|coverage)", re.I
)
_COMMENT_IN_NAME = re.compile(r"comment", re.IGNORECASE)

ARTICLE_CONTAINER = re.compile(
    r"(?:^|\s)(?:article-?body|articlebody|article-?content|article__body|article-?text|story-?body|story-?content|"
    r"post-?content|post-?body|entry-?content|entry-?body|main-?content|content-?body|body-?text|bodytext|"
    r"rich-?text|c-entry-content|field-?name-?body)(?:$|\s)",
    re.IGNORECASE,
)
MIN_CONTAINER_WORDS: Final = 120
# Compiled XPath runs in libxml2 (ElementPath's find walks the subtree in Python).
_HAS_ARTICLE = etree.XPath("boolean(.//article | .//@itemprop[. = 'articleBody'])")
# Attributes, not elements, are tested: libxml2 then skips the elements that have none (half the time).
_LIVE_CANDIDATES = etree.XPath(
    "//@class[contains(., 'live') or contains(., 'Live') or contains(., 'icker')]"
    " | //@id[contains(., 'live') or contains(., 'ticker')]"
)
# Layout tags and every class/id value, in document order (an element's attributes come right after it):
# the values are strings, much cheaper to test than element proxies, and most name nothing.
_JUDGED = etree.XPath("//nav | //footer | //menu | //aside | //noscript | //@class | //@id")
_NAMED_TAGS: Final = frozenset(
    {"div", "section", "ul", "ol", "dl", "form", "header", "table", "span", "figure"}
)  # fmt: skip
_LINK_ONLY_CANDIDATES = etree.XPath("//p[a and not(normalize-space(text()))]")
_LINK_TEXT = etree.XPath(".//a//text()")
_PROSE_PARAGRAPH_WORDS: Final = 10
_TIGHTEST_SHARE: Final = 0.9
_NARROW_COVERAGE: Final = 0.6
_SPLIT_PART_WORDS: Final = 30


def text_length(element: etree._Element) -> int:
    return len(etree.tostring(element, method="text", encoding="unicode", with_tail=False).split())


def link_words(element: etree._Element) -> int:
    return len(" ".join(_LINK_TEXT(element)).split())


def _names(element: etree._Element) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


@lru_cache(maxsize=8192)
def _token_head(token: str) -> str | None:
    """The boilerplate word a class/id token names, or None (see the module doc, rule 3)."""
    token = token.lower().split("--", 1)[0]  # BEM modifiers ("comments--open") do not name the block
    if not token or _TAXONOMY.match(token):
        return None
    if token in _BOILERPLATE_WORDS:
        return token
    parts = [p for p in _TOKEN_SPLIT.split(token) if p]
    if not parts:
        return None
    # The head is the last boilerplate word (one part or two: "read-more") followed only by container
    # nouns: "post-share", "share-buttons", "newsletter-signup-box", "elementor-widget-share-buttons".
    for end in range(len(parts), 0, -1):
        for size in (2, 1):
            head = "-".join(parts[max(0, end - size) : end])
            if head in _BOILERPLATE_WORDS and all(p in _CONTAINER_NOUNS for p in parts[end:]):
                return head
        if parts[end - 1] not in _CONTAINER_NOUNS:
            return None
    return None


def boilerplate_name(names: str) -> str | None:
    """The boilerplate word named by any token of a class/id string, or None."""
    for token in names.split():
        head = _token_head(token)
        if head is not None:
            return head
    return None


@lru_cache(maxsize=8192)
def _named_head(names: str) -> str | None:
    """The boilerplate word a block's class/id string names, unless it also names an article body."""
    if len(names) < 3:
        return None
    lowered = names.lower()
    # A literal test first: the case-blind regex costs microseconds on every distinct name.
    if ("body" in lowered or "content" in lowered) and KEEP_MARKERS.search(lowered):
        return None
    return boilerplate_name(lowered)


@lru_cache(maxsize=8192)
def _names_boilerplate(value: str) -> bool:
    """One class or id value has a token that names boilerplate (necessary for its element's whole
    class/id string to name it: `_named_head` tests the same tokens, and may still keep the block)."""
    return boilerplate_name(value.lower()) is not None


def _holds_article(element: etree._Element, total_words: int) -> bool:
    """It contains an <article> or an articleBody, or most of the page's words and they read as prose."""
    if _HAS_ARTICLE(element):
        return True
    words = text_length(element)
    if words <= _HOLDS_ARTICLE_SHARE * total_words:
        return False
    return _reads_as_prose(element, paragraphs=2, words=_PROSE_PARAGRAPH_WORDS, max_link_share=0.5)


def _reads_as_prose(element: etree._Element, *, paragraphs: int, words: int, max_link_share: float) -> bool:
    prose = [n for p in element.iter("p") if (n := text_length(p)) >= words]
    if len(prose) < paragraphs:
        return False
    total = text_length(element) or 1
    return link_words(element) / total <= max_link_share


def _inside_article(element: etree._Element) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag == "article" or ancestor.get("itemprop") == "articleBody":
            return True
        names = _names(ancestor)
        if KEEP_MARKERS.search(names) or ARTICLE_CONTAINER.search(ancestor.get("class") or ""):
            return True
    return False


def _neutralise_live_entries(root: etree._Element, is_live: bool) -> None:
    """Entries of a live blog/ticker are content, whatever their class says (rule 4)."""
    containers = [root] if is_live else [a.getparent() for a in _LIVE_CANDIDATES(root) if _LIVE.search(a)]
    for container in containers:
        for element in container.iter():
            for attribute in ("class", "id"):
                value = element.get(attribute)
                if value and _COMMENT_IN_NAME.search(value):
                    element.set(attribute, _COMMENT_IN_NAME.sub("entry", value))


def _is_link_only(paragraph: etree._Element) -> bool:
    """A paragraph that is one link and nothing else (an inline "related story" teaser)."""
    links = paragraph.findall(".//a")
    if len(links) != 1:
        return False
    text = " ".join("".join(paragraph.itertext()).split())
    return len(text.split()) >= 4 and text == " ".join("".join(links[0].itertext()).split())


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail  # the tail text belongs to the parent: keep it, drop the element
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def prune_boilerplate(root: lxml_html.HtmlElement, *, live: bool = False) -> int:
    """Remove never-content tags and boilerplate blocks in place; returns the number of blocks removed.

    `live`: the page is a live blog (its metadata says so); its entries are kept whatever their names.
    """
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    _neutralise_live_entries(root, live)
    body = root.find("body")
    total = text_length(body if body is not None else root) or 1
    removed = 0
    # Only the elements that can be judged, in document order (an XPath in libxml2, not a Python walk);
    # a block is removed at once, so that what lies inside it is recognised as gone and not judged.
    # The name test comes first (cached per distinct class/id value): most values name nothing, and only
    # the elements of those that do are looked at, named in full and checked for still being in the tree.
    judged = None
    for found in _JUDGED(root):
        # a class or id value: its element is judged only if the value names something
        if isinstance(found, etree._ElementUnicodeResult):
            if not _names_boilerplate(str(found)):  # str(): the cache must not hold the tree
                continue
            element = found.getparent()
            if element is judged or element.tag not in _NAMED_TAGS or _named_head(_names(element)) is None:
                continue
        else:
            element = found
        judged = element
        if element.getroottree().getroot() is not root:
            continue
        if _doomed(element, total):
            _remove(element)
            removed += 1
    # A link-only paragraph has a link and no text of its own before it.
    for paragraph in _LINK_ONLY_CANDIDATES(root):
        if _is_link_only(paragraph):
            _remove(paragraph)
            removed += 1
    return removed


def _doomed(element: etree._Element, total: int) -> bool:
    """Judge one layout tag or named block (rules 2 and 3); a kept layout tag becomes a <div>."""
    tag = element.tag
    if tag in _STRUCTURAL or tag in _PROSE_HOLDERS:
        keep = _holds_article(element, total) or (
            tag in _PROSE_HOLDERS
            and _inside_article(element)
            and _reads_as_prose(element, paragraphs=1, words=_PROSE_PARAGRAPH_WORDS, max_link_share=0.3)
        )
        if keep:
            element.tag = "div"
        return not keep
    head = _named_head(_names(element))
    if head is None or _holds_article(element, total):
        return False
    return head in _COMMENT_WORDS or not _reads_as_prose(element, paragraphs=3, words=25, max_link_share=0.1)


def prose_words(element: etree._Element, counted: dict[etree._Element, int] | None = None) -> int:
    """Words in the paragraphs of `element` that read as prose (>= 10 words each); `counted` holds the
    paragraphs' word counts when they are already known (`paragraph_words`)."""
    if counted is None:
        return sum(n for p in element.iter("p") if (n := text_length(p)) >= _PROSE_PARAGRAPH_WORDS)
    return sum(n for p in element.iter("p") if (n := counted.get(p, 0)) >= _PROSE_PARAGRAPH_WORDS)


def paragraph_words(body: etree._Element) -> dict[etree._Element, int]:
    """Word count of every paragraph under `body`, counted once for all the containers judged."""
    return {p: text_length(p) for p in body.iter("p")}


def article_container(root: lxml_html.HtmlElement) -> etree._Element | None:
    """The marked article container that holds the page's prose, or None (see the module doc)."""
    body = root.find("body")
    if body is None:
        return None
    candidates: list[etree._Element] = body.xpath(".//*[@itemprop='articleBody']")
    candidates += [
        e for e in body.iter("div", "section", "article", "main") if ARTICLE_CONTAINER.search(e.get("class") or "")
    ]
    articles = body.findall(".//article")
    if len(articles) == 1:
        candidates.append(articles[0])
    counted = paragraph_words(body)
    if not candidates:
        return None
    scored = [(prose_words(c, counted), c) for c in candidates]
    best_score = max(score for score, _ in scored)
    if best_score < MIN_CONTAINER_WORDS:
        return None
    best = min((c for score, c in scored if score >= _TIGHTEST_SHARE * best_score), key=text_length)
    # Other marked boxes with prose outside it (story-body-1 / story-body-2, article-text fragments):
    # the article is split, and their nearest common ancestor holds it.
    apart = [c for score, c in scored if score >= _SPLIT_PART_WORDS and _disjoint(c, best)]
    if apart:
        best = _common_ancestor([best, *apart])
        if best is None or best is body or best is root:
            return None
    if prose_words(best, counted) < _NARROW_COVERAGE * prose_words(body, counted):
        return None
    return best


def _disjoint(a: etree._Element, b: etree._Element) -> bool:
    return a is not b and not any(x is b for x in a.iterancestors()) and not any(x is a for x in b.iterancestors())


def _common_ancestor(elements: list[etree._Element]) -> etree._Element | None:
    first, *rest = elements
    chain = [first, *first.iterancestors()]
    for element in rest:
        ancestors = {id(x) for x in (element, *element.iterancestors())}
        chain = [x for x in chain if id(x) in ancestors]
    return chain[0] if chain else None


# Inline tags whose text is all that an extraction without formatting keeps; unwrapped before extraction.
INLINE_TAGS: Final = (
    "span", "font", "b", "i", "em", "strong", "small", "u", "abbr", "time", "mark", "sup", "sub", "cite", "label",
    "ins", "del", "s", "strike", "big", "tt", "q", "dfn", "kbd", "var", "samp", "bdi", "bdo", "nobr",
)  # fmt: skip


def flatten_inline(root: etree._Element) -> None:
    """Unwrap inline formatting tags (their text and tails stay in place) and remove images, in place.

    Done after pruning (which judges spans by their class) and once the first image is known: the
    extractors run without formatting and images, and each element they need not visit saves time."""
    etree.strip_tags(root, *INLINE_TAGS)
    etree.strip_elements(root, "img", "picture", "source", with_tail=False)


def narrow_to_article(root: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """A copy of the article container in a new document, when `article_container` finds one; else `root`.

    `root` itself is left whole: second opinions read the whole pruned page."""
    return container_document(root, article_container(root))


def container_document(root: lxml_html.HtmlElement, best: etree._Element | None) -> lxml_html.HtmlElement:
    """A copy of `best` alone in a new document (`root` itself when there is no container)."""
    if best is None:
        return root
    new_root = lxml_html.Element("html")
    new_body = etree.SubElement(new_root, "body")
    copied = copy.deepcopy(best)
    copied.tail = None
    new_body.append(copied)
    return new_root
