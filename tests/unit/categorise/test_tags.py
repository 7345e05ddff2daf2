"""Output tags: feed tags then countries, deduplicated and capped."""

from __future__ import annotations

from newsflow.categorise.tags import MAX_TAGS, build_tags, clean_tag


def test_feed_tags_are_cleaned_and_deduplicated_case_insensitively() -> None:
    assert build_tags(["  Oil  prices ", "oil PRICES", "#Energy", "", "  "], {}) == ["Oil prices", "Energy"]


def test_countries_follow_most_mentioned_first_and_skip_duplicates_of_tags() -> None:
    tags = build_tags(["china"], {"Germany": 1.0, "China": 5.0, "France": 3.0})
    assert tags == ["china", "France", "Germany"]


def test_caps() -> None:
    tags = build_tags([f"t{i}" for i in range(10)], {f"C{i}": float(i) for i in range(20)})
    assert len(tags) == MAX_TAGS
    assert tags[10:] == ["C19", "C18", "C17", "C16", "C15"]
    assert len(build_tags([], {f"C{i}": 1.0 for i in range(20)})) == 8


def test_clean_tag_bounds_length() -> None:
    assert len(clean_tag("x" * 500)) == 100
