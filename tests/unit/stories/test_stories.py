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


def _slow_jaccard(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """The definition: agreeing slots over the slots not empty in both."""
    empty = 0xFFFFFFFF
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x != empty or y != empty]
    return sum(1 for x, y in pairs if x == y) / len(pairs) if pairs else 0.0


def test_jaccard_is_the_share_of_agreeing_slots_over_the_slots_not_empty_in_both() -> None:
    import random

    rng = random.Random(5)
    words = [f"w{n}" for n in range(60)]
    texts = [" ".join(rng.choices(words, k=rng.randint(0, 80))) for _ in range(40)] + ["", "a"]
    sketches = [sketch("", text) for text in texts]
    for one in sketches:
        for other in sketches:
            assert jaccard(one.body, other.body) == _slow_jaccard(one.body, other.body)
            assert jaccard(one.lead, other.lead) == _slow_jaccard(one.lead, other.lead)
    with pytest.raises(ValueError):
        jaccard((1, 2), (1, 2, 3))


def test_screening_keeps_exactly_what_decide_calls_one_story() -> None:
    import random

    from newsflow.stories.match import screen

    rng = random.Random(9)
    base = [" ".join(rng.choices([f"w{n}" for n in range(300)], k=120)) for _ in range(6)]
    texts = [t[: rng.randint(10, len(t))] + " " + " ".join(rng.choices(["x", "y", "z"], k=rng.randint(0, 30)))
             for t in base for _ in range(6)]  # fmt: skip
    thresholds = StoryThresholds()
    kept = 0
    for one in texts:
        for other in texts:
            a, b = sketch("Title", one), sketch("Title", other)
            verdict, score = decide(a, b, thresholds), screen(a, b, thresholds)
            assert (score is not None) == verdict.same_story
            if score is not None:
                kept += 1
                sim = verdict.similarity
                assert score == (sim.body_jaccard, sim.containment, sim.lead_jaccard)
    assert 0 < kept < len(texts) ** 2  # both answers occur
