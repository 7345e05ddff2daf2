"""Plain-text hygiene: Unicode normalisation, invisible characters, whitespace, titles, summaries.

Everything here is pure string work (stdlib only at import) so it is cheap to import and to run.

Rules, in one place:
- Text is NFC. Obvious mojibake (UTF-8 read as Windows-1252, e.g. "CafÃ©") is repaired when, and only
  when, re-encoding gives valid UTF-8 with fewer mojibake markers. Text where that whole-string repair
  fails but markers remain (mixed or partly mangled text) goes to ftfy's `fix_encoding`, imported only
  then: ftfy costs ~45-80 ms to import and ~6 ms per 9 KB, far too much for every item (measured), but
  it is the best tool for the rare text that needs it. Its other fixes (quote uncurling, ...) are not used.
- Invisible characters are removed: C0/C1 controls (newlines and tabs are whitespace, not removed),
  zero-width space, word joiner, BOM, soft hyphen, bidi embeddings/overrides/isolates, LRM/RLM, interlinear
  annotation marks, Unicode tag characters and lone surrogates (which DynamoDB and JSON encoders reject).
  ZWJ and ZWNJ (U+200D, U+200C) are kept: they are orthographic in Persian and Indic scripts and join emoji.
- Whitespace: every run of horizontal whitespace (incl. NBSP and the U+2000 family) becomes one space,
  lines are trimmed, runs of blank lines become one blank line (= a paragraph break), ends are trimmed.
- Reading time assumes 230 words per minute, rounded half up, at least 1 minute when there is any word.
"""

from __future__ import annotations

import codecs
import html as _html
import re
import unicodedata
from typing import Final

from newsflow.models import MAX_TITLE_CHARS

WORDS_PER_MINUTE: Final = 230
SUMMARY_MAX_CHARS: Final = 500
ELLIPSIS: Final = "…"

# Invisible format/control characters (see module doc). Tab, LF, VT, FF, CR and NEL are handled as whitespace.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)
_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
# Runs of 2+ horizontal spaces, or any single one that is not a plain space (single spaces are left
# alone: matching every one of them would make this the slowest step of normalisation).
_HSPACE = re.compile(
    "[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
)
_LINE_BREAK_CHARS = ("\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029")
_ODD_SPACES = ("\t", "\u00a0", "\u1680", "\u202f", "\u205f", "\u3000", *map(chr, range(0x2000, 0x200B)))
_ANY_SPACE = re.compile(r"\s{2,}|[^\S ]")
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACE_AROUND_NEWLINE = re.compile(r" ?\n ?")

_SLOPPY_CP1252: Final = "newsflow-sloppy-cp1252"
# Typical sequences left when UTF-8 bytes were decoded as cp1252/latin-1 ("Ã©", "â€™", "Â ").
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac|\u00e2\u0080")

# HTML in titles: only things that really look like tags ("a < b" in a headline survives).
_TAG = re.compile(r"<!--.*?-->|<!\[CDATA\[|\]\]>|</?[A-Za-z][^<>]*>", re.DOTALL)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# Free-standing punctuation that split() would count as a word: " — ", " | ", " • ".
_PUNCTUATION_TOKENS = (" - ", " \u2013 ", " \u2014 ", " | ", " \u2022 ", " \u00b7 ", " / ")

# Sentence ends: . ! ? … optionally followed by closing quotes/brackets, then space and a capital/digit/quote.
_CLOSERS = "\"'\u201d\u2019)]"
_OPENERS = "\"'\u201c\u2018(["
_SENTENCE_END = re.compile(f"[.!?\u2026][{re.escape(_CLOSERS)}]*(?=\\s+[{re.escape(_OPENERS)}]?[A-Z0-9\u00c0-\u00dd])")
_ABBREVIATIONS: Final = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "col", "lt", "sgt", "capt", "gov",
        "sen", "rep", "rev", "inc", "corp", "co", "ltd", "llc", "plc", "bros", "no", "vs", "etc", "eg", "ie", "al",
        "approx", "dept", "est", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
        "dec", "u.s", "u.k", "e.u", "u.n", "a.m", "p.m"
    }
)  # fmt: skip


def clean_text(text: str | None, *, keep_newlines: bool = True) -> str:
    """NFC, mojibake repair, invisible characters removed, whitespace collapsed, trimmed.

    With `keep_newlines` paragraphs survive as lines separated by at most one blank line;
    without it everything becomes one line.
    """
    if not text:
        return ""
    text = repair_mojibake(text)
    text = _INVISIBLE.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if not keep_newlines:
        return _ANY_SPACE.sub(" ", text).strip()
    if any(char in text for char in _LINE_BREAK_CHARS):
        text = _LINE_BREAKS.sub("\n", text)
    if "  " in text or any(char in text for char in _ODD_SPACES):
        text = _HSPACE.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def repair_mojibake(text: str) -> str:
    """Undo the commonest mojibake (UTF-8 decoded as cp1252 or latin-1), conservatively.

    The repair is applied only when the whole string round-trips to valid UTF-8 and the result has
    fewer mojibake markers; legitimate text such as "SÃO PAULO" is never valid after re-encoding.
    """
    if text.isascii() or not ("\u00c2" in text or "\u00c3" in text or "\u00e2" in text):
        return text
    before = len(_MOJIBAKE.findall(text))
    if not before:
        return text
    try:
        fixed = text.encode("cp1252", _SLOPPY_CP1252).decode("utf-8")
    except UnicodeError:
        return _ftfy_fix_encoding(text, before)
    return fixed if len(_MOJIBAKE.findall(fixed)) < before else text


def _ftfy_fix_encoding(text: str, markers: int) -> str:
    try:
        from ftfy import fix_encoding
    except ImportError:  # pragma: no cover - ftfy is a runtime dependency; degrade to no repair
        return text
    fixed: str = fix_encoding(text)
    return fixed if len(_MOJIBAKE.findall(fixed)) < markers else text


def _c1_as_bytes(error: UnicodeError) -> tuple[bytes, int]:
    """Encode C1 controls as their own byte: the bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F,
    0x90, 0x9D) arrive as C1 characters when a browser-style decoder produced the mojibake."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    if all("\u0080" <= char <= "\u00ff" for char in chunk):
        return chunk.encode("latin-1"), error.end
    raise error


codecs.register_error(_SLOPPY_CP1252, _c1_as_bytes)


def strip_tags(text: str) -> str:
    """Remove things that look like HTML tags/comments (not a parser: for short strings such as titles)."""
    if "<" not in text and "]]>" not in text:
        return text
    return _TAG.sub(" ", text)


def decode_entities(text: str, *, rounds: int = 2) -> str:
    """Decode HTML entities, twice at most: feeds often double-escape ("&amp;#8217;")."""
    for _ in range(rounds):
        if "&" not in text or not _ENTITY.search(text):
            break
        text = _html.unescape(text)
    return text


def clean_inline(text: str | None) -> str:
    """A one-line label (title, author, tag): tags stripped, entities decoded, cleaned onto one line."""
    if not text:
        return ""
    text = strip_tags(text)
    if "&" in text:
        text = strip_tags(decode_entities(text))
    return clean_text(text, keep_newlines=False)


def truncate_words(text: str, max_chars: int, *, ellipsis: str = ELLIPSIS) -> str:
    """Cut `text` to at most `max_chars` characters (ellipsis included) at a word boundary."""
    if len(text) <= max_chars:
        return text
    room = max_chars - len(ellipsis)
    cut = text[:room]
    space = cut.rfind(" ")
    # Only back off to a word boundary when it does not throw away most of the text (one giant "word").
    if space >= room // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-\u2013\u2014") + ellipsis


def clean_title(raw: str | None, *, max_chars: int = MAX_TITLE_CHARS) -> str:
    """A headline: HTML tags stripped, entities decoded, whitespace collapsed, capped with an ellipsis."""
    return truncate_words(clean_inline(raw), max_chars)


def word_count(text: str) -> int:
    """Words = whitespace-separated tokens ("don't", "U.S.", "10,000" and "state-of-the-art" are one word
    each); free-standing dashes, bars, bullets and slashes are not words."""
    if not text:
        return 0
    return len(text.split()) - sum(text.count(token) for token in _PUNCTUATION_TOKENS)


def reading_time_minutes(words: int) -> int:
    """Minutes at WORDS_PER_MINUTE (230), rounded half up; at least 1 when there is any word, 0 for none."""
    if words <= 0:
        return 0
    return max(1, (words + WORDS_PER_MINUTE // 2) // WORDS_PER_MINUTE)


def split_sentences(text: str, *, limit: int = 50) -> list[str]:
    """Split prose into sentences (English-centric heuristics; abbreviations and initials respected)."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        # The token before the terminator: "Mr." or "U.S." or an initial "J." do not end a sentence.
        token_start = text.rfind(" ", start, match.start()) + 1
        token = text[token_start : match.start()].lower().strip(_OPENERS)
        if text[match.start()] == "." and (token in _ABBREVIATIONS or len(token) == 1):
            continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
            if len(sentences) >= limit:
                return sentences
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def cap_at_sentence(text: str, max_chars: int = SUMMARY_MAX_CHARS) -> str:
    """Cap at the last sentence end that fits (if it keeps at least half), else at a word boundary."""
    if len(text) <= max_chars:
        return text
    kept = ""
    for sentence in split_sentences(text[: max_chars + 1]):
        candidate = f"{kept} {sentence}" if kept else sentence
        if len(candidate) > max_chars:
            break
        kept = candidate
    # The last "sentence" of the cut text may itself be a cut-off fragment: only accept real sentence ends.
    if len(kept) >= max_chars // 2 and kept[-1] in ".!?\u2026" + _CLOSERS:
        return kept
    return truncate_words(text, max_chars)


def lead_sentences(body: str, *, max_sentences: int = 3, target_chars: int = 200) -> str:
    """The first 2-3 sentences of the first paragraphs: stop after `target_chars` or `max_sentences`."""
    if not body:
        return ""
    head = " ".join(body[: SUMMARY_MAX_CHARS * 4].split())
    picked: list[str] = []
    length = 0
    for sentence in split_sentences(head, limit=max_sentences):
        picked.append(sentence)
        length += len(sentence) + 1
        if length >= target_chars:
            break
    return cap_at_sentence(" ".join(picked))


def make_summary(summary: str | None, body_text: str, *, max_chars: int = SUMMARY_MAX_CHARS) -> str:
    """The teaser: the item's own summary as clean one-line text, else the lead of the body.

    `summary` must already be plain text (the caller turns HTML summaries into text first).
    """
    own = clean_text(summary, keep_newlines=False) if summary else ""
    if own:
        return cap_at_sentence(own, max_chars)
    return lead_sentences(body_text)
