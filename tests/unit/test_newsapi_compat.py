"""The NewsAPI-compatibility pieces that need no stack: key discovery, the Lambda authorizer's answer,
settings and mappings, date bounds, language codes, content truncation, source counting."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from newsflow.api.newsapi.auth import Unauthorized, authorizer_response, key_matches, presented_key
from newsflow.api.newsapi.mapping import DEFAULT_COUNTRIES, NewsApiConfig, language_of
from newsflow.api.newsapi.params import parse_bound
from newsflow.api.newsapi.ranking import distinct_sources
from newsflow.api.newsapi.views import truncate_content
from newsflow.handlers import authorizer
from newsflow.search.port import SearchDocument

METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/v2/everything"


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({"X-Api-Key": "k1"}, None, "k1"),
        ({"x-api-key": "k1", "Authorization": "Bearer k2"}, {"apiKey": "k3"}, "k1"),
        ({"Authorization": "Bearer k2"}, {"apiKey": "k3"}, "k2"),
        ({"authorization": "bearer  k2 "}, None, "k2"),
        ({"Authorization": "k2"}, None, "k2"),  # newsapi-python sends the bare key
        ({}, {"apiKey": "k3"}, "k3"),
        ({"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20261201/us-east-1/execute-api"}, None, None),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, None, None),
        ({"X-Api-Key": "  "}, {"apiKey": ""}, None),
        (None, None, None),
    ],
)
def test_the_key_is_found_wherever_newsapi_accepts_it(
    headers: dict[str, str] | None, query: dict[str, str] | None, expected: str | None
) -> None:
    assert presented_key(headers, query) == expected


def test_key_comparison() -> None:
    assert key_matches("secret", "secret")
    assert not key_matches("secreT", "secret")
    assert not key_matches(None, "secret")


def test_authorizer_hands_the_presented_key_to_api_gateway() -> None:
    # Given a NewsAPI client's request with the key in the query string
    event = {"methodArn": METHOD_ARN, "headers": {"Host": "api"}, "queryStringParameters": {"apiKey": "k3", "q": "x"}}
    # When the authorizer answers
    answer = authorizer.lambda_handler(event, None)  # type: ignore[arg-type]
    # Then API Gateway gets the key to check against the usage plan, and reads of this stage are allowed
    assert answer["usageIdentifierKey"] == "k3"
    statement = answer["policyDocument"]["Statement"][0]
    assert statement == {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/*",
    }


def test_authorizer_without_a_key_is_unauthorized() -> None:
    with pytest.raises(Unauthorized, match=r"^Unauthorized$"):
        authorizer_response({"methodArn": METHOD_ARN, "headers": {}, "queryStringParameters": None})


def test_content_is_truncated_like_newsapi() -> None:
    text = "x" * 450
    assert truncate_content(text) == "x" * 200 + "… [+250 chars]"
    assert truncate_content("short") == "short"
    assert truncate_content("y" * 200) == "y" * 200


@pytest.mark.parametrize(
    ("value", "upper", "expected"),
    [
        ("2026-11-20", False, datetime(2026, 11, 20, tzinfo=UTC)),
        ("2026-11-20", True, datetime(2026, 11, 21, tzinfo=UTC)),  # inclusive: the whole day
        ("2026-11-20T14:30:00", True, datetime(2026, 11, 20, 14, 30, 1, tzinfo=UTC)),
        ("2026-11-20T14:30:00+01:00", False, datetime(2026, 11, 20, 13, 30, tzinfo=UTC)),
        ("2026-11-20T14:30:00 01:00", False, datetime(2026, 11, 20, 13, 30, tzinfo=UTC)),  # '+' decoded as ' '
        ("2026-11-20T14:30:00Z", False, datetime(2026, 11, 20, 14, 30, tzinfo=UTC)),
        (None, True, None),
    ],
)
def test_from_and_to_bounds(value: str | None, upper: bool, expected: datetime | None) -> None:
    assert parse_bound(value, upper=upper) == expected


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "1969-12-31", "2026/11/20"])
def test_bad_dates_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match=r"ISO 8601|between"):
        parse_bound(value, upper=False)


@pytest.mark.parametrize(
    ("code", "iso"), [("se", "sv"), ("ud", "ur"), ("cn", "zh"), ("en-US", "en"), ("EN", "en"), ("pt-BR", "pt")]
)
def test_newsapi_language_codes_read_as_iso_639_1(code: str, iso: str) -> None:
    assert language_of(code) == iso


def test_default_config_and_every_newsapi_country() -> None:
    config = NewsApiConfig.from_env({})
    assert config.content == "truncated"
    assert config.max_depth == 1000
    assert set(config.categories) == {
        "business",
        "entertainment",
        "general",
        "health",
        "science",
        "sports",
        "technology",
    }
    assert len(DEFAULT_COUNTRIES) == 54
    assert config.countries["us"].language == "en"
    assert config.countries["de"].language == "de"


def test_a_mapping_file_replaces_the_mappings(tmp_path: Path) -> None:
    path = tmp_path / "newsapi.json"
    path.write_text(
        json.dumps(
            {
                "categories": {"business": "*", "science": "chemicals-materials"},
                "countries": {"us": {"sources": ["reuters"], "domains": ["apnews.com"]}},
            }
        )
    )
    config = NewsApiConfig.from_env(
        {
            "NEWSFLOW_NEWSAPI_MAPPING_PATH": str(path),
            "NEWSFLOW_NEWSAPI_CONTENT": "full",
            "NEWSFLOW_NEWSAPI_MAX_DEPTH": "500",
        }
    )
    assert config.categories == {"business": "*", "science": "chemicals-materials"}
    assert set(config.countries) == {"us"}
    assert config.countries["us"].sources == ["reuters"]
    assert (config.content, config.max_depth) == ("full", 500)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"categories": {"sports": "football"}}', "unknown taxonomy slugs: football"),
        ('{"colours": {}}', "expected an object"),
        ("{not json", "NEWSFLOW_NEWSAPI_MAPPING_PATH"),
        ('{"countries": {"us": {"language": "english"}}}', "countries.us.language"),
    ],
)
def test_a_bad_mapping_file_fails_loudly(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "newsapi.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        NewsApiConfig.from_env({"NEWSFLOW_NEWSAPI_MAPPING_PATH": str(path)})


def test_bad_settings_fail_loudly() -> None:
    with pytest.raises(ValueError, match="max_depth"):
        NewsApiConfig.from_env({"NEWSFLOW_NEWSAPI_MAX_DEPTH": "20000"})
    with pytest.raises(ValueError, match="content"):
        NewsApiConfig.from_env({"NEWSFLOW_NEWSAPI_CONTENT": "some"})


def _doc(doc_id: str, source: str, also_from: list[str] | None = None) -> SearchDocument:
    return SearchDocument(
        id=doc_id,
        title="t",
        category="economy",
        source_name=source,
        sort_at=datetime(2026, 11, 20, tzinfo=UTC),
        also_from=also_from or [],
    )


def test_popularity_counts_distinct_sources_of_the_story_and_its_syndications() -> None:
    story = [_doc("a", "Reuters", ["Euro Daily"]), _doc("b", "Financial Wire"), _doc("c", "Reuters")]
    assert distinct_sources(story) == 3
    assert distinct_sources([_doc("d", "Solo")]) == 1
    assert distinct_sources([_doc("e", "Solo", ["Other Paper", "other paper"])]) == 2
