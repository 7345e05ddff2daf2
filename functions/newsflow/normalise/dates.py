"""Dates as feeds write them -> aware UTC datetimes, or None when unknown.

Accepted (tests hold a table of each):
- ISO 8601 / RFC 3339: "2026-11-03T10:00:00Z", "2026-11-03 10:00:00.123456+01:00", "2026-11-03T10:00+0100",
  basic format "20261103T100000Z", date only "2026-11-03"; fractional seconds of any length (cut to µs).
- RFC 822 / 2822 / 1123 / 850 and asctime: "Tue, 03 Nov 2026 10:00:00 GMT", "3 Nov 26 10:00 EST",
  "Tue Nov  3 10:00:00 2026", JavaScript's "Tue Nov 03 2026 10:00:00 GMT+0100 (CET)"; optional weekday
  and seconds; zones as offsets or abbreviations (see ZONE_ABBREVIATIONS); "(comments)" ignored.
- Prose forms: "November 3, 2026 10:00 AM", "Monday, Nov. 3, 2026 at 10 a.m. ET", "3rd November 2026",
  month and weekday names (full and abbreviated) in English, German, French, Spanish, Italian, Portuguese
  and Dutch ("terça-feira, 3 de novembro de 2026", "martedì 3 novembre 2026", "di 3 nov. 2026"); a
  weekday abbreviation that is also a month ("mar" = martes/mardi) counts as the weekday when another
  month name follows; without a year, the most recent such date not in the future.
- Numeric: "2026/11/03", "03.11.2026" (day first, the European dotted form), "11/03/2026" (month
  first, the US form, unless the first number exceeds 12: "25/03/2026" is day first).
- Epoch seconds, milliseconds, microseconds or nanoseconds (told apart by magnitude).

Two-digit years follow RFC 2822: 00-49 -> 20xx, 50-99 -> 19xx. A time without a zone is read in
`default_tz` (an IANA name; UTC when None or unknown). "ET", "CT", "MT", "PT" follow US daylight saving;
"EST", "EDT", ... are fixed offsets; ambiguous abbreviations take their common news meaning (CST = US
Central, IST = India, BST = British Summer Time).

Results before 1990-01-01 or more than one day after `now` are rejected (None): a wrong date must
never be replaced by now(), or a broken feed would keep floating to the top of "Latest".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

EARLIEST: Final = datetime(1990, 1, 1, tzinfo=UTC)
MAX_FUTURE: Final = timedelta(days=1)

# Offsets in minutes east of UTC, or an IANA zone for the DST-following generic US names.
ZONE_ABBREVIATIONS: Final[dict[str, int | str]] = {
    "z": 0, "ut": 0, "utc": 0, "gmt": 0, "wet": 0, "wez": 0,
    "bst": 60, "ist": 330, "west": 60, "wesz": 60, "cet": 60, "mez": 60, "cest": 120, "mesz": 120,
    "mest": 120, "eet": 120, "oez": 120, "eest": 180, "oesz": 180, "msk": 180, "sast": 120, "cat": 120,
    "eat": 180, "wat": 60, "trt": 180, "gst": 240, "pkt": 300, "npt": 345, "ict": 420, "wib": 420,
    "hkt": 480, "sgt": 480, "pht": 480, "awst": 480, "jst": 540, "kst": 540, "acst": 570, "acdt": 630,
    "aest": 600, "aedt": 660, "nzst": 720, "nzdt": 780,
    "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360, "pst": -480,
    "pdt": -420, "akst": -540, "akdt": -480, "hst": -600, "ast": -240, "adt": -180, "nst": -210,
    "ndt": -150, "brt": -180, "art": -180,
    "et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver", "pt": "America/Los_Angeles",
}  # fmt: skip
_UTC_WORDS: Final = frozenset({"z", "ut", "utc", "gmt"})

MONTHS: Final[dict[str, int]] = {}
for _number, _names in enumerate(
    (
        "january jan januar jänner janner janvier janv enero ene gennaio gen janeiro januari",
        "february feb februar février fevrier févr fevr febrero febbraio fevereiro fev februari",
        "march mar märz maerz marz mars marzo março marco maart mrt",
        "april apr avril avr abril abr aprile",
        "may mai mayo maggio mag maio mei",
        "june jun juni juin junio giugno giu junho",
        "july jul juli juillet juil julio luglio lug julho",
        "august aug août aout agosto ago augustus",
        "september sep sept septembre septiembre setiembre settembre set setembro",
        "october oct oktober okt octobre octubre ottobre ott outubro out",
        "november nov novembre noviembre novembro",
        "december dec dezember dez décembre decembre déc diciembre dic dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_WEEKDAYS: Final = frozenset(
    {
        "monday", "mon", "tuesday", "tue", "tues", "wednesday", "wed", "thursday", "thu", "thur", "thurs", "friday",
        "fri", "saturday", "sat", "sunday", "sun", "montag", "dienstag", "mittwoch", "donnerstag", "freitag",
        "samstag", "sonntag", "mo", "di", "mi", "do", "fr", "sa", "so", "lundi", "mardi", "mercredi", "jeudi",
        "vendredi", "samedi", "dimanche", "lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado",
        "sabado", "domingo",
        # French and Spanish abbreviations
        "lun", "mer", "jeu", "ven", "sam", "dim", "mié", "mie", "jue", "vie", "sáb", "sab", "dom",
        # Italian
        "lunedì", "lunedi", "martedì", "martedi", "mercoledì", "mercoledi", "giovedì", "giovedi", "venerdì",
        "venerdi", "sabato", "gio",
        # Portuguese ("segunda-feira": the "-feira" is dropped before tokenising)
        "segunda", "terça", "terca", "quarta", "quinta", "sexta", "seg", "ter", "qua", "qui", "sex",
        # Dutch
        "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "ma", "wo", "vr", "za", "zo",
    }
)  # fmt: skip
# Weekday abbreviations that are also month names: a weekday when another month name follows.
_WEEKDAY_OR_MONTH: Final = frozenset({"mar"})
_FEIRA: Final = re.compile(r"(?<=[^\W\d_])-feira\b", re.IGNORECASE)
_FRENCH_CLOCK: Final = re.compile(r"\b(\d{1,2})h(\d{2})\b")  # "10h00"
_FILLER: Final = frozenset(
    {
        "at", "on", "of", "the", "t", "de", "del", "um", "à", "a", "le", "el", "den", "der", "published", "updated",
        "posted", "last", "modified", "uhr", "às", "as", "alle", "ore", "om", "op", "het", "di", "il", "em",
        "publicado", "pubblicato", "gepubliceerd", "publié", "veröffentlicht"
    }
)  # fmt: skip

_ISO = re.compile(
    r"(?P<y>\d{4})(?P<sep>-?)(?P<mo>\d{2})(?P=sep)(?P<d>\d{2})"
    r"(?:(?:[Tt]|\s+)(?P<h>\d{2})(?::?(?P<mi>\d{2})(?::?(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?)?)?"
    r"\s*(?P<tz>[zZ]|[+-]\d{2}(?::?\d{2})?)?"
)
_EPOCH = re.compile(r"\d{9,19}(?:\.\d+)?")
_COMMENT = re.compile(r"\([^()]*\)")
_MERIDIEM = re.compile(r"(?<![^\W\d_])([ap])\.?\s?m(?![^\W\d_])\.?")
_LETTER_DIGIT_DASH = re.compile(r"(?<=[^\W\d_])-(?=\d)|(?<=\d)-(?=[^\W\d_])")
_TOKEN = re.compile(
    r"(?P<date>\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4})"
    r"|(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
    r"|(?P<offset>[+-]\d{1,2}(?::?\d{2})?)(?!\d)"
    r"|(?P<num>\d++)(?:st|nd|rd|th|er|e|\.)?+(?![^\W\d_])"
    r"|(?P<word>[^\W\d_]+)"
    r"|(?P<skip>[\s,./;]+)"
    r"|(?P<bad>.)"
)


@lru_cache(maxsize=256)
def _zone(name: str | None) -> tzinfo:
    """An IANA zone by name; UTC for None, "UTC"/"Z" or an unknown name (a feed's bad setting must not
    make its items fail)."""
    if not name or name.upper() in ("UTC", "Z", "GMT", "ETC/UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):
        return UTC


def _offset_zone(sign: str, hours: int, minutes: int) -> tzinfo | None:
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if sign == "-" else delta)


def _parse_offset(text: str) -> tzinfo | None:
    if ":" in text:
        hours, _, minutes = text[1:].partition(":")
        return _offset_zone(text[0], int(hours), int(minutes))
    digits = text[1:]
    if len(digits) <= 2:
        return _offset_zone(text[0], int(digits), 0)
    if len(digits) == 4:
        return _offset_zone(text[0], int(digits[:2]), int(digits[2:]))
    return None


def _full_year(year: int, digits: int) -> int | None:
    if digits == 4:
        return year
    if digits <= 2:
        return 2000 + year if year < 50 else 1900 + year
    return None


def _micro(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def _build(
    year: int, month: int, day: int, hour: int, minute: int, second: int, micro: int, zone: tzinfo
) -> datetime | None:
    extra = timedelta()
    if hour == 24 and minute == 0 and second == 0:  # ISO "end of day"
        hour, extra = 0, timedelta(days=1)
    second = min(second, 59)  # a leap second
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone) + extra
    except ValueError:
        return None


def _parse_iso(text: str, default: tzinfo) -> datetime | None:
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    g = match.group
    tz_text = g("tz")
    zone: tzinfo | None = default
    if tz_text:
        zone = UTC if tz_text in "zZ" else _parse_offset(tz_text)
    if zone is None:
        return None
    return _build(
        int(g("y")), int(g("mo")), int(g("d")), int(g("h") or 0), int(g("mi") or 0), int(g("s") or 0),
        _micro(g("f")), zone,
    )  # fmt: skip


def _parse_epoch(text: str) -> datetime | None:
    if _EPOCH.fullmatch(text) is None:
        return None
    value = float(text)
    for scale in (1, 1_000, 1_000_000, 1_000_000_000):
        if value < 1e11 * scale:
            try:
                return datetime.fromtimestamp(value / scale, tz=UTC)
            except (OverflowError, OSError, ValueError):
                return None
    return None


def _numeric_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) from "2026/11/03", "03.11.2026" or "11/03/2026"."""
    separator = text[len(text.rstrip("0123456789")) - 1]
    a, b, c = re.split(r"[/.\-]", text)
    if len(a) == 4:
        return int(a), int(b), int(c)
    year = _full_year(int(c), len(c))
    if year is None or len(a) > 2:
        return None
    first, second = int(a), int(b)
    if separator == "." or first > 12:
        return year, second, first
    return year, first, second


def _parse_prose(text: str, default: tzinfo, now: datetime) -> datetime | None:
    text = _FRENCH_CLOCK.sub(r"\1:\2", _FEIRA.sub(" ", _COMMENT.sub(" ", text))).lower()
    text = _MERIDIEM.sub(r" \1m ", text)
    text = _LETTER_DIGIT_DASH.sub(" ", text)
    ymd: tuple[int, int, int] | None = None
    month: int | None = None
    numbers: list[str] = []
    clock: tuple[int, int, int, int] | None = None
    meridiem: str | None = None
    zone: tzinfo | None = None
    after_utc_word = False
    previous: str | None = None
    month_word = ""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group(kind or 0)
        if kind == "skip":
            continue
        if kind == "bad":
            return None
        if kind == "date":
            if ymd is not None or month is not None:
                return None
            ymd = _numeric_date(value)
            if ymd is None:
                return None
        elif kind == "time":
            if clock is not None:
                return None
            hms, _, fraction = value.replace(",", ".").partition(".")
            pieces = [int(p) for p in hms.split(":")]
            clock = (pieces[0], pieces[1], pieces[2] if len(pieces) > 2 else 0, _micro(fraction))
        elif kind == "num":
            numbers.append(value)
        elif kind == "offset":
            # An offset only after a time or "GMT"/"UTC": elsewhere "-12" is debris, not a zone.
            if clock is None and not after_utc_word:
                return None
            zone = _parse_offset(value)
            if zone is None:
                return None
        elif value in ("am", "pm"):
            # "10 am" / "10:00 pm"; any other "am" is a word (German "am 3. November" = "on the 3rd").
            if previous == "num" and clock is None:
                clock = (int(numbers.pop()), 0, 0, 0)
                meridiem = value
            elif previous == "time":
                meridiem = value
        elif value in MONTHS:
            if month is not None and month_word in _WEEKDAY_OR_MONTH and ymd is None:
                month = None  # "mar 3 nov": the first word was the weekday
            if month is not None or ymd is not None:
                return None
            month = MONTHS[value]
            month_word = value
        elif value in ZONE_ABBREVIATIONS:
            if zone is None:
                known = ZONE_ABBREVIATIONS[value]
                zone = _zone(known) if isinstance(known, str) else timezone(timedelta(minutes=known))
        elif value not in _WEEKDAYS and value not in _FILLER:
            return None
        after_utc_word = kind == "word" and value in _UTC_WORDS
        previous = kind

    if ymd is not None:
        if numbers:
            return None
        year, month_number, day = ymd
    elif month is not None:
        parsed = _day_and_year(numbers)
        if parsed is None:
            return None
        day, written_year = parsed
        month_number = month
        year = written_year if written_year is not None else now.year
    else:
        return None
    hour, minute, second, micro = clock or (0, 0, 0, 0)
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    zone = zone or default
    result = _build(year, month_number, day, hour, minute, second, micro, zone)
    if result is not None and ymd is None and len(numbers) == 1 and result > now + MAX_FUTURE:
        # No year written: the most recent such date that is not in the future.
        result = _build(year - 1, month_number, day, hour, minute, second, micro, zone)
    return result


def _day_and_year(numbers: list[str]) -> tuple[int, int | None] | None:
    if len(numbers) == 1:
        return (int(numbers[0]), None) if len(numbers[0]) <= 2 else None
    if len(numbers) != 2:
        return None
    first, second = numbers
    if len(first) == 4 or (len(first) > 2 and len(second) <= 2):
        first, second = second, first
    year = _full_year(int(second), len(second))
    if year is None or len(first) > 2:
        return None
    return int(first), year


def parse_date(raw: str | None, *, default_tz: str | None = None, now: datetime) -> datetime | None:
    """Parse a feed date into an aware UTC datetime; None when absent, unparseable or implausible."""
    if raw is None:
        return None
    text = raw.strip()
    if not text or len(text) > 200:
        return None
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    default = _zone(default_tz)
    parsed = _parse_iso(text, default) or _parse_epoch(text) or _parse_prose(text, default, now)
    if parsed is None:
        return None
    parsed = parsed.astimezone(UTC)
    if parsed < EARLIEST or parsed > now + MAX_FUTURE:
        return None
    return parsed
