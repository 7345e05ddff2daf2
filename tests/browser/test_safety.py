"""API text is shown as text; the sanitised body is rebuilt from an allow-list; scripts run only from the site;
the API key from config.json is sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import Site, Visit
from tests.browser.helpers import api

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_titles_with_markup_characters_render_as_text(visit: Callable[..., Visit], site: Site) -> None:
    # Given an article whose title holds quotes and ampersands, and whose body had a javascript: link and an
    # event handler before ingest sanitised it
    found = api(site.url, "/v1/search?q=filings&pageSize=1")["articles"][0]
    article = api(site.url, f"/v1/articles/{found['id']}")["article"]
    assert '"' in article["title"]
    assert "&" in article["title"]
    v = visit()
    # When the search results (highlighted) and the article page render
    page = v.open("/?q=filings")
    title = page.locator(f"[data-article-id='{found['id']}'] h3").text_content()
    assert title == article["title"]
    page = v.open(f"/?article={found['id']}")
    # Then the title is the API's text exactly, and nothing executable reached the page
    assert page.locator("main h1").text_content() == article["title"]
    assert page.evaluate("() => document.querySelectorAll('main script, main [onclick], main iframe').length") == 0
    hrefs = page.evaluate("() => [...document.querySelectorAll('main a[href]')].map(a => a.href)")
    assert all(h.startswith(("http://", "https://")) for h in hrefs)
    v.assert_clean()


SANITISE = """async (html) => {
    const {sanitisedBody} = await import('/js/dom.js');
    const holder = document.createElement('div');
    holder.append(sanitisedBody(html));
    return holder.innerHTML;
}"""


def test_client_side_allow_list_rebuilds_the_body(visit: Callable[..., Visit], site: Site) -> None:
    v = visit()
    page = v.open("/")
    hostile = (
        '<h1 class="x">Title</h1><p style="color:red" onclick="window.bad=1">text<script>window.bad=2</script>'
        '<a href="javascript:window.bad=3">link</a><a href="https://ok.example/a" target="_blank">ok</a>'
        '<img src="https://ok.example/i.png" onerror="window.bad=4"><iframe src="https://e.example/"></iframe>'
        "<custom-el>kept</custom-el><svg><script>window.bad=5</script></svg></p>"
    )
    rebuilt = page.evaluate(SANITISE, hostile)
    assert rebuilt == (
        '<h2>Title</h2><p>text<a rel="noopener noreferrer nofollow">link</a>'
        '<a href="https://ok.example/a" rel="noopener noreferrer nofollow">ok</a>'
        '<img src="https://ok.example/i.png" alt="" loading="lazy" referrerpolicy="no-referrer">kept</p>'
    )
    assert page.evaluate("() => window.bad") is None


HIGHLIGHT = """async (snippet) => {
    const {highlighted} = await import('/js/dom.js');
    const holder = document.createElement('p');
    holder.append(highlighted(snippet));
    return [holder.textContent, [...holder.querySelectorAll('mark')].map(m => m.textContent), holder.children.length];
}"""


def test_highlights_become_text_and_mark_elements_only(visit: Callable[..., Visit], site: Site) -> None:
    v = visit()
    page = v.open("/")
    text, marks, elements = page.evaluate(
        HIGHLIGHT, "R&amp;D &lt;b&gt; <mark>chip</mark> &#x27;export&#x27; <img src=x onerror=alert(1)> &#39;s"
    )
    assert text == "R&D <b> chip 'export' <img src=x onerror=alert(1)> 's"
    assert marks == ["chip"]
    assert elements == 1


def test_inline_scripts_are_refused_by_the_content_security_policy(visit: Callable[..., Visit], site: Site) -> None:
    v = visit()
    page = v.open("/")
    ran = page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.inline = 1';
                   document.head.append(s); return window.inline === 1; }"""
    )
    assert ran is False
    assert len(v.console_errors) == 1
    assert "Content Security Policy" in v.console_errors[0]


def test_the_api_key_from_config_json_is_sent_with_every_api_request(visit: Callable[..., Visit], site: Site) -> None:
    # Given a deployment whose config.json carries an API key (the local front without a key ignores it)
    v = visit()
    headers: list[tuple[str, str | None]] = []

    def config(route: Any) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"apiKey": "k-123"}))

    v.page.route(site.url + "/config.json", config)
    v.page.on("request", lambda r: "/v1/" in r.url and headers.append((r.url, r.headers.get("x-api-key"))))
    v.open("/")
    assert [url.removeprefix(site.url) for url, _ in headers] == ["/v1/pages/home?pageSize=7"]  # one per page
    assert {key for _, key in headers} == {"k-123"}
    assert v.page.locator("nav[aria-label=Sections] a").count() == 15
    v.assert_clean()
