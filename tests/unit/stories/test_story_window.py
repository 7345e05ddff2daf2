"""The story window: an article joins a story only within `span_days` of the story's first article."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsflow.stories.assign import find_story, lsh_keys
from newsflow.stories.match import StoryThresholds
from newsflow.stories.memory import MemoryCandidateIndex
from newsflow.stories.ports import Candidate
from newsflow.stories.sketch import sketch

TEXT = "\n".join(
    [
        "Airbus has won a record order for 150 A321neo jets from a Gulf carrier, the planemaker said on Monday.",
        "The deal, worth about $20bn at list prices, lifts the backlog of the single-aisle family to a new high.",
        "Deliveries are due to start in 2029 and run until 2035, with engines still to be chosen by the airline.",
        "Analysts said the order showed demand for narrow-body aircraft remained strong despite supply delays.",
    ]
)
DAY0 = datetime(2026, 11, 1, 12, tzinfo=UTC)
T = StoryThresholds()


def _file(index: MemoryCandidateIndex, article_id: str, published: datetime) -> str:
    """Ingest's order: find the story, then file the article's entry with its story's first-article time."""
    article_sketch = sketch("", f"Share this\n{TEXT}\nMore from {article_id}")
    match = find_story(article_id, article_sketch, index, T, published)
    entry = Candidate(
        article_id=article_id,
        story_id=match.story_id,
        source=f"source-{article_id}",
        sort_at=published,
        sketch=article_sketch,
        story_at=match.story_at,
    )
    index.add(match.unfiled_keys(entry), entry, T.window_days)
    return match.story_id


def test_the_default_window_is_seven_days_and_comes_from_the_environment() -> None:
    assert T.span_days == 7
    assert StoryThresholds.from_env({"NEWSFLOW_STORY_SPAN_DAYS": "3"}).span_days == 3


def test_a_copy_joins_within_the_window_of_the_first_article_not_of_the_latest_member() -> None:
    index = MemoryCandidateIndex()
    assert _file(index, "a", DAY0) == "a"
    # Day 5: within 7 days of the first article
    assert _file(index, "b", DAY0 + timedelta(days=5)) == "a"
    # Day 9: within 7 days of b, but 9 days after the story's first article: a story of its own
    assert _file(index, "c", DAY0 + timedelta(days=9)) == "c"
    # And the next copy a day later joins the new story, not the old one
    assert _file(index, "d", DAY0 + timedelta(days=10)) == "c"


def test_the_window_is_exact_at_its_edge() -> None:
    index = MemoryCandidateIndex()
    _file(index, "a", DAY0)
    assert _file(index, "b", DAY0 + timedelta(days=7)) == "a"
    assert _file(index, "c", DAY0 + timedelta(days=7, seconds=1)) == "c"


def test_an_older_article_arriving_late_joins_when_the_story_still_fits_and_becomes_its_start() -> None:
    index = MemoryCandidateIndex()
    _file(index, "a", DAY0)
    _file(index, "b", DAY0 + timedelta(days=4))
    # A backfilled article from 2 days before the story's start: the story would span 6 days
    match = find_story("z", sketch("", TEXT), index, T, DAY0 - timedelta(days=2))
    assert match.story_id == "a"
    assert match.story_at == DAY0 - timedelta(days=2)
    # One from 8 days before the first article: its own story
    assert find_story("y", sketch("", TEXT), index, T, DAY0 - timedelta(days=8)).story_id == "y"


def test_an_entry_filed_before_story_times_were_recorded_counts_from_its_own_time() -> None:
    index = MemoryCandidateIndex()
    legacy = Candidate(article_id="old", story_id="S", source="x", sort_at=DAY0, sketch=sketch("", TEXT))
    index.add(lsh_keys(legacy.sketch, T), legacy, 30)
    assert find_story("n", sketch("", TEXT), index, T, DAY0 + timedelta(days=6)).story_id == "S"
    assert find_story("m", sketch("", TEXT), index, T, DAY0 + timedelta(days=8)).story_id == "m"


def test_without_a_publication_time_the_window_is_not_applied() -> None:
    index = MemoryCandidateIndex()
    _file(index, "a", DAY0)
    assert find_story("b", sketch("", TEXT), index, T).story_id == "a"
