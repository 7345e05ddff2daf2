"""Every page type in real Chromium, with the blocks of the seed article page filled from the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import FRESH_SOURCES, FRESH_TITLE, Site, Visit
from tests.browser.helpers import api, axe_violations, texts

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def oil_article(site: Site) -> dict[str, Any]:
    found = api(site.url, "/v1/search?q=%22oil+prices%22&pageSize=1")["articles"][0]
    return api(site.url, f"/v1/articles/{found['id']}")["article"]


def test_home_has_the_seed_pages_site_wide_blocks(visit: Callable[..., Visit], site: Site, axe_source: str) -> None:
    # Given the local stack with the samples and a fresh story carried by three sources
    categories = api(site.url, "/v1/categories")["categories"]
    latest = api(site.url, "/v1/articles?pageSize=5")["articles"]
    months = api(site.url, "/v1/archives")["months"]
    v = visit()
    # When a reader opens the front page
    page = v.open("/")
    # Then the category menu lists Home and the 14 sections, in the API's order
    assert texts(page, "nav[aria-label=Sections] a") == ["Home", *[c["name"] for c in categories]]
    assert len(categories) == 14
    # What's Hot leads with the fresh story and says how many sources carry it
    first_hot = page.locator("[data-block=whats-hot] li").first
    assert first_hot.get_by_role("link").inner_text() == FRESH_TITLE
    assert first_hot.locator(".hot-count").inner_text() == f"{len(FRESH_SOURCES)} sources"
    assert page.locator(".hot-note").count() == 0  # a real 24 h story, not the fallback
    # Latest Posts: the five newest, each with its date
    assert texts(page, "[data-block=latest-posts] li a") == [a["title"] for a in latest]
    assert all(t for t in texts(page, "[data-block=latest-posts] li time"))
    # Monthly archives and categories with counts
    assert texts(page, "[data-block=archives] a") == [
        page.evaluate(
            "m => new Intl.DateTimeFormat('en-US', {month: 'long', year: 'numeric', timeZone: 'UTC'})"
            ".format(new Date(Date.UTC(m[0], m[1] - 1, 1)))",
            [m["year"], m["monthNumber"]],
        )
        for m in months
    ]
    assert page.locator("[data-block=categories] li").count() == sum(1 for c in categories if c["articleCount"])
    # The search box, a lead story and more stories
    assert page.get_by_role("search", name="Site search").get_by_label("Search articles").is_visible()
    stories = api(site.url, "/v1/articles?pageSize=7&collapse=story")["articles"]
    assert page.locator("[data-block=lead] h2").inner_text() == stories[0]["title"]
    assert texts(page, "[data-block=home-latest] h3") == [a["title"] for a in stories[1:]]
    assert page.title() == "newsflow"
    v.screenshot("home-desktop")
    assert axe_violations(page, axe_source) == []
    v.assert_clean()


def test_article_page_has_every_block_of_the_seed_article(
    visit: Callable[..., Visit], site: Site, axe_source: str
) -> None:
    # Given an article that another source also carried, with neighbours and related posts
    article = oil_article(site)
    related = api(site.url, f"/v1/articles/{article['id']}/related?pageSize=3")["articles"]
    assert article["alsoFrom"]
    assert article["previous"]
    assert article["next"]
    assert related
    v = visit()
    # When the reader opens it
    page = v.open(f"/?article={article['id']}")
    main = page.locator("main")
    # Then: breadcrumb, category, title, author, date, reading time
    assert texts(page, ".breadcrumb li") == ["Home", article["category"]["name"], article["title"]]
    assert main.locator(".label").first.text_content() == article["category"]["name"]
    assert main.locator("h1").inner_text() == article["title"]
    byline = main.locator("[data-block=byline]").inner_text()
    assert f"By {', '.join(article['authors'])}" in byline
    assert "November 8, 2026" in byline
    assert f"{article['readingTimeMinutes']} min read" in byline
    assert main.locator("[data-block=byline] time").get_attribute("datetime") == article["publishedAt"]
    # the body, from the sanitised HTML, paragraph by paragraph
    paragraphs = texts(page, "[data-block=body] p")
    assert len(paragraphs) >= 3
    assert all(p in article["content"] for p in paragraphs[:3])
    # the source link and the sources that also carried it
    source_link = main.get_by_role("link", name="Source link")
    assert source_link.get_attribute("href") == article["url"]
    assert "Also reported by: " + ", ".join(article["alsoFrom"]) == main.locator("[data-block=also-from]").inner_text()
    # previous / next in its category
    assert main.locator("a[rel=prev] .neighbour-title").inner_text() == article["previous"]["title"]
    assert main.locator("a[rel=next] .neighbour-title").inner_text() == article["next"]["title"]
    # the source's box (the seed's author box: name and website)
    assert main.locator("[data-block=source] h2").inner_text() == article["source"]["name"]
    assert main.get_by_role("link", name="Website").get_attribute("href") == article["source"]["homepage"]
    # related posts with their dates
    assert texts(page, "[data-block=related] h3") == [a["title"] for a in related]
    assert page.locator("[data-block=related] time").count() == len(related)
    # the lead image has alt text
    assert main.locator(".lead-image img").get_attribute("alt") == f"Image for: {article['title']}"
    assert ("image", article["imageUrl"]) in v.offsite  # the only kind of off-site request a page makes
    assert page.title() == f"{article['title']} \N{EN DASH} newsflow"
    v.screenshot("article-desktop")
    assert axe_violations(page, axe_source) == []
    v.assert_clean()


def test_category_page_pages_forward_with_the_cursor(visit: Callable[..., Visit], site: Site, axe_source: str) -> None:
    # Given a section with more articles than one page holds
    slug = "energy-resources"
    everything = [a["title"] for a in api(site.url, f"/v1/articles?category={slug}&pageSize=100")["articles"]]
    assert len(everything) > 6
    v = visit()
    page = v.open(f"/?section={slug}")
    # Then page 1 shows the newest six, with the section marked current in the menu
    assert page.locator("main h1").inner_text() == "Energy & Resources"
    first = texts(page, "main .cards h2")
    assert first == everything[:6]
    assert page.locator("nav[aria-label=Sections] a[aria-current=page]").inner_text() == "Energy & Resources"
    v.screenshot("category-desktop")
    assert axe_violations(page, axe_source) == []
    # When the reader follows "Older posts"
    page.get_by_role("link", name="Older posts →").click()
    v.wait()
    # Then page 2 continues where page 1 stopped, and "Newest" goes back
    assert "page=2" in page.url
    assert texts(page, "main .cards h2") == everything[6:12]
    assert page.locator(".page-number").inner_text() == "Page 2"
    page.get_by_role("link", name="← Newest").click()
    v.wait()
    assert texts(page, "main .cards h2") == first
    v.assert_clean()


def test_archive_month_page_lists_that_months_articles(
    visit: Callable[..., Visit], site: Site, axe_source: str
) -> None:
    month = api(site.url, "/v1/archives/2026/10?pageSize=6")
    v = visit()
    page = v.open("/?archive=2026-10")
    assert page.locator("main h1").inner_text() == "Archives: October 2026"
    assert page.locator("main .count-line").inner_text() == f"{month['totalResults']} articles"
    assert texts(page, "main .cards h2") == [a["title"] for a in month["articles"]]
    assert all(t.endswith(", 2026") and t.startswith("October") for t in texts(page, "main .cards time"))
    v.screenshot("archive-desktop")
    assert axe_violations(page, axe_source) == []
    v.assert_clean()


def test_search_page_shows_highlights_facets_and_filters(
    visit: Callable[..., Visit], site: Site, axe_source: str
) -> None:
    answer = api(site.url, "/v1/search?q=oil&highlight=true&facets=category,source,month&pageSize=10")
    assert answer["totalResults"] >= 2
    v = visit()
    # When the reader types in the header's search box and presses Enter
    page = v.open("/")
    box = page.get_by_role("search", name="Site search").get_by_label("Search articles")
    box.fill("oil")
    box.press("Enter")
    v.wait()
    # Then the results page: count, highlighted matches, facets with counts
    assert page.locator("main h1").inner_text() == "Search results for “oil”"
    assert page.locator("[data-block=result-count]").inner_text() == f"{answer['totalResults']} results"
    assert texts(page, "[data-block=results] h3") == [a["title"] for a in answer["articles"]]
    marks = {m.lower() for m in texts(page, "[data-block=results] mark")}
    assert marks == {"oil"}
    category_facet = page.get_by_role("region", name="Filter by category")
    assert len(texts(category_facet, "li")) == len(answer["facets"]["category"])
    assert page.get_by_role("region", name="Filter by source").count() == 1
    assert page.get_by_role("region", name="Filter by month").count() == 1
    v.screenshot("search-desktop")
    assert axe_violations(page, axe_source) == []
    # When a category facet is chosen, the results narrow to it and the filter can be removed
    slug, count = next(iter(answer["facets"]["category"].items()))
    name = next(c["name"] for c in api(site.url, "/v1/categories")["categories"] if c["slug"] == slug)
    category_facet.get_by_role("link", name=f"{name} ({count})").click()
    v.wait()
    assert f"category={slug}" in page.url
    assert page.locator("[data-block=result-count]").inner_text() == (f"{count} result" + ("s" if count != 1 else ""))
    assert page.locator(".facet a.active").count() == 1
    # And sorting by newest keeps the filter
    page.get_by_label("Sort by").select_option("publishedAt")
    page.get_by_role("search", name="Refine search").get_by_role("button", name="Search").click()
    v.wait()
    assert "sort=publishedAt" in page.url
    assert f"category={slug}" in page.url
    v.assert_clean()


def test_pages_fit_a_phone_screen(visit: Callable[..., Visit], site: Site, axe_source: str) -> None:
    v = visit(width=390, height=844)
    article = oil_article(site)["id"]
    # On a phone the section menu folds behind a button that opens it
    page = v.open("/")
    toggle = page.get_by_role("button", name="Sections")
    menu_link = page.get_by_role("navigation", name="Sections").get_by_role("link", name="Energy & Resources")
    assert not menu_link.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    menu_link.click()
    v.wait()
    assert page.locator("main h1").inner_text() == "Energy & Resources"
    assert toggle.get_attribute("aria-expanded") == "false"
    for name, path in [("home", "/"), ("article", f"/?article={article}"), ("search", "/?q=oil")]:
        page = v.open(path)
        # nothing wider than the screen (no sideways scrolling), and no accessibility violation at this size
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, name
        assert axe_violations(page, axe_source) == [], name
        v.screenshot(f"{name}-phone")
    v.assert_clean()


def test_whats_hot_says_so_when_no_story_is_ranked(visit: Callable[..., Visit], site: Site) -> None:
    # Given an API whose What's Hot ranks nothing (a site whose newest items are over a week old)
    v = visit()

    def without_hot(route: Any) -> None:
        answer = route.fetch().json()
        answer["site"]["hot"] = {"window": "7d", "articles": []}
        route.fulfill(json=answer)

    v.page.route("**/v1/pages/**", without_hot)
    page = v.open("/")
    # Then the block shows the newest stories and says that is what they are
    newest = [a["title"] for a in api(site.url, "/v1/articles?pageSize=3")["articles"]]
    assert page.locator(".hot-note").inner_text() == "Nothing trending this week: the newest stories"
    assert texts(page, "[data-block=whats-hot] li a") == newest
    v.assert_clean()


def test_each_page_is_one_request_to_its_page_endpoint(visit: Callable[..., Visit], site: Site) -> None:
    # Given a reader whose every API request is recorded
    article = oil_article(site)
    v = visit()
    requests: list[str] = []
    v.page.on("request", lambda r: "/v1/" in r.url and requests.append(r.url.removeprefix(site.url)))
    expected = {
        "/": "/v1/pages/home?pageSize=7",
        "/?section=energy-resources": "/v1/pages/category/energy-resources?pageSize=6",
        f"/?article={article['id']}": f"/v1/pages/article/{article['id']}?relatedSize=3",
        "/?q=oil": "/v1/pages/search?q=oil&sortBy=relevancy&highlight=true&facets=category%2Csource%2Cmonth"
        "&pageSize=10",
        "/?archive=2026-10": "/v1/pages/search?from=2026-10-01T00%3A00%3A00Z&to=2026-11-01T00%3A00%3A00Z"
        "&sortBy=publishedAt&pageSize=6",
    }
    # When each page is opened (a full load: the menu, What's Hot and the sidebar included)
    for path, endpoint in expected.items():
        requests.clear()
        page = v.open(path)
        # Then it made exactly one API request: its page endpoint
        assert requests == [endpoint], path
        assert page.locator("[data-block=latest-posts] li").count() == 5, path
        assert page.locator("nav[aria-label=Sections] a").count() == 15, path
    # And following a link inside the site is one request too
    page = v.open("/")
    requests.clear()
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Energy & Resources").click()
    v.wait()
    page.wait_for_function("() => document.querySelector('main h1')?.textContent === 'Energy & Resources'")
    assert requests == [expected["/?section=energy-resources"]]
    v.assert_clean()
