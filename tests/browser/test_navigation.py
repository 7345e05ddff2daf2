"""A reader's path through the site with mouse and keyboard: category -> article -> next -> related -> archive ->
search, followed inside the page (History API), with Back and deep links rendering the same pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Site, Visit
from tests.browser.helpers import api

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_category_article_next_related_archive_search(visit: Callable[..., Visit], site: Site) -> None:
    oil = api(site.url, "/v1/search?q=%22oil+prices%22&pageSize=1")["articles"][0]
    article = api(site.url, f"/v1/articles/{oil['id']}")["article"]
    following = article["next"]
    related = api(site.url, f"/v1/articles/{following['id']}/related?pageSize=3")["articles"]
    v = visit()
    page = v.open("/")
    page.evaluate("() => { window.sameDocument = true; }")  # survives only in-page navigation

    # Given the front page, when the reader opens a section from the menu with the keyboard
    link = page.get_by_role("navigation", name="Sections").get_by_role("link", name="Energy & Resources")
    link.focus()
    page.keyboard.press("Enter")
    v.wait()
    # Then the section renders and focus moves to its heading (screen readers announce the new page)
    assert page.locator("main h1").inner_text() == "Energy & Resources"
    assert page.evaluate("() => document.activeElement.tagName") == "H1"
    assert page.title() == "Energy & Resources \N{EN DASH} newsflow"

    # When the reader opens an article of the section
    page.locator(f"main article[data-article-id='{oil['id']}'] h2 a").click()
    v.wait()
    assert page.locator("main h1").inner_text() == article["title"]
    assert f"article={oil['id']}" in page.url

    # ... then its next article
    page.get_by_role("navigation", name="Previous and next articles").get_by_role("link", name="Next Article").click()
    v.wait()
    assert page.locator("main h1").inner_text() == following["title"]

    # ... then a related post of that one
    page.locator("[data-block=related] h3 a").first.click()
    v.wait()
    assert page.locator("main h1").inner_text() == related[0]["title"]

    # ... then a month of the archives
    page.get_by_role("complementary").get_by_role("link", name="October 2026").click()
    v.wait()
    assert page.locator("main h1").inner_text() == "Archives: October 2026"

    # ... then a search from the header
    box = page.get_by_label("Search articles")
    box.fill("semiconductor")
    box.press("Enter")
    v.wait()
    assert page.locator("main h1").inner_text() == "Search results for “semiconductor”"
    assert page.locator("[data-block=results] article").count() >= 1
    assert page.evaluate("() => window.sameDocument") is True  # no page reload on the way

    # Back returns to the archive month; a reload of an article URL renders the same article
    page.go_back()
    v.wait()
    assert page.locator("main h1").inner_text() == "Archives: October 2026"
    v.open(f"/?article={following['id']}")
    assert page.locator("main h1").inner_text() == following["title"]
    v.assert_clean()


def test_keyboard_reader_skips_to_content_and_clears_search(visit: Callable[..., Visit], site: Site) -> None:
    v = visit()
    page = v.open("/")
    # The first Tab reaches the skip link; Enter moves focus to the main content. Focus moves are waited for
    # (expect retries), not read once: on a loaded machine the page's script may still be handling the key.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    # The next Tab goes to the first link inside the main content
    page.keyboard.press("Tab")
    expect(page.locator("main :focus")).to_have_count(1)
    # Escape in the search box clears it
    box = page.get_by_label("Search articles")
    box.fill("oil")
    box.press("Escape")
    assert box.input_value() == ""
    # Every link and button is reachable with Tab and shows a visible focus outline
    outline = page.evaluate(
        """() => { const a = document.querySelector('nav[aria-label=Sections] a'); a.focus();
                   return getComputedStyle(a).outlineStyle; }"""
    )
    assert outline != "none"
    v.assert_clean()


def test_unknown_article_and_section_say_not_found(visit: Callable[..., Visit], site: Site) -> None:
    v = visit()
    page = v.open("/?article=" + "0" * 32)
    assert page.locator("main h1").inner_text() == "Not found"
    # The browser logs the API's 404 for the article; nothing else goes wrong
    assert len(v.console_errors) == 1
    assert "404" in v.console_errors[0]
    v.console_errors.clear()
    # An unknown section is the page endpoint's 400 (the slug is not a category): logged once as well
    page = v.open("/?section=no-such-section")
    assert page.locator("main h1").inner_text() == "Not found"
    assert len(v.console_errors) == 1
    assert "400" in v.console_errors[0]
    v.console_errors.clear()
    for path in ["/?article=not-an-id", "/?archive=2026-13"]:
        page = v.open(path)
        assert page.locator("main h1").inner_text() == "Not found", path
    # and a not-found page still shows the site's blocks (from the front page's answer)
    page.wait_for_function("() => document.querySelectorAll('[data-block=latest-posts] li').length === 5")
    v.assert_clean()
