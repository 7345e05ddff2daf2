"""Whole article pages: detection, boilerplate removal, page metadata, and hostile pages."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from newsflow.errors import PermanentItemError
from newsflow.models import FeedItem
from newsflow.normalise import normalise_item
from newsflow.normalise.page import extract_page, is_whole_page
from newsflow.normalise.pagemeta import date_from_url

# A guard against runaway (quadratic) work, not a speed test: speed is measured in benchmarks/, and
# this suite runs on loaded 2-core machines where honest work on 10 MB can take tens of seconds.
HANG_SECONDS = 120

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PAGES = Path(__file__).parent / "pages"
ARTICLE_URL = "https://www.coastline-watch.example/economy/harbour-cranes-return"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def page_item(markup: str, **fields: Any) -> FeedItem:
    fields.setdefault("url", ARTICLE_URL + "?utm_source=share")
    fields.setdefault("title", "Harbour cranes return to Port Ellery after strike | Coastline Business Watch")
    return FeedItem.model_validate({**fields, "content_html": markup})


class TestDetection:
    @pytest.mark.parametrize(
        "markup",
        [
            "<!DOCTYPE html><html><body><p>x</p></body></html>",
            "<html lang='en'><head><title>x</title></head></html>",
            "  <body><p>just a body</p></body>",
        ],
    )
    def test_documents_are_whole_pages(self, markup: str) -> None:
        assert is_whole_page(markup)

    @pytest.mark.parametrize(
        "markup",
        ["<p>Oil rose.</p><p>Brent gained 2%.</p>", "Plain text", "", "<div><nav>x</nav></div>" * 10],
    )
    def test_feed_fragments_are_not(self, markup: str) -> None:
        assert not is_whole_page(markup)

    def test_a_large_layout_heavy_fragment_counts_as_a_page(self) -> None:
        markup = "<nav>menu</nav><header>h</header>" + "<p>words</p>" * 3000 + "<footer>f</footer>"
        assert is_whole_page(markup)


class TestBoilerplateRemoval:
    def test_the_article_survives_and_the_furniture_is_gone(self) -> None:
        # Given a whole page with menu, trending bar, breadcrumbs, share bar, tags, author box, related
        # posts, newsletter box, comment form, sidebar and copyright footer
        n = normalise_item(page_item(page("article_with_boilerplate.html")), now=NOW)
        # Then every paragraph of the article is kept, as separate paragraphs
        paragraphs = n.body_text.split("\n\n")
        assert paragraphs[0].startswith("Container cranes at Port Ellery were moving again")
        assert any(p.startswith("The union accepted a two-year agreement") for p in paragraphs)
        assert "Backlog will take weeks to clear" in paragraphs
        assert paragraphs[-1].startswith("Port officials estimated the strike had delayed cargo")
        # And nothing of the page furniture is left, in the text or in the HTML
        for boilerplate in (
            "Home", "What's Hot", "Share", "Facebook", "Related Posts", "Rail freight volumes rebound",
            "Subscribe", "newsletter", "Leave a Reply", "Post Comment", "Latest Posts", "Central bank holds",
            "All rights reserved", "Privacy Policy", "Tags:", "covers shipping and trade", "3 Mins Read",
        ):  # fmt: skip
            assert boilerplate not in n.body_text, boilerplate
            assert boilerplate not in n.body_html, boilerplate
        # And the headline is not repeated as the first line of the body
        assert not n.body_text.startswith("Harbour cranes return")

    def test_display_html_is_sanitised_and_the_article_image_is_absolute(self) -> None:
        # Inline images are not extracted (trafilatura's images=True loses text on some pages): the
        # article's first image is reported on its own, made absolute.
        result = extract_page(page("article_with_boilerplate.html"), ARTICLE_URL)
        assert result.first_image == "https://www.coastline-watch.example/media/quay.jpg"
        n = normalise_item(page_item(page("article_with_boilerplate.html")), now=NOW)
        assert "<script" not in n.body_html
        assert "<style" not in n.body_html
        assert "<form" not in n.body_html
        assert n.body_html.startswith("<p>Container cranes")

    def test_a_caption_stays_out_of_the_text(self) -> None:
        n = normalise_item(page_item(page("article_with_boilerplate.html")), now=NOW)
        assert "Cranes at the north quay" not in n.body_text


class TestPageMetadata:
    def test_page_metadata_fills_what_the_item_lacks(self) -> None:
        # Given a page pushed with only a url and a decorated title
        n = normalise_item(page_item(page("article_with_boilerplate.html")), now=NOW)
        # Then the site suffix is removed from the title
        assert n.title == "Harbour cranes return to Port Ellery after strike"
        # And dates come from JSON-LD, in UTC
        assert n.published_at == datetime(2026, 11, 2, 7, 15, tzinfo=UTC)
        assert n.updated_at == datetime(2026, 11, 2, 11, 40, tzinfo=UTC)
        # And authors, language, lead image, summary, site name and tags come from the page
        assert n.authors == ["Mara Lindqvist", "Tom Okafor"]
        assert n.language == "en"
        assert n.image_url == "https://www.coastline-watch.example/media/cranes.jpg"
        assert n.summary == "Dock workers ended a nine-day strike on Monday after a pay deal."
        assert n.source_name == "Coastline Business Watch"
        assert n.source_domain == "coastline-watch.example"
        assert n.feed_tags == ["Economy"]
        assert n.url == ARTICLE_URL
        assert n.word_count > 100
        assert n.reading_time_minutes == 1

    def test_the_feed_beats_the_page(self) -> None:
        # Given an item that carries its own date, authors, language and summary
        item = page_item(
            page("article_with_boilerplate.html"),
            published="2026-11-01T06:00:00Z",
            authors=["Desk Editor"],
            language="de",
            summary="The feed's own teaser.",
            source={"name": "Harbour Wire"},
        )
        n = normalise_item(item, now=NOW)
        # Then the feed's values win; the page only fills gaps
        assert n.published_at == datetime(2026, 11, 1, 6, tzinfo=UTC)
        assert n.authors == ["Desk Editor"]
        assert n.language == "de"
        assert n.summary == "The feed's own teaser."
        assert n.source_name == "Harbour Wire"

    def test_a_canonical_on_the_same_site_is_honoured(self) -> None:
        # Given the page was pushed under a mobile URL of the same site
        n = normalise_item(
            page_item(page("article_with_boilerplate.html"), url="https://m.coastline-watch.example/x"), now=NOW
        )
        # Then the page's rel=canonical becomes the article URL (and the id follows it)
        assert n.url == ARTICLE_URL
        assert n.original_url == "https://m.coastline-watch.example/x"

    def test_a_canonical_on_another_site_is_ignored(self) -> None:
        markup = page("article_with_boilerplate.html")
        n = normalise_item(page_item(markup, url="https://syndicator.example.net/story/9"), now=NOW)
        assert n.url == "https://syndicator.example.net/story/9"

    def test_meta_tag_dates_and_byline_when_there_is_no_json_ld(self) -> None:
        markup = (
            "<html><head><title>Mill output rises</title>"
            '<meta property="article:published_time" content="2026-10-30T09:00:00-04:00">'
            '<meta name="author" content="Ana Ruiz"></head><body><article>'
            + "<p>The steel mill raised output for the third month in a row, the company said.</p>" * 8
            + "</article></body></html>"
        )
        item = FeedItem(url="https://steel.example.com/mill", title="Mill output rises", content_html=markup)
        n = normalise_item(item, now=NOW)
        assert n.published_at == datetime(2026, 10, 30, 13, tzinfo=UTC)
        assert n.authors == ["Ana Ruiz"]

    def test_the_url_date_is_the_last_resort(self) -> None:
        markup = "<html><body><article>" + "<p>Quarterly figures were released today by the firm.</p>" * 8
        item = FeedItem(url="https://news.example.com/2026/11/03/figures", title="Figures", content_html=markup)
        assert normalise_item(item, now=NOW).published_at == datetime(2026, 11, 3, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("https://x.example/2026/11/03/story", "2026-11-03"),
            ("https://x.example/news/2026-1-3-story", "2026-01-03"),
            ("https://x.example/20261103/story", "2026-11-03"),
            ("https://x.example/2026/13/03/story", None),
            ("https://x.example/story-123456", None),
            (None, None),
        ],
    )
    def test_dates_in_urls(self, url: str | None, expected: str | None) -> None:
        assert date_from_url(url) == expected


class TestHostilePages:
    def test_a_page_that_is_only_navigation_is_rejected_with_a_reason(self) -> None:
        with pytest.raises(PermanentItemError) as caught:
            normalise_item(page_item(page("navigation_only.html")), now=NOW)
        assert caught.value.reason == "no_article_content"

    def test_an_empty_page_is_rejected(self) -> None:
        with pytest.raises(PermanentItemError) as caught:
            normalise_item(page_item("<html><head><title>x</title></head><body></body></html>"), now=NOW)
        assert caught.value.reason == "no_article_content"

    def test_a_10_mb_page_is_cut_and_normalised_in_bounded_time(self) -> None:
        # Given a 10 MB page (one article paragraph repeated)
        markup = "<html><body><article>" + "<p>Freight rates rose again this week on busy routes.</p>" * 200_000
        assert len(markup) > 10_000_000
        # When normalised
        started = time.perf_counter()
        n = normalise_item(page_item(markup + "</article></body></html>"), now=NOW)
        elapsed = time.perf_counter() - started
        # Then it finishes in bounded time with the text it could read
        assert elapsed < 20
        assert n.body_text.startswith("Freight rates rose again")
        assert n.word_count > 0

    def test_10000_deep_nesting_neither_crashes_nor_hangs(self) -> None:
        markup = (
            "<html><body><article><p>The port reopened on Monday after the strike ended, officials said.</p>"
            "<p>Ships queued outside the harbour for days while talks went on.</p>"
            + "<div>" * 10_000 + "deep" + "</div>" * 10_000 + "</article></body></html>"
        )  # fmt: skip
        started = time.perf_counter()
        n = normalise_item(page_item(markup), now=NOW)
        assert time.perf_counter() - started < HANG_SECONDS
        assert "The port reopened on Monday" in n.body_text

    def test_binary_data_is_rejected(self) -> None:
        blob = bytes(range(256)).decode("latin-1") * 20
        with pytest.raises(PermanentItemError) as caught:
            normalise_item(page_item("<html><body>" + blob), now=NOW)
        assert caught.value.reason == "binary_content"

    def test_invalid_utf8_decoded_with_replacements_is_still_an_article(self) -> None:
        raw = b"<html><body><article>" + b"<p>Prices rose \xff\xfe sharply in the port city today.</p>" * 10
        markup = raw.decode("utf-8", "replace")
        n = normalise_item(page_item(markup), now=NOW)
        assert "Prices rose" in n.body_text

    def test_html_in_a_very_long_title_is_stripped_and_capped(self) -> None:
        title = "<b>Cranes</b> " + "return " * 2_000
        n = normalise_item(page_item(page("article_with_boilerplate.html"), title=title), now=NOW)
        assert n.title.startswith("Cranes return")
        assert "<b>" not in n.title
        assert len(n.title) <= 5_000

    def test_extract_page_on_garbage_returns_what_text_there_is_instead_of_raising(self) -> None:
        result = extract_page("<html>\x00\x01<<<>>>", "https://x.example/a")
        assert result.body_text in ("", "<<<>>>")
        assert "\x00" not in result.body_text
        assert "\x01" not in result.body_text
