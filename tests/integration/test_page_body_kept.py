"""A stored page text is not replaced by the feed's teaser of the same item version (a redelivered teaser whose
page fetch failed the second time), only by a copy newer by the item's own clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from newsflow import aws
from newsflow.local.resources import LocalResources
from newsflow.messages import parse_message
from newsflow.pipeline import ingest_item
from newsflow.store.dynamo import DynamoArticleRepository
from newsflow.store.ports import WriteOutcome

from tests.integration.helpers import body

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
URL = "https://news.example.com/energy/grid-upgrade"
TEASER = "<p>The grid operator announced an upgrade.</p>"
PAGE = "".join(f"<p>Paragraph {n} of the full article about the grid upgrade and its cost.</p>" for n in range(12))


def _page_copy(**extra: str) -> str:
    return body(url=URL, guid="grid-1", content_html=PAGE, body_source="page", **extra)


def _teaser(**extra: str) -> str:
    reason = "page fetch failed: timeout"
    return body(url=URL, guid="grid-1", content_html=TEASER, body_source="feed", body_source_reason=reason, **extra)


@pytest.fixture
def repository(stack_env: LocalResources) -> DynamoArticleRepository:
    return DynamoArticleRepository(aws.dynamodb(), stack_env.table_name)


def _deliver(repository: DynamoArticleRepository, message: str, minutes: int) -> WriteOutcome:
    seen = NOW + timedelta(minutes=minutes)
    return ingest_item(parse_message(message), repository, now=seen, seen=seen).write.outcome


@pytest.mark.parametrize("teaser_first", [False, True])
def test_a_teaser_of_the_same_version_never_replaces_the_page_text(
    repository: DynamoArticleRepository, teaser_first: bool
) -> None:
    # Given the page text and a teaser of the same item (same publication time, no update time), the teaser
    # seen later (a redelivery whose page fetch failed)
    order = [(_page_copy(), 5), (_teaser(), 10)]
    if teaser_first:  # the teaser first (page fetch not yet done), then the page text, then the teaser again
        order.insert(0, (_teaser(), 0))
    outcomes = [_deliver(repository, message, minutes) for message, minutes in order]
    # Then the page text stands and the teaser is a stale sighting
    assert outcomes[-1] is WriteOutcome.STALE
    stored = repository.get(_id(repository))
    assert stored is not None
    assert stored.body_source == "page"
    assert "Paragraph 11" in stored.body_text


def test_a_teaser_newer_by_the_items_own_clock_replaces_the_page_text(repository: DynamoArticleRepository) -> None:
    assert _deliver(repository, _page_copy(), 0) is WriteOutcome.CREATED
    # When the publisher updates the item and this time its page cannot be fetched
    newer = _teaser(title="Grid upgrade delayed", updated="Thu, 19 Nov 2026 18:00:00 GMT")
    assert _deliver(repository, newer, 10) is WriteOutcome.UPDATED
    # Then the newer version is stored, teaser and reason included
    stored = repository.get(_id(repository))
    assert stored is not None
    assert stored.title == "Grid upgrade delayed"
    assert stored.body_source == "feed"
    assert stored.body_source_reason == "page fetch failed: timeout"


def _id(repository: DynamoArticleRepository) -> str:
    items = aws.dynamodb().scan(TableName=repository._table)["Items"]
    ids = {i["pk"]["S"].removeprefix("ART#") for i in items if i["pk"]["S"].startswith("ART#")}
    assert len(ids) == 1
    return ids.pop()
