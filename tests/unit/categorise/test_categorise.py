"""Categorisation of realistic items into the 14 categories (or "general")."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from newsflow.categorise import categorise, explain
from newsflow.models import GENERAL_CATEGORY, FeedItem, NormalisedItem
from newsflow.normalise import normalise_item
from newsflow.taxonomy import CATEGORY_SLUGS

from tests.unit.categorise.corpus import KNITTING_ITEM, LABELLED_ITEMS

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def item(
    title: str,
    summary: str = "",
    body: str = "",
    *,
    url: str = "https://news.example.com/story/123",
    tags: list[str] | None = None,
) -> NormalisedItem:
    feed = FeedItem(url=url, title=title, summary=summary or None, content_text=body or None, tags=tags or [])
    return normalise_item(feed, now=NOW)


def test_the_corpus_covers_every_category_at_least_twice() -> None:
    counts = Counter(expected for expected, *_ in LABELLED_ITEMS)
    assert set(counts) == CATEGORY_SLUGS
    assert min(counts.values()) >= 2


@pytest.mark.parametrize(
    ("expected", "title", "summary", "body"),
    LABELLED_ITEMS,
    ids=[f"{expected}-{title[:30]}" for expected, title, _, _ in LABELLED_ITEMS],
)
def test_realistic_items_land_in_their_category(expected: str, title: str, summary: str, body: str) -> None:
    # Given a realistic business-news item / When categorised
    verdict = categorise(item(title, summary, body))
    # Then its primary category is the expected one, with a confident score
    assert verdict.primary == expected, explain(item(title, summary, body)).format()
    assert verdict.scores[0].slug == expected
    assert verdict.scores[0].score >= 0.5


def test_an_off_topic_lifestyle_piece_is_general_with_a_low_score() -> None:
    # Given a piece about knitting circles (no business topic)
    verdict = categorise(item(*KNITTING_ITEM))
    # Then it is "general", and the score says how little evidence there was
    assert verdict.primary == GENERAL_CATEGORY
    assert [s.slug for s in verdict.scores] == [GENERAL_CATEGORY]
    assert verdict.scores[0].score < 0.25


def test_an_item_with_no_evidence_at_all_is_general_with_a_low_score() -> None:
    verdict = categorise(item("Weekend plans", "", "We went for a walk."))
    assert verdict.primary == GENERAL_CATEGORY
    assert verdict.scores[0].score < 0.1


def test_a_feed_tag_alias_makes_its_category_a_secondary_of_content_about_another() -> None:
    # Given an item whose text is about the economy, tagged "Politics" by its publisher
    text = (
        "Spending plans face a long winter",
        "",
        "Officials expect the spending plan to change. Tax receipts fell and growth slowed.",
    )
    untagged = categorise(item(*text))
    tagged = categorise(item(*text, tags=["Politics"]))
    # Then the content decides the primary category, and the publisher's section is listed too
    assert [s.slug for s in untagged.scores] == ["economy"]
    assert [s.slug for s in tagged.scores] == ["economy", "political"]


def test_a_tag_alias_adds_a_secondary_to_strong_content() -> None:
    text = (
        "Budget deficit widens as tax receipts fall",
        "",
        "The deficit widened in the fiscal year as tax receipts fell and spending on pensions rose, figures showed.",
    )
    tagged = categorise(item(*text, tags=["Politics"]))
    assert [s.slug for s in tagged.scores] == ["economy", "political"]


@pytest.mark.parametrize(
    ("tag", "slug"),
    [
        ("Aerospace & Defense", "aerospace-defense"),
        ("aerospace-defense", "aerospace-defense"),
        ("Tech", "information-technology"),
        ("Food & Drink", "food-beverage"),
        ("Travel", "hospitality-tourism"),
        ("Autos", "automotive-transportation"),
        ("Markets", "banking-finance"),
    ],
)
def test_tag_aliases_map_onto_slugs(tag: str, slug: str) -> None:
    assert categorise(item("Company update", tags=[tag])).primary == slug


def test_a_url_section_works() -> None:
    # Given the same neutral headline under different site sections
    title = "Company update"
    assert categorise(item(title, url="https://news.example.com/story/1")).primary == GENERAL_CATEGORY
    assert categorise(item(title, url="https://news.example.com/politics/2026/11/03/company-update")).primary == (
        "political"
    )
    assert (
        categorise(item(title, url="https://www.example.com/tech/company-update")).primary == "information-technology"
    )
    assert categorise(item(title, url="https://travel.example.com/company-update")).primary == "hospitality-tourism"
    # And an off-topic section pulls an item that would otherwise be filed under a category to general
    text = ("President plays golf with champion", "The president played 18 holes with the world number one.")
    assert categorise(item(*text)).primary == "political"
    assert categorise(item(*text, tags=["Golf", "Sport"])).primary == GENERAL_CATEGORY


def test_scores_are_sorted_within_0_1_and_the_primary_comes_first() -> None:
    for expected, title, summary, body in LABELLED_ITEMS:
        verdict = categorise(item(title, summary, body))
        scores = [s.score for s in verdict.scores]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert verdict.scores[0].slug == verdict.primary == expected
        assert len({s.slug for s in verdict.scores}) == len(verdict.scores) <= 3


def test_a_two_topic_item_gets_a_secondary_category() -> None:
    # Given a story that is as much about chips as about cars
    verdict = categorise(
        item(
            "Chip shortage forces automakers to halt car production",
            "Semiconductor supplies from Asia have dried up.",
            "Automakers including Volkswagen, Toyota and Ford halted vehicle assembly lines as a shortage of "
            "semiconductors deepened. Chipmakers say wafer capacity for the microcontrollers used in cars is "
            "sold out, and car dealers warn of empty lots.",
        )
    )
    slugs = [s.slug for s in verdict.scores]
    assert set(slugs[:2]) == {"automotive-transportation", "electronics-semiconductor"}


def test_tags_are_the_feed_tags_deduplicated_then_countries_then_organisations() -> None:
    verdict = categorise(
        item(
            "Germany and France back EU chip plan",
            "Berlin and Paris want more fabs in Europe.",
            "German and French ministers said the U.S. and China were subsidising chipmaking heavily.",
            tags=["Chips", "chips", " EU  policy ", "Germany"],
        )
    )
    assert verdict.tags[:3] == ["Chips", "EU policy", "Germany"]
    assert set(verdict.tags[3:6]) == {"France", "United States", "China"}
    assert verdict.tags[6:] == ["EU"]  # an organisation named in the headline


def test_tags_are_capped() -> None:
    verdict = categorise(item("Trade", tags=[f"tag {i}" for i in range(40)]))
    assert len(verdict.tags) == 15


def test_country_words_inside_longer_names_do_not_count_twice() -> None:
    verdict = categorise(item("Latin American markets and Bank of England", "", "New Mexico is in the U.S."))
    assert "United Kingdom" in verdict.tags
    assert "United States" in verdict.tags
    assert verdict.tags.count("United States") == 1


def test_explain_lists_every_category_with_its_signed_parts() -> None:
    explanation = explain(item(*LABELLED_ITEMS[0][1:]))
    assert explanation.verdict.primary == "aerospace-defense"
    first = explanation.categories[0]
    assert first.slug == "aerospace-defense"
    assert any(rule.startswith("lexicon: ") and "'lockheed martin'" in rule for rule, _ in first.rules)
    assert [c.logit for c in explanation.categories] == sorted((c.logit for c in explanation.categories), reverse=True)
    text = explanation.format()
    assert "primary: aerospace-defense" in text
    assert "lexicon: " in text
    assert "'lockheed martin'" in text


def test_explain_shows_the_model_terms_and_probability_beside_the_lexicon_rules() -> None:
    # Given an item the model and the lexicon both recognise
    explanation = explain(
        item(
            "Crude oil prices jump as OPEC cuts output",
            "Brent rose 4% after the cartel agreed to reduce supply by a million barrels a day.",
        )
    )
    # When explained
    first = explanation.categories[0]
    rules = [rule for rule, _ in first.rules]
    text = explanation.format()
    # Then the energy category shows the lexicon's terms, the model's terms and the model's probability
    assert first.slug == "energy-resources"
    assert any(rule.startswith("model (") and "'crude'" in rule for rule in rules)
    assert any(rule.startswith("lexicon: ") and "'opec'" in rule for rule in rules)
    assert explanation.model_probabilities["energy-resources"] > 0.5
    assert "model p=" in text
    # And the signed parts add up to the category's log-odds
    assert sum(value for _, value in first.rules) == pytest.approx(first.logit, abs=0.01)


def test_the_model_alone_cannot_make_an_off_topic_piece_confident() -> None:
    for title, summary in [
        ("Rovers beat United 2-1 in cup thriller", "The striker scored twice in front of a sell-out crowd."),
        ("Ten tips for a better night's sleep", "Keep the bedroom cool and put your phone away."),
    ]:
        verdict = categorise(item(title, summary))
        assert verdict.primary == GENERAL_CATEGORY
        assert verdict.scores[0].score < 0.25
