"""Declared languages -> ISO 639-1."""

from __future__ import annotations

import pytest
from newsflow.normalise.language import normalise_language


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
