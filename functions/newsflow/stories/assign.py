"""Find the story a new article belongs to: LSH keys -> candidates -> verification -> best match."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from newsflow.stories.match import StoryThresholds, Verdict, decide, screen
from newsflow.stories.ports import Candidate, CandidateIndex
from newsflow.stories.sketch import Sketch, band_keys


class StoryMatch(BaseModel):
    story_id: str
    story_at: datetime | None = Field(default=None, description="When the story's first article was published.")
    matched: Candidate | None = None
    verdict: Verdict | None = None
    keys: list[str] = Field(default_factory=list)
    candidates_checked: int = 0
    filed: dict[str, Candidate] = Field(
        default_factory=dict, description="key -> the article's own entry under it (a redelivery finds itself)"
    )
    stories_under: dict[str, set[str]] = Field(
        default_factory=dict, description="key -> the stories of the other articles the lookup found under it"
    )

    def unfiled_keys(self, entry: Candidate) -> list[str]:
        """The keys `entry` still has to be filed under: not those where it is filed as is (a redelivery whose
        entries the lookup saw writes nothing), nor those where its story is already filed (a copy that the
        key would find there joins the same story: one more entry would only cost a write)."""
        expected = entry.model_copy(update={"found_under": ""})
        return [
            key
            for key in self.keys
            if entry.story_id not in self.stories_under.get(key, set())
            and (key not in self.filed or self.filed[key].model_copy(update={"found_under": ""}) != expected)
        ]


def lsh_keys(sketch: Sketch, thresholds: StoryThresholds) -> list[str]:
    keys = band_keys(sketch.body, thresholds.body_bands, thresholds.body_rows, "b")
    if thresholds.lead_bands and sketch.lead_shingles >= thresholds.min_lead_shingles:
        keys.extend(band_keys(sketch.lead, thresholds.lead_bands, thresholds.lead_rows, "l"))
    return keys


def story_spans(candidates: Iterable[Candidate]) -> dict[str, tuple[datetime, datetime]]:
    """story id -> (its first article's time, its latest member's time), as far as these candidates tell (no
    other read): each entry records its story's start, and is itself a member. A member filed only under keys
    its story already held (`unfiled_keys`) is not seen, so the end is a lower bound: the start is what counts."""
    spans: dict[str, tuple[datetime, datetime]] = {}
    for c in candidates:
        start, end = spans.get(c.story_id, (c.story_started, c.sort_at))
        spans[c.story_id] = (min(start, c.story_started), max(end, c.sort_at))
    return spans


def within_span(span: tuple[datetime, datetime], published_at: datetime, thresholds: StoryThresholds) -> bool:
    """Would the story, with an article published at `published_at`, still lie within `span_days`?"""
    start, end = span
    return max(end, published_at) - min(start, published_at) <= timedelta(days=thresholds.span_days)


def find_story(
    article_id: str,
    sketch: Sketch,
    index: CandidateIndex,
    thresholds: StoryThresholds,
    published_at: datetime | None = None,
    keys: list[str] | None = None,
) -> StoryMatch:
    """The story of the most similar verified candidate; a new story (= the article's own id) otherwise.
    With `published_at`, a story is only joined when the article lies within its window (`span_days`).
    `keys`: the sketch's `lsh_keys`, when the caller has them already."""
    keys = lsh_keys(sketch, thresholds) if keys is None else keys
    found = index.lookup(keys, thresholds.candidates_per_key)
    filed = {c.found_under: c for c in found if c.article_id == article_id}
    candidates = {c.article_id: c for c in found if c.article_id != article_id}  # a redelivery finds itself
    stories_under: dict[str, set[str]] = {}
    for c in found:
        if c.article_id != article_id:
            stories_under.setdefault(c.found_under, set()).add(c.story_id)
    spans = story_spans(candidates.values())
    kept: tuple[Candidate, tuple[float, float, float]] | None = None
    for candidate in candidates.values():
        if published_at is not None and not within_span(spans[candidate.story_id], published_at, thresholds):
            continue
        score = screen(sketch, candidate.sketch, thresholds)  # (body, containment, lead) of one story, or None
        if score is not None and (kept is None or score > kept[1]):
            kept = (candidate, score)
    best = (kept[0], decide(sketch, kept[0].sketch, thresholds)) if kept is not None else None
    if best is None:
        return StoryMatch(
            story_id=article_id,
            story_at=published_at,
            keys=keys,
            candidates_checked=len(candidates),
            filed=filed,
            stories_under=stories_under,
        )
    return StoryMatch(
        story_id=best[0].story_id,
        story_at=min(spans[best[0].story_id][0], published_at) if published_at is not None else best[0].story_at,
        matched=best[0],
        verdict=best[1],
        keys=keys,
        candidates_checked=len(candidates),
        filed=filed,
        stories_under=stories_under,
    )
