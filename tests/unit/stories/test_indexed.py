"""IndexedCandidateIndex on a real tantivy index: what ingest's story lookup gets from the search index."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from newsflow.models import Article
from newsflow.search.tantivy_index import TantivyIndex
from newsflow.stories.assign import lsh_keys
from newsflow.stories.indexed import IndexedCandidateIndex, indexed_document
from newsflow.stories.match import StoryThresholds
from newsflow.stories.ports import Candidate
from newsflow.stories.sketch import sketch

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TEXT = "OPEC+ ministers agreed on Thursday to cut oil output by a further one million barrels a day from January."


def _article(article_id: str, hours_ago: float, body: str = TEXT, story: str | None = None) -> Article:
    moment = NOW - timedelta(hours=hours_ago)
    return Article(
        id=article_id,
        url=f"https://example.com/{article_id}",
        title="Oil output cut",
        body_text=body,
        source_name="Example",
        category="energy-resources",
        content_hash=article_id * 4,
        sort_at=moment,
        first_seen_at=moment,
        last_seen_at=moment,
        story_id=story or article_id,
    )


@pytest.fixture
def search(tmp_path: Path) -> Iterator[TantivyIndex]:
    with TantivyIndex(tmp_path / "index") as index:
        yield index


def test_indexed_documents_carry_the_keys_and_sketch_ingest_computes() -> None:
    article = _article("a1", 1)
    doc = indexed_document(article, StoryThresholds())
    assert doc.story_keys == lsh_keys(sketch(article.title, article.body_text), StoryThresholds())
    assert doc.story_keys
    assert doc.story_sketch


def test_lookup_returns_the_newest_articles_per_key_within_the_window(search: TantivyIndex) -> None:
    # Given four copies of one text indexed at different times, one of them older than the window
    articles = [_article("a1", 3, story="S"), _article("a2", 2, story="S"), _article("a3", 1), _article("old", 24 * 40)]
    assert search.upsert([indexed_document(a, StoryThresholds()) for a in articles]) == []
    keys = lsh_keys(sketch("Oil output cut", TEXT), StoryThresholds())
    candidates = IndexedCandidateIndex(search, window_days=30, clock=lambda: NOW)
    # When a new copy looks its keys up, two per key
    found = candidates.lookup(keys, limit_per_key=2)
    # Then each key gives the two newest, in the window, with the story and sketch they were indexed with
    assert [(c.found_under, c.article_id) for c in found] == [(k, a) for a in ("a3", "a2") for k in keys]
    assert {c.story_id for c in found} == {"a3", "S"}
    assert found[0].sketch == sketch("Oil output cut", TEXT)
    assert found[0].source == "Example"


def test_recent_articles_of_the_container_are_found_before_they_are_indexed(search: TantivyIndex) -> None:
    # Given an article this container stored a moment ago, not yet in the index
    keys = lsh_keys(sketch("Oil output cut", TEXT), StoryThresholds())
    candidates = IndexedCandidateIndex(search, window_days=30, clock=lambda: NOW)
    entry = Candidate(article_id="a1", story_id="a1", source="Example", sort_at=NOW, sketch=sketch("", TEXT))
    candidates.add(keys, entry, 30)
    # When a copy looks its keys up
    found = candidates.lookup(keys, limit_per_key=20)
    # Then it is found under every key; and no longer once it is older than the recent window
    assert [c.found_under for c in found] == sorted(keys)
    expired = IndexedCandidateIndex(search, window_days=30, clock=lambda: NOW, recent_seconds=0.0)
    expired.add(keys, entry, 30)
    assert expired.lookup(keys, limit_per_key=20) == []


def test_once_indexed_an_article_is_returned_once_per_key(search: TantivyIndex) -> None:
    # Given an article remembered by the container and since published to the index
    article = _article("a1", 0)
    keys = lsh_keys(sketch(article.title, article.body_text), StoryThresholds())
    candidates = IndexedCandidateIndex(search, window_days=30, clock=lambda: NOW)
    candidates.add(keys, Candidate(article_id="a1", story_id="a1", source="Example", sort_at=NOW,
                                   sketch=sketch(article.title, article.body_text)), 30)  # fmt: skip
    assert search.upsert([indexed_document(article, StoryThresholds())]) == []
    # When looked up, it comes back from the index, not twice
    found = candidates.lookup(keys, limit_per_key=20)
    assert sorted((c.found_under, c.article_id) for c in found) == sorted((k, "a1") for k in keys)


def test_recent_articles_are_capped_per_key_like_the_search(search: TantivyIndex) -> None:
    # Given 30 articles this container stored a moment ago under the same keys, none indexed yet
    keys = lsh_keys(sketch("Oil output cut", TEXT), StoryThresholds())
    candidates = IndexedCandidateIndex(search, window_days=30, clock=lambda: NOW)
    for n in range(30):
        entry = Candidate(article_id=f"r{n}", story_id="S", source="Example", sort_at=NOW, sketch=sketch("", TEXT))
        candidates.add(keys, entry, 30)
    # When a copy looks its keys up, 5 per key
    found = candidates.lookup(keys, limit_per_key=5)
    # Then each key gives the 5 stored last, oldest of them first
    for key in keys:
        assert [c.article_id for c in found if c.found_under == key] == [f"r{n}" for n in range(25, 30)]
