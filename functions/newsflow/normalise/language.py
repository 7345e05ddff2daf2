"""Language codes: a declared language (BCP 47, ISO 639-2, or an English name) -> ISO 639-1, lower-case.

Only declared languages are handled in this round. Detection from the text (for items that declare
nothing, or declare wrongly) belongs in this module when it is added; until then an item without a
usable declaration has language None.
"""

from __future__ import annotations

import re
from typing import Final

# ISO 639-2 (bibliographic and terminologic) and common English names for the languages news feeds use.
_ALIASES: Final[dict[str, str]] = {
    "eng": "en", "english": "en", "deu": "de", "ger": "de", "german": "de", "deutsch": "de",
    "fra": "fr", "fre": "fr", "french": "fr", "français": "fr", "francais": "fr", "spa": "es",
    "spanish": "es", "español": "es", "espanol": "es", "ita": "it", "italian": "it", "italiano": "it",
    "por": "pt", "portuguese": "pt", "português": "pt", "portugues": "pt", "nld": "nl", "dut": "nl",
    "dutch": "nl", "nederlands": "nl", "rus": "ru", "russian": "ru", "zho": "zh", "chi": "zh",
    "chinese": "zh", "jpn": "ja", "japanese": "ja", "kor": "ko", "korean": "ko", "ara": "ar",
    "arabic": "ar", "hin": "hi", "hindi": "hi", "tur": "tr", "turkish": "tr", "pol": "pl",
    "polish": "pl", "swe": "sv", "swedish": "sv", "dan": "da", "danish": "da", "nor": "no",
    "nob": "nb", "nno": "nn", "norwegian": "no", "fin": "fi", "finnish": "fi", "ces": "cs", "cze": "cs",
    "czech": "cs", "ell": "el", "gre": "el", "greek": "el", "heb": "he", "hebrew": "he", "ukr": "uk",
    "ukrainian": "uk", "vie": "vi", "vietnamese": "vi", "ind": "id", "indonesian": "id", "msa": "ms",
    "may": "ms", "malay": "ms", "tha": "th", "thai": "th", "ron": "ro", "rum": "ro", "romanian": "ro",
    "hun": "hu", "hungarian": "hu", "fas": "fa", "per": "fa", "persian": "fa", "urd": "ur", "urdu": "ur",
    "ben": "bn", "bengali": "bn", "cat": "ca", "catalan": "ca",
}  # fmt: skip
# Deprecated ISO 639-1 codes still seen in feeds.
_DEPRECATED: Final = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv"}
_PRIMARY = re.compile(r"[a-zA-Z]{2,3}|[a-zA-Z]{4,}")


def normalise_language(declared: str | None) -> str | None:
    """Normalise a declared language: "en-US" -> "en", "EN_gb" -> "en", "eng" -> "en", "English" -> "en".

    None when it is missing, unknown or undetermined ("und", "mul", "x-default").
    """
    if not declared:
        return None
    primary = re.split(r"[-_\s;,]", declared.strip(), maxsplit=1)[0].lower()
    if not primary or not _PRIMARY.fullmatch(primary):
        return None
    if len(primary) == 2:
        return _DEPRECATED.get(primary, primary)
    return _ALIASES.get(primary)
