"""Story candidates come from the search index: ingest, index, then a copy on a fresh container finds its story."""

from __future__ import annotations

from newsflow import aws
from newsflow.handlers import index
from newsflow.local.resources import LocalResources
from newsflow.local.stack import reset_process_caches
from newsflow.store.dynamo import DynamoArticleRepository

from tests.integration.helpers import context, stream_event_from_moto
from tests.integration.test_ingest_writes import REWRITE, WIRE, _deliver


def _story_of(resources: LocalResources, url_part: str) -> str | None:
    repository = DynamoArticleRepository(aws.dynamodb(), resources.table_name)
    scanned = aws.dynamodb().scan(TableName=resources.table_name)["Items"]
    for item in scanned:
        if item["pk"]["S"].startswith("ART#"):
            article = repository.get(item["pk"]["S"][4:])
            if article and article.url and url_part in article.url:
                return article.story_id
    return None


def test_a_copy_on_another_container_finds_its_story_through_the_index(stack_env: LocalResources) -> None:
    # Given an article stored and published to the search index (its document carries its band keys)
    assert _deliver(stack_env, WIRE) == ["created"]
    response = index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    assert response == {"batchItemFailures": []}
    wire_story = _story_of(stack_env, "news.example.com")
    assert wire_story is not None
    # When a rewrite of it is ingested by a fresh container (nothing of the wire in its memory)
    reset_process_caches()
    assert _deliver(stack_env, REWRITE) == ["created"]
    # Then it joins the wire's story
    assert _story_of(stack_env, "copycat") == wire_story


def test_a_copy_before_its_original_is_indexed_joins_on_the_same_container(stack_env: LocalResources) -> None:
    # Given an article stored but not yet published to the index (the stream lag)
    assert _deliver(stack_env, WIRE) == ["created"]
    wire_story = _story_of(stack_env, "news.example.com")
    # When its rewrite reaches the same container first
    assert _deliver(stack_env, REWRITE) == ["created"]
    # Then the container's recent articles find it
    assert _story_of(stack_env, "copycat") == wire_story


def test_a_copy_before_its_original_is_indexed_on_another_container_starts_its_own_story(
    stack_env: LocalResources,
) -> None:
    # Given an article stored but not yet published to the index, on another container
    assert _deliver(stack_env, WIRE) == ["created"]
    reset_process_caches()
    # When its rewrite is ingested within the stream lag
    assert _deliver(stack_env, REWRITE) == ["created"]
    # Then it cannot be found yet: a story of its own (the documented bound, README "Stories")
    assert _story_of(stack_env, "copycat") != _story_of(stack_env, "news.example.com")
