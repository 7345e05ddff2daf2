"""Never go back in time: every delivery order of an original, its corrections and redeliveries ends on the newest
copy (by the item's own clock), and no step on the way ever stores an older copy than the one before."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from newsflow import aws
from newsflow.local.resources import LocalResources
from newsflow.messages import parse_message
from newsflow.pipeline import ingest_item
from newsflow.store import keys
from newsflow.store.dynamo import DynamoArticleRepository
from newsflow.store.ordering import item_clock
from newsflow.store.ports import WriteOutcome

from tests.integration.helpers import body

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PUBLISHED = "Thu, 19 Nov 2026 14:30:00 GMT"


def _copies(n: int) -> dict[str, str]:
    """An original, a correction (updated later) and a second correction of article number n."""
    url = f"https://news.example.com/energy/story-{n}"
    return {
        "original": body(
            url=url,
            guid=f"g-{n}",
            published=PUBLISHED,
            content_html=f"<p>OPEC+ ministers agreed on Thursday to cut oil output (story {n}).</p>",
        ),
        "correction": body(
            url=url,
            guid=f"g-{n}",
            published=PUBLISHED,
            updated="Thu, 19 Nov 2026 16:00:00 GMT",
            title="OPEC+ agrees deeper oil output cut (corrected)",
            content_html=f"<p>OPEC+ ministers agreed on Thursday to cut oil output by 1.5m barrels ({n}).</p>",
        ),
        "second": body(
            url=url,
            guid=f"g-{n}",
            published=PUBLISHED,
            updated="Thu, 19 Nov 2026 18:00:00 GMT",
            title="OPEC+ agrees deeper oil output cut (second correction)",
            content_html=f"<p>OPEC+ ministers agreed on Thursday to cut oil output by 2m barrels a day ({n}).</p>",
        ),
    }


def _distinct_orders(names: list[str]) -> list[tuple[str, ...]]:
    return sorted(set(itertools.permutations(names)))


@pytest.fixture
def repository(stack_env: LocalResources) -> DynamoArticleRepository:
    return DynamoArticleRepository(aws.dynamodb(), stack_env.table_name)


def _deliver(repository: DynamoArticleRepository, message: str, delivery: str | None = None) -> WriteOutcome:
    return ingest_item(parse_message(message), repository, now=NOW, delivery=delivery).write.outcome


def _stored(repository: DynamoArticleRepository, message: str) -> Any:
    item = parse_message(message)
    stored = [a for a in _all_articles(repository) if a.guid == item.guid]
    assert len(stored) == 1, f"expected one article for {item.guid}, found {len(stored)}"
    return stored[0]


def _all_articles(repository: DynamoArticleRepository) -> list[Any]:
    from newsflow.store.codec import item_to_article

    items = aws.dynamodb().scan(TableName=repository._table)["Items"]
    from newsflow.store.dynamo import deserialize

    return [item_to_article(deserialize(i)) for i in items if i["pk"]["S"].startswith("ART#")]


def test_every_order_of_original_correction_and_redeliveries_ends_on_the_newest(
    repository: DynamoArticleRepository,
) -> None:
    # Given an original, its correction and a second correction, each also delivered twice
    orders = _distinct_orders(["original", "original", "correction", "correction", "second"])
    assert len(orders) == 30
    for n, order in enumerate(orders):
        copies = _copies(n)
        clocks: list[Any] = []
        versions: list[int] = []
        outcomes: list[WriteOutcome] = []
        # When they arrive in this order
        for name in order:
            outcomes.append(_deliver(repository, copies[name]))
            stored = _stored(repository, copies[name])
            clocks.append(item_clock(stored))
            versions.append(stored.version)
        # Then the stored copy never went back in time, its version never went down, and it ends on the newest
        assert clocks == sorted(clocks), order
        assert versions == sorted(versions), order
        final = _stored(repository, copies["second"])
        assert "second correction" in final.title, order
        # and the version counts exactly the real steps forward
        assert final.version == outcomes.count(WriteOutcome.UPDATED) + 1, (order, outcomes)
        assert outcomes.count(WriteOutcome.CREATED) == 1, (order, outcomes)


def test_equal_clocks_are_ordered_by_content_not_by_arrival(repository: DynamoArticleRepository) -> None:
    # Given two different copies with the same clock (no update time, the same publication time)
    a = body(url="https://news.example.com/tie", guid="tie", title="Tie one way")
    b = body(url="https://news.example.com/tie", guid="tie", title="Tie the other way")
    finals = set()
    for order in ((a, b), (b, a)):
        aws.dynamodb().delete_item(
            TableName=repository._table, Key={"pk": {"S": keys.article_pk(_id_of(a))}, "sk": {"S": keys.ARTICLE_SK}}
        )
        # When they arrive in either order (each twice)
        for message in (*order, *order):
            _deliver(repository, message)
        finals.add(_stored(repository, a).title)
    # Then the same one wins both times
    assert len(finals) == 1


def _id_of(message: str) -> str:
    return ingest_item(parse_message(message), _NullRepository(), now=NOW).write.article_id


class _NullRepository:
    def save(self, article: Any, delivery: str | None = None, *, fresh: bool = False) -> Any:
        from newsflow.store.ports import WriteResult

        return WriteResult(outcome=WriteOutcome.CREATED, article_id=article.id, version=1)


def _fail_once(operation: str, when: Callable[[dict[str, Any]], bool]) -> Iterator[None]:
    """A botocore hook failing the first matching call with a 500 (what survives the SDK's retries)."""
    state = {"armed": True}

    def hook(params: dict[str, Any], **_: Any) -> None:
        if state["armed"] and when(params):
            state["armed"] = False
            raise ClientError(
                {"Error": {"Code": "InternalServerError", "Message": "injected"}, "ResponseMetadata": {}}, operation
            )

    client = aws.dynamodb()
    client.meta.events.register(f"before-parameter-build.dynamodb.{operation}", hook)
    try:
        yield
    finally:
        client.meta.events.unregister(f"before-parameter-build.dynamodb.{operation}", hook)


def test_a_transient_failure_retried_after_the_correction_does_not_revert_it(
    repository: DynamoArticleRepository,
) -> None:
    copies = _copies(100)
    # Given the original's first attempt fails at its article write (after its claims)
    hook = _fail_once("PutItem", lambda p: p["Item"]["pk"]["S"].startswith("ART#"))
    next(hook)
    with pytest.raises(ClientError):
        _deliver(repository, copies["original"], delivery="m-original")
    hook.close()
    # When the correction arrives while the original waits, and then the original is retried
    assert _deliver(repository, copies["correction"], delivery="m-correction") is WriteOutcome.CREATED
    assert _deliver(repository, copies["original"], delivery="m-original") is WriteOutcome.STALE
    # Then the correction stands at version 1
    stored = _stored(repository, copies["correction"])
    assert "(corrected)" in stored.title
    assert stored.version == 1


def test_a_write_whose_response_was_lost_reports_its_own_outcome_and_finishes_its_side_records(
    repository: DynamoArticleRepository, stack_env: LocalResources
) -> None:
    copies = _copies(200)
    # Given the original's article write succeeded but its response never came back (so no category marker)
    client = aws.dynamodb()

    def lose(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        raise ClientError({"Error": {"Code": "RequestTimeout", "Message": "lost"}, "ResponseMetadata": {}}, "PutItem")

    seen = {"article_puts": 0}

    def arm(params: dict[str, Any], **_: Any) -> None:
        if params["Item"]["pk"]["S"].startswith("ART#"):
            seen["article_puts"] += 1
            client.meta.events.register("after-call.dynamodb.PutItem", lose, unique_id="lose-once")

    client.meta.events.register("before-parameter-build.dynamodb.PutItem", arm)
    with pytest.raises(ClientError):
        _deliver(repository, copies["original"], delivery="m-1")
    client.meta.events.unregister("before-parameter-build.dynamodb.PutItem", arm)
    client.meta.events.unregister("after-call.dynamodb.PutItem", unique_id="lose-once")
    assert seen["article_puts"] == 1
    markers = client.query(
        TableName=stack_env.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.CATEGORIES_PK}},
    )["Items"]
    assert markers == []
    # When the same message is delivered again
    outcome = _deliver(DynamoArticleRepository(client, stack_env.table_name), copies["original"], delivery="m-1")
    # Then it counts as created (what it was), and its category's marker now exists
    assert outcome is WriteOutcome.CREATED
    markers = client.query(
        TableName=stack_env.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.CATEGORIES_PK}},
    )["Items"]
    assert [m["sk"]["S"] for m in markers] == [_stored(repository, copies["original"]).category]
    # and another delivery of the same item (a producer's duplicate) is unchanged
    assert _deliver(repository, copies["original"], delivery="m-2") is WriteOutcome.UNCHANGED


def test_a_concurrent_correction_between_read_and_write_is_not_overwritten(
    repository: DynamoArticleRepository, stack_env: LocalResources
) -> None:
    copies = _copies(300)
    assert _deliver(repository, copies["original"]) is WriteOutcome.CREATED
    client = aws.dynamodb()
    other = DynamoArticleRepository(client, stack_env.table_name)
    state = {"raced": False}

    # Given a second correction written by another worker right after our worker read the article
    def race(**_: Any) -> None:
        if not state["raced"]:
            state["raced"] = True
            _deliver(other, copies["second"])

    client.meta.events.register("after-call.dynamodb.GetItem", race)
    try:
        # When our worker writes the (older) first correction
        outcome = _deliver(repository, copies["correction"])
    finally:
        client.meta.events.unregister("after-call.dynamodb.GetItem", race)
    # Then the conditional write noticed, the decision was taken again, and the newer copy stands
    assert state["raced"]
    assert outcome is WriteOutcome.STALE
    stored = _stored(repository, copies["second"])
    assert "second correction" in stored.title
    assert stored.version == 2


def test_an_item_over_the_size_limit_is_refused_before_anything_is_claimed(
    repository: DynamoArticleRepository,
) -> None:
    import random

    from newsflow.store.codec import MAX_DOC_BYTES, DocumentTooLarge

    # Given an article whose stored document would be over the limit even compressed (incompressible text)
    rng = random.Random(3)
    noise = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789 ") for _ in range(3 * MAX_DOC_BYTES))
    item = parse_message(body(guid="big-1", url="https://news.example.com/big"))
    ingest_item(item, _Keep(), now=NOW)
    big = _Keep.last.model_copy(update={"body_text": noise, "content_hash": "h-big"})
    # When it is saved, it is refused
    with pytest.raises(DocumentTooLarge):
        repository.save(big, delivery="m-big")
    # Then no claim (guid, body, URL key) and no article was written
    scanned = aws.dynamodb().scan(TableName=repository._table)["Items"]
    assert [i for i in scanned if i["pk"]["S"].split("#")[0] in {"GUID", "HASH", "URL", "ART"}] == []
    # and the same guid's next, normal-sized version is stored
    assert repository.save(_Keep.last, delivery="m-small").outcome is WriteOutcome.CREATED


class _Keep:
    """Keeps the article the pipeline built instead of storing it."""

    last: Any = None

    def save(self, article: Any, delivery: str | None = None, *, fresh: bool = False) -> Any:
        from newsflow.store.ports import WriteResult

        _Keep.last = article
        return WriteResult(outcome=WriteOutcome.CREATED, article_id=article.id, version=1)


def test_the_delivery_marker_is_18_bytes_and_items_with_the_old_pair_still_report_their_writes(
    repository: DynamoArticleRepository, stack_env: LocalResources
) -> None:
    import uuid

    from newsflow.store import delivery_marker

    client = aws.dynamodb()
    copies = _copies(400)
    first, correction = str(uuid.uuid4()), str(uuid.uuid4())
    # Given an article created by an SQS delivery: its marker is one short attribute
    assert _deliver(repository, copies["original"], delivery=first) is WriteOutcome.CREATED
    key = {"pk": {"S": keys.article_pk(_stored(repository, copies["original"]).id)}, "sk": {"S": keys.ARTICLE_SK}}
    item = client.get_item(TableName=stack_env.table_name, Key=key)["Item"]
    assert len(item[delivery_marker.MARKER_ATTR]["B"]) == 17
    assert not set(delivery_marker.LEGACY_ATTRS) & set(item)
    # And the same article as a deployment before this one wrote it (the old pair of attributes)
    del item[delivery_marker.MARKER_ATTR]
    item["written_by"], item["write_outcome"] = {"S": first}, {"S": "created"}
    client.put_item(TableName=stack_env.table_name, Item=item)
    # When its delivery comes again, and another delivery of the same item
    assert _deliver(repository, copies["original"], delivery=first) is WriteOutcome.CREATED
    assert _deliver(repository, copies["original"], delivery=str(uuid.uuid4())) is WriteOutcome.UNCHANGED
    # Then a correction replaces the old pair with the new marker, and the first delivery still reports its write
    assert _deliver(repository, copies["correction"], delivery=correction) is WriteOutcome.UPDATED
    item = client.get_item(TableName=stack_env.table_name, Key=key)["Item"]
    assert not set(delivery_marker.LEGACY_ATTRS) & set(item)
    assert delivery_marker.decode({delivery_marker.MARKER_ATTR: item[delivery_marker.MARKER_ATTR]["B"]}) == (
        correction,
        "updated",
    )
    assert _deliver(repository, copies["original"], delivery=first) is WriteOutcome.CREATED
    assert _deliver(repository, copies["correction"], delivery=correction) is WriteOutcome.UPDATED
