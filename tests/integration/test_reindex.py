"""`newsflow reindex` on moto + tantivy: rebuild from the table into a new generation, swap, keep serving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from newsflow.handlers import api, index, ingest
from newsflow.local.events import api_gateway_event
from newsflow.local.resources import LocalResources
from newsflow.search import tantivy_index
from newsflow.search.port import SearchQuery

from tests.integration.helpers import body, context, receive_event, send_items, stream_event_from_moto


def test_reindex_rebuilds_from_the_table_and_the_running_index_follows(
    stack_env: LocalResources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsflow.cli.reindex import reindex_tantivy

    monkeypatch.setattr(tantivy_index, "FOLLOW_CHECK_SECONDS", 0.0)
    # Given two stored and indexed articles, one of which the index has lost
    send_items(
        stack_env,
        [
            body(),
            body(
                url="https://news.example.com/b", guid="b", title="Wheat harvest record", content_html="<p>Wheat.</p>"
            ),
        ],
    )
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    live = index.search_index()
    lost = live.search(SearchQuery(text="wheat")).hits[0].id
    live.delete([lost])
    assert live.count() == 1

    # When reindex runs beside the running index
    generation, written, failed = reindex_tantivy(tmp_path / "index", stack_env.table_name)

    # Then the new generation holds every article, and the running process serves it
    assert (written, failed) == (2, 0)
    assert (tmp_path / "index" / "CURRENT").read_text() == generation.name
    assert live.count() == 2
    event = api_gateway_event("GET", "/v1/search?q=wheat", {"Host": "t"}, b"", "127.0.0.1")
    response = api.lambda_handler(event, context("api"))
    assert [a["id"] for a in json.loads(response["body"])["articles"]] == [lost]
    # And the index function keeps writing into the live generation
    send_items(
        stack_env,
        [body(url="https://news.example.com/c", guid="c", title="Corn exports climb", content_html="<p>Corn.</p>")],
    )
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    assert live.count() == 3
    assert live.path == generation
