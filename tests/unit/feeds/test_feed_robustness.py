"""parse_feed on what real feeds do: tracking pixels, enclosures, localized dates, updated-only Atom
entries, relative links in feed files."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from newsflow.feeds import parse_feed
from newsflow.feeds.pixels import is_pixel, is_tracker_url, strip_pixels
from newsflow.normalise import normalise_item, parse_date

FEED_URL = "https://news.example.com/rss.xml"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def rss(items: str, channel: str = "<link>https://news.example.com/</link>") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:media="http://search.yahoo.com/mrss/">
  <channel><title>Harbour News</title>{channel}
  {items}
  </channel>
</rss>""".encode()


PIXEL_ITEM = """
<item>
  <title>Port volumes rise</title>
  <link>https://news.example.com/ports</link>
  <media:content url="https://stats.example.com/p.gif?id=1" medium="image" width="1" height="1"/>
  <media:content url="https://cdn.example.com/img/port.jpg" medium="image" width="1200" height="800"/>
  <description><![CDATA[<p>Volumes rose.</p><img src="https://pixel.wp.com/g.gif?blog=1&post=2" alt="">]]></description>
  <content:encoded><![CDATA[<p>Container volumes rose 4%.</p>
    <img src="https://cdn.example.com/img/chart.png" width="640" height="360" alt="chart">
    <a href="http://feeds.feedburner.com/~ff/H?a=x"><img src="http://feeds.feedburner.com/~ff/H?d=y" border="0"></a>
    <img src="http://feeds.feedburner.com/~r/Harbour/~4/abcdef" height="1" width="1" alt=""/>
    <img src="https://ad.doubleclick.net/ddm/trackimp/N123" style="width:1px;height:1px">
    <img src="https://cdn.example.com/spacer.gif"><img src="https://cdn.example.com/hidden.png" style="display:none">
  ]]></content:encoded>
</item>"""


# ----------------------------------------------------------------------------------------- pixels


def test_tracking_pixels_are_dropped_from_images_and_bodies() -> None:
    # Given an item whose first media image is a 1x1 and whose body carries five kinds of pixel
    [item] = parse_feed(rss(PIXEL_ITEM), feed_url=FEED_URL).items

    # Then the lead image is the real photo, not the pixel
    assert item.image_url == "https://cdn.example.com/img/port.jpg"
    # And the bodies keep their real image but no pixel (nor the Feedburner flare link around one)
    assert item.content_html is not None
    assert item.summary is not None
    assert "https://cdn.example.com/img/chart.png" in item.content_html
    for tracker in ("feedburner", "doubleclick", "spacer.gif", "hidden.png"):
        assert tracker not in item.content_html
    assert "pixel.wp.com" not in item.summary
    # And the pixel is no media entry
    assert [m.url for m in item.media] == ["https://cdn.example.com/img/port.jpg"]


def test_a_pixel_never_becomes_the_lead_image_after_normalisation() -> None:
    # Given an item whose only images are pixels
    body = '<p>Text of the story.</p><img src="https://news.example.com/t.gif" width="1" height="1">'
    items = f"<item><title>T</title><link>https://news.example.com/a</link><content:encoded><![CDATA[{body}]]>" \
        "</content:encoded></item>"  # fmt: skip
    [item] = parse_feed(rss(items), feed_url=FEED_URL).items

    # When normalised / Then there is no lead image at all
    assert normalise_item(item, now=NOW).image_url is None


@pytest.mark.parametrize(
    ("url", "width", "height", "expected"),
    [
        ("https://cdn.example.com/a.jpg", "1", "1", True),
        ("https://cdn.example.com/a.jpg", "0", None, True),
        ("https://cdn.example.com/a.jpg", "1px", "1px", True),
        ("https://cdn.example.com/a.jpg", "640", "1", False),  # a rule line, not a pixel: kept
        ("https://cdn.example.com/a.jpg", None, None, False),
        ("https://pixel.wp.com/g.gif", None, None, True),
        ("https://stats.wordpress.com/b.gif", None, None, True),
        ("https://ad.doubleclick.net/x", None, None, True),
        ("https://sb.scorecardresearch.com/p?c1=2", None, None, True),
        ("http://feeds.feedburner.com/~r/Feed/~4/AbC", None, None, True),
        ("http://feeds.feedburner.com/Feed", None, None, False),
        ("https://cdn.example.com/img/1x1.gif", None, None, True),
        ("https://cdn.example.com/img/pixel.png", None, None, True),
        ("https://cdn.example.com/img/pixels-of-mars.png", None, None, False),
    ],
)
def test_pixel_rules(url: str, width: str | None, height: str | None, expected: bool) -> None:
    assert is_pixel(url, width, height) is expected


def test_strip_pixels_leaves_markup_without_images_untouched() -> None:
    markup = "<p>No images <b>here</b>.</p>"
    assert strip_pixels(markup) is markup
    assert not is_tracker_url(None)


# ------------------------------------------------------------------------------------- enclosures


def test_enclosures_become_media_entries_with_url_type_and_length() -> None:
    # Given a podcast-style item: an audio enclosure, a Media RSS video and a relative image enclosure
    items = """<item><title>Episode 12</title><link>https://news.example.com/ep12</link>
      <enclosure url="https://media.example.com/ep12.mp3" type="audio/mpeg" length="34567890"/>
      <media:content url="https://media.example.com/ep12.mp4" type="video/mp4" fileSize="99000000"/>
      <enclosure url="/img/ep12.jpg" type="image/jpeg" length="0"/>
      <enclosure url="https://media.example.com/ep12.mp3" type="audio/mpeg" length="34567890"/>
    </item>"""

    # When parsed
    [item] = parse_feed(rss(items), feed_url=FEED_URL).items

    # Then each file is one media entry (absolute, deduplicated), and the image is also the lead image
    assert [m.model_dump() for m in item.media] == [
        {"url": "https://media.example.com/ep12.mp3", "type": "audio/mpeg", "length": 34567890, "medium": "audio"},
        {"url": "https://news.example.com/img/ep12.jpg", "type": "image/jpeg", "length": None, "medium": "image"},
        {"url": "https://media.example.com/ep12.mp4", "type": "video/mp4", "length": 99000000, "medium": "video"},
    ]
    assert item.image_url == "https://news.example.com/img/ep12.jpg"


def test_media_survive_normalisation_onto_the_article() -> None:
    items = """<item><title>Episode 12</title><link>https://news.example.com/ep12</link>
      <description>Listen.</description>
      <enclosure url="https://media.example.com/ep12.mp3" type="audio/mpeg" length="345"/></item>"""
    [item] = parse_feed(rss(items), feed_url=FEED_URL).items
    normalised = normalise_item(item, now=NOW)
    assert [(m.url, m.type, m.length) for m in normalised.media] == [
        ("https://media.example.com/ep12.mp3", "audio/mpeg", 345)
    ]


def test_atom_enclosure_links_and_json_feed_attachments_become_media() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
      <entry><id>tag:a,1</id><title>Talk</title><link href="https://a.example/talk"/>
        <link rel="enclosure" href="https://a.example/talk.ogg" type="audio/ogg" length="1000"/>
        <updated>2026-11-03T10:00:00Z</updated></entry></feed>"""
    [entry] = parse_feed(atom, feed_url="https://a.example/feed").items
    assert [(m.url, m.medium, m.length) for m in entry.media] == [("https://a.example/talk.ogg", "audio", 1000)]

    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "items": [
            {
                "id": "1",
                "url": "https://j.example/1",
                "title": "Ep",
                "attachments": [
                    {"url": "/ep1.m4a", "mime_type": "audio/mp4", "size_in_bytes": 5000},
                    {"url": "https://j.example/pdf/1.pdf", "mime_type": "application/pdf"},
                ],
            }
        ],
    }
    [item] = parse_feed(json.dumps(document).encode(), feed_url="https://j.example/feed.json").items
    assert [(m.url, m.medium, m.length) for m in item.media] == [
        ("https://j.example/ep1.m4a", "audio", 5000),
        ("https://j.example/pdf/1.pdf", "document", None),
    ]


# ---------------------------------------------------------------------------------- localized dates


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Terça-feira, 03 Nov 2026 10:00:00 -0300", "2026-11-03T13:00:00+00:00"),
        ("quarta-feira, 4 de novembro de 2026 às 08:30", "2026-11-04T08:30:00+00:00"),
        ("Sex, 06 Nov 2026 10:00:00 GMT", "2026-11-06T10:00:00+00:00"),
        ("martedì 3 novembre 2026 alle 10:00", "2026-11-03T10:00:00+00:00"),
        ("Gio, 05 Nov 2026 09:00:00 +0100", "2026-11-05T08:00:00+00:00"),
        ("venerdì, 6 novembre 2026", "2026-11-06T00:00:00+00:00"),
        ("Dienstag, 3. November 2026 10:00 Uhr", "2026-11-03T10:00:00+00:00"),
        ("mardi 3 novembre 2026 à 10h00", "2026-11-03T10:00:00+00:00"),
        ("mar. 3 mars 2026 10:00", "2026-03-03T10:00:00+00:00"),
        ("martes, 3 de noviembre de 2026 10:00", "2026-11-03T10:00:00+00:00"),
        ("Mié, 04 Nov 2026 10:00:00 +0100", "2026-11-04T09:00:00+00:00"),
        ("dinsdag 3 november 2026 om 10:00", "2026-11-03T10:00:00+00:00"),
        ("di 3 mrt. 2026", "2026-03-03T00:00:00+00:00"),
        ("zondag 1 maart 2026", "2026-03-01T00:00:00+00:00"),
    ],
)
def test_month_and_weekday_names_parse_in_de_fr_es_it_pt_nl(written: str, expected: str) -> None:
    parsed = parse_date(written, now=NOW)
    assert parsed is not None, written
    assert parsed.isoformat() == expected


def test_a_portuguese_feed_item_keeps_its_date_through_normalisation() -> None:
    items = """<item><title>Bolsa sobe</title><link>https://noticias.example.br/bolsa</link>
      <description>A bolsa subiu.</description><pubDate>Terça-feira, 03 Nov 2026 10:00:00 -0300</pubDate></item>"""
    [item] = parse_feed(rss(items), feed_url="https://noticias.example.br/rss").items
    published = normalise_item(item, now=NOW).published_at
    assert published == datetime(2026, 11, 3, 13, 0, tzinfo=UTC)


def test_an_atom_entry_with_only_updated_is_dated_by_it() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
      <entry><id>tag:a,2</id><title>Old note</title><link href="https://a.example/old"/>
        <summary>An old note.</summary><updated>2026-10-02T08:00:00Z</updated></entry></feed>"""
    [item] = parse_feed(atom, feed_url="https://a.example/feed").items
    normalised = normalise_item(item, now=NOW)
    assert normalised.published_at == datetime(2026, 10, 2, 8, 0, tzinfo=UTC)


# ----------------------------------------------------------------------------- relative links (CLI)


def test_a_feed_file_resolves_relative_links_against_xml_base() -> None:
    # Given an Atom file read from disk (no URL to resolve against) with xml:base on the feed and an entry
    atom = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://insider.example.net/news/"><title>I</title>
  <entry><id>tag:i,1</id><title>One</title><link href="one.html"/><updated>2026-11-01T10:00:00Z</updated>
    <content type="html">&lt;p&gt;See &lt;a href="../data/t.csv"&gt;data&lt;/a&gt;.&lt;/p&gt;</content></entry>
  <entry xml:base="https://other.example.org/blog/"><id>tag:i,2</id><title>Two</title><link href="/posts/2"/>
    <updated>2026-11-02T10:00:00Z</updated></entry>
</feed>"""

    # When parsed as the CLI does (the feed's "URL" is its path)
    parsed = parse_feed(atom, feed_url="/home/me/feeds/insider.atom")

    # Then every link is absolute, against the nearest xml:base
    first, second = parsed.items
    assert first.url == "https://insider.example.net/news/one.html"
    assert first.content_html is not None
    assert 'href="https://insider.example.net/data/t.csv"' in first.content_html
    assert second.url == "https://other.example.org/posts/2"
    assert parsed.skipped == []
    assert parsed.notes == []


def test_a_feed_file_without_xml_base_resolves_against_its_own_site_link() -> None:
    items = "<item><title>A</title><link>/markets/a</link><description>x</description></item>"
    [item] = parse_feed(rss(items), feed_url="samples/harbour.xml").items
    assert item.url == "https://news.example.com/markets/a"


def test_a_relative_link_with_nothing_to_resolve_it_is_reported_never_invented() -> None:
    # Given a feed file with no xml:base and no site link, one entry with a guid and one without
    items = """<item><title>With id</title><link>/a</link><guid isPermaLink="false">id-1</guid></item>
               <item><title>Without id</title><link>b.html</link></item>"""
    parsed = parse_feed(rss(items, channel=""), feed_url="/tmp/feed.xml")

    # Then the entry with an id is kept without a link (noted), the other is skipped with the reason
    [kept] = parsed.items
    assert kept.url is None
    assert kept.guid == "id-1"
    assert any("'/a' is relative" in note for note in parsed.notes)
    [skipped] = parsed.skipped
    assert skipped.reason == "relative-link"
    assert "'b.html'" in skipped.detail
