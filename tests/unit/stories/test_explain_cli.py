"""`newsflow stories explain` output for a merged and an unmerged pair."""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.cli.stories import explain
from newsflow.models import Article
from newsflow.stories.match import StoryThresholds

NOW = datetime(2026, 11, 20, tzinfo=UTC)
BODY = (
    "Airbus has won a record order for 150 A321neo jets from a Gulf carrier, the planemaker said on Monday.\n"
    "The deal, worth about $20bn at list prices, lifts the backlog of the single-aisle family to a new high.\n"
    "Deliveries are due to start in 2029 and run until 2035, with engines still to be chosen by the airline."
)


def _article(article_id: str, body: str, story: str) -> Article:
    return Article(
        id=article_id,
        url=None,
        title=f"Title {article_id}",
        body_text=body,
        first_seen_at=NOW,
        last_seen_at=NOW,
        sort_at=NOW,
        category="aerospace-defense",
        content_hash=article_id,
        story_id=story,
        source_name="S",
    )


def test_explain_reports_a_merge_with_its_reason() -> None:
    text = explain(_article("a", BODY, "s1"), _article("b", "Share this\n" + BODY, "s1"), StoryThresholds())
    assert "verdict: SAME STORY" in text
    assert "stored:  in the same story" in text
    assert "note:" not in text


def test_explain_reports_different_stories_and_flags_a_disagreement() -> None:
    other = "Wheat futures climbed to a three-month high as drought in Kansas cut estimates for the harvest."
    text = explain(_article("a", BODY, "s1"), _article("b", other, "s1"), StoryThresholds())
    assert "verdict: different stories" in text
    assert "note: the stored grouping differs" in text
