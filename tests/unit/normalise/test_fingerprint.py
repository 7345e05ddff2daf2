"""Content fingerprints (the exact-duplicate key)."""

from __future__ import annotations

import re

from newsflow.normalise.fingerprint import comparison_form, content_hash

BODY = "Oil prices rose on Monday after OPEC+ extended its cuts.\n\nBrent gained 2% to $85.10 a barrel."


def test_the_hash_is_sha256_hex() -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash(BODY))


def test_copies_differing_only_in_case_whitespace_punctuation_quotes_and_composition_hash_alike() -> None:
    # Given copies of one body re-typeset by different feeds
    variants = [
        BODY,
        BODY.upper(),
        "  Oil   prices rose on monday after OPEC extended its cuts Brent gained 2 to 85 10 a barrel ",
        BODY.replace("\n\n", " ").replace(".", "!"),
        "\u201cOil prices\u201d rose on Monday \u2014 after OPEC+ extended its cuts\u2026 "
        "Brent gained 2% to $85.10 a barrel",
    ]
    # Then their fingerprints are equal
    assert len({content_hash(v) for v in variants}) == 1


def test_apostrophes_and_composition_do_not_matter() -> None:
    assert content_hash("The bank's cafe\u0301 don't") == content_hash("The banks caf\u00e9 dont")
    assert content_hash("It\u2019s") == content_hash("It's") == content_hash("Its")


def test_different_words_or_numbers_hash_differently() -> None:
    assert content_hash(BODY) != content_hash(BODY.replace("Monday", "Tuesday"))
    assert content_hash(BODY) != content_hash(BODY.replace("2%", "3%"))
    assert content_hash(BODY) != content_hash(BODY + " More.")


def test_an_empty_body_hashes_the_title_instead() -> None:
    # Given items without a body / Then the title decides, and a title hash never equals a body hash
    assert content_hash("", "Fed holds rates") == content_hash("", "FED holds rates!")
    assert content_hash("", "Fed holds rates") != content_hash("", "Fed cuts rates")
    assert content_hash("", "Fed holds rates") != content_hash("Fed holds rates", "")
    assert content_hash("  ...  ", "Title") == content_hash("", "Title")


def test_comparison_form() -> None:
    assert comparison_form("Hello,World!  It\u2019s 10.5%\u2014FULL_stop") == "hello world its 10 5 full stop"
