"""The first read of a stored article is eventually consistent (half the read units): a read that misses a recent
write must end like a race with a concurrent writer, decided again on a consistent read, never by replacing the
newer item. moto is always consistent, so a lagging replica is put in front of it: eventually consistent reads of
an article return the item as it was before its latest write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from newsflow import aws
from newsflow.local.resources import LocalResources
from newsflow.messages import parse_message
from newsflow.pipeline import ingest_item
from newsflow.store.codec import item_to_article
from newsflow.store.dynamo import DynamoArticleRepository, deserialize
from newsflow.store.ports import WriteOutcome

from tests.integration.helpers import body

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
URL = "https://news.example.com/energy/opec-output-cut"


class LaggingReplica:
    """The DynamoDB client, except that an eventually consistent GetItem of an article answers with the item as
    it was before its latest write (absent before its first)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._before_last: dict[str, dict[str, Any] | None] = {}
        self.stale_answers = 0
        self.consistent_reads = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def put_item(self, **kwargs: Any) -> Any:
        pk = kwargs["Item"]["pk"]["S"]
        if pk.startswith("ART#"):
            before = self._client.get_item(
                TableName=kwargs["TableName"], Key={"pk": kwargs["Item"]["pk"], "sk": kwargs["Item"]["sk"]}
            ).get("Item")
            answer = self._client.put_item(**kwargs)  # raises on a failed condition: nothing was written
            self._before_last[pk] = before
            return answer
        return self._client.put_item(**kwargs)

    def get_item(self, **kwargs: Any) -> Any:
        pk = kwargs["Key"]["pk"]["S"]
        if pk.startswith("ART#") and kwargs.get("ConsistentRead"):
            self.consistent_reads += 1
        if pk.startswith("ART#") and not kwargs.get("ConsistentRead") and pk in self._before_last:
            self.stale_answers += 1
            before = self._before_last[pk]
            return {"Item": before} if before is not None else {}
        return self._client.get_item(**kwargs)


@pytest.fixture
def lagging(stack_env: LocalResources) -> tuple[DynamoArticleRepository, LaggingReplica]:
    replica = LaggingReplica(aws.dynamodb())
    return DynamoArticleRepository(replica, stack_env.table_name), replica


def _deliver(repository: DynamoArticleRepository, message: str) -> WriteOutcome:
    return ingest_item(parse_message(message), repository, now=NOW).write.outcome


def _articles(stack_env: LocalResources) -> list[Any]:
    items = aws.dynamodb().scan(TableName=stack_env.table_name)["Items"]
    return [item_to_article(deserialize(i)) for i in items if i["pk"]["S"].startswith("ART#")]


def test_a_sighting_decided_on_a_stale_read_does_not_drop_the_one_written_before_it(
    lagging: tuple[DynamoArticleRepository, LaggingReplica], stack_env: LocalResources
) -> None:
    repository, replica = lagging
    # Given an article, and a first syndicator's sighting of its URL stored on it (same version)
    assert _deliver(repository, body()) is WriteOutcome.CREATED
    assert _deliver(repository, body(summary="Teaser.", source={"name": "Wire Digest"})) is WriteOutcome.DUPLICATE
    # When a second syndicator's sighting is decided on a read that does not show the first sighting yet
    outcome = _deliver(repository, body(summary="Other teaser.", source={"name": "Daily Roundup"}))
    # Then the write noticed the item had changed, the decision was taken again on a consistent read, and both
    # sightings are kept
    assert outcome is WriteOutcome.DUPLICATE
    assert replica.stale_answers >= 2
    assert replica.consistent_reads >= 1
    (article,) = _articles(stack_env)
    assert article.also_from == ["Daily Roundup", "Wire Digest"]
    assert article.version == 1


def test_a_correction_decided_on_a_stale_read_is_applied_on_top_of_the_newest_version(
    lagging: tuple[DynamoArticleRepository, LaggingReplica], stack_env: LocalResources
) -> None:
    repository, replica = lagging
    published = "Thu, 19 Nov 2026 14:30:00 GMT"
    # Given an article and its first correction (version 2)
    assert _deliver(repository, body(published=published)) is WriteOutcome.CREATED
    first = body(published=published, updated="Thu, 19 Nov 2026 16:00:00 GMT", title="OPEC+ cut (corrected)")
    assert _deliver(repository, first) is WriteOutcome.UPDATED
    # When the second correction is decided on a read that still shows version 1
    second = body(published=published, updated="Thu, 19 Nov 2026 18:00:00 GMT", title="OPEC+ cut (second)")
    outcome = _deliver(repository, second)
    # Then it is stored as version 3, after the first correction, not in its place
    assert outcome is WriteOutcome.UPDATED
    assert replica.stale_answers >= 2
    (article,) = _articles(stack_env)
    assert article.title == "OPEC+ cut (second)"
    assert article.version == 3
    # And the first correction redelivered, on a read that shows the first correction itself (the item before its
    # latest write), changes nothing: no write at all, whatever the read said
    before = aws.dynamodb().scan(TableName=stack_env.table_name)["Items"]
    assert _deliver(repository, first) in (WriteOutcome.STALE, WriteOutcome.UNCHANGED)
    assert aws.dynamodb().scan(TableName=stack_env.table_name)["Items"] == before
    (again,) = _articles(stack_env)
    assert again.title == "OPEC+ cut (second)"
    assert again.version == 3


def test_a_redelivery_that_reads_nothing_yet_is_still_one_article(
    lagging: tuple[DynamoArticleRepository, LaggingReplica], stack_env: LocalResources
) -> None:
    repository, replica = lagging
    # Given a new article, whose eventually consistent read does not show it yet
    assert _deliver(repository, body()) is WriteOutcome.CREATED
    # When its redelivery reads nothing
    outcome = _deliver(repository, body())
    # Then the conditional create fails, the consistent read finds the article, and it is unchanged
    assert outcome is WriteOutcome.UNCHANGED
    assert replica.stale_answers >= 1
    articles = _articles(stack_env)
    assert [a.url for a in articles] == [URL]
    assert articles[0].version == 1
