"""The files in samples/ parse as their README says."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from newsflow.errors import FeedError
from newsflow.feeds import parse_feed
from newsflow.models import FeedItem
from newsflow.taxonomy import DEFAULT_CATEGORIES

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
BROKEN = "broken-feed.xml"


def sample_items() -> dict[str, list[FeedItem]]:
    by_file: dict[str, list[FeedItem]] = {}
    for path in sorted((SAMPLES / "feeds").iterdir()):
        if path.name == BROKEN:
            continue
        parsed = parse_feed(path.read_bytes(), feed_url=f"https://samples.example/{path.name}")
        assert parsed.skipped == [], path.name
        by_file[path.name] = parsed.items
    lines = (SAMPLES / "items.jsonl").read_text(encoding="utf-8").splitlines()
    by_file["items.jsonl"] = [FeedItem.model_validate_json(line) for line in lines if line.strip()]
    return by_file


def test_every_sample_parses_and_they_hold_100_entries() -> None:
    # Given every sample file
    # When each is parsed (feeds) or validated line by line (items.jsonl)
    by_file = sample_items()

    # Then the counts match the README
    assert {name: len(items) for name, items in by_file.items()} == {
        "industry-insider-atom.xml": 21,
        "items.jsonl": 16,
        "markets-daily-rss2.xml": 31,
        "policy-monitor-rss1.rdf": 16,
        "tech-ledger-feed.json": 16,
    }
    assert sum(len(items) for items in by_file.values()) == 100


def test_the_malformed_sample_is_rejected() -> None:
    with pytest.raises(FeedError, match="invalid XML"):
        parse_feed((SAMPLES / "feeds" / BROKEN).read_bytes(), feed_url="https://samples.example/broken")


def test_every_category_has_at_least_five_distinct_stories() -> None:
    # Given all sample items, each tagged with its section's display name
    items = [item for items in sample_items().values() for item in items]
    distinct = {item.title: item for item in items}

    # When counted per category
    counts = Counter(c.slug for item in distinct.values() for c in DEFAULT_CATEGORIES if c.name in item.tags)

    # Then all 14 categories have 7 stories
    assert {c.slug for c in DEFAULT_CATEGORIES} == set(counts)
    assert all(n == 7 for n in counts.values()), counts


def test_the_samples_contain_the_two_documented_duplicates() -> None:
    items = [item for items in sample_items().values() for item in items]

    # The same story twice, once with utm_* parameters
    by_url = Counter((item.url or "").split("?", 1)[0] for item in items)
    twice = [url for url, n in by_url.items() if n == 2]
    assert len(twice) == 2
    tracked = [i.url for i in items if i.url and "oil-prices-opec-output" in i.url]
    assert sorted(u is not None and "utm_source=" in u for u in tracked) == [False, True]

    # And one identical message
    lines = (SAMPLES / "items.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) - len(set(lines)) == 1


def test_the_jsonl_keeps_unknown_producer_fields_in_extra() -> None:
    extras = [item.extra for item in sample_items()["items.jsonl"] if item.extra]
    assert extras == [{"priority": "high", "wire_code": "NBW-2231", "embargo_until": None}]
