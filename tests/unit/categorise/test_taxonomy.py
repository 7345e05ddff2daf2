"""The taxonomy file: validated at load with clear errors, replaceable per deployment by a setting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from newsflow.categorise import Categoriser, taxonomy_aliases
from newsflow.constants import ENV_TAXONOMY_PATH
from newsflow.settings import Settings
from newsflow.taxonomy import (
    CATEGORY_NAMES,
    CATEGORY_SLUGS,
    DEFAULT_CATEGORIES,
    TaxonomyError,
    is_known_category,
    load_taxonomy,
    parse_taxonomy,
)

REPO = Path(__file__).resolve().parents[3]

SMALL = """
version = 1
[[categories]]
slug = "sport"
name = "Sport"
description = "Matches, players and clubs."
aliases = ["sport", "/sports/", "Football"]
lexicon = \"\"\"
3: striker, goalkeeper, premier league
1: match, season
\"\"\"

[[categories]]
slug = "economy"
name = "Economy"
aliases = { "economy" = 1.0, "business" = 0.4 }
"""


def test_the_packaged_taxonomy_is_the_sites_14_sections() -> None:
    taxonomy = load_taxonomy()
    assert len(taxonomy.categories) == 14
    assert set(taxonomy.slugs) == CATEGORY_SLUGS
    assert CATEGORY_NAMES["aerospace-defense"] == "Aerospace & Defense"
    assert CATEGORY_NAMES["general"] == "General"
    assert all(c.description for c in DEFAULT_CATEGORIES)
    assert is_known_category("political")
    assert is_known_category("general")
    assert not is_known_category("sport")


def test_aliases_are_matched_by_their_words_whatever_the_spelling() -> None:
    # Given the packaged aliases ("/politics/" or "World News" are matched by their words)
    aliases = taxonomy_aliases(load_taxonomy())
    assert aliases["politics"] == {"political": 1.0}
    assert aliases["world news"] == {"political": 0.2}
    assert aliases["military"] == {"aerospace-defense": 0.8, "political": 0.2}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = 1\ncategories = []", "categories: Tuple should have at least 1 item"),
        ('[[categories]]\nslug = "Bad Slug"\nname = "x"', "categories.0.slug: String should match pattern"),
        ('[[categories]]\nslug = "general"\nname = "G"', "'general' is reserved"),
        ('[[categories]]\nslug = "a"\nname = "A"\n[[categories]]\nslug = "a"\nname = "B"', "duplicate category slugs"),
        ('[[categories]]\nslug = "a"\nname = "A"\naliases = { "x" = 2.0 }', "less than or equal to 1"),
        ('[[categories]]\nslug = "a"\nname = "A"\naliases = ["--"]', "aliases without any letter or digit"),
        ('[[categories]]\nslug = "a"\nname = "A"\nlexicon = "5: word"', "lexicon weights must be in (0, 3]"),
        ('[[categories]]\nslug = "a"\nname = "A"\ncolour = "red"', "categories.0.colour: Extra inputs"),
        ("[[categories]\nslug =", "not valid TOML"),
    ],
)
def test_an_invalid_taxonomy_fails_with_a_clear_error(text: str, message: str) -> None:
    # Given a broken taxonomy document / When parsed / Then the error names the source and the problem
    with pytest.raises(TaxonomyError) as error:
        parse_taxonomy(text, source="custom.toml")
    assert str(error.value).startswith("custom.toml: ")
    assert message in str(error.value)


def test_a_missing_taxonomy_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read taxonomy file"):
        load_taxonomy(tmp_path / "nope.toml")


def test_a_replacement_taxonomy_brings_its_own_lexicon_and_aliases() -> None:
    # Given a two-category taxonomy with its own lexicon for "sport"
    categoriser = Categoriser.from_taxonomy(parse_taxonomy(SMALL))
    # When items are categorised
    match = categoriser.categorise_text("Striker scores twice as the season opens", "The goalkeeper had no chance.")
    tagged = categoriser.categorise_text("Weekend round-up", tags=["Football"])
    by_url = categoriser.categorise_text("Weekend round-up", url="https://example.com/sports/round-up")
    # Then its categories, its lexicon and its aliases are used; the built-in lexicon serves "economy"
    assert match.primary == "sport"
    assert tagged.primary == "sport"
    assert by_url.primary == "sport"
    assert categoriser.categorise_text("Inflation and GDP growth slow as recession fears mount").primary == "economy"


def test_the_setting_replaces_the_taxonomy_for_the_whole_process(tmp_path: Path) -> None:
    # Given NEWSFLOW_TAXONOMY_PATH naming a replacement file
    path = tmp_path / "taxonomy.toml"
    path.write_text(SMALL, encoding="utf-8")
    code = (
        "import json; from newsflow.taxonomy import CATEGORY_SLUGS;"
        "from newsflow.categorise import default_categoriser;"
        "c = default_categoriser();"
        "v = c.categorise_text('Striker signs for new club before the season');"
        "print(json.dumps([sorted(CATEGORY_SLUGS), v.primary]))"
    )
    env = {**os.environ, ENV_TAXONOMY_PATH: str(path), "PYTHONPATH": str(REPO / "functions")}
    # When a fresh process imports the taxonomy and categorises
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    # Then the slugs and the verdicts come from the replacement
    assert json.loads(result.stdout) == [["economy", "sport"], "sport"]
    # And the settings model exposes the same setting
    settings = Settings.from_env({"NEWSFLOW_TABLE_NAME": "t", ENV_TAXONOMY_PATH: str(path)})
    assert settings.taxonomy_path == str(path)


def test_a_broken_replacement_fails_at_first_use_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.toml"
    path.write_text('[[categories]]\nslug = "x"\n', encoding="utf-8")
    env = {**os.environ, ENV_TAXONOMY_PATH: str(path), "PYTHONPATH": str(REPO / "functions")}
    # Importing reads no file (a handler's cold start pays for the taxonomy when it first categorises)
    imported = subprocess.run([sys.executable, "-c", "import newsflow.taxonomy"], capture_output=True, env=env)
    assert imported.returncode == 0
    code = "from newsflow.taxonomy import CATEGORY_SLUGS"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert f"{path}: invalid taxonomy: categories.0.name: Field required" in result.stderr
