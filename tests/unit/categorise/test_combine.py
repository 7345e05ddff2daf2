"""The decision rule: evidence has to agree; the model can overrule the lexicon; general competes."""

from __future__ import annotations

import math

import pytest
from newsflow.categorise.combine import (
    NO_MODEL_PRIOR,
    Rule,
    agreeing_points,
    combine,
    decide,
    lexicon_logit,
)
from newsflow.categorise.scoring import Evidence
from newsflow.categorise.sources import strip_sources
from newsflow.models import GENERAL_CATEGORY

RULE = Rule()


def evidence(terms: dict[str, dict[str, tuple[float, bool]]], general: float = 0.0) -> Evidence:
    found = Evidence(general=general, general_rules=["tag 'Sport'"] if general else [])
    for slug, entries in terms.items():
        for label, (points, ambiguous) in entries.items():
            found.add_term(slug, label, points, ambiguous)
    return found


class TestAgreement:
    def test_a_single_term_keeps_only_a_fraction_of_its_points(self) -> None:
        assert agreeing_points({"fish stocks": (9.0, False)}, RULE) == pytest.approx(9.0 * RULE.single_term_factor)
        assert agreeing_points({"bank": (6.0, False), "lending": (3.0, False)}, RULE) == 9.0

    def test_a_plural_and_its_singular_are_one_term(self) -> None:
        # "airline" and "airlines" on an IT story about a booking website do not agree with each other
        assert agreeing_points({"airline": (6.0, False), "airlines": (3.0, False)}, RULE) == pytest.approx(
            9.0 * RULE.single_term_factor
        )
        assert agreeing_points({"airline": (6.0, False), "flights": (3.0, False)}, RULE) == 9.0

    def test_an_ambiguous_name_counts_only_beside_another_term(self) -> None:
        assert agreeing_points({"Coke": (9.0, True)}, RULE) == 0.0
        assert agreeing_points({"Coke": (9.0, True), "soft drinks": (6.0, False)}, RULE) == 15.0

    def test_the_lexicon_part_is_compressed_and_capped(self) -> None:
        assert lexicon_logit(0.0, RULE) == 0.0
        assert lexicon_logit(6.0, RULE) == pytest.approx(RULE.lexicon_weight * math.log(2))
        assert lexicon_logit(10_000.0, RULE) == RULE.lexicon_cap


class TestCombine:
    def test_a_confident_model_overrules_a_lexicon_full_of_another_category(self) -> None:
        found = evidence({"banking-finance": {"shares": (30.0, False), "bank": (30.0, False), "stake": (20.0, False)}})
        logits = {"food-beverage": 4.0, "banking-finance": -3.0, GENERAL_CATEGORY: -6.0}
        verdict = decide(combine(found, logits, ["food-beverage", "banking-finance"], RULE).logits, [], RULE)
        assert verdict.primary == "food-beverage"

    def test_without_a_model_agreeing_lexicon_evidence_still_decides(self) -> None:
        found = evidence({"agriculture": {"wheat": (9.0, False), "harvest": (6.0, False)}})
        scores = combine(found, None, ["agriculture", "economy"], RULE)
        assert scores.logits["economy"] == NO_MODEL_PRIOR
        assert decide(scores.logits, [], RULE).primary == "agriculture"

    def test_a_reviewed_off_topic_section_pulls_towards_general(self) -> None:
        found = evidence({"political": {"Trump": (9.0, True), "president": (6.0, False)}}, general=3.0)
        logits = {"political": 0.5, GENERAL_CATEGORY: -1.0}
        scores = combine(found, logits, ["political"], RULE, collect=True)
        assert decide(scores.logits, [], RULE).primary == GENERAL_CATEGORY
        assert scores.parts is not None
        assert any(rule.startswith("off-topic section") for rule, _ in scores.parts[GENERAL_CATEGORY])

    def test_the_model_general_class_is_damped_towards_the_categories(self) -> None:
        # Given a model that says "general" a little more than "information-technology"
        logits = {"information-technology": 1.0, GENERAL_CATEGORY: 1.5}
        scores = combine(evidence({}), logits, ["information-technology"], RULE)
        # Then general's share is GENERAL_MODEL_WEIGHT x its log-odds + GENERAL_BIAS, and the category wins
        assert scores.logits[GENERAL_CATEGORY] == pytest.approx(RULE.general_model_weight * 1.5 + RULE.general_bias)
        assert decide(scores.logits, [], RULE).primary == "information-technology"
        # And without damping it would not
        undamped = Rule(general_model_weight=1.0, general_bias=0.0)
        assert decide(
            combine(evidence({}), logits, ["information-technology"], undamped).logits, [], undamped
        ).primary == (GENERAL_CATEGORY)


class TestDecide:
    def test_company_news_goes_to_its_sector_with_finance_as_a_secondary(self) -> None:
        # Given a brewer's takeover: finance words put banking-finance a little ahead of food-beverage
        verdict = decide({"banking-finance": 5.0, "food-beverage": 5.0 - RULE.defer_gap + 0.5}, [], RULE)
        # Then the sector is the primary and finance stays as a secondary
        assert [s.slug for s in verdict.scores] == ["food-beverage", "banking-finance"]

    def test_finance_does_not_defer_to_a_sector_far_behind_or_to_the_economy(self) -> None:
        far = decide({"banking-finance": 5.0, "food-beverage": 5.0 - RULE.defer_gap - 0.5}, [], RULE)
        assert far.primary == "banking-finance"
        economy = decide({"banking-finance": 5.0, "economy": 4.5}, [], RULE)
        assert economy.primary == "banking-finance"
        # nor to a sector that would not qualify as a primary itself (below general, or a low score)
        weak = decide({"banking-finance": -1.0, "information-technology": -2.4, GENERAL_CATEGORY: -2.2}, [], RULE)
        assert weak.primary == "banking-finance"

    def test_general_wins_when_its_log_odds_beat_every_category(self) -> None:
        verdict = decide({"economy": 1.0, GENERAL_CATEGORY: 2.0}, ["t"], RULE)
        assert verdict.primary == GENERAL_CATEGORY
        assert verdict.tags == ["t"]

    def test_a_weak_best_category_is_general_with_its_low_score(self) -> None:
        verdict = decide({"economy": -3.0, "political": -4.0}, [], RULE)
        assert verdict.primary == GENERAL_CATEGORY
        assert 0 < verdict.scores[0].score < RULE.min_primary

    def test_secondaries_need_a_score_and_to_be_close_to_the_best(self) -> None:
        verdict = decide({"a": 6.0, "b": 4.0, "c": 3.0, "d": 0.5}, [], RULE)
        assert [s.slug for s in verdict.scores] == ["a", "b"]  # c is 3 behind (gap 2.5), d scores below 0.5

    def test_at_most_three_categories_and_scores_sorted(self) -> None:
        verdict = decide({"a": 6.0, "b": 5.9, "c": 5.8, "d": 5.7}, [], RULE)
        assert [s.slug for s in verdict.scores] == ["a", "b", "c"]
        assert [s.score for s in verdict.scores] == sorted((s.score for s in verdict.scores), reverse=True)

    def test_no_logits_at_all(self) -> None:
        verdict = decide({}, [], RULE)
        assert verdict.primary == GENERAL_CATEGORY
        assert verdict.scores[0].score == 0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NEW YORK (Dow Jones/AP) -- Apple shares fell", "Apple shares fell"),
        ("LONDON (Reuters) - Oil rose", "Oil rose"),
        ("AP - A company won a grant", "A company won a grant"),
        ("Stability systems can save lives (AP)", "Stability systems can save lives"),
        ("Citigroup names finance chief (Update2)", "Citigroup names finance chief"),
        ("Comcast (CMCSA.O: Quote, Profile, Research) , the cable operator", "Comcast , the cable operator"),
        ("Shr 12 cts vs 10 cts Reuter", "Shr 12 cts vs 10 cts"),
        ("Arafat #39;s body arrives", "Arafat's body arrives"),
        ("By Gregg Keizer, TechWeb.", ""),
    ],
)
def test_source_names_and_bylines_are_removed(text: str, expected: str) -> None:
    assert " ".join(strip_sources(text).split()) == expected


def test_text_without_sources_is_untouched() -> None:
    text = "Dow Jones Industrial Average rose 1% as bank shares rallied."
    assert strip_sources(text) == text
