"""Organisations and people from capitalised n-grams: rules, prominence, normalisation, dedup."""

from __future__ import annotations

from newsflow.categorise import default_categoriser
from newsflow.categorise.entities import find_entities
from newsflow.categorise.tags import build_tags

is_country = default_categoriser().is_country


def test_names_in_the_headline_and_repeated_names_are_kept_most_prominent_first() -> None:
    # Given an item naming a company in the title and a chief executive twice in the body
    entities = find_entities(
        "Rheinmetall wins order as Bank of England warns on growth",
        "",
        "Chief executive Armin Papperger said orders were strong. The Monday meeting was short. "
        "Papperger added that NATO members were buying. Analysts in Frankfurt were surprised.",
        is_country=is_country,
    )
    # Then the organisations and the person are found, with leading titles and one-off mentions dropped
    assert entities[:2] == ["Bank of England", "Armin Papperger"]
    assert "Rheinmetall" not in entities  # sentence-initial single word, never seen mid-sentence
    assert "Monday" not in entities
    assert "Frankfurt" not in entities
    assert "Chief" not in entities


def test_lists_are_split_and_countries_are_not_names() -> None:
    entities = find_entities("Airbus and Boeing sign deals with Germany and France", "", "", is_country=is_country)
    assert entities == ["Boeing"]  # "Airbus" opens the sentence; countries are tags of their own


def test_acronyms_and_a_title_case_headline() -> None:
    # Given a headline in Title Case: names are not discovered from it, only counted
    entities = find_entities(
        "Opec And The Fed Worry Markets",
        "OPEC cut output.",
        "Officials at the Fed said the OPEC decision mattered.",
        is_country=is_country,
    )
    assert entities == ["OPEC"]  # the Fed: one mention in the body is not prominent


def test_tags_deduplicate_across_feed_tags_countries_and_entities() -> None:
    tags = build_tags(["NATO", " nato ", "Defence"], {"Germany": 3.0}, ["Nato", "Armin Papperger", "germany"])
    assert tags == ["NATO", "Defence", "Germany", "Armin Papperger"]
