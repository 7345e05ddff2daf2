"""Declared languages -> ISO 639-1, and detection when nothing usable is declared."""

from __future__ import annotations

import pytest
from newsflow.normalise.language import detect_language, normalise_language


@pytest.mark.parametrize(
    ("declared", "code"),
    [
        ("en-US", "en"),
        ("EN", "en"),
        ("en_gb", "en"),
        ("de-DE", "de"),
        ("pt-BR", "pt"),
        ("zh-Hant-TW", "zh"),
        ("eng", "en"),
        ("ger", "de"),
        ("fra", "fr"),
        ("English", "en"),
        ("iw", "he"),
        (" fr ", "fr"),
        ("und", None),
        ("mul", None),
        ("x-default", None),
        ("", None),
        (None, None),
        ("12", None),
        ("e", None),
    ],
)
def test_declared_language_is_normalised_to_iso_639_1(declared: str | None, code: str | None) -> None:
    assert normalise_language(declared) == code


class TestDetection:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("The company said on Tuesday that its profits had risen sharply in the third quarter.", "en"),
            ("Die Bundesregierung hat am Dienstag beschlossen, dass die Steuern nicht erhöht werden.", "de"),
            ("Le gouvernement a annoncé mardi que les impôts des entreprises ne seront pas augmentés.", "fr"),
            ("El gobierno anunció el martes que los impuestos de las empresas no se subirán este año.", "es"),
            ("Il governo ha annunciato che le tasse delle imprese non saranno aumentate quest'anno.", "it"),
            ("O governo anunciou que os impostos das empresas não serão aumentados este ano.", "pt"),
            ("De regering heeft dinsdag aangekondigd dat de belastingen niet worden verhoogd.", "nl"),
            ("Regeringen meddelte tirsdag, at skatterne ikke skal hæves i år, efter at de blev enige.", "da"),
            ("Regjeringen kunngjorde tirsdag at skattene ikke skal økes i år, etter at de ble enige.", "no"),
            ("Правительство объявило во вторник, что налоги не будут повышены.", "ru"),
            ("Уряд оголосив у вівторок, що податки не будуть підвищені.", "uk"),  # noqa: RUF001
            ("政府は火曜日、企業への税金を引き上げないと発表した。", "ja"),
            ("政府周二宣布，今年不会提高企业税收。", "zh"),  # noqa: RUF001
            ("정부는 화요일 기업 세금을 인상하지 않겠다고 발표했다.", "ko"),
            ("Η κυβέρνηση ανακοίνωσε την Τρίτη ότι οι φόροι δεν θα αυξηθούν.", "el"),  # noqa: RUF001
            ("أعلنت الحكومة يوم الثلاثاء أن الضرائب لن ترتفع", "ar"),
        ],
    )
    def test_news_prose_is_detected(self, text: str, expected: str) -> None:
        assert detect_language(text) == expected

    @pytest.mark.parametrize("text", [None, "", "OK", "Q3 EBITDA 12.5%", "12:30 - 14:00"])
    def test_too_little_evidence_gives_none(self, text: str | None) -> None:
        assert detect_language(text) is None

    def test_an_item_that_declares_nothing_gets_the_detected_language(self) -> None:
        from datetime import UTC, datetime

        from newsflow.models import FeedItem
        from newsflow.normalise import normalise_item

        item = FeedItem(
            url="https://zeitung.example.de/a",
            title="Steuern bleiben",
            content_text="Die Bundesregierung hat am Dienstag beschlossen, dass die Steuern für Unternehmen "
            "nicht erhöht werden. Das teilte das Ministerium mit.",
        )
        assert normalise_item(item, now=datetime(2026, 11, 20, tzinfo=UTC)).language == "de"
