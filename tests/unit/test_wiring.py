"""Settings (pydantic-settings) and the one wiring place every handler, the local stack and the tests use."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from newsflow import wiring
from newsflow.settings import Settings, SettingsError

SMALL_TAXONOMY = """
version = 1
[[categories]]
slug = "sport"
name = "Sport"
lexicon = "2: football, striker, goalkeeper"
"""


def test_settings_read_every_variable_with_nested_story_thresholds() -> None:
    settings = Settings.from_env(
        {
            "NEWSFLOW_TABLE_NAME": "articles",
            "NEWSFLOW_CORS_ORIGINS": "https://a.example/, https://b.example",
            "NEWSFLOW_STORY_BODY_JACCARD": "0.6",
            "NEWSFLOW_STORY_WINDOW_DAYS": "7",
            "NEWSFLOW_ALLOW_PRIVATE_FETCH": "",  # empty means unset
            "NEWSFLOW_FETCH_TIMEOUT_SECONDS": "5",
            "AWS_REGION": "eu-west-1",
        }
    )
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert (settings.story.body_jaccard, settings.story.window_days, settings.story.containment) == (0.6, 7, 0.85)
    assert settings.allow_private_fetch is False
    assert settings.fetch_timeout_seconds == 5.0
    assert settings.region == "eu-west-1"


def test_every_problem_is_listed() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"NEWSFLOW_FETCH_TIMEOUT_SECONDS": "99", "NEWSFLOW_STORY_BODY_JACCARD": "2"})
    message = str(raised.value)
    assert "table_name: Field required" in message
    assert "fetch_timeout_seconds" in message
    assert "story.body_jaccard" in message
    with pytest.raises(SettingsError, match="NEWSFLOW_OPENSEARCH_URL is required"):
        Settings.from_env({"NEWSFLOW_TABLE_NAME": "t", "NEWSFLOW_SEARCH_BACKEND": "opensearch"})


def test_the_wiring_builds_from_its_settings_and_is_replaced_whole(tmp_path: Path) -> None:
    # Given settings with a replacement taxonomy and no queue
    path = tmp_path / "taxonomy.toml"
    path.write_text(SMALL_TAXONOMY, encoding="utf-8")
    settings = Settings.from_env(
        {
            "NEWSFLOW_TABLE_NAME": "mine",
            "NEWSFLOW_TAXONOMY_PATH": str(path),
            "NEWSFLOW_TANTIVY_PATH": str(tmp_path / "index"),  # the story services open the index: not in the cwd
        }
    )
    try:
        installed = wiring.install(wiring.Wiring(settings))
        # Then what the handlers ask for comes from them
        assert wiring.current() is installed
        assert installed.categoriser.slugs == ("sport",)
        assert installed.categoriser.categorise_text("The striker beat the goalkeeper").primary == "sport"
        assert installed.stories.thresholds == settings.story
        assert installed.built("repository") is None  # nothing is built before it is asked for
        with pytest.raises(wiring.WiringError, match="NEWSFLOW_QUEUE_URL"):
            _ = installed.item_queue
    finally:
        wiring.reset()
    # And after reset the wiring is the environment's again
    assert wiring.current() is not installed


def test_library_loggers_go_through_the_powertools_logger() -> None:
    import botocore  # noqa: F401 - registers its logger
    from newsflow.observability import logger

    wiring.reset()
    wiring.current()
    library = logging.getLogger("botocore")
    assert any(h in logger.handlers for h in library.handlers)
    assert library.level >= logging.WARNING
    # Our modules' loggers are the Powertools logger's children: their records reach its handler
    assert logging.getLogger("newsflow.feeds.poller").parent is logging.getLogger(logger.name)
