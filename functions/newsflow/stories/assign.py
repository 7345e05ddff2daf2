"""Find the story a new article belongs to: LSH keys -> candidates -> verification -> best match."""

from __future__ import annotations

from pydantic import BaseModel, Field

from newsflow.stories.match import StoryThresholds, Verdict, decide
from newsflow.stories.ports import Candidate, CandidateIndex
from newsflow.stories.sketch import Sketch, band_keys


class StoryMatch(BaseModel):
    story_id: str
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


def find_story(article_id: str, sketch: Sketch, index: CandidateIndex, thresholds: StoryThresholds) -> StoryMatch:
    """The story of the most similar verified candidate; a new story (= the article's own id) otherwise."""
    keys = lsh_keys(sketch, thresholds)
    found = index.lookup(keys, thresholds.candidates_per_key)
    filed = {c.found_under: c for c in found if c.article_id == article_id}
    candidates = {c.article_id: c for c in found if c.article_id != article_id}  # a redelivery finds itself
    stories_under: dict[str, set[str]] = {}
    for c in found:
        if c.article_id != article_id:
            stories_under.setdefault(c.found_under, set()).add(c.story_id)
    best: tuple[Candidate, Verdict] | None = None
    for candidate in candidates.values():
        verdict = decide(sketch, candidate.sketch, thresholds)
        if not verdict.same_story:
            continue
        score = (verdict.similarity.body_jaccard, verdict.similarity.containment, verdict.similarity.lead_jaccard)
        if best is None or score > (
            best[1].similarity.body_jaccard,
            best[1].similarity.containment,
            best[1].similarity.lead_jaccard,
        ):
            best = (candidate, verdict)
    if best is None:
        return StoryMatch(
            story_id=article_id, keys=keys, candidates_checked=len(candidates), filed=filed, stories_under=stories_under
        )
    return StoryMatch(
        story_id=best[0].story_id,
        matched=best[0],
        verdict=best[1],
        keys=keys,
        candidates_checked=len(candidates),
        filed=filed,
        stories_under=stories_under,
    )
