"""The search-box parser: what people type becomes a small AST, and nothing they type can break it."""

from __future__ import annotations

import random

import pytest
import tantivy
from newsflow.search.query import (
    MAX_CLAUSES,
    MAX_QUERY_CHARS,
    And,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Word,
    clean_text,
    leaves,
    parse_query,
    to_text,
    words_of,
)


def parsed(text: str) -> str:
    return str(parse_query(text))


# ------------------------------------------------------------------------------------- the syntax


def test_bare_words_are_all_required_and_lower_cased() -> None:
    # Given two words typed with capitals
    # When they are parsed
    result = parse_query("Bank RATES")
    # Then both are required (AND), lower-cased, not stemmed (stemming belongs to the adapters)
    assert result.root == And((Word("bank"), Word("rates")))
    assert result.scores


def test_a_single_word_is_a_word() -> None:
    assert parse_query("  inflation  ").root == Word("inflation")


def test_quoted_text_is_an_exact_phrase() -> None:
    assert parse_query('"interest rates" europe').root == And(
        (Phrase("interest rates", ("interest", "rates")), Word("europe"))
    )


def test_typographic_quotes_make_phrases_too() -> None:
    assert parse_query("“supply chain”").root == Phrase("supply chain", ("supply", "chain"))


def test_a_one_word_phrase_is_a_word() -> None:
    assert parse_query('"tesla"').root == Word("tesla")


def test_minus_excludes_and_plus_requires() -> None:
    assert parsed("+bitcoin -etf") == "(bitcoin AND -etf)"
    assert parsed('opec -"price cap"') == '(opec AND -"price cap")'
    assert parsed("fed -(rates OR inflation)") == "(fed AND -(rates OR inflation))"


def test_or_binds_tighter_than_and_like_web_search() -> None:
    # Given "tesla earnings OR revenue"
    # Then it means tesla AND (earnings OR revenue)
    assert parse_query("tesla earnings OR revenue").root == And(
        (Word("tesla"), Or((Word("earnings"), Word("revenue"))))
    )


def test_explicit_and_not_and_parentheses() -> None:
    assert parsed("(oil OR gas) AND NOT coal") == "((oil OR gas) AND -coal)"
    assert parsed("NOT NOT coal") == "coal"


def test_lower_case_operators_are_ordinary_words() -> None:
    # "or"/"and"/"not" are stop words, so they are dropped like the analyzer would
    assert parsed("tesla or ford") == "(tesla AND ford)"


def test_a_word_made_of_several_tokens_becomes_a_phrase() -> None:
    # Given hyphenated, dotted and possessive words
    # Then each is a phrase of its parts (the way the index tokenises them), keeping the raw text
    assert parse_query("covid-19").root == Phrase("covid-19", ("covid", "19"))
    assert parse_query("U.S.").root == Phrase("U.S.", ("u", "s"))
    assert parse_query("Apple's").root == Phrase("Apple's", ("apple", "s"))


def test_stop_words_are_dropped_unless_nothing_else_is_left() -> None:
    assert parsed("the bank of england") == "(bank AND england)"
    assert parsed('"bank of england"') == '"bank of england"'
    assert parsed("the") == "the"
    assert parsed("to be or not") == "(to AND be AND or AND not)"  # nothing but stop words: keep them


def test_proximity_words_are_the_required_bare_words() -> None:
    assert parse_query("oil prices surge").proximity_words() == ("oil", "prices", "surge")
    assert parse_query('oil "price cap"').proximity_words() == ()
    assert parse_query("oil").proximity_words() == ()


def test_only_exclusions_do_not_score() -> None:
    # Given a query that only excludes
    result = parse_query("-crypto")
    # Then it is a filter (adapters sort it newest first), not a ranking
    assert result.root == Not(Word("crypto"))
    assert not result.scores


def test_repeated_terms_are_kept_once() -> None:
    assert parsed("oil oil OIL") == "oil"


# ------------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("   \t\n ", ""),
        ('"unbalanced quote', "(unbalanced AND quote)"),
        ('a "b c', "(b AND c)"),
        ("((( nested", "nested"),
        ("closed ))) early", "(closed AND early)"),
        (")(", ""),
        ("()", ""),
        ("AND", ""),
        ("OR OR OR", ""),
        ("NOT", ""),
        ("-", ""),
        ("+", ""),
        ("- - -", ""),
        ("oil AND", "oil"),
        ("OR oil", "oil"),
        ("oil OR", "oil"),
        ("oil NOT", "oil"),
        ("!!! ??? ***", ""),
        ("oil\x00gas\x1b[31m", "(oil AND gas AND 31m)"),
        ("zero\u200bwidth", "(zero AND width)"),
        ("\ud800 lone surrogate", "(lone AND surrogate)"),
        ("title:oil body:*", '("title oil" AND body)'),
        ("oil^10 gas~2", '("oil 10" AND "gas 2")'),
        ("<script>alert(1)</script>", '("script alert" AND 1 AND script)'),
    ],
)
def test_hostile_input_degrades_to_plain_words(text: str, expected: str) -> None:
    # Given malformed or hostile text
    # When it is parsed
    result = parse_query(text)
    # Then there is no error, and what is left is plain words
    assert str(result) == expected


def test_query_syntax_of_other_engines_is_just_text() -> None:
    # Lucene/tantivy syntax has no meaning here: field names, wildcards and boosts are words
    result = parse_query("title:oil* AND body:[a TO z]")
    assert result.root is not None
    words = {w for leaf in leaves(result.root) for w in (leaf.words if isinstance(leaf, Phrase) else (leaf.text,))}
    assert words <= {"title", "oil", "body", "a", "to", "z"}


def test_non_strings_parse_to_nothing() -> None:
    assert parse_query(None).is_empty
    assert parse_query(42).is_empty


def test_unicode_words_survive() -> None:
    assert parse_query("日本語 économie").root == And((Word("日本語"), Word("économie")))
    # decomposed é (e + combining acute) is normalised to the composed form
    assert parse_query("e\u0301conomie").root == Word("économie")


def test_greek_final_sigma_is_lower_cased_per_character_like_the_index() -> None:
    assert words_of("ΟΔΟΣ") == ["οδοσ"]


def test_input_is_cut_at_500_characters() -> None:
    text = "x" * 30 + " " + "oil " * 200
    assert len(clean_text(text)) == MAX_QUERY_CHARS
    assert parse_query(text).root is not None


def test_clause_count_is_bounded() -> None:
    # Given 120 distinct words
    text = " ".join(f"w{i}" for i in range(120))
    # Then only the first MAX_CLAUSES are kept
    result = parse_query(text)
    assert result.root is not None
    assert len(list(leaves(result.root))) == MAX_CLAUSES


def test_long_tokens_are_dropped_like_the_index_drops_them() -> None:
    assert parse_query("x" * 40 + " oil").root == Word("oil")
    assert parse_query("x" * 39).root == Word("x" * 39)


def test_deep_nesting_and_prefix_runs_are_cheap() -> None:
    assert parsed("(" * 400 + "oil" + ")" * 400) == "oil"
    assert parsed("-" * 499 + "x") == "-x"
    assert parsed("NOT " * 120 + "x") == "x"


def test_random_input_never_raises() -> None:
    # A deterministic fuzz loop (hypothesis is not a dependency): operators, quotes, brackets,
    # control characters, surrogates, combining marks, emoji and CJK in random mixtures.
    rng = random.Random(20_261_120)
    alphabet = [
        *"abcXYZ019 _-+.'\"“”„()[]{}:^~*?!\\/|&",
        "AND",
        "OR",
        "NOT",
        " AND ",
        " OR ",
        " NOT ",
        "\x00",
        "\x1f",
        "\x7f",
        "\u200b",
        "\u202e",
        "\ud800",
        "\udfff",
        "\u0301",
        "\ufeff",
        "é",
        "Σ",
        "İ",
        "日本",
        "👍🏽",
        "\U0010ffff",
        "\n",
        "\t",
    ]
    for _ in range(3_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        result = parse_query(text)
        assert isinstance(result, ParsedQuery)
        if result.root is not None:
            found = list(leaves(result.root))
            assert 1 <= len(found) <= MAX_CLAUSES
            assert to_text(result.root)
            for leaf in found:
                assert leaf.text == leaf.text.strip()
                leaf.text.encode("utf-8")  # no lone surrogates reach an adapter


# ------------------------------------------------------------------ consistency with the index


def test_tokenisation_matches_tantivy_simple_tokenizer_and_lower_caser() -> None:
    # Given tantivy's en_stem pipeline without the stemmer
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .build()
    )
    samples = [
        "Fed's Powell: rates to stay 'higher for longer' (2024)",
        "U.S.-China trade talks; EU/UK deal — 5.5% growth",
        "ΟΔΟΣ Ελλάδα, Straße, İstanbul, naïve café, 日本語のニュース",
        "e-mail foo_bar C++ AT&T #hashtag @handle 1,000,000 $US",
        "x" * 39 + " " + "y" * 40 + " end",
    ]
    for text in samples:
        # Then the parser splits and lower-cases words exactly as the index does
        assert words_of(text) == analyzer.analyze(text), text
