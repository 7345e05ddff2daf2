"""Content fingerprints: the exact-duplicate key of an article.

`content_hash` is the sha256 (hex) of the body normalised for comparison, so that copies of one story
that differ only in case, whitespace, punctuation, quote style, Unicode composition or apostrophes
("don't" / "dont") hash alike, while any change of words or numbers changes the hash.

Normalisation: NFKC, casefold, apostrophes removed, then every run of punctuation, symbols
(ASCII, Latin-1, General Punctuation, arrows/technical/shapes/dingbats, CJK and full-width forms)
and whitespace becomes one separator. "10.5%" and "10 5" therefore hash alike: acceptable for a
duplicate key, where words carry the identity.

When the body is empty (or has no letters or digits), the title is hashed instead, under a different
prefix, so that a title-only item can never collide with a body hash.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_APOSTROPHES = ("'", "\u2019", "\u02bc", "\u2018", "`", "\u00b4")
# ASCII punctuation and symbols -> space, applied to UTF-8 bytes (multi-byte sequences never contain
# ASCII bytes, so this is exact), then the punctuation/symbol blocks of Unicode by a small regex.
_ASCII_PUNCTUATION = bytes(range(33, 48)) + bytes(range(58, 65)) + bytes(range(91, 97)) + bytes(range(123, 127))
_ASCII_TO_SPACE = bytes.maketrans(_ASCII_PUNCTUATION, b" " * len(_ASCII_PUNCTUATION))
_UNICODE_PUNCTUATION = re.compile(
    "[\u00a1-\u00bf\u00d7\u00f7\u2010-\u2027\u2030-\u205e\u2190-\u23ff\u25a0-\u27bf"
    "\u3000-\u303f\ufe30-\ufe4f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+"
)


def comparison_form(text: str) -> str:
    """The text reduced to lower-case words separated by single spaces."""
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    for apostrophe in _APOSTROPHES:
        if apostrophe in text:
            text = text.replace(apostrophe, "")
    text = text.encode("utf-8", "surrogatepass").translate(_ASCII_TO_SPACE).decode("utf-8", "surrogatepass")
    if not text.isascii():
        text = _UNICODE_PUNCTUATION.sub(" ", text)
    return " ".join(text.split())


def content_hash(body: str, title: str = "") -> str:
    """sha256 hex of the normalised body; of the normalised title (prefixed "title:") when the body is empty."""
    material = comparison_form(body) if body else ""
    if not material:
        material = "title:" + comparison_form(title)
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()
