"""Verification: are two sketched articles the same story? Thresholds are settings, decisions explainable."""

from __future__ import annotations

import os
from typing import Final

from pydantic import BaseModel, Field

from newsflow.stories.sketch import Sketch, jaccard

ENV_PREFIX: Final = "NEWSFLOW_STORY_"


class StoryThresholds(BaseModel):
    """Tuned on generated republisher edits of BBC articles (benchmarks/bench_dedupe.py)."""

    body_jaccard: float = Field(default=0.50, ge=0, le=1, description="Resemblance of the two bodies.")
    containment: float = Field(default=0.85, ge=0, le=1, description="Share of the shorter body inside the longer.")
    containment_min_jaccard: float = Field(default=0.25, ge=0, le=1)
    lead_jaccard: float = Field(default=0.75, ge=0, le=1, description="Resemblance of the two leads.")
    min_shingles: int = Field(default=12, ge=1, description="Shorter texts are only merged when identical.")
    min_lead_shingles: int = Field(default=8, ge=1, description="Leads shorter than this are not compared.")
    # 4 + 1 keys per article (one DynamoDB write each): the 6 x 2 + 2 x 4 bands before (8 keys) had the same
    # recall and precision on bench_dedupe's generated edits (0.979 / 1.000, README "Stories").
    body_bands: int = Field(default=4, ge=1, le=32)
    body_rows: int = Field(default=1, ge=1, le=8)
    lead_bands: int = Field(default=1, ge=0, le=8)
    lead_rows: int = Field(default=4, ge=1, le=16)
    candidates_per_key: int = Field(default=20, ge=1, le=100, description="Newest entries read per LSH key.")
    window_days: int = Field(default=30, ge=1, le=365, description="How long an article stays a candidate.")
    span_days: int = Field(
        default=7,
        ge=1,
        le=365,
        description="A story's members lie within this many days of its first article (by publication time).",
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> StoryThresholds:
        env = os.environ if environ is None else environ
        values = {
            name: env[f"{ENV_PREFIX}{name.upper()}"]
            for name in cls.model_fields
            if f"{ENV_PREFIX}{name.upper()}" in env
        }
        return cls.model_validate(values)


class Similarity(BaseModel):
    body_jaccard: float
    lead_jaccard: float
    containment: float
    shorter_shingles: int


class Verdict(BaseModel):
    same_story: bool
    reason: str
    similarity: Similarity


def similarity(a: Sketch, b: Sketch) -> Similarity:
    body, lead, containment, small = _measures(a, b)
    return Similarity(body_jaccard=body, lead_jaccard=lead, containment=containment, shorter_shingles=small)


def _measures(a: Sketch, b: Sketch) -> tuple[float, float, float, int]:
    """(body resemblance, lead resemblance, containment of the shorter body, its shingle count)."""
    body = jaccard(a.body, b.body)
    lead = jaccard(a.lead, b.lead)
    small, large = sorted((a.body_shingles, b.body_shingles))
    # |A∩B| = J/(1+J)·(|A|+|B|); containment of the shorter text in the longer one.
    shared = body / (1 + body) * (small + large) if body > 0 else 0.0
    containment = min(1.0, shared / small) if small else 0.0
    return body, lead, containment, small


def _same_story_reason(a: Sketch, b: Sketch, measures: tuple[float, float, float, int], t: StoryThresholds) -> str:
    """Why `a` and `b` are one story, or "" when they are not (the one place the rules live)."""
    body, lead, containment, small = measures
    if body == 1.0 and a.body_shingles == b.body_shingles:
        return "identical text"
    if lead >= t.lead_jaccard and min(a.lead_shingles, b.lead_shingles) >= t.min_lead_shingles:
        return f"same lead {lead:.2f} >= {t.lead_jaccard}"
    if small < t.min_shingles:
        return ""
    if body >= t.body_jaccard:
        return f"body resemblance {body:.2f} >= {t.body_jaccard}"
    if containment >= t.containment and body >= t.containment_min_jaccard:
        return f"shorter text contained {containment:.2f} >= {t.containment} in the longer"
    return ""


def screen(a: Sketch, b: Sketch, thresholds: StoryThresholds) -> tuple[float, float, float] | None:
    """`decide` without its explanation: (body, containment, lead) when `a` and `b` are one story, else None.
    A story lookup screens every candidate and explains only the one it keeps."""
    measures = _measures(a, b)
    if not _same_story_reason(a, b, measures, thresholds):
        return None
    return measures[0], measures[2], measures[1]


def decide(a: Sketch, b: Sketch, thresholds: StoryThresholds) -> Verdict:
    measures = _measures(a, b)
    body, lead, containment, small = measures
    sim = Similarity(body_jaccard=body, lead_jaccard=lead, containment=containment, shorter_shingles=small)
    reason = _same_story_reason(a, b, measures, thresholds)
    if reason:
        return Verdict(same_story=True, reason=reason, similarity=sim)
    t = thresholds
    if small < t.min_shingles:
        return Verdict(
            same_story=False,
            reason=f"too short to compare ({small} shingles < {t.min_shingles})",
            similarity=sim,
        )
    return Verdict(
        same_story=False,
        reason=(
            f"body resemblance {body:.2f} < {t.body_jaccard}, containment {containment:.2f} "
            f"< {t.containment}, lead {lead:.2f} < {t.lead_jaccard}"
        ),
        similarity=sim,
    )
