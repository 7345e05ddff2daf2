"""Text hygiene: Unicode, invisible characters, whitespace, titles, words, reading time, summaries."""

from __future__ import annotations

import unicodedata

import pytest
from newsflow.models import MAX_TITLE_CHARS
from newsflow.normalise.text import (
    SUMMARY_MAX_CHARS,
    clean_text,
    clean_title,
    lead_sentences,
    make_summary,
    reading_time_minutes,
    repair_mojibake,
    split_sentences,
    truncate_words,
    word_count,
)


class TestCleanText:
    def test_output_is_nfc(self) -> None:
        # Given decomposed characters (e + combining acute) / When cleaned / Then they are composed (NFC)
        cleaned = clean_text("Cafe\u0301 Nestle\u0301")
        assert cleaned == "Caf\u00e9 Nestl\u00e9"
        assert unicodedata.is_normalized("NFC", cleaned)

    @pytest.mark.parametrize(
        ("mojibake", "fixed"),
        [
            ("Caf\u00c3\u00a9 au lait", "Caf\u00e9 au lait"),  # UTF-8 read as latin-1/cp1252
            ("It\u00e2\u20ac\u2122s here", "It\u2019s here"),  # cp1252 smart quote
            ("\u00e2\u20ac\u0153Quoted\u00e2\u20ac\u009d", "\u201cQuoted\u201d"),
        ],
    )
    def test_obvious_mojibake_is_repaired(self, mojibake: str, fixed: str) -> None:
        assert clean_text(mojibake) == fixed

    @pytest.mark.parametrize("legit", ["S\u00c3O PAULO", "\u00c2ge moyen", "Cr\u00e8me br\u00fbl\u00e9e", "\u00e2me"])
    def test_legitimate_text_is_not_treated_as_mojibake(self, legit: str) -> None:
        assert repair_mojibake(legit) == legit

    def test_invisible_and_control_characters_are_removed(self) -> None:
        # Given zero-width spaces, BOM, soft hyphen, bidi overrides, word joiner, controls, a lone surrogate
        dirty = "in\u200bvi\ufeffsi\u00adble\u202e \u2066x\u2069\u2060y\x00\x07\x1b[31m z\ud800"
        # Then they are gone; visible text is intact
        assert clean_text(dirty) == "invisible xy[31m z"

    def test_zero_width_joiners_that_carry_meaning_are_kept(self) -> None:
        # ZWNJ is orthographic in Persian, ZWJ joins emoji sequences
        assert clean_text("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001f469\u200d\U0001f4bb") == (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001f469\u200d\U0001f4bb"
        )

    def test_whitespace_is_collapsed_and_paragraphs_kept(self) -> None:
        raw = "  First\u00a0\u00a0line \t here \r\n\r\n\r\n\n Second\u2003para \u2028third line\u3000 \n"
        assert clean_text(raw) == "First line here\n\nSecond para\nthird line"

    def test_one_line_mode(self) -> None:
        assert clean_text("a\n\nb \t c\u00a0d", keep_newlines=False) == "a b c d"

    def test_empty(self) -> None:
        assert clean_text("") == ""
        assert clean_text(None) == ""
        assert clean_text(" \u200b\n\t ") == ""


class TestCleanTitle:
    def test_tags_are_stripped_and_entities_decoded(self) -> None:
        assert clean_title("<b>Boeing</b> &amp; <i>Airbus</i> sign&nbsp;deal &#8212; report") == (
            "Boeing & Airbus sign deal \u2014 report"
        )

    def test_double_escaped_entities_and_markup_are_decoded_once_more(self) -> None:
        assert clean_title("Apple&amp;#8217;s &amp;lt;b&amp;gt;big&amp;lt;/b&amp;gt; day") == "Apple\u2019s big day"

    def test_text_that_only_looks_a_bit_like_markup_survives(self) -> None:
        assert clean_title("Profits < forecasts as costs > revenue") == "Profits < forecasts as costs > revenue"
        assert clean_title("<![CDATA[Markets rally]]>") == "Markets rally"

    def test_whitespace_and_newlines_collapse(self) -> None:
        assert clean_title("  Markets\n\n rally\tagain \u200b ") == "Markets rally again"

    def test_5000_plus_characters_are_capped_with_an_ellipsis_at_a_word_boundary(self) -> None:
        # Given a 6,000-character headline / When cleaned
        title = clean_title("word " * 1200)
        # Then it fits MAX_TITLE_CHARS, ends with an ellipsis, and no word is cut
        assert len(title) <= MAX_TITLE_CHARS
        assert title.endswith("word\u2026")
        assert title[:-1].split(" ") == ["word"] * len(title[:-1].split(" "))

    def test_a_single_giant_word_is_cut_hard(self) -> None:
        title = clean_title("x" * 20_000)
        assert len(title) == MAX_TITLE_CHARS
        assert title.endswith("\u2026")

    def test_exactly_at_the_limit_is_untouched(self) -> None:
        raw = "a" * MAX_TITLE_CHARS
        assert clean_title(raw) == raw

    @pytest.mark.parametrize("raw", ["", "   ", "<p></p>", "<br/>&nbsp;", "\u200b\u200b", None])
    def test_titles_that_are_empty_after_cleaning(self, raw: str | None) -> None:
        assert clean_title(raw) == ""


def test_truncate_words_keeps_short_text() -> None:
    assert truncate_words("short", 10) == "short"
    assert truncate_words("one two three four", 12) == "one two\u2026"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("One", 1),
        ("Don't stop: U.S. state-of-the-art output rose 10,000 units \u2014 a record.", 10),
        ("a - b | c \u2022 d", 4),
        ("line one\n\nline two", 4),
    ],
)
def test_word_count(text: str, words: int) -> None:
    assert word_count(text) == words


@pytest.mark.parametrize(
    ("words", "minutes"),
    [(0, 0), (1, 1), (114, 1), (230, 1), (344, 1), (345, 2), (460, 2), (1840, 8), (2300, 10)],
)
def test_reading_time_at_230_words_per_minute(words: int, minutes: int) -> None:
    # 230 wpm rounded half up; any text takes at least a minute; no text takes none
    assert reading_time_minutes(words) == minutes


class TestSentencesAndSummaries:
    def test_sentences_respect_abbreviations_and_initials(self) -> None:
        text = "Mr. Smith joined Acme Corp. in 2020. He moved to the U.S. Army later. J. Doe agreed! Why? Yes."
        assert split_sentences(text) == [
            "Mr. Smith joined Acme Corp. in 2020.",
            "He moved to the U.S. Army later.",
            "J. Doe agreed!",
            "Why?",
            "Yes.",
        ]

    def test_own_summary_is_cleaned_onto_one_line(self) -> None:
        assert make_summary("  The   bank\n\nraised rates. ", "Body text.") == "The bank raised rates."

    def test_long_summary_is_cut_at_a_sentence_boundary(self) -> None:
        sentence = "Shares rose sharply after the company beat forecasts for the third quarter. "
        summary = make_summary(sentence * 20, "")
        assert len(summary) <= SUMMARY_MAX_CHARS
        assert summary.endswith("quarter.")
        assert len(summary) > SUMMARY_MAX_CHARS // 2

    def test_long_summary_without_sentences_is_cut_at_a_word(self) -> None:
        summary = make_summary("word " * 300, "")
        assert len(summary) <= SUMMARY_MAX_CHARS
        assert summary.endswith("word\u2026")

    def test_without_summary_the_lead_sentences_of_the_body_are_used(self) -> None:
        body = (
            "Oil prices rose on Monday. OPEC+ agreed to extend its cuts.\n\nAnalysts expect tighter "
            "supplies in winter. Brent gained 2%. Shale output was flat."
        )
        assert make_summary(None, body) == (
            "Oil prices rose on Monday. OPEC+ agreed to extend its cuts. Analysts expect tighter supplies in winter."
        )
        assert make_summary("   ", body).startswith("Oil prices rose on Monday.")

    def test_lead_stops_once_long_enough(self) -> None:
        first = "A" + "a" * 250 + "."
        assert lead_sentences(f"{first} Second sentence. Third one.") == first

    def test_no_summary_and_no_body(self) -> None:
        assert make_summary(None, "") == ""


def test_mixed_mojibake_that_the_light_repair_cannot_undo_goes_to_ftfy() -> None:
    # Given text where one word is mojibake and another is correct UTF-8 (the whole-string repair fails)
    text = "The Taliban\u00e2\u20ac\u2122s caf\u00e9 \u201cquoted\u201d"
    # Then the mojibake is repaired and the correct characters (curly quotes too) are kept
    assert clean_text(text) == "The Taliban\u2019s caf\u00e9 \u201cquoted\u201d"
