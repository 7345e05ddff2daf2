"""Regression tests for the page path's failure classes (issue 12), each on a small page written for it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from newsflow.normalise import page as page_module
from newsflow.normalise.candidates import choose, decide, looks_wrong, quick_article_text, second_opinion
from newsflow.normalise.page import extract_page
from newsflow.normalise.prune import boilerplate_name

URL = "https://www.harbour-gazette.example/2026/11/03/tide-barrier-vote"

SENTENCES = [
    "The council voted on Tuesday to fund the new tide barrier after three winters of flooding in the lower town.",
    "Engineers said the steel gates would close within eleven minutes of a surge warning from the coastal office.",
    "Residents of Quay Street, where water reached the first floor in January, welcomed the decision with relief.",
    "The barrier will cost forty-two million and is expected to be finished before the storm season of next year.",
    "Opposition members asked why the plan had taken so long and whether smaller harbours would be protected too.",
    "The mayor answered that two further schemes were being drawn up and would be put to a vote in the spring.",
]


def prose(count: int = 6, start: int = 0) -> str:
    return "".join(f"<p>{SENTENCES[(start + i) % len(SENTENCES)]} Paragraph {start + i}.</p>" for i in range(count))


def document(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>Tide barrier vote</title>{head}</head><body>{body}</body></html>"


def text_of(markup: str) -> str:
    return extract_page(markup, URL).body_text


class TestControlCharacters:
    def test_a_bel_in_the_body_does_not_empty_the_output(self) -> None:
        markup = document(f"<article>{prose(3)}<p>Ring \x07 the bell. {SENTENCES[3]}</p>{prose(2, 4)}</article>")
        text = text_of(markup)
        assert "Paragraph 0." in text
        assert "Ring the bell." in text or "Ring  the bell." in text
        assert "Paragraph 5." in text
        assert "\x07" not in text


class TestLayoutTags:
    def test_a_body_inside_an_unclosed_nav_is_kept_and_the_menu_dropped(self) -> None:
        markup = document(
            "<nav class='top'><ul><li><a href='/'>Home</a></li><li><a href='/sport'>Sport</a></li></ul>"
            f"<article><h1>Tide barrier vote</h1>{prose(6)}</article></body></html>"
        ).replace("</body></html></body></html>", "</body></html>")
        text = text_of(markup)
        assert "Paragraph 0." in text
        assert "Paragraph 5." in text

    def test_a_closed_nav_still_goes(self) -> None:
        markup = document(
            "<nav><ul><li><a href='/'>Home page link</a></li></ul><p>Browse our sections and archives today</p></nav>"
            f"<article>{prose(6)}</article>"
        )
        text = text_of(markup)
        assert "Paragraph 5." in text
        assert "Browse our sections" not in text

    def test_prose_in_an_aside_inside_the_article_is_kept_a_sidebar_aside_is_not(self) -> None:
        box = (
            "<aside class='factbox'><p>Fact box: the last barrier on this coast was built in 1953 after the"
            " great flood.</p></aside>"
        )
        sidebar = (
            "<aside class='rail'><ul>"
            + "".join(f"<li><a href='/s{i}'>Story link {i}</a></li>" for i in range(8))
            + "</ul></aside>"
        )
        markup = document(f"<article>{prose(3)}{box}{prose(3, 3)}</article>{sidebar}")
        text = text_of(markup)
        assert "the last barrier on this coast was built in 1953" in text
        assert "Story link" not in text

    def test_an_article_inside_noscript_is_kept_and_a_javascript_notice_is_not(self) -> None:
        markup = document(
            "<div id='app'></div><noscript><p>Please enable JavaScript.</p></noscript>"
            f"<noscript><article>{prose(6)}</article></noscript>"
        )
        text = text_of(markup)
        assert "Paragraph 0." in text
        assert "Paragraph 5." in text
        assert "enable JavaScript" not in text


class TestClassNames:
    @pytest.mark.parametrize(
        "names",
        [
            "elementor-element elementor-widget elementor-widget-theme-post-content",
            "widget Blog",
            "post type-post status-publish category-promo",
            "entry category-social tag-social-media",
            "sharing-with-students",
            "widget-area-main",
        ],
    )
    def test_names_that_only_contain_a_boilerplate_word_do_not_name_boilerplate(self, names: str) -> None:
        assert boilerplate_name(names) is None

    @pytest.mark.parametrize(
        ("names", "head"),
        [
            ("share-buttons", "share"),
            ("post-share", "share"),
            ("article__comments comments--open", "comments"),
            ("related-posts", "related"),
            ("newsletter-signup-box", "signup"),
            ("elementor-widget-share-buttons", "share"),
            ("site-footer", "site-footer"),
        ],
    )
    def test_boilerplate_blocks_are_still_named(self, names: str, head: str) -> None:
        assert boilerplate_name(names) == head

    @pytest.mark.parametrize(
        "wrapper",
        [
            "<div class='elementor-widget elementor-widget-theme-post-content'>"
            "<div class='elementor-widget-container'>{}</div></div>",
            "<div class='widget Blog' id='Blog1'><div class='post hentry'>{}</div></div>",
            "<div class='post type-post category-promo'>{}</div>",
            "<section class='sharing-with-students'>{}</section>",
        ],
    )
    def test_the_article_inside_such_a_block_survives(self, wrapper: str) -> None:
        comments = "<div id='comments' class='comments-area'>" + prose(4, 2).replace("Paragraph", "Comment") + "</div>"
        markup = document(
            wrapper.format(prose(6)) + "<div class='share-buttons'><a href='/f'>Share on Facebook</a></div>" + comments
        )
        text = text_of(markup)
        assert "Paragraph 0." in text
        assert "Paragraph 5." in text
        assert "Share on Facebook" not in text
        assert "Comment 2." not in text


class TestNarrowing:
    def test_the_tightest_marked_box_holding_the_prose_wins_over_a_bigger_wrapper(self) -> None:
        quotes = (
            "<ul class='quotes'>"
            + "".join(f"<li>Index {i} closed at {100 + i} points</li>" for i in range(40))
            + "</ul>"
        )
        markup = document(f"<div class='main-content'><div class='entry-content'>{prose(8)}</div>{quotes}</div>")
        text = text_of(markup)
        assert "Paragraph 7." in text
        assert "closed at" not in text

    def test_an_article_split_over_several_marked_fragments_is_not_cut_to_one(self) -> None:
        ad = "<div class='ad-slot'><a href='/buy'>Buy now</a></div>"
        parts = [f"<div class='article-text'>{prose(3, 3 * i)}</div>" for i in range(3)]
        markup = document(
            f"<article><h1>Tide barrier vote</h1>{ad.join(parts)}</article><article><p>Other</p></article>"
        )
        text = text_of(markup)
        for n in (0, 4, 8):
            assert f"Paragraph {n}." in text

    def test_text_around_figures_is_kept(self) -> None:
        figure = "<figure><img src='/img/gate.jpg' alt='The gate'><figcaption>The gate in October</figcaption></figure>"
        body = "".join(f"<div class='block'>{figure}{prose(1, i)}</div>" for i in range(6))
        page = extract_page(document(f"<article>{body}</article>"), URL)
        for n in range(6):
            assert f"Paragraph {n}." in page.body_text
        assert page.first_image == "https://www.harbour-gazette.example/img/gate.jpg"

    def test_an_inline_article_body_is_narrowed_to_before_inline_tags_are_unwrapped(self) -> None:
        # Inline tags are unwrapped before the container is copied; a <span itemprop="articleBody"> is
        # itself one of them, so it is copied first and keeps its text.
        teasers = "".join(f"<li><a href='/n{i}'>Other story number {i} of the day</a></li>" for i in range(20))
        markup = document(
            f"<div><span itemprop='articleBody'>{prose(8)}</span></div><ul class='teaser-list'>{teasers}</ul>"
        )
        page = extract_page(markup, URL)
        for n in (0, 7):
            assert f"Paragraph {n}." in page.body_text
        assert "Other story number" not in page.body_text
        assert page.method == "trafilatura"  # the fast path had the text: no second opinion was needed

    def test_a_block_named_both_body_and_boilerplate_is_kept(self) -> None:
        # "Entry-Content share-bar": an article-body name wins, whatever the case of its letters.
        markup = document(f"<div class='Entry-Content share-bar'>{prose(6)}</div><div class='share-bar'>Share</div>")
        text = text_of(markup)
        assert "Paragraph 5." in text
        assert "Share" not in text.split()


class TestLiveTickers:
    def test_ticker_entries_named_comment_are_content_and_user_comments_are_not(self) -> None:
        entries = "".join(
            f"<div class='ticker-comment comment'><time>1{i}:00</time><p>{SENTENCES[i]} Update {i}.</p></div>"
            for i in range(5)
        )
        comments = (
            "<div id='comments' class='comments-area'><p>Great article, thanks for writing it all up here.</p></div>"
        )
        markup = document(f"<article><div class='live-ticker'>{entries}</div></article>{comments}")
        text = text_of(markup)
        for i in range(5):
            assert f"Update {i}." in text
        assert "Great article" not in text

    def test_a_live_blog_declared_in_json_ld_keeps_its_entries(self) -> None:
        head = '<script type="application/ld+json">{"@type": "LiveBlogPosting", "headline": "Storm live"}</script>'
        entries = "".join(f"<li class='comment-entry'><p>{SENTENCES[i]} Update {i}.</p></li>" for i in range(5))
        markup = document(f"<main><ol class='stream'>{entries}</ol></main>", head)
        text = text_of(markup)
        for i in range(5):
            assert f"Update {i}." in text


class TestQuickArticleText:
    """readability's scoring, cheaply: the check that lets a flagged fast text stand without readability-lxml."""

    LINKS = "".join(f"<li><a href='/s/{i}'>Harbour story number {i} of the week</a></li>" for i in range(15))

    def test_it_finds_the_paragraphs_and_not_the_link_lists(self) -> None:
        root = lxml_html.document_fromstring(
            f"<html><body><div class='top'><ul>{self.LINKS}</ul></div>"
            f"<div class='story'>{prose(6)}</div>"
            f"<div class='rail'><ul>{self.LINKS}</ul><p>Short note.</p></div></body></html>"
        )
        text = quick_article_text(root)
        for i in range(6):
            assert f"Paragraph {i}." in text
        assert "Harbour story number" not in text

    def test_divs_holding_only_text_count_as_paragraphs(self) -> None:
        paragraphs = "".join(f"<div>{SENTENCES[i]}, said the clerk, Paragraph {i}.</div>" for i in range(6))
        root = lxml_html.document_fromstring(
            f"<html><body><div class='menu'><ul>{self.LINKS}</ul></div><div>{paragraphs}</div></body></html>"
        )
        text = quick_article_text(root)
        assert all(f"Paragraph {i}." in text for i in range(6))
        assert "Harbour story number" not in text

    def test_a_page_without_paragraphs_gives_nothing(self) -> None:
        root = lxml_html.document_fromstring(f"<html><body><ul>{self.LINKS}</ul></body></html>")
        assert quick_article_text(root) == ""


class TestFallback:
    def test_looks_wrong_flags_short_empty_and_list_like_text(self) -> None:
        article = "\n\n".join(SENTENCES * 3)
        assert looks_wrong(article, page_words=len(article.split())) is None
        assert looks_wrong("", page_words=500) == "empty"
        assert looks_wrong("Just a line of words here", page_words=500) == "short"
        assert looks_wrong(article, page_words=10 * len(article.split())) == "low coverage"
        menu = "\n".join(f"Section {i}" for i in range(80))
        # Short lines holding more words than the page has outside links: menus, lists of links.
        assert looks_wrong(menu, page_words=120) == "list-like"
        # Short lines within the page's own prose: a list-like page (a recipe, a table), not a wrong block.
        assert looks_wrong(menu, page_words=170) is None

    def test_choose_keeps_what_the_candidates_agree_on(self) -> None:
        article = " ".join(SENTENCES)
        with_menu = article + " " + " ".join(f"menu item {i}" for i in range(60))
        assert choose([with_menu, article, article + " Paragraph end."]) in (1, 2)
        assert choose([article, "", ""]) == 0
        assert choose(["", article, ""]) == 1
        # Two candidates: the one with more prose, unless it is more than three times longer.
        assert choose([" ".join(SENTENCES[:4]), article]) == 1
        assert choose([SENTENCES[0], article, ""]) == 0

    def test_the_first_page_of_a_process_gets_second_opinions_too(self) -> None:
        # The extractors' import (a second or more on a cold start) does not count against the page's budget.
        code = (
            "from newsflow.normalise import page; from unittest import mock\n"
            "teaser = lambda root, fast=True: page.etree.fromstring('<div><p>Read our other stories.</p></div>')\n"
            "real = page._extract_with_trafilatura\n"
            "wrong = lambda r, fast=True: teaser(r) if fast else real(r, fast=False)\n"
            "with mock.patch.object(page, '_extract_with_trafilatura', wrong):\n"
            f"    print(page.extract_page({document(f'<div class=wrap>{prose(12)}</div>')!r}).method)"
        )
        functions = Path(__file__).resolve().parents[3] / "functions"
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(functions)}
        )
        assert result.stdout.strip() in ("readability", "trafilatura-full")

    def test_a_fast_path_that_picked_the_wrong_block_falls_back(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = page_module._extract_with_trafilatura

        def wrong_block(root: etree._Element, *, fast: bool = True) -> etree._Element | None:
            if fast:  # what trafilatura's fast mode does on some pages: one teaser instead of the article
                return etree.fromstring("<div><p>Read our other stories about the harbour.</p></div>")
            return real(root, fast=fast)

        monkeypatch.setattr(page_module, "_extract_with_trafilatura", wrong_block)
        page = extract_page(document(f"<div class='wrap'>{prose(12)}</div>"), URL)
        assert page.method in ("readability", "trafilatura-full")
        assert "Paragraph 0." in page.body_text
        assert "Paragraph 11." in page.body_text

    def test_a_page_with_more_prose_than_its_article_is_settled_by_the_cheap_check(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The article is a third of the page's words (a list of notes about the town beside it): the fast text looks
        # short against the page, readability's scoring (`quick_article_text`) finds the same article, so neither
        # readability-lxml nor full mode is built.
        asked: list[str] = []
        for name in ("_readability_candidate", "_full_candidate"):
            real = getattr(page_module, name)

            def spy(*args: object, _real: object = real, _name: str = name) -> object:
                asked.append(_name)
                return _real(*args)  # type: ignore[operator]

            monkeypatch.setattr(page_module, name, spy)
        notes = (
            "<ul class='town-notes'>"
            + "".join(f"<li>{SENTENCES[(i + 2) % 6]} {SENTENCES[(i + 3) % 6]} Note {i}.</li>" for i in range(12))
            + "</ul>"
        )
        article = f"<main><article><h1>Tide barrier vote</h1>{prose(6)}</article></main>"
        page = extract_page(document(f"{article}<div class='more'>{notes}</div>"), URL)
        assert asked == []
        assert page.method == "trafilatura"
        assert "Paragraph 5." in page.body_text
        assert "Note" not in page.body_text

    def test_inline_formatting_and_images_keep_their_text(self) -> None:
        body = "".join(
            f"<p>{SENTENCES[i]} <span class='hl'>Marked</span> <b>bold</b> <img src='/i{i}.jpg'>tail {i}.</p>"
            for i in range(6)
        )
        page = extract_page(document(f"<article><img src='/lead.jpg'>{body}</article>"), URL)
        for i in range(6):
            assert f"Marked bold tail {i}." in page.body_text
        assert page.first_image == "https://www.harbour-gazette.example/lead.jpg"


def test_the_extractors_stay_lazily_imported() -> None:
    code = (
        "import sys; import newsflow.normalise; from newsflow.normalise import page, candidates; "
        "print(sorted(m for m in ('trafilatura', 'readability') if m in sys.modules))"
    )
    functions = Path(__file__).resolve().parents[3] / "functions"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(functions)}
    )
    assert result.stdout.strip() == "[]"


def test_second_opinions_are_asked_one_at_a_time() -> None:
    article = "\n\n".join(SENTENCES * 2)
    words = len(article.split())
    asked: list[str] = []

    def full() -> str:
        asked.append("full")
        return article

    # readability-lxml agrees with the fast text: the fast text stands, full mode is never built.
    assert second_opinion(article[:-20], article, full, 3 * words)[0] == 0
    # A fast text that is one of the article's paragraphs, repeated on the page, does not agree with it.
    repeated = "\n\n".join([SENTENCES[0]] * 12)
    assert second_opinion(SENTENCES[0], repeated, full, len(repeated.split()))[0] == 1
    # It disagrees and passes the check: readability-lxml, still without full mode.
    assert second_opinion("A teaser line only.", article, full, words)[0] == 1
    assert asked == []
    # It disagrees and fails the check: full mode is built and decides.
    assert second_opinion("A teaser line only.", "Another teaser.", full, words)[0] == 2
    assert asked == ["full"]


def test_decide_keeps_a_second_opinion_that_passes_the_check() -> None:
    article = "\n\n".join(SENTENCES * 2)
    words = len(article.split())
    # The fast text was wrong; readability passes, full mode does not: readability.
    assert decide(["A teaser line only.", article, "menu\nhome\nsport"], words) == 1
    # Only full mode passes: full mode.
    assert decide(["A teaser line only.", "", article], words) == 2
    # Both pass: the one with more prose (the longer article is not three times longer).
    assert decide(["A teaser line only.", "\n\n".join(SENTENCES), article], words) == 2
