"""The specification checker itself: it accepts what the spec's own stories send, and refuses what breaks a rule.

Without these, a checker that accepts everything would make every other test in tests/spec pass.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml

from tests.spec.opensearch_spec import BUNDLE_DIR, SPEC

STORIES = sorted((BUNDLE_DIR / "stories").rglob("*.yaml"))


def _story_requests() -> list[tuple[str, str, str, str | None, str]]:
    """(method, path, query, body, content type) of every story request to an operation the bundle details."""
    out = []
    for file in STORIES:
        story = yaml.safe_load(file.read_text(encoding="utf-8"))
        for chapter in [*(story.get("prologues") or []), *story.get("chapters", [])]:
            if "${" in json.dumps(chapter):  # uses the output of an earlier chapter (a pit id...)
                continue
            request = chapter.get("request") or {}
            ctype = request.get("content_type", "application/json")
            payload = request.get("payload")
            if payload is None:
                body = None
            elif "ndjson" in ctype:
                body = "".join(json.dumps(line) + "\n" for line in payload)
            else:
                body = json.dumps(payload)
            params = {
                k: json.dumps(v) if isinstance(v, bool) else ",".join(map(str, v)) if isinstance(v, list) else str(v)
                for k, v in (chapter.get("parameters") or {}).items()
            }
            path = "/" + chapter["path"].lstrip("/")
            for name in list(params):
                if "{" + name + "}" in path:
                    path = path.replace("{" + name + "}", params.pop(name))
            found = SPEC.find(chapter["method"], path)
            if found and found[0].detailed:
                out.append((chapter["method"], path, urlencode(params), body, ctype))
    return out


def test_the_bundle_is_the_vendored_commit_with_its_licence() -> None:
    assert SPEC.commit == (BUNDLE_DIR / "COMMIT").read_text().strip()
    assert "Apache License" in (BUNDLE_DIR / "LICENSE.txt").read_text()
    assert (BUNDLE_DIR / "NOTICE.txt").is_file()


def test_every_story_request_of_the_detailed_operations_is_valid() -> None:
    # The spec's own test stories are requests a real OpenSearch accepted: the strict checker must accept them
    requests = _story_requests()
    assert len(requests) >= 30
    problems = {f"{m} {p}?{q}": SPEC.check_request(m, p, q, b, c)[1] for m, p, q, b, c in requests}
    assert {k: v for k, v in problems.items() if v} == {}


def _errors(method: str, path: str, query: str = "", body: Any = None, ctype: str = "application/json") -> list[str]:
    text = body if isinstance(body, str) or body is None else json.dumps(body)
    return SPEC.check_request(method, path, query, text, ctype)[1]


def test_operations_are_matched_by_method_and_most_literal_path() -> None:
    assert SPEC.find("POST", "/articles/_search")[0].id == "search.3"  # type: ignore[index]
    assert SPEC.find("POST", "/_search")[0].id == "search.1"  # type: ignore[index]
    assert SPEC.find("GET", "/_alias/articles")[0].group == "indices.get_alias"  # type: ignore[index]
    assert SPEC.find("DELETE", "/_search/point_in_time")[0].group == "delete_pit"  # type: ignore[index]
    assert SPEC.find("PATCH", "/articles/_search") is None
    assert _errors("POST", "/articles/_searchh") != []


@pytest.mark.parametrize(
    ("query", "rule"),
    [
        ("refresh=sometimes", "does not match"),  # Refresh is true/false/wait_for
        ("refresh=true&refesh=true", "unknown query parameter 'refesh'"),
        ("timeout=ten", "does not match"),  # a Duration
        ("wait_for_active_shards=all", ""),
    ],
)
def test_query_parameters_are_known_and_typed(query: str, rule: str) -> None:
    errors = _errors("POST", "/articles/_bulk", query, '{"delete": {"_id": "a"}}\n', "application/x-ndjson")
    if rule:
        assert any(rule in e for e in errors), errors
    else:
        assert errors == []


def test_required_query_parameters_are_required() -> None:
    assert any("'keep_alive' is missing" in e for e in _errors("POST", "/articles/_search/point_in_time"))
    assert _errors("POST", "/articles/_search/point_in_time", "keep_alive=5m") == []
    assert any("does not match" in e for e in _errors("POST", "/articles/_search/point_in_time", "keep_alive=5 min"))


def test_bodies_are_checked_strictly() -> None:
    ok = {"query": {"multi_match": {"query": "oil", "fields": ["title^3"], "operator": "and"}}, "size": 10}
    assert _errors("POST", "/articles/_search", body=ok) == []
    # an unknown key, as OpenSearch's parsers refuse it
    typo = {"query": {"multi_match": {"query": "oil", "fields": ["title"], "operater": "and"}}}
    assert any("operater" in e for e in _errors("POST", "/articles/_search", body=typo))
    assert any("sizee" in e for e in _errors("POST", "/articles/_search", body={"sizee": 1}))
    # a wrong type or value
    assert _errors("POST", "/articles/_search", body={"size": "ten"}) != []
    assert _errors("POST", "/articles/_search", body={"highlight": {"encoder": "xml", "fields": {}}}) != []
    assert _errors("POST", "/articles/_search", body="{not json") != []
    # a body where none is allowed, one without what the schema requires
    no_body = _errors("POST", "/articles/_search/point_in_time", "keep_alive=1m", {})
    assert any("takes no request body" in e for e in no_body)
    assert any("pit_id" in e for e in _errors("DELETE", "/_search/point_in_time", body={"id": ["x"]}))


def test_bulk_bodies_are_checked_line_by_line() -> None:
    def bulk(*lines: Any, ctype: str = "application/x-ndjson") -> list[str]:
        return _errors("POST", "/articles/_bulk", "", "".join(json.dumps(x) + "\n" for x in lines), ctype)

    assert bulk({"index": {"_id": "a"}}, {"title": "A"}, {"delete": {"_id": "b"}}) == []
    assert any("not a bulk action" in e for e in bulk({"upsert": {"_id": "a"}}, {"title": "A"}))
    assert any("not a bulk action" in e for e in bulk({"index": {"_id": "a", "_idd": 1}}, {"title": "A"}))
    assert any("has no source line" in e for e in bulk({"index": {"_id": "a"}}))
    assert any("not a bulk action" in e for e in bulk({"delete": {"_id": "a"}}, {"title": "stray source"}))
    assert any("application/x-ndjson" in e for e in bulk({"delete": {"_id": "a"}}, ctype="application/json"))
    no_newline = json.dumps({"delete": {"_id": "a"}})
    assert any("newline" in e for e in _errors("POST", "/articles/_bulk", "", no_newline, "application/x-ndjson"))


def test_responses_are_checked_against_the_schema_of_their_status() -> None:
    op = SPEC.find("POST", "/articles/_bulk")[0]  # type: ignore[index]
    good = {"took": 1, "errors": False, "items": [{"index": {"_index": "a", "_id": "1", "status": 201}}]}
    assert SPEC.check_response(op, 200, good) == []
    assert SPEC.check_response(op, 200, {"took": 1, "items": []}) != []  # `errors` is required
    assert SPEC.check_response(op, 200, {"took": 1, "errors": False, "items": [{"index": {"_id": "1"}}]}) != []
    assert SPEC.check_response(op, 201, good) != []  # not a documented status
    error = {"error": {"type": "x", "reason": "y"}, "status": 429}
    assert SPEC.check_response(op, 429, error) == []  # an error status with the common error shape
    assert SPEC.check_response(op, 429, {"message": "throttled"}) != []


def test_the_vendored_copy_stays_small() -> None:
    # a bundle plus a handful of stories
    assert sum(f.stat().st_size for f in BUNDLE_DIR.rglob("*") if f.is_file()) < 1_000_000
    assert len(STORIES) >= 10
