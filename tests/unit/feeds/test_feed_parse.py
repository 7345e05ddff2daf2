"""parse_feed: RSS 2.0 / RSS 1.0 / Atom / JSON Feed into FeedItems, and what it refuses."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import pytest
from newsflow.errors import FeedError
from newsflow.feeds import ParsedFeed, parse_feed
from newsflow.models import MAX_ITEM_BYTES, SourceInfo

FEED_URL = "https://news.example.com/feeds/business.xml"


def parse(content: bytes | str, **kwargs: object) -> ParsedFeed:
    data = content.encode() if isinstance(content, str) else content
    return parse_feed(data, feed_url=str(kwargs.pop("feed_url", FEED_URL)), **kwargs)  # type: ignore[arg-type]


def rss(items: str, channel_extra: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    <title>Harbour Business News</title>
    <link>https://news.example.com/</link>
    <description>Business news</description>
    <language>en-us</language>{channel_extra}
    {items}
  </channel>
</rss>"""


RSS_ITEM = """
<item>
  <title>Steelmaker M&amp;A: Arcon buys Velda for &#8364;2bn</title>
  <link>https://news.example.com/business/arcon-velda?utm_source=rss</link>
  <guid isPermaLink="false">hbn-1001</guid>
  <description>Arcon agreed to buy &lt;b&gt;Velda&lt;/b&gt;.</description>
  <content:encoded><![CDATA[<p>Arcon <a href="/markets/arcon">shares</a> rose.</p>
    <script>x()</script>]]></content:encoded>
  <dc:creator>Jane Roe</dc:creator>
  <category>Chemicals &amp; Materials</category>
  <category>Steel</category>
  <pubDate>Mon, 02 Nov 2026 09:15:00 EST</pubDate>
  <enclosure url="/img/arcon.jpg" type="image/jpeg" length="1234"/>
</item>"""


# ------------------------------------------------------------------------------------- RSS 2.0


def test_rss2_entry_becomes_a_feed_item_with_every_field() -> None:
    # Given an RSS 2.0 feed with one complete item
    # When it is parsed
    parsed = parse(rss(RSS_ITEM))

    # Then the feed and the item carry every field, as the source wrote them
    assert parsed.format == "rss"
    assert parsed.title == "Harbour Business News"
    assert parsed.site_url == "https://news.example.com/"
    assert parsed.skipped == []
    [item] = parsed.items
    assert item.title == "Steelmaker M&A: Arcon buys Velda for €2bn"
    assert item.url == "https://news.example.com/business/arcon-velda?utm_source=rss"
    assert item.guid == "hbn-1001"
    assert item.summary == "Arcon agreed to buy <b>Velda</b>."
    assert item.content_html is not None
    assert '<a href="https://news.example.com/markets/arcon">' in item.content_html  # relative link resolved
    assert "<script>" in item.content_html  # sanitising is normalisation's job, not the parser's
    assert item.authors == ["Jane Roe"]
    assert item.tags == ["Chemicals & Materials", "Steel"]
    assert item.published == "Mon, 02 Nov 2026 09:15:00 EST"
    assert item.updated is None
    assert item.image_url == "https://news.example.com/img/arcon.jpg"
    assert item.language == "en-us"


def test_rss2_items_get_their_source_from_the_feed_and_the_caller() -> None:
    # Given the poller's view of the feed (registry id and timezone, no name)
    source = SourceInfo(feed_id="harbour", timezone="America/New_York")

    # When the feed is parsed with it
    [item] = parse(rss(RSS_ITEM), source=source).items

    # Then the feed fills what the caller did not give
    assert item.source.name == "Harbour Business News"
    assert item.source.feed_url == FEED_URL
    assert item.source.site_url == "https://news.example.com/"
    assert item.source.feed_id == "harbour"
    assert item.source.timezone == "America/New_York"


def test_a_given_source_name_wins_over_the_feed_title() -> None:
    [item] = parse(rss(RSS_ITEM), source=SourceInfo(name="Harbour")).items
    assert item.source.name == "Harbour"


def test_rss2_content_without_description_is_not_copied_into_summary() -> None:
    # Given an item with content:encoded and no description
    item_xml = """<item><title>Only a body</title><link>https://news.example.com/a</link>
      <content:encoded><![CDATA[<p>Body</p>]]></content:encoded></item>"""

    # When parsed
    [item] = parse(rss(item_xml)).items

    # Then the body is content_html and the summary stays empty (feedparser would copy it)
    assert item.content_html == "<p>Body</p>"
    assert item.summary is None


def test_rss2_author_email_and_name_and_media_images() -> None:
    # Given an item with an RSS <author> "email (name)" whose TLD is long, and two media renditions
    item_xml = """<item><title>T</title><link>https://news.example.com/b</link>
      <author>desk@harbour.industries (Ann Lee)</author>
      <media:content url="https://cdn.example.com/b-320.jpg" medium="image" width="320"/>
      <media:content url="https://cdn.example.com/b-1200.jpg" medium="image" width="1200"/>
      <media:thumbnail url="https://cdn.example.com/b-thumb.jpg"/></item>"""

    # When parsed
    [item] = parse(rss(item_xml)).items

    # Then the author is the name, and the widest image wins
    assert item.authors == ["Ann Lee"]
    assert item.image_url == "https://cdn.example.com/b-1200.jpg"


def test_rss2_thumbnail_is_used_when_it_is_the_only_image() -> None:
    item_xml = """<item><title>T</title><link>https://news.example.com/c</link>
      <media:thumbnail url="thumbs/c.jpg"/></item>"""
    [item] = parse(rss(item_xml)).items
    assert item.image_url == "https://news.example.com/thumbs/c.jpg"


def test_non_http_links_are_dropped_but_the_guid_keeps_the_item() -> None:
    # Given an item whose link is javascript: and that has a guid
    item_xml = """<item><title>T</title><link>javascript:alert(1)</link>
      <guid isPermaLink="false">id-9</guid></item>"""

    # When parsed
    [item] = parse(rss(item_xml)).items

    # Then the link is gone and the item is identified by its guid
    assert item.url is None
    assert item.guid == "id-9"


def test_entries_that_cannot_become_items_are_reported_not_dropped() -> None:
    # Given one good entry, one with no link or guid, one with nothing but a link, one with a summary only
    items = """
      <item><title>Good</title><link>https://news.example.com/good</link></item>
      <item><title>No identity</title><description>text</description></item>
      <item><link>https://news.example.com/empty</link></item>
      <item><link>https://news.example.com/untitled</link><description>Shares of &lt;b&gt;Arcon&lt;/b&gt; rose 4%
        after the steelmaker raised its full-year guidance on stronger demand from carmakers and builders in Europe
        and Asia.</description></item>"""

    # When parsed
    parsed = parse(rss(items))

    # Then every entry is accounted for: two items, two skipped with reasons and positions
    assert len(parsed.items) == 2
    assert parsed.items[0].title == "Good"
    assert [(s.reason, s.index) for s in parsed.skipped] == [("no-identity", 1), ("no-title", 2)]
    derived = parsed.items[1]
    assert derived.title.startswith("Shares of Arcon rose 4% after the steelmaker")
    assert derived.title.endswith("…")
    assert len(derived.title) <= 121
    assert derived.extra == {"title_derived": True}


def test_an_oversized_body_is_dropped_and_the_item_kept() -> None:
    # Given an item whose body alone is larger than a queue message may be
    big = "<p>" + "x" * (MAX_ITEM_BYTES + 10) + "</p>"
    item_xml = f"""<item><title>Big</title><link>https://news.example.com/big</link>
      <description>Short teaser</description><content:encoded><![CDATA[{big}]]></content:encoded></item>"""

    # When parsed
    [item] = parse(rss(item_xml)).items

    # Then the item keeps its title, link and summary but not the body
    assert item.content_html is None
    assert item.summary == "Short teaser"
    assert item.extra == {"content_omitted": "oversize"}
    assert len(item.model_dump_json()) <= MAX_ITEM_BYTES


def test_an_empty_but_valid_feed_has_no_items_and_no_error() -> None:
    parsed = parse(rss(""))
    assert parsed.items == []
    assert parsed.skipped == []


# ----------------------------------------------------------------------------------- encodings


def test_iso_8859_1_declared_in_the_xml_declaration_is_decoded() -> None:
    # Given a feed encoded in ISO-8859-1 that says so only in its XML declaration
    doc = rss("<item><title>Café owners in Zürich face higher rents</title><link>https://news.example.com/cafe</link>"
              "<description>Preise für Büros steigen</description></item>")  # fmt: skip
    data = doc.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("iso-8859-1")
    assert "é".encode("iso-8859-1") in data

    # When parsed without any HTTP content type
    [item] = parse(data).items

    # Then the text is decoded correctly
    assert item.title == "Café owners in Zürich face higher rents"
    assert item.summary == "Preise für Büros steigen"


def test_the_http_charset_is_used_when_the_document_declares_none() -> None:
    # Given a windows-1252 document without XML declaration, served with its charset
    data = rss("<item><title>Smart quotes \u201cwin\u201d</title><link>https://news.example.com/q</link></item>")
    body = data.replace('<?xml version="1.0" encoding="UTF-8"?>\n', "").encode("windows-1252")

    # When parsed with the response content type
    [item] = parse(body, content_type="application/rss+xml; charset=windows-1252").items

    # Then the header's charset decoded it
    assert item.title == "Smart quotes \u201cwin\u201d"


def test_a_utf8_bom_is_accepted() -> None:
    [item] = parse(b"\xef\xbb\xbf" + rss(RSS_ITEM).encode()).items
    assert item.guid == "hbn-1001"


# -------------------------------------------------------------------------------------- RSS 1.0


def test_rss1_rdf_feed_is_parsed_with_dc_fields() -> None:
    # Given an RSS 1.0 (RDF) feed
    doc = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://briefs.example.org/rss.rdf">
    <title>Briefs</title><link>https://briefs.example.org/</link><description>d</description>
    <items><rdf:Seq><rdf:li rdf:resource="https://briefs.example.org/1"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://briefs.example.org/1">
    <title>Wheat exports slow</title><link>https://briefs.example.org/1</link>
    <description>Grain shipments fell.</description>
    <dc:date>2026-10-14T08:00:00-05:00</dc:date><dc:creator>Desk</dc:creator><dc:subject>Agriculture</dc:subject>
  </item>
</rdf:RDF>"""

    # When parsed
    parsed = parse(doc)

    # Then it is recognised as RDF and dc:date is the publication date as written
    assert parsed.format == "rdf"
    [item] = parsed.items
    assert item.url == "https://briefs.example.org/1"
    assert item.published == "2026-10-14T08:00:00-05:00"
    assert item.authors == ["Desk"]
    assert item.tags == ["Agriculture"]
    assert item.summary == "Grain shipments fell."


# ----------------------------------------------------------------------------------------- Atom

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"
      xml:base="https://insider.example.net/section/" xml:lang="en-GB">
  <title>Insider</title>
  <link rel="alternate" href="/"/>
  <link rel="self" href="feed.atom"/>
  <id>tag:insider.example.net,2026:feed</id>
  <updated>2026-11-02T10:00:00Z</updated>
  <entry>
    <title type="html">Chip output &lt;em&gt;rises&lt;/em&gt;</title>
    <link rel="alternate" href="news/chips"/>
    <id>tag:insider.example.net,2026:chips</id>
    <published>2026-11-01T09:00:00+01:00</published>
    <updated>2026-11-02T10:00:00Z</updated>
    <author><name>A. Writer</name></author>
    <author><name>B. Writer</name></author>
    <category term="semis" label="Semiconductors"/>
    <category term="fabs"/>
    <summary>Output rose.</summary>
    <content type="html">&lt;p&gt;See &lt;a href="data/table"&gt;the table&lt;/a&gt;.&lt;/p&gt;</content>
    <media:thumbnail url="/img/chips.png"/>
  </entry>
  <entry xml:base="https://other.example.net/blog/">
    <title>Only updated</title>
    <link href="posts/2"/>
    <id>tag:other.example.net,2026:2</id>
    <updated>2026-11-03T11:00:00Z</updated>
    <content type="text">Plain body</content>
  </entry>
</feed>"""


def test_atom_entries_resolve_relative_links_against_xml_base() -> None:
    # Given an Atom feed whose links are relative to xml:base (feed- and entry-level)
    # When parsed
    parsed = parse(ATOM)

    # Then every link is absolute, resolved against the nearest xml:base
    assert parsed.format == "atom"
    assert parsed.site_url == "https://insider.example.net/"
    first, second = parsed.items
    assert first.url == "https://insider.example.net/section/news/chips"
    assert first.content_html == '<p>See <a href="https://insider.example.net/section/data/table">the table</a>.</p>'
    assert first.image_url == "https://insider.example.net/img/chips.png"
    assert second.url == "https://other.example.net/blog/posts/2"


def test_atom_entry_fields_are_kept_as_written() -> None:
    first, second = parse(ATOM).items
    assert first.title == "Chip output <em>rises</em>"
    assert first.guid == "tag:insider.example.net,2026:chips"
    assert first.published == "2026-11-01T09:00:00+01:00"
    assert first.updated == "2026-11-02T10:00:00Z"
    assert first.authors == ["A. Writer", "B. Writer"]
    assert first.tags == ["Semiconductors", "fabs"]
    assert first.summary == "Output rose."
    assert first.language == "en-GB"
    # An entry with only <updated> was published then at the latest (it must not sort as new);
    # a text body is content_text.
    assert second.published == "2026-11-03T11:00:00Z"
    assert second.updated == "2026-11-03T11:00:00Z"
    assert second.content_text == "Plain body"
    assert second.content_html is None
    assert second.summary is None


def test_relative_links_resolve_against_the_feed_url_without_xml_base() -> None:
    # Given an RSS feed with relative links and no xml:base
    doc = rss("<item><title>T</title><link>/2026/11/story</link></item>").replace(
        "<link>https://news.example.com/</link>", "<link>/</link>"
    )

    # When parsed with the URL it was fetched from
    parsed = parse(doc, feed_url="https://www.example.org/rss/all.xml")

    # Then links are resolved against that URL
    assert parsed.site_url == "https://www.example.org/"
    assert parsed.items[0].url == "https://www.example.org/2026/11/story"


def test_a_feed_read_from_a_file_resolves_relative_links_against_its_site_link() -> None:
    # Given a feed read from disk (the local CLI passes a file: URI) with relative links
    doc = rss("<item><title>T</title><link>/2026/11/story</link></item>")

    # When parsed with a file: URI as its location
    parsed = parse(doc, feed_url="file:///srv/samples/business.xml")

    # Then links resolve against the channel link, never into file: URLs
    assert parsed.items[0].url == "https://news.example.com/2026/11/story"
    assert parsed.items[0].source.feed_url == "file:///srv/samples/business.xml"


# ------------------------------------------------------------------------------------ JSON Feed


def json_feed(items: Sequence[object], **feed: object) -> bytes:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Ledger",
        "home_page_url": "https://ledger.example.com/",
        "language": "en",
        **feed,
        "items": items,
    }
    return json.dumps(document).encode()


def test_json_feed_1_1_items_become_feed_items() -> None:
    # Given a JSON Feed 1.1 with a full item
    item = {
        "id": "42",
        "url": "/2026/11/03/chips/",
        "external_url": "https://press.example.org/release",
        "title": "Chipmaker opens fab",
        "summary": "A new fab.",
        "content_html": "<p>Body</p>",
        "content_text": "Body",
        "date_published": "2026-11-03T08:00:00-05:00",
        "date_modified": "2026-11-03T10:00:00Z",
        "authors": [{"name": "Kim Lee"}, {"url": "https://ledger.example.com/staff"}],
        "tags": ["Semiconductors", "Fabs"],
        "banner_image": "https://ledger.example.com/banner.jpg",
        "_ledger": {"paywall": False},
    }

    # When parsed (relative URLs resolve against where the feed was read)
    parsed = parse(json_feed([item]), feed_url="https://ledger.example.com/feed.json")

    # Then every field maps onto the FeedItem, unknown extensions land in extra
    assert parsed.format == "json"
    assert parsed.title == "Ledger"
    assert parsed.site_url == "https://ledger.example.com/"
    [result] = parsed.items
    assert result.guid == "42"
    assert result.url == "https://ledger.example.com/2026/11/03/chips/"
    assert result.title == "Chipmaker opens fab"
    assert result.summary == "A new fab."
    assert result.content_html == "<p>Body</p>"
    assert result.content_text == "Body"
    assert result.published == "2026-11-03T08:00:00-05:00"
    assert result.updated == "2026-11-03T10:00:00Z"
    assert result.authors == ["Kim Lee", "https://ledger.example.com/staff"]
    assert result.tags == ["Semiconductors", "Fabs"]
    assert result.image_url == "https://ledger.example.com/banner.jpg"
    assert result.language == "en"
    assert result.extra == {"_ledger": {"paywall": False}, "external_url": "https://press.example.org/release"}
    assert result.source.name == "Ledger"


def test_json_feed_1_0_author_object_and_numeric_id() -> None:
    # Given a JSON Feed 1.0 document: singular "author", numeric id, image, feed-level author
    document = json_feed(
        [
            {"id": 7, "url": "https://ledger.example.com/7", "title": "Seven", "image": "/i/7.png"},
            {"id": "8", "url": "https://ledger.example.com/8", "title": "Eight", "author": {"name": "Sam"}},
        ],
        version="https://jsonfeed.org/version/1",
        author={"name": "Feed Desk"},
    )

    # When parsed
    seven, eight = parse(document).items

    # Then ids are text, the item author wins, and the feed author is the fallback
    assert seven.guid == "7"
    assert seven.image_url == "https://ledger.example.com/i/7.png"
    assert seven.authors == ["Feed Desk"]
    assert eight.authors == ["Sam"]


def test_json_feed_item_without_title_gets_one_from_its_text() -> None:
    [item] = parse(json_feed([{"id": "1", "content_text": "Short microblog post about freight rates."}])).items
    assert item.title == "Short microblog post about freight rates."
    assert item.url is None
    assert item.guid == "1"


def test_json_feed_bad_items_are_skipped_with_a_reason() -> None:
    # Given items that are not objects, have wrong types, or have neither url nor id
    items: list[object] = [
        "not an object",
        {"id": "1", "title": "Bad tags", "tags": "energy"},
        {"title": "No identity"},
        {"id": "4", "url": "https://ledger.example.com/4", "title": "Good"},
    ]

    # When parsed
    parsed = parse(json_feed(items))

    # Then only the good one is an item and each bad one is reported
    assert [i.title for i in parsed.items] == ["Good"]
    assert [(s.reason, s.index) for s in parsed.skipped] == [("invalid", 0), ("invalid", 1), ("no-identity", 2)]
    assert "tags" in parsed.skipped[1].detail


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "invalid JSON"),
        (b'{"version": "https://jsonfeed.org/version/2", "items": []}', "unsupported JSON Feed version"),
        (b'{"title": "no version", "items": []}', "no 'version'"),
        (b'["https://jsonfeed.org/version/1.1"]', "not an object"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": {"a": 1}}', "invalid JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "invalid JSON Feed"),
    ],
)
def test_json_documents_that_are_not_json_feeds_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse(content)


# -------------------------------------------------------------------------------- feed garbage


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty body"),
        (b"   \n\t ", "empty body"),
        (b"hello, this is plain text and not a feed", "not a feed"),
        (
            b"<!DOCTYPE html><html><head><title>Harbour</title>"
            b'<link rel="alternate" type="application/rss+xml" href="/feed"></head><body><p>Hi</p></body></html>',
            "HTML page",
        ),
        (b"<html><body><p>Moved</p></body></html>", "HTML page"),
        (b'<?xml version="1.0"?><catalog><book id="1"/></catalog>', "no RSS, RDF or Atom"),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut short</title><link>https://x.example',
            "invalid XML",
        ),
    ],
)
def test_documents_that_are_not_feeds_raise_feed_error(content: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse(content)


def test_binary_garbage_is_not_a_feed() -> None:
    # Given random bytes (seeded: the test is deterministic)
    garbage = bytes((i * 7919 + 13) % 256 for i in range(4096)) + os.urandom(0)

    # When / Then it is refused as not a feed
    with pytest.raises(FeedError, match="not a feed"):
        parse(garbage)


def test_truncated_xml_keeps_the_entries_it_can_recover() -> None:
    # Given a feed cut off in the middle of its second item
    doc = rss("<item><title>One</title><link>https://news.example.com/1</link></item><item><title>Tw")
    doc = doc[: doc.index("<title>Tw") + len("<title>Tw")]

    # When parsed
    parsed = parse(doc)

    # Then the complete entry survives and the broken one is reported
    assert [i.title for i in parsed.items] == ["One"]
    assert [s.reason for s in parsed.skipped] == ["no-identity"]


def test_a_feed_over_the_size_cap_yields_the_entries_complete_within_the_cap() -> None:
    # Given a feed of 40 entries and a byte cap that cuts it inside the 11th
    items = "".join(
        f"<item><title>N{i}</title><link>https://news.example.com/{i}</link><description>{'w ' * 40}</description>"
        f"</item>"
        for i in range(40)
    )
    doc = rss(items).encode()
    cap = doc.index(b"<item><title>N10<") + 30

    # When parsed under that cap
    parsed = parse_feed(doc, feed_url=FEED_URL, max_bytes=cap)

    # Then the first 10 complete entries are read, and the result says it was cut
    assert [i.title for i in parsed.items] == [f"N{i}" for i in range(10)]
    assert parsed.truncated is True
    assert [s.reason for s in parsed.skipped] == ["size-limit"]
    assert "size cap" in parsed.notes[0]


def test_a_body_the_fetcher_cut_is_read_up_to_its_last_complete_entry() -> None:
    # Given the first part of an Atom feed, cut in the middle of its third entry
    entries = "".join(
        f"<entry><id>tag:x,{i}</id><title>E{i}</title><link href='https://x.example/{i}'/>"
        f"<updated>2026-11-0{i + 1}T10:00:00Z</updated></entry>"
        for i in range(3)
    )
    doc = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>X</title>{entries}</feed>'
    cut = doc.encode()[: doc.index("<title>E2")]

    # When parsed as truncated
    parsed = parse_feed(cut, feed_url=FEED_URL, truncated=True)

    # Then the two complete entries come back
    assert [i.title for i in parsed.items] == ["E0", "E1"]
    assert parsed.truncated is True
    assert parsed.title == "X"


def test_a_cut_json_feed_is_an_error_that_says_why() -> None:
    with pytest.raises(FeedError, match="cannot be read in part"):
        parse_feed(json_feed([{"id": "1", "title": "x"}] * 50), feed_url=FEED_URL, max_bytes=200)


def test_entries_beyond_the_cap_are_reported_as_one_skipped_record() -> None:
    # Given 30 undated entries and a cap of 20
    items = "".join(f"<item><title>N{i}</title><link>https://news.example.com/{i}</link></item>" for i in range(30))

    # When parsed
    parsed = parse_feed(rss(items).encode(), feed_url=FEED_URL, max_entries=20)

    # Then the first 20 (document order: no dates to go by) are read and the other 10 are accounted for
    assert len(parsed.items) == 20
    assert parsed.items[-1].title == "N19"
    [limit] = parsed.skipped
    assert limit.reason == "entry-limit"
    assert "10 were not" in limit.detail
    assert parsed.entries_total == 30


def test_a_20000_entry_feed_oldest_first_yields_its_newest_entries_capped() -> None:
    # Given a 20,000-entry archive feed, oldest first, one entry a minute
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = "".join(
        f"<item><title>N{i}</title><link>https://news.example.com/{i}</link>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=i))}</pubDate></item>"
        for i in range(20_000)
    )

    # When parsed with the default cap
    parsed = parse(rss(items))

    # Then the newest 500 come back (in the feed's order), and the result says how many there were
    assert len(parsed.items) == 500
    assert parsed.items[0].title == "N19500"
    assert parsed.items[-1].title == "N19999"
    assert parsed.entries_total == 20_000
    assert parsed.notes == ["20000 entries, over the limit of 500: the newest 500 were read, 19500 were not"]


def test_a_json_feed_over_the_entry_cap_yields_its_newest_items() -> None:
    # Given 30 items with dates in shuffled order
    items = [
        {"id": str(i), "title": f"x{i}", "url": f"https://news.example.com/{i}",
         "date_published": f"2026-11-{(i * 7) % 30 + 1:02d}T10:00:00Z"}
        for i in range(30)
    ]  # fmt: skip

    # When parsed with a cap of 5
    parsed = parse_feed(json_feed(items), feed_url=FEED_URL, max_entries=5)

    # Then the five newest (days 30..26) are kept
    days = sorted((int((i.published or "")[8:10]) for i in parsed.items), reverse=True)
    assert days == [30, 29, 28, 27, 26]
    assert parsed.entries_total == 30
    assert [s.reason for s in parsed.skipped] == ["entry-limit"]
