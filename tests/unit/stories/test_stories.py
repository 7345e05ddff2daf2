"""Sketches, verification and story assignment (in-memory candidate index with DynamoDB semantics)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from newsflow.stories.assign import find_story, lsh_keys
from newsflow.stories.match import StoryThresholds, decide
from newsflow.stories.memory import MemoryCandidateIndex
from newsflow.stories.ports import Candidate
from newsflow.stories.sketch import Sketch, content_words, jaccard, sketch

ORIGINAL = "\n".join(
    [
        "Airbus has won a record order for 150 A321neo jets from a Gulf carrier, the planemaker said on Monday.",
        "The deal, worth about $20bn at list prices, lifts the backlog of the single-aisle family to a new high.",
        "Deliveries are due to start in 2029 and run until 2035, with engines still to be chosen by the airline.",
        "Analysts said the order showed demand for narrow-body aircraft remained strong despite supply delays.",
        "Boeing, which competed for the contract, declined to comment on the outcome of the campaign.",
    ]
)
OTHER = "\n".join(
    [
        "Wheat futures climbed to a three-month high as drought in Kansas cut estimates for the winter harvest.",
        "Farmers expect yields to fall sharply, and grain traders are watching export demand from North Africa.",
        "The agriculture department will publish revised crop forecasts on Friday, according to officials.",
    ]
)
T = StoryThresholds()


def _candidate(article_id: str, text: str, story: str | None = None, minutes: int = 0) -> Candidate:
    return Candidate(
        article_id=article_id,
        story_id=story or article_id,
        source=f"source-{article_id}",
        sort_at=datetime(2026, 11, 20, tzinfo=UTC) + timedelta(minutes=minutes),
        sketch=sketch("", text),
    )


def test_sketch_round_trips_through_bytes() -> None:
    s = sketch("Title", ORIGINAL)
    assert Sketch.unpack(s.pack()) == s


def test_identical_text_has_resemblance_one_and_unrelated_text_near_zero() -> None:
    a, b, c = sketch("", ORIGINAL), sketch("", ORIGINAL), sketch("", OTHER)
    assert jaccard(a.body, b.body) == 1.0
    assert jaccard(a.body, c.body) < 0.1


def test_stop_words_and_plurals_do_not_count() -> None:
    assert content_words("The banks said it's the jets' order") == ["bank", "jet", "order"]


@pytest.mark.parametrize(
    "edited",
    [
        pytest.param(
            "Home | World | Business | Share this\n" + ORIGINAL + "\nSubscribe to our newsletter", id="boilerplate"
        ),
        pytest.param("\n".join(ORIGINAL.split("\n")[:3] + ORIGINAL.split("\n")[4:]), id="paragraph-dropped"),
        pytest.param("\n".join(reversed(ORIGINAL.split("\n"))), id="reordered"),
        pytest.param(ORIGINAL.split("\n")[0], id="lead-only"),
    ],
)
def test_republisher_edits_are_the_same_story(edited: str) -> None:
    verdict = decide(sketch("", ORIGINAL), sketch("", edited), T)
    assert verdict.same_story, verdict.reason


def test_different_stories_are_not_merged_and_the_reason_says_why() -> None:
    verdict = decide(sketch("", ORIGINAL), sketch("", OTHER), T)
    assert not verdict.same_story
    assert "body resemblance" in verdict.reason


def test_find_story_joins_the_matching_story_and_never_itself() -> None:
    # Given an index holding the original (in story S1) and an unrelated article
    index = MemoryCandidateIndex()
    for candidate in (_candidate("a1", ORIGINAL, story="S1"), _candidate("b1", OTHER)):
        index.add(lsh_keys(candidate.sketch, T), candidate, 30)
    # When a republished copy arrives
    copy = "Share this\n" + "\n".join(ORIGINAL.split("\n")[:4])
    match = find_story("c1", sketch("", copy), index, T)
    # Then it joins S1, with one lookup (a search over all its keys)
    assert match.story_id == "S1"
    assert match.matched is not None
    assert match.matched.article_id == "a1"
    assert index.reads == 1
    assert 1 <= len(match.keys) <= 10
    # And a redelivery of the original finds no one but itself: it keeps its own story
    again = find_story("b1", sketch("", OTHER), index, T)
    assert again.story_id == "b1"
    assert again.matched is None


def test_thresholds_come_from_the_environment() -> None:
    thresholds = StoryThresholds.from_env({"NEWSFLOW_STORY_BODY_JACCARD": "0.7", "NEWSFLOW_STORY_BODY_BANDS": "6"})
    assert (thresholds.body_jaccard, thresholds.body_bands) == (0.7, 6)
    with pytest.raises(ValueError, match="body_jaccard"):
        StoryThresholds.from_env({"NEWSFLOW_STORY_BODY_JACCARD": "2"})
