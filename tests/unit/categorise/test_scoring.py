"""The scoring engine: spec parsing, index compilation, matching and the decision rule."""

from __future__ import annotations

import pytest
from newsflow.categorise.scoring import (
    TermIndex,
    build_document,
    compile_index,
    lexicon_evidence,
    parse_spec,
    plural_forms,
    url_sections,
)
from newsflow.categorise.tokens import key, tokenise

NAMES = {"alpha": "Alpha & Co", "beta": "Beta"}


def index_of(
    alpha: str = "", beta: str = "", countries: str = "", aliases: dict[str, dict[str, float]] | None = None
) -> TermIndex:
    return compile_index({"alpha": alpha, "beta": beta}, aliases or {}, countries, NAMES)


def hits(index: TermIndex, text: str) -> dict[str, int]:
    return {entry.label: count for entry, count in index.match(*tokenise(text)).items()}


def test_parse_spec_reads_heads_and_continuation_lines() -> None:
    assert parse_spec("""
        3: a, b c,
           d
        0.5: e
    """) == [("3", ["a", "b c", "d"]), ("0.5", ["e"])]
    with pytest.raises(ValueError):
        parse_spec("no head here, x")


def test_tokens_keep_ampersand_words_and_split_everything_else() -> None:
    assert tokenise("S&P 500 and AT&T's U.S. e-commerce!") == (
        ["S&P", "500", "and", "AT&T", "s", "U", "S", "e", "commerce"],
        ["s&p", "500", "and", "at&t", "s", "u", "s", "e", "commerce"],
    )
    assert key("  Aerospace & Defense ") == "aerospace defense"
    assert tokenise("") == ([], [])


@pytest.mark.parametrize(
    ("word", "plurals"),
    [("missile", ["missiles"]), ("battery", ["batteries"]), ("tax", ["taxes"]), ("day", ["days"]), ("ai", [])],
)
def test_plural_forms(word: str, plurals: list[str]) -> None:
    assert plural_forms(word) == plurals


def test_longest_match_wins_and_consumes_its_tokens() -> None:
    index = index_of(alpha="2: bank, bank of america", beta="1: america, central bank")
    assert hits(index, "Bank of America and the central bank; a bank") == {
        "bank of america": 1,
        "central bank": 1,
        "bank": 1,
    }


def test_plurals_of_the_last_word_match() -> None:
    index = index_of(alpha="1: interest rate, missile")
    assert hits(index, "interest rates and missiles, one missile") == {"interest rate": 1, "missile": 2}


def test_case_sensitive_terms_need_their_spelling() -> None:
    index = index_of(alpha="2: =Apple", beta="1: apple")
    assert hits(index, "Apple sells apple juice; APPLE") == {"Apple": 2, "apple": 1}
    with pytest.raises(ValueError):
        index_of(alpha="1: =Two Words")


def test_unknown_categories_are_rejected() -> None:
    with pytest.raises(ValueError):
        compile_index({"gamma": "1: x"}, {}, "", NAMES)
    with pytest.raises(ValueError):
        compile_index({}, {"x": {"gamma": 1.0}}, "", NAMES)


def test_slugs_and_display_names_are_aliases() -> None:
    index = index_of()
    assert index.aliases["alpha"] == {"alpha": 1.0}
    assert index.aliases["alpha co"] == {"alpha": 1.0}


def test_countries_and_blocking_phrases() -> None:
    index = index_of(
        alpha="1: bank of england",
        countries="United Kingdom: england, =UK\nUnited States: america\n-: latin america",
    )
    found = index.match(*tokenise("The Bank of England, UK, uk and Latin America"))
    countries = {entry.label: entry.country for entry in found}
    assert countries == {"bank of england": "United Kingdom", "UK": "United Kingdom", "latin america": None}


@pytest.mark.parametrize(
    ("url", "sections"),
    [
        ("https://www.example.com/politics/2026/11/03/long-article-slug-here", ["politics"]),
        ("https://tech.example.com/ai/story", ["tech", "ai", "story"]),
        ("https://example.com/world-news/", ["world news"]),
        (None, []),
    ],
)
def test_url_sections(url: str | None, sections: list[str]) -> None:
    assert url_sections(url) == sections


def test_only_reviewed_aliases_of_tags_count_never_the_words_inside_a_tag() -> None:
    index = index_of(alpha="3: television, screens", aliases={"alpha news": {"alpha": 1.0}})
    document = build_document("", "", "", ["Television", "Alpha News", "Sport"], "https://x.example/sport/a-b-c-d")
    evidence = lexicon_evidence(document, index, frozenset({"sport"}))
    assert evidence.points == {}  # "Television" is a tag, not a term
    assert evidence.aliases == {"alpha": 1.0}
    assert evidence.general == 1.6  # the tag "Sport" (1) and the URL section "/sport/" (0.6)


def test_evidence_keeps_the_distinct_terms_and_marks_ambiguous_names() -> None:
    index = index_of(alpha="2: widget, gadget\n3: =Acme")
    evidence = lexicon_evidence(build_document("Acme widget widget", "", "", [], None), index)
    assert evidence.terms["alpha"] == {"Acme": (9.0, True), "widget": (12.0, False)}
