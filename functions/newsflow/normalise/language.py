"""Language codes and detection.

`normalise_language`: a declared language (BCP 47, ISO 639-2, or an English name) -> ISO 639-1, lower-case.

`detect_language`: the language of a text when nothing usable was declared. Built in, no model download,
no dependency, ~20 µs for a news article:
1. script: the share of letters in Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai, Hangul, Kana and
   Han picks ru/uk/bg (told apart by their own letters), el, ar/fa, he, hi, th, ko, ja, zh;
2. Latin script: the most frequent function words of 18 languages are counted over the first ~400
   words; the winner needs at least 3 hits and a clear lead over the runner-up, else None.

Why not a library: py3langid needs numpy, which publishes no manylinux2014_aarch64 wheel for CPython 3.14
(the Lambda bundling cannot install it); lingua-language-detector's wheel is 170 MB; langdetect ships
only an sdist; fasttext-langdetect downloads its model at run time. None is acceptable in the ingest
Lambda, and news text (hundreds of words of prose) is the easy case for a function-word profile.
"""

from __future__ import annotations

import re
from collections import Counter
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


# --------------------------------------------------------------------------------------------- detection
DETECT_SAMPLE_CHARS: Final = 3_000
MIN_HITS: Final = 3

# Function words: frequent, short, and as far as possible not shared between the languages listed.
_FUNCTION_WORDS: Final[dict[str, str]] = {
    "en": "the and of to in is that for it was on with as are be this by have from at which not but they his "
          "has were their been would will said its who an or there we can more",
    "de": "der die und den das ist nicht von zu mit sich des auf für im dem ein eine auch es an als wird nach "
          "bei einer um noch wie über aus sind hat werden oder",
    "fr": "le la les et des est une du que pour dans qui pas sur au avec ce sont par plus il elle aux ont "
          "été cette mais comme ses nous leur",
    "es": "el la los las y del que en una por con para es se al lo como más pero sus le ya fue este ha sobre "
          "entre cuando también desde está",
    "it": "il di che la per una sono del della non con gli le ha alla anche nel dei delle più è si come "
          "questo sul dalla degli stato essere",
    "pt": "o a os as de que do da em um uma para com não no na por mais dos das foi ao pelo pela ser está "
          "também são seu sua já",
    "nl": "de het een van en is dat op te voor met niet zijn er aan ook als bij door om wordt nog maar "
          "heeft naar werd uit dan over",
    "sv": "och att det som en på är av för med den till har inte om ett var de men jag från kan ska också "
          "vid efter sig eller när",
    "da": "og at det som en på er af for med den til har ikke om et var de men jeg fra kan skal også ved "
          "efter sig eller når blev",
    "no": "og at det som en på er av for med den til har ikke om et var de men jeg fra kan skal også ved "
          "etter seg eller når ble",
    "fi": "ja on että ei se oli hän mutta kun myös ovat ole sen tai kuin niin joka jo mukaan vain",
    "pl": "i w na nie z się do to że jest o jak po co ale tak przez od dla jego był są za jej już także",
    "cs": "a v se na je že s z do to o jako pro by ale jsou k po za již které který také byl bylo",
    "ro": "și în de la cu a pe nu este că din o mai un pentru care sunt fost au ce se al lui ale",
    "hu": "a az és hogy nem is egy meg van volt de csak még már azt mint ami el kell ez vagy után",
    "tr": "ve bir bu da de için ile olarak çok daha gibi olan en ama değil kadar ise sonra ya göre",
    "id": "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga ke karena ada oleh tersebut "
          "mereka bisa",
    "ca": "el la els les i de que en un una per amb no és del als al més però com ha va seva",
}  # fmt: skip
_WORD_LANGUAGES: Final[dict[str, tuple[str, ...]]] = {}
for _lang, _words in _FUNCTION_WORDS.items():
    for _word in _words.split():
        _WORD_LANGUAGES[_word] = (*_WORD_LANGUAGES.get(_word, ()), _lang)

_LATIN_WORD = re.compile(r"[^\W\d_]+")
# (first, last) code point, script label.
_SCRIPTS: Final = (
    (0x0400, 0x04FF, "cyrillic"), (0x0370, 0x03FF, "el"), (0x0590, 0x05FF, "he"), (0x0600, 0x06FF, "arabic"),
    (0x0900, 0x097F, "hi"), (0x0E00, 0x0E7F, "th"), (0xAC00, 0xD7AF, "ko"), (0x1100, 0x11FF, "ko"),
    (0x3040, 0x30FF, "ja"), (0x4E00, 0x9FFF, "han"),
)  # fmt: skip


def _script_counts(sample: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for char in sample:
        code = ord(char)
        if code < 0x0370:
            if char.isalpha():
                counts["latin"] += 1
            continue
        for first, last, label in _SCRIPTS:
            if first <= code <= last:
                counts[label] += 1
                break
    return counts


def _cyrillic(sample: str) -> str:
    if any(c in sample for c in "їєґі"):
        return "uk"
    if "ъ" in sample and not any(c in sample for c in "ыэё"):
        return "bg"
    return "ru"


def detect_language(text: str | None) -> str | None:
    """The ISO 639-1 code of `text`'s language, or None when it cannot be told with confidence."""
    if not text:
        return None
    sample = text[:DETECT_SAMPLE_CHARS]
    if sample.isascii():
        scripts: Counter[str] = Counter()
    else:
        scripts = _script_counts(sample)
        letters = sum(scripts.values())
        if letters:
            script, count = scripts.most_common(1)[0]
            if script != "latin" and count >= 0.3 * letters:
                if script == "han":
                    return "ja" if scripts["ja"] else "zh"
                if script == "cyrillic":
                    return _cyrillic(sample.lower())
                if script == "arabic":
                    return "fa" if any(c in sample for c in "پچژگ") else "ar"
                return script
    hits: Counter[str] = Counter()
    for word in _LATIN_WORD.findall(sample.lower())[:400]:
        for language in _WORD_LANGUAGES.get(word, ()):
            hits[language] += 1
    if not hits:
        return None
    ranked = hits.most_common(2)
    best, best_hits = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    # Close relatives (da/no, es/ca, ...) share most function words: their own words break the tie.
    if best_hits < MIN_HITS or best_hits <= runner_up:
        return None
    return best
