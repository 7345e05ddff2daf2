"""Shape limits refuse hostile documents before a parser builds anything."""

from __future__ import annotations

import pytest
from newsflow.errors import FeedError
from newsflow.feeds.parse import parse_feed
from newsflow.guards import ShapeError, check_json_shape, check_xml_shape

RSS_HEAD = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
ITEM = b"<item><title>A %d</title><link>https://e.com/%d</link><description>x</description></item>"


def test_a_deeply_nested_feed_is_refused_with_its_reason() -> None:
    nested = b"<a>" * 100_000 + b"</a>" * 100_000
    deep = RSS_HEAD + b"<item><title>x</title><x>" + nested + b"</x></item></channel></rss>"
    with pytest.raises(FeedError, match="too_deep"):
        parse_feed(deep, feed_url="https://e.com/feed")


def test_an_entity_flood_and_a_json_feed_nested_deep_are_refused() -> None:
    flood = RSS_HEAD + b"<item><title>x</title><description>" + b"&amp;" * 1_000_001 + b"</description></item>"
    with pytest.raises(FeedError, match="too_many_entities"):
        parse_feed(flood + b"</channel></rss>", feed_url="https://e.com/feed")
    deep_json = b'{"version": "https://jsonfeed.org/version/1.1", "items": [' + b"[" * 5000 + b"]" * 5000 + b"]}"
    with pytest.raises(FeedError, match="too_deep"):
        parse_feed(deep_json, feed_url="https://e.com/feed.json")


def test_an_ordinary_feed_passes_the_checks_and_parses() -> None:
    feed = RSS_HEAD + b"".join(ITEM % (i, i) for i in range(50)) + b"</channel></rss>"
    check_xml_shape(feed)
    assert len(parse_feed(feed, feed_url="https://e.com/feed").items) == 50


def test_xml_depth_counts_only_structure() -> None:
    # Self-closing elements, comments and CDATA do not nest
    check_xml_shape(b"<a>" + b"<b/>" * 1000 + b"<!-- <c><c><c> -->" + b"<![CDATA[<d><d><d>]]>" + b"</a>", max_depth=2)
    with pytest.raises(ShapeError) as caught:
        check_xml_shape(b"<a><b><c></c></b></a>", max_depth=2)
    assert caught.value.reason == "too_deep"
    with pytest.raises(ShapeError) as wide:
        check_xml_shape(b"<a>" + b"<b></b>" * 11 + b"</a>", max_elements=10)
    assert wide.value.reason == "too_many_elements"


def test_json_depth_ignores_brackets_in_strings() -> None:
    check_json_shape('{"a": "[[[[[[[[[[", "b": ["{{{{"]}', max_depth=2)
    with pytest.raises(ShapeError):
        check_json_shape('{"a": [[1]]}', max_depth=2)
