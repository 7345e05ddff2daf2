"""The curated lexicon of the default taxonomy is well-formed and covers every category."""

from __future__ import annotations

from newsflow.categorise import default_categoriser, taxonomy_aliases
from newsflow.categorise.countries import COUNTRY_SPECS
from newsflow.categorise.lexicon import LEXICON_SPECS
from newsflow.categorise.scoring import parse_spec
from newsflow.categorise.tokens import key
from newsflow.taxonomy import CATEGORY_SLUGS, DEFAULT_CATEGORIES, load_taxonomy


def test_every_category_has_a_substantial_weighted_lexicon() -> None:
    assert set(LEXICON_SPECS) == CATEGORY_SLUGS
    for slug, spec in LEXICON_SPECS.items():
        groups = parse_spec(spec)
        terms = [term for _, group in groups for term in group]
        assert len(terms) >= 40, slug
        assert all(0 < float(weight) <= 3 for weight, _ in groups), slug
        assert all(key(term.lstrip("=")) for term in terms), slug


def test_aliases_point_at_known_categories_with_sane_weights() -> None:
    # Given the aliases of the packaged taxonomy file
    aliases = taxonomy_aliases(load_taxonomy())
    assert len(aliases) > 100
    for alias, weights in aliases.items():
        assert key(alias) == alias, alias
        assert set(weights) <= CATEGORY_SLUGS, alias
        assert all(0 < w <= 1 for w in weights.values()), alias


def test_the_default_index_compiles_with_slugs_and_names_as_aliases() -> None:
    index = default_categoriser().index
    for category in DEFAULT_CATEGORIES:
        assert index.aliases[key(category.slug)][category.slug] == 1.0
        assert index.aliases[key(category.name)][category.slug] == 1.0
    assert index.size > 2000


def test_countries_spec_is_well_formed() -> None:
    groups = parse_spec(COUNTRY_SPECS)
    assert len(groups) > 50
    assert all(names for _, names in groups)
