"""The index Lambda on moto: stream events built from moto's real DynamoDB stream records."""

from __future__ import annotations

from typing import Any

import pytest
from newsflow import aws
from newsflow.handlers import index, ingest
from newsflow.local.resources import LocalResources
from newsflow.search.port import IndexFailure, SearchQuery

from tests.integration.helpers import body, context, receive_event, send_items, stream_event_from_moto, stream_records


def _ingest(resources: LocalResources, bodies: list[str]) -> None:
    send_items(resources, bodies)
    ingest.lambda_handler(receive_event(resources), context("ingest"))


def test_inserted_article_is_searchable(stack_env: LocalResources) -> None:
    # Given an article stored by ingest
    _ingest(stack_env, [body()])
    # When the index function receives the table's stream records
    response = index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    # Then nothing failed and the article can be found by a word of its title
    assert response == {"batchItemFailures": []}
    result = index.search_index().search(SearchQuery(text="OPEC"))
    assert result.total == 1
    assert result.hits[0].document.category == "energy-resources"


def test_modified_article_replaces_the_indexed_document(stack_env: LocalResources) -> None:
    _ingest(stack_env, [body()])
    _ingest(
        stack_env,
        [body(title="OPEC+ surprises markets with a bigger output cut", updated="Thu, 19 Nov 2026 16:00:00 GMT")],
    )
    index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    hits = index.search_index().search(SearchQuery(text="surprises")).hits
    assert len(hits) == 1
    assert hits[0].document.version == 2
    assert index.search_index().count() == 1


def test_removed_article_is_deleted_from_the_index(stack_env: LocalResources) -> None:
    _ingest(stack_env, [body()])
    index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    seen = len(stream_records(stack_env))
    article_pk = next(
        i["pk"] for i in aws.dynamodb().scan(TableName=stack_env.table_name)["Items"] if i["pk"]["S"].startswith("ART#")
    )
    aws.dynamodb().delete_item(TableName=stack_env.table_name, Key={"pk": article_pk, "sk": {"S": "ARTICLE"}})
    response = index.lambda_handler(stream_event_from_moto(stack_env, since=seen), context("index"))
    assert response == {"batchItemFailures": []}
    assert index.search_index().count() == 0


def test_index_failures_are_reported_by_sequence_number(
    stack_env: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an index that refuses every document
    _ingest(stack_env, [body()])
    event = stream_event_from_moto(stack_env)

    def refuse(documents: list[Any]) -> list[IndexFailure]:
        return [IndexFailure(id=d.id, reason="mapper_parsing_exception") for d in documents]

    monkeypatch.setattr(index.search_index(), "upsert", refuse)
    # When the index function runs
    response = index.lambda_handler(event, context("index"))
    # Then the article's record is reported so the event source retries / bisects it
    article_records = [r for r in event["Records"] if r["dynamodb"]["Keys"]["pk"]["S"].startswith("ART#")]
    assert response == {"batchItemFailures": [{"itemIdentifier": article_records[0]["dynamodb"]["SequenceNumber"]}]}
