"""Feed dates -> aware UTC datetimes (or None)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from newsflow.normalise.dates import parse_date

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # RFC 822 / 2822 / 1123 with numeric offsets and zone names
        ("Tue, 03 Nov 2026 10:00:00 GMT", utc(2026, 11, 3, 10)),
        ("Tue, 03 Nov 2026 10:00:00 +0000", utc(2026, 11, 3, 10)),
        ("Tue, 03 Nov 2026 10:00:00 -0000", utc(2026, 11, 3, 10)),
        ("Tue, 03 Nov 2026 10:00:00 +0530", utc(2026, 11, 3, 4, 30)),
        ("Tue, 3 Nov 2026 10:00 -05:00", utc(2026, 11, 3, 15)),
        ("Tue, 03 Nov 2026 10:00:00 UT", utc(2026, 11, 3, 10)),
        ("Tue, 03 Nov 2026 10:00:00 Z", utc(2026, 11, 3, 10)),
        ("Tue, 03 Nov 2026 10:00:00 EST", utc(2026, 11, 3, 15)),
        ("Sat, 01 Aug 2026 10:00:00 EDT", utc(2026, 8, 1, 14)),
        ("Tue, 03 Nov 2026 10:00:00 CST", utc(2026, 11, 3, 16)),
        ("Sat, 01 Aug 2026 10:00:00 CDT", utc(2026, 8, 1, 15)),
        ("Tue, 03 Nov 2026 10:00:00 MST", utc(2026, 11, 3, 17)),
        ("Sat, 01 Aug 2026 10:00:00 MDT", utc(2026, 8, 1, 16)),
        ("Tue, 03 Nov 2026 10:00:00 PST", utc(2026, 11, 3, 18)),
        ("Sat, 01 Aug 2026 10:00:00 PDT", utc(2026, 8, 1, 17)),
        ("Sat, 01 Aug 2026 10:00:00 BST", utc(2026, 8, 1, 9)),
        ("Tue, 03 Nov 2026 10:00:00 CET", utc(2026, 11, 3, 9)),
        ("Sat, 01 Aug 2026 10:00:00 CEST", utc(2026, 8, 1, 8)),
        ("Di, 03 Nov 2026 10:00:00 MEZ", utc(2026, 11, 3, 9)),
        ("Sa, 01 Aug 2026 10:00:00 MESZ", utc(2026, 8, 1, 8)),
        ("Sat, 01 Aug 2026 10:00:00 MEST", utc(2026, 8, 1, 8)),
        ("Tue, 03 Nov 2026 10:00:00 IST", utc(2026, 11, 3, 4, 30)),
        ("Tue, 03 Nov 2026 10:00:00 JST", utc(2026, 11, 3, 1)),
        ("Tue, 03 Nov 2026 10:00:00 AEST", utc(2026, 11, 3, 0)),
        ("Tue, 03 Nov 2026 10:00:00 GMT (Greenwich Mean Time)", utc(2026, 11, 3, 10)),
        # two-digit years (RFC 2822: 00-49 -> 20xx), no weekday, no seconds
        ("03 Nov 26 10:00:00 GMT", utc(2026, 11, 3, 10)),
        ("3 Nov 26 10:00 +0000", utc(2026, 11, 3, 10)),
        # asctime and JavaScript Date.toString()
        ("Tue Nov  3 10:00:00 2026", utc(2026, 11, 3, 10)),
        ("Tue Nov 03 2026 10:00:00 GMT+0100 (Central European Standard Time)", utc(2026, 11, 3, 9)),
        # ISO 8601 / RFC 3339 variants
        ("2026-11-03T10:00:00Z", utc(2026, 11, 3, 10)),
        ("2026-11-03t10:00:00z", utc(2026, 11, 3, 10)),
        ("2026-11-03 10:00:00", utc(2026, 11, 3, 10)),
        ("2026-11-03T10:00:00.123456Z", datetime(2026, 11, 3, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-03T10:00:00.123456789+01:00", datetime(2026, 11, 3, 9, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-03T10:00:00,5Z", datetime(2026, 11, 3, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2026-11-03T10:00+0100", utc(2026, 11, 3, 9)),
        ("2026-11-03T10:00:00-05", utc(2026, 11, 3, 15)),
        ("2026-11-03T10Z", utc(2026, 11, 3, 10)),
        ("20261103T100000Z", utc(2026, 11, 3, 10)),
        ("2026-11-03", utc(2026, 11, 3)),
        ("20261103", utc(2026, 11, 3)),
        ("2026-11-03T10:00:00 EST", utc(2026, 11, 3, 15)),
        ("2026-11-03T24:00:00Z", utc(2026, 11, 4)),
        # epoch seconds / milliseconds
        ("1793700000", utc(2026, 11, 3, 10)),
        ("1793700000.5", datetime(2026, 11, 3, 10, 0, 0, 500000, tzinfo=UTC)),
        ("1793700000000", utc(2026, 11, 3, 10)),
        # prose forms
        ("November 3, 2026 10:00 AM", utc(2026, 11, 3, 10)),
        ("November 3, 2026 10:00 PM", utc(2026, 11, 3, 22)),
        ("Nov 3, 2026, 12:30 p.m. GMT", utc(2026, 11, 3, 12, 30)),
        ("Nov. 3, 2026 12:00 a.m. UTC", utc(2026, 11, 3, 0)),
        ("Monday, Nov. 3, 2026 at 10 a.m. ET", utc(2026, 11, 3, 15)),
        ("Saturday, August 1, 2026 at 10am ET", utc(2026, 8, 1, 14)),
        ("Nov 3 2026 10am PT", utc(2026, 11, 3, 18)),
        ("3 November 2026", utc(2026, 11, 3)),
        ("3rd November 2026 10:00 UTC", utc(2026, 11, 3, 10)),
        ("am 3. November 2026 um 10:00 MEZ", utc(2026, 11, 3, 9)),
        ("3 novembre 2026 10:00", utc(2026, 11, 3, 10)),
        ("3 de noviembre de 2026", utc(2026, 11, 3)),
        ("03-Nov-2026 10:00:00 +0000", utc(2026, 11, 3, 10)),
        # numeric dates: year first, dotted day first, slashed month first (unless the day is > 12)
        ("2026/11/03 10:00", utc(2026, 11, 3, 10)),
        ("03.11.2026 10:00", utc(2026, 11, 3, 10)),
        ("11/03/2026 10:00 AM", utc(2026, 11, 3, 10)),
        ("25/03/2026", utc(2026, 3, 25)),
    ],
)
def test_formats_feeds_use(raw: str, expected: datetime) -> None:
    # Given a date as a feed writes it / When parsed without a default zone / Then it is that instant in UTC
    parsed = parse_date(raw, default_tz=None, now=NOW)
    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "zone", "expected"),
    [
        ("2026-11-03 10:00", "America/New_York", utc(2026, 11, 3, 15)),
        ("2026-08-01 10:00", "America/New_York", utc(2026, 8, 1, 14)),  # daylight saving time
        ("November 3, 2026 10:00 AM", "Europe/Berlin", utc(2026, 11, 3, 9)),
        ("Tue, 03 Nov 2026 10:00:00", "Asia/Tokyo", utc(2026, 11, 3, 1)),
        ("2026-11-03", "Europe/Berlin", utc(2026, 11, 2, 23)),
        # an explicit zone in the string wins over the default
        ("2026-11-03T10:00:00Z", "Asia/Tokyo", utc(2026, 11, 3, 10)),
        # an unknown default zone falls back to UTC rather than failing the item
        ("2026-11-03 10:00", "Mars/Olympus_Mons", utc(2026, 11, 3, 10)),
    ],
)
def test_naive_times_are_read_in_the_default_zone(raw: str, zone: str, expected: datetime) -> None:
    # Given a naive date and the source's IANA zone / When parsed / Then the zone is applied
    assert parse_date(raw, default_tz=zone, now=NOW) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "garbage",
        "not a date at all",
        "2 days ago",
        "Tue, 03 Nov 2026 10:00:00 XYZ",
        "2026-13-03",
        "Nov 31 2026",
        "2026-02-30T10:00:00Z",
        "25:61",
        "12345",
        "Tue, 03 Nov 2026 10:00:00 +2500",
        "1793700000" * 30,
    ],
)
def test_garbage_is_unknown(raw: str | None) -> None:
    # Given something that is not a date / When parsed / Then the date is unknown (None), never now()
    assert parse_date(raw, default_tz=None, now=NOW) is None


@pytest.mark.parametrize(
    "raw",
    [
        "1989-12-31T23:59:59Z",  # before 1990
        "Mon, 01 Jan 1970 00:00:00 GMT",
        "0",
        "631151999",  # epoch 1989-12-31T23:59:59
        "2026-11-21T12:00:01Z",  # more than a day after now
        "2099-01-01",
        "Tue, 03 Nov 49 10:00:00 GMT",  # 2049
    ],
)
def test_implausible_dates_are_unknown(raw: str) -> None:
    assert parse_date(raw, default_tz=None, now=NOW) is None


def test_the_bounds_themselves_are_accepted() -> None:
    assert parse_date("1990-01-01T00:00:00Z", now=NOW) == utc(1990, 1, 1)
    assert parse_date("2026-11-21T12:00:00Z", now=NOW) == utc(2026, 11, 21, 12)
    # 1950-1999 for two-digit years above 49
    assert parse_date("Mon, 03 Nov 97 10:00:00 GMT", now=NOW) == utc(1997, 11, 3, 10)


def test_a_date_without_year_is_the_latest_one_not_in_the_future() -> None:
    # Given "Nov 3" / "Dec 3" seen on 2026-11-20 / Then this year's and last year's dates
    assert parse_date("Nov 3", now=NOW) == utc(2026, 11, 3)
    assert parse_date("Dec 3 10:00", now=NOW) == utc(2025, 12, 3, 10)


def test_a_naive_now_is_taken_as_utc() -> None:
    assert parse_date("2026-11-03T10:00:00Z", now=datetime(2026, 11, 20)) == utc(2026, 11, 3, 10)
