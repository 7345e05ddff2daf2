"""The ops function's reindex: resumable steps with a cursor, then one atomic swap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newsflow.handlers import index, ingest, ops
from newsflow.local.resources import LocalResources
from newsflow.search import tantivy_index
from newsflow.search.port import SearchQuery

from tests.integration.helpers import body, context, receive_event, send_items, stream_event_from_moto
from tests.integration.ops_helpers import ops_context

ITEMS = [
    body(),
    body(url="https://news.example.com/b", guid="b", title="Wheat harvest record", content_html="<p>Wheat.</p>"),
    body(url="https://news.example.com/c", guid="c", title="Corn exports climb", content_html="<p>Corn.</p>"),
]


def test_reindex_resumes_from_its_cursor_until_the_new_index_is_swapped_in(
    stack_env: LocalResources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tantivy_index, "FOLLOW_CHECK_SECONDS", 0.0)
    # Given three indexed articles, one of which the live index has lost
    send_items(stack_env, ITEMS)
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    live = index.search_index()
    lost = [h.id for h in live.search(SearchQuery(text="wheat")).hits]
    live.delete(lost)
    assert live.count() == 2

    # When the reindex runs in steps that each do one page (the budget is spent after the first)
    request: dict[str, object] = {"action": "reindex", "page_size": 1, "budget_seconds": 0.001}
    answers = []
    while True:
        answer = ops.lambda_handler(json.loads(json.dumps(request)), ops_context())  # through JSON, as Lambda does
        assert answer["status"] == "ok", answer
        answers.append(answer)
        if answer["done"]:
            break
        request["cursor"] = answer["cursor"]
        assert len(answers) < 100

    # Then it took several invocations, each passing its cursor on, and the new index is live
    assert len(answers) > 3
    assert {a["index"] for a in answers} == {answers[0]["index"]}
    assert [a["done"] for a in answers].count(True) == 1
    final = answers[-1]
    assert (final["written"], final["failed"]) == (3, 0)
    assert final["caught_up"] == 3
    root = tmp_path / "index"
    assert (root / "CURRENT").read_text() == final["index"]
    assert live.count() == 3
    assert live.get(lost[0]) is not None


def test_a_cursor_for_an_index_that_is_gone_is_refused(stack_env: LocalResources) -> None:
    answer = ops.lambda_handler(
        {"action": "reindex", "cursor": {"index": "gen-20260101T000000-abcdef", "started_at": "2026-01-01T00:00:00Z"}},
        ops_context(),
    )

    assert answer["status"] == "error"
    assert "no longer exists" in answer["message"]


def test_a_tampered_cursor_is_refused(stack_env: LocalResources) -> None:
    for cursor in (
        {"index": "../../etc", "started_at": "2026-01-01T00:00:00Z"},
        {"index": "gen-x", "started_at": "2026-01-01T00:00:00Z", "start_key": {"pk": "ART#1"}},
        {"index": "gen-x", "started_at": "2026-01-01T00:00:00Z", "phase": "drop"},
    ):
        answer = ops.lambda_handler({"action": "reindex", "cursor": cursor}, ops_context())
        assert answer["status"] == "error", cursor
