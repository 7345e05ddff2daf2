"""Canonical URLs, source domains and deterministic ids."""

from __future__ import annotations

import re

import pytest
from newsflow.normalise.urls import article_id, canonical_url, source_domain


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        # scheme and host are lower-cased, the default port and the fragment dropped
        ("HTTPS://WWW.Example.COM:443/News/Story#comments", "https://www.example.com/News/Story"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        # an empty path becomes "/", a trailing dot on the host goes
        ("https://example.com", "https://example.com/"),
        ("https://example.com./a", "https://example.com/a"),
        # tracking parameters go, the rest are sorted by name (stable for repeated names)
        (
            "https://ex.com/a?utm_source=rss&utm_medium=feed&b=2&a=1&fbclid=X&gclid=Y",
            "https://ex.com/a?a=1&b=2",
        ),
        ("https://ex.com/a?mc_cid=1&mc_eid=2&igshid=3&ref_src=twsrc&_hsenc=4&_hsmi=5&id=7", "https://ex.com/a?id=7"),
        ("https://ex.com/a?UTM_Campaign=x&z=1", "https://ex.com/a?z=1"),
        ("https://ex.com/a?tag=b&tag=a", "https://ex.com/a?tag=b&tag=a"),
        ("https://ex.com/a?utm_source=x", "https://ex.com/a"),
        ("https://ex.com/a?", "https://ex.com/a"),
        ("https://ex.com/a?flag&x=1", "https://ex.com/a?flag&x=1"),
        # percent-encoding: unreserved escapes decoded, others upper-cased, raw spaces/non-ASCII encoded
        ("https://ex.com/%7Euser/%e2%82%ac", "https://ex.com/~user/%E2%82%AC"),
        ("https://ex.com/caf\u00e9 menu", "https://ex.com/caf%C3%A9%20menu"),
        ("https://ex.com/100%", "https://ex.com/100%25"),
        ("https://ex.com/s?q=a%2fb", "https://ex.com/s?q=a%2Fb"),
        # dot segments are resolved
        ("https://ex.com/a/./b/../c", "https://ex.com/a/c"),
        ("https://ex.com/a/b/..", "https://ex.com/a/"),
        # internationalised host -> IDNA
        ("https://b\u00fccher.de/x", "https://xn--bcher-kva.de/x"),
        # user info is never kept
        ("https://user:secret@ex.com/x", "https://ex.com/x"),
        # AJAX "#!" fragments address content and are kept
        ("https://ex.com/#!/story/42", "https://ex.com/#!/story/42"),
        # what is deliberately kept: index.html, trailing slashes, path case, www.
        ("https://www.ex.com/2026/11/story/index.html", "https://www.ex.com/2026/11/story/index.html"),
        ("https://ex.com/story/", "https://ex.com/story/"),
        # surrounding whitespace and embedded tabs/newlines (copy-paste damage)
        ("  https://ex.com/a\n", "https://ex.com/a"),
        ("https://[2001:db8::1]:443/x", "https://[2001:db8::1]/x"),
    ],
)
def test_canonical_url_table(raw: str, canonical: str) -> None:
    # Given a URL as a feed or share button wrote it / When canonicalised / Then it has the one canonical form
    assert canonical_url(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [None, "", "ftp://ex.com/file", "javascript:alert(1)", "mailto:a@b.c", "/relative/path", "https://",
     "https:///x", "https://ex..com/", "https://ex.com:99999/", "https://exa mple.com/"],
)  # fmt: skip
def test_unusable_urls_have_no_canonical_form(raw: str | None) -> None:
    # Given something that is not an absolute http(s) URL / When canonicalised / Then the answer is None
    assert canonical_url(raw) is None


def test_canonicalisation_is_idempotent() -> None:
    # Given canonical URLs / When canonicalised again / Then nothing changes
    for raw in ["HTTPS://Ex.com:443/a/../b?z=1&utm_source=x&a=%7e", "https://b\u00fccher.de/\u00e9?q=\u00fc"]:
        once = canonical_url(raw)
        assert once is not None
        assert canonical_url(once) == once


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.Example.co.uk/a", "example.co.uk"),
        ("https://news.example.com/a", "news.example.com"),
        ("https://www.com/", "www.com"),
        ("https://b\u00fccher.de/", "xn--bcher-kva.de"),
        ("not a url", None),
        (None, None),
    ],
)
def test_source_domain_is_the_host_without_www(url: str | None, domain: str | None) -> None:
    assert source_domain(url) == domain


def test_article_id_is_a_deterministic_32_hex_hash_of_the_canonical_url() -> None:
    # Given two spellings of one URL / When ids are derived from their canonical forms / Then they are equal
    a = article_id(canonical_url("https://WWW.ex.com/a?utm_source=x"), "feed", "g1")
    b = article_id(canonical_url("https://www.ex.com/a#top"), "other feed", "g2")
    assert a == b
    assert re.fullmatch(r"[0-9a-f]{32}", a)
    # the URL alone decides (source and guid do not matter), and a different URL differs
    assert article_id("https://www.ex.com/b", "feed", "g1") != a


def test_article_id_without_url_uses_source_and_guid() -> None:
    # Given items without URL / When ids are derived / Then source + guid decide, deterministically
    first = article_id(None, "https://ex.com/feed", "guid-1")
    assert first == article_id(None, "https://ex.com/feed", "guid-1")
    assert first != article_id(None, "https://other.com/feed", "guid-1")
    assert first != article_id(None, "https://ex.com/feed", "guid-2")
    # and a guid-derived id can never equal a URL-derived one
    assert article_id("guid-1", None, None) != article_id(None, None, "guid-1")


def test_article_id_needs_an_identity() -> None:
    with pytest.raises(ValueError):
        article_id(None, "feed", None)
