"""Bytes -> text: BOM, HTTP header, XML declaration, <meta charset>, detection, and bad bytes."""

from __future__ import annotations

import codecs

import pytest
from newsflow.normalise.encoding import decode_bytes


def test_a_bom_wins_and_is_removed() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + "<p>café</p>".encode()) == ("<p>café</p>", "utf-8")
    assert decode_bytes("<p>é</p>".encode("utf-16")) == ("<p>é</p>", "utf-16-le")


def test_the_http_header_charset_is_used() -> None:
    text, encoding = decode_bytes("<p>Preußen</p>".encode("iso-8859-15"), "text/html; charset=ISO-8859-15")
    assert (text, encoding) == ("<p>Preußen</p>", "iso8859-15")


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0" encoding="windows-1252"?><rss><title>Caf\u00e9 \u2013 news</title></rss>',
        '<html><head><meta charset="windows-1252"></head><p>Caf\u00e9 \u2013 news</p></html>',
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head>'
        "<p>Caf\u00e9 \u2013 news</p></html>",
    ],
)
def test_in_document_declarations_are_read(document: str) -> None:
    text, encoding = decode_bytes(document.encode("cp1252"))
    assert encoding == "cp1252"
    assert "Caf\u00e9 \u2013 news" in text


def test_latin1_labels_mean_windows_1252_as_browsers_read_them() -> None:
    text, _ = decode_bytes('<meta charset="iso-8859-1"><p>\x93quoted\x94</p>'.encode("latin-1"))
    assert "\u201cquoted\u201d" in text


def test_a_page_declared_latin1_but_written_in_utf8_is_read_as_utf8() -> None:
    text, encoding = decode_bytes('<meta charset="iso-8859-1"><p>Zürich café</p>'.encode())
    assert (encoding, "Zürich café" in text) == ("utf-8", True)


def test_undeclared_non_utf8_is_detected() -> None:
    sentence = "<p>Правительство объявило во вторник, что налоги для компаний не будут повышены в этом году.</p>"
    text, encoding = decode_bytes((sentence * 5).encode("cp1251"))
    assert encoding == "cp1251"
    assert "Правительство" in text


def test_invalid_utf8_bytes_become_replacement_characters_not_errors() -> None:
    text, encoding = decode_bytes(b"<p>ok \xff\xfe then more</p>", "text/html; charset=utf-8")
    assert encoding == "utf-8"
    assert text == "<p>ok \ufffd\ufffd then more</p>"
