"""trafilatura run with Python selectors in place of its costliest XPaths: same elements, same output."""

from __future__ import annotations

import copy

import pytest
import trafilatura.core
import trafilatura.main_extractor
import trafilatura.xpaths as stock
from lxml import etree
from lxml import html as lxml_html
from newsflow.normalise import fast_xpaths
from newsflow.normalise.page import _trafilatura

PROSE = (
    "The ferry company said on Monday that the winter timetable would keep the early crossing after all, "
    "following a petition signed by more than four thousand island residents and commuters."
)

# Blocks named to hit (and to just miss) each pattern of the replaced XPaths: anchored tokens, tokens in
# the middle of a name, case variants, the first-of-two-attributes rule, lists, hidden and aria-hidden
# blocks, negative lookaheads, elements without attributes.
NAMES = [
    'class="share-tools"', 'class="x share-tools"', 'class="sharing"', 'class="reshare"', 'id="shareBox"',
    'id="Sharebar"', 'class="site-footer"', 'id="pageFooter"', 'class="cookie-note" id="main"',
    'id="main" class="cookie-note"', 'id="cookie-note" class="main"', 'class="breadcrumb"', 'class="bread-crumb"',
    'class="ad"', 'class="big ad here"', 'class="ad-slot"', 'class="x ad-slot"', 'class="head-ad-top"',
    'class="dfpAd"', 'class="dfpad"', 'class="paidcontent"', 'class="nav-main"', 'class="post-nav"',
    'class="subnav"', 'role="Navigation"', 'data-component="MostPopularStories"', "data-lp-replacement-content",
    'class="comments-title"', 'id="reply-7" class="note"', 'class="reply-7" id="note"', 'id="note" class="reply-7"',
    'id="hiddenBlock"', 'style="color: red" id="hidden-x"', 'id="x" style="visibility: hidden"',
    'style="display:none"', 'style="display: none"', 'id="reader-comments"', 'class="hide-mobile"',
    'class="x hidden"', 'class="noprint"', 'aria-hidden="true"', 'aria-hidden="false"', 'id="comments"',
    'id="Comments"', 'id="commentary"', 'class="comment-list"', 'class="Commentary"', 'class="post-comments"',
    'id="comol"', 'id="disqus_thread"', 'class="mvp-post-add-box"', 'id="infinite-scroll"', 'class="infinitescroll"',
    'class="entry-content"', 'id="article-body"', 'class="post"', 'class="entry"', 'itemprop="articleBody"',
    'id="articleContent"', 'class="articleText"', 'class="article__body"', 'id="story-body"', 'class="FullText"',
    'class="article intro"', 'role="article"', 'class="story"', 'class="wpb_text_column"', 'id="content"',
    'class="content"', 'id="Main-Content"', 'class="page-Content"', 'class="contentBody"', 'class="content_main"',
    'class="meta-data"', 'class="user-info"', 'class="slideshow"', 'class="widget"', 'class="byline"',
    "", 'class=""', 'id=""',
]  # fmt: skip
TAGS = ["div", "section", "span", "p", "ul", "ol", "article", "main", "aside", "details"]


def page() -> lxml_html.HtmlElement:
    blocks = []
    for n, names in enumerate(NAMES):
        tag = TAGS[n % len(TAGS)]
        inner = "<h1>Heading</h1>" if n % 3 == 0 else ""
        item = "<li>one</li><li>two</li>" if tag in ("ul", "ol") else f"<p>{PROSE} Block {n}.</p>"
        blocks.append(f"<{tag} {names}>{inner}{item}</{tag}>")
        blocks.append(f'<div class="wrap"><{tag} {names}>{item}</{tag}></div>')
        blocks.append(f"<ul {names}><li>{PROSE}</li></ul>")
    return lxml_html.document_fromstring(f"<html><body>{''.join(blocks)}</body></html>")


REPLACED = [
    ("OVERALL_DISCARD_XPATH", 0),
    ("OVERALL_DISCARD_XPATH", 1),
    ("REMOVE_COMMENTS_AND_LISTS_XPATH", 0),
    ("RAW_TREE_PRUNE_XPATH", 0),
]


@pytest.mark.parametrize(("name", "index"), REPLACED)
def test_selector_selects_what_the_xpath_selects(name: str, index: int) -> None:
    expression = getattr(stock, name)[index]
    selector = fast_xpaths.selector(expression)
    assert selector is not None
    tree = page()
    expected = expression(tree)
    assert expected  # the page exercises the pattern
    assert selector(tree) == expected


@pytest.mark.parametrize("index", [0, 2, 3])
def test_body_selector_finds_the_first_match(index: int) -> None:
    expression = stock.BODY_XPATH[index]
    selector = fast_xpaths.selector(expression)
    assert selector is not None
    tree = page()
    assert selector(tree) == expression(tree)[:1] != []
    plain = lxml_html.document_fromstring(f"<html><body><div><p>{PROSE}</p></div></body></html>")
    assert selector(plain) == expression(plain) == []


def test_xpath_without_a_template_is_kept() -> None:
    assert fast_xpaths.selector(etree.XPath(".//p[re:test(@class, 'x')]", namespaces={"re": "x"})) is None
    assert fast_xpaths.selector(stock.BODY_XPATH[1]) is None


def test_trafilatura_itself_keeps_its_xpaths() -> None:
    fast_xpaths.bare_extraction()
    assert trafilatura.main_extractor.OVERALL_DISCARD_XPATH is stock.OVERALL_DISCARD_XPATH
    assert all(isinstance(x, etree.XPath) for x in trafilatura.main_extractor.OVERALL_DISCARD_XPATH)
    assert trafilatura.core.RAW_TREE_PRUNE_XPATH is stock.RAW_TREE_PRUNE_XPATH


@pytest.mark.parametrize("fast", [True, False])
def test_extraction_is_the_same_as_stock_trafilatura(fast: bool) -> None:
    _, _, options = _trafilatura(fast=fast)
    tree = page()
    ours = fast_xpaths.bare_extraction()(copy.deepcopy(tree), options=options)
    theirs = trafilatura.core.bare_extraction(copy.deepcopy(tree), options=options)
    assert ours is not None
    assert theirs is not None
    assert etree.tostring(ours.body) == etree.tostring(theirs.body)
    assert "Block" in ours.raw_text
