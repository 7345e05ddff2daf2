"""normalise_item: the rules that turn a FeedItem into a NormalisedItem."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from newsflow.errors import PermanentItemError
from newsflow.models import MAX_TITLE_CHARS, FeedItem
from newsflow.normalise import MAX_CONTENT_CHARS, normalise_item

# A guard against runaway (quadratic) work, not a speed test: speed is measured in benchmarks/, and
# this suite runs on loaded 2-core machines where honest work on 10 MB can take tens of seconds.
HANG_SECONDS = 120

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def feed_item(**fields: Any) -> FeedItem:
    fields.setdefault("url", "https://www.example.com/markets/2026/11/03/oil-rises?utm_source=rss")
    fields.setdefault("title", "Oil rises as OPEC+ extends cuts")
    return FeedItem.model_validate(fields)


def test_a_full_item_is_normalised() -> None:
    # Given a typical feed item with HTML everywhere
    item = feed_item(
        guid="urn:example:1",
        title="Oil <b>rises</b> as OPEC+ extends cuts &amp; Brent tops $85",
        summary="<p>Brent crude rose 2% on Monday.</p>",
        content_html=(
            '<p>Oil prices rose on Monday. <a href="/opec">OPEC+</a> extended its cuts.</p>'
            '<img src="/img/barrels.jpg"><script>track()</script><p>Brent gained 2%.</p>'
        ),
        published="Tue, 03 Nov 2026 10:00:00 EST",
        updated="2026-11-03T16:30:00Z",
        authors=["jane@example.com (Jane Doe)", "By Jane Doe", "desk@example.com", "  John  Roe "],
        tags=["Energy", "energy", "M&amp;A", " Oil "],
        language="en-US",
        source={"name": "Example &amp; Co", "feed_url": "https://www.example.com/feed", "feed_id": "example"},
        producer_field={"kept": True},
    )
    # When normalised
    n = normalise_item(item, now=NOW)
    # Then every field follows the rules
    assert n.url == "https://www.example.com/markets/2026/11/03/oil-rises"
    assert n.original_url == "https://www.example.com/markets/2026/11/03/oil-rises?utm_source=rss"
    assert re.fullmatch(r"[0-9a-f]{32}", n.id)
    assert n.guid == "urn:example:1"
    assert n.title == "Oil rises as OPEC+ extends cuts & Brent tops $85"
    assert n.summary == "Brent crude rose 2% on Monday."
    assert n.body_text == "Oil prices rose on Monday. OPEC+ extended its cuts.\n\nBrent gained 2%."
    assert n.body_html == (
        '<p>Oil prices rose on Monday. <a href="https://www.example.com/opec" rel="noopener nofollow">OPEC+</a>'
        ' extended its cuts.</p><img src="https://www.example.com/img/barrels.jpg"><p>Brent gained 2%.</p>'
    )
    assert n.image_url == "https://www.example.com/img/barrels.jpg"
    assert n.authors == ["Jane Doe", "John Roe"]
    assert n.feed_tags == ["Energy", "M&A", "Oil"]
    assert n.language == "en"
    assert n.source_name == "Example & Co"
    assert n.source_domain == "example.com"
    assert n.feed_id == "example"
    assert n.published_at == datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
    assert n.updated_at == datetime(2026, 11, 3, 16, 30, tzinfo=UTC)
    assert n.word_count == 12
    assert n.reading_time_minutes == 1
    assert re.fullmatch(r"[0-9a-f]{64}", n.content_hash)
    assert n.extra == {"producer_field": {"kept": True}}


def test_ids_are_deterministic_and_shared_by_spellings_of_one_url() -> None:
    a = normalise_item(feed_item(url="https://WWW.example.com/a?utm_medium=x#top", guid="1"), now=NOW)
    b = normalise_item(feed_item(url="https://www.example.com/a", guid="2", title="Other"), now=NOW)
    assert a.id == b.id
    assert a.id == normalise_item(feed_item(url="https://WWW.example.com/a?utm_medium=x#top"), now=NOW).id


def test_without_url_the_guid_within_its_feed_identifies_the_item() -> None:
    # Given url-less items / Then the id derives from feed + guid
    def guid_item(guid: str, feed: str) -> FeedItem:
        return FeedItem(url=None, guid=guid, title="T", source={"feed_url": feed})

    first = normalise_item(guid_item("g-1", "https://a.example/feed"), now=NOW)
    assert first.url is None
    assert first.id == normalise_item(guid_item("g-1", "https://A.example/feed"), now=NOW).id
    assert first.id != normalise_item(guid_item("g-1", "https://b.example/feed"), now=NOW).id
    assert first.id != normalise_item(guid_item("g-2", "https://a.example/feed"), now=NOW).id


def test_a_permalink_guid_serves_as_the_url() -> None:
    n = normalise_item(FeedItem(guid="https://www.example.com/story?utm_source=x", title="T"), now=NOW)
    assert n.url == "https://www.example.com/story"
    assert n.id == normalise_item(feed_item(url="https://www.example.com/story"), now=NOW).id


@pytest.mark.parametrize("title", ["<p></p>", "&nbsp;", "\u200b", "<br/> <!-- x -->"])
def test_an_empty_title_after_cleaning_is_a_permanent_error(title: str) -> None:
    with pytest.raises(PermanentItemError) as caught:
        normalise_item(feed_item(title=title), now=NOW)
    assert caught.value.reason == "empty_title"


def test_no_usable_url_and_no_guid_is_a_permanent_error() -> None:
    # Given an item whose only URL cannot be canonicalised (the model checks only the scheme)
    item = feed_item(url="https://exa mple..com/x")
    with pytest.raises(PermanentItemError) as caught:
        normalise_item(item, now=NOW)
    assert caught.value.reason == "no_identity"
    # but with a guid it is fine
    assert normalise_item(feed_item(url="https://exa mple..com/x", guid="g"), now=NOW).url is None


def test_title_of_5000_plus_characters_is_capped() -> None:
    n = normalise_item(feed_item(title="<b>Headline</b> " + "word " * 3000), now=NOW)
    assert len(n.title) <= MAX_TITLE_CHARS
    assert n.title.endswith("\u2026")


class TestBodySources:
    def test_content_text_when_there_is_no_html(self) -> None:
        n = normalise_item(feed_item(content_text="Para one.\r\n\r\nPara\u00a0two.", summary="Teaser."), now=NOW)
        assert n.body_text == "Para one.\n\nPara two."
        assert n.body_html == ""
        assert n.summary == "Teaser."

    def test_summary_when_there_is_no_content(self) -> None:
        n = normalise_item(feed_item(summary="<p>Only a <b>teaser</b>.</p><p>Two paras.</p>"), now=NOW)
        assert n.body_text == "Only a teaser.\n\nTwo paras."
        assert n.body_html == "<p>Only a <b>teaser</b>.</p><p>Two paras.</p>"
        assert n.summary == "Only a teaser. Two paras."

    def test_plain_text_summary_with_an_ampersand_is_kept_as_text(self) -> None:
        n = normalise_item(feed_item(summary="Profits at AT&T rose; costs < revenue."), now=NOW)
        assert n.summary == "Profits at AT&T rose; costs < revenue."

    def test_lead_sentences_when_there_is_no_summary(self) -> None:
        n = normalise_item(
            feed_item(content_html="<p>First sentence here. Second one. Third.</p><p>More.</p>"), now=NOW
        )
        assert n.summary == "First sentence here. Second one. Third."

    def test_nothing_but_a_title(self) -> None:
        n = normalise_item(feed_item(), now=NOW)
        assert (n.body_text, n.body_html, n.summary, n.word_count, n.reading_time_minutes) == ("", "", "", 0, 0)
        assert n.content_hash == normalise_item(feed_item(url="https://other.example/x"), now=NOW).content_hash

    def test_whitespace_only_html_falls_back_to_text(self) -> None:
        n = normalise_item(feed_item(content_html="  \n ", content_text="Text body."), now=NOW)
        assert n.body_text == "Text body."

    def test_huge_html_is_cut_before_parsing(self) -> None:
        # Given content far above the cut (the model does not bound content_html)
        item = feed_item(content_html="<p>word word word word</p>" * 400_000)
        started = time.perf_counter()
        n = normalise_item(item, now=NOW)
        # Then it completes in bounded time and only MAX_CONTENT_CHARS were read
        assert time.perf_counter() - started < HANG_SECONDS
        assert 0 < n.word_count <= MAX_CONTENT_CHARS // 5


def test_same_body_with_different_typesetting_has_the_same_content_hash() -> None:
    a = normalise_item(feed_item(content_html="<p>Oil prices ROSE on Monday!</p><p>Brent up 2%.</p>"), now=NOW)
    b = normalise_item(
        feed_item(url="https://b.example/x", content_text="oil prices rose on monday brent up 2"), now=NOW
    )
    c = normalise_item(feed_item(content_text="Oil prices fell on Monday. Brent down 2%."), now=NOW)
    assert a.content_hash == b.content_hash != c.content_hash


class TestDates:
    def test_naive_dates_use_the_source_timezone(self) -> None:
        n = normalise_item(feed_item(published="2026-11-03 10:00", source={"timezone": "America/Chicago"}), now=NOW)
        assert n.published_at == datetime(2026, 11, 3, 16, 0, tzinfo=UTC)

    @pytest.mark.parametrize("published", ["garbage", "2099-01-01T00:00:00Z", "1970-01-01T00:00:00Z", None])
    def test_unknown_future_or_ancient_dates_are_none_not_now(self, published: str | None) -> None:
        n = normalise_item(feed_item(url="https://www.example.com/markets/oil-rises", published=published), now=NOW)
        assert n.published_at is None

    def test_without_a_usable_feed_date_the_url_date_is_used(self) -> None:
        # Given an item whose feed date is garbage but whose URL carries /2026/11/03/
        n = normalise_item(feed_item(published="garbage"), now=NOW)
        # Then the URL's date is the publication date (midnight UTC), never now()
        assert n.published_at == datetime(2026, 11, 3, tzinfo=UTC)

    def test_a_feed_date_beats_the_url_date(self) -> None:
        n = normalise_item(feed_item(published="2026-11-04T08:00:00Z"), now=NOW)
        assert n.published_at == datetime(2026, 11, 4, 8, tzinfo=UTC)


def test_image_url_prefers_the_items_own_image() -> None:
    n = normalise_item(
        feed_item(image_url="https://cdn.example.com/lead.jpg", content_html='<img src="/other.jpg">'), now=NOW
    )
    assert n.image_url == "https://cdn.example.com/lead.jpg"


def test_relative_links_without_an_item_url_resolve_against_the_site() -> None:
    n = normalise_item(
        FeedItem(guid="g", title="T", content_html='<a href="/x">x</a>', source={"site_url": "https://site.example"}),
        now=NOW,
    )
    assert 'href="https://site.example/x"' in n.body_html


def test_language_absent_or_undetermined_is_none() -> None:
    assert normalise_item(feed_item(), now=NOW).language is None
    assert normalise_item(feed_item(language="und"), now=NOW).language is None


def test_a_permalink_guid_is_used_when_the_url_is_unusable() -> None:
    n = normalise_item(feed_item(url="https://exa mple..com/x", guid="https://www.example.com/story"), now=NOW)
    assert n.url == "https://www.example.com/story"
    assert n.original_url == "https://exa mple..com/x"
