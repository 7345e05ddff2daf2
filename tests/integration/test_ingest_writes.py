"""What the ingest Lambda writes to DynamoDB per delivery (the billed part): redeliveries write nothing."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from newsflow import aws
from newsflow.handlers import ingest
from newsflow.local.resources import LocalResources
from newsflow.store import stories
from newsflow.store.dynamo import DynamoArticleRepository

from tests.integration.helpers import body, context, receive_event, send_items

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
PARAGRAPHS = [
    "OPEC+ ministers agreed on Thursday to cut oil output by a further one million barrels a day from January.",
    "Brent crude rose 3% after the decision, which extends production quotas agreed earlier this year.",
    "Saudi Arabia will shoulder the largest share of the reduction, energy ministry officials said.",
    "Analysts expect inventories to tighten in the first quarter as refiners restock after maintenance.",
]
WIRE = body(content_html="".join(f"<p>{p}</p>" for p in PARAGRAPHS))
REWRITE = body(
    url="https://copycat.example.net/oil/opec-plus-cut",
    guid="copy-1",
    title="Oil cartel slashes production again",
    content_html="<p>Share on Facebook Twitter</p>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3]),
    source={"name": "Copycat Daily"},
)


@pytest.fixture
def writes(stack_env: LocalResources) -> Iterator[Counter[str]]:
    """DynamoDB write requests the handlers make (a BatchWriteItem counted once per item it carries)."""
    counted: Counter[str] = Counter()

    def count(model: Any, params: dict[str, Any], **_: Any) -> None:  # params: the API call's arguments
        if model.name == "BatchWriteItem":
            counted[model.name] += sum(len(v) for v in params["RequestItems"].values())
        elif model.name in WRITES:
            counted[model.name] += 1

    client = aws.dynamodb()
    client.meta.events.register("before-parameter-build.dynamodb.*", count)
    yield counted
    client.meta.events.unregister("before-parameter-build.dynamodb.*", count)


def _deliver(resources: LocalResources, *messages: str) -> list[str]:
    send_items(resources, list(messages))
    event = receive_event(resources)
    response = ingest.lambda_handler(event, context("ingest"))
    assert response == {"batchItemFailures": []}
    for record in event["Records"]:  # as the event source mapping does: nothing comes back after a slow test
        aws.sqs().delete_message(QueueUrl=resources.queue_url, ReceiptHandle=record["receiptHandle"])
    return [o["outcome"] for o in ingest.last_outcomes]


def _items(resources: LocalResources, prefix: str) -> list[dict[str, Any]]:
    scanned = aws.dynamodb().scan(TableName=resources.table_name)["Items"]
    return [i for i in scanned if i["pk"]["S"].startswith(prefix)]


def test_an_unchanged_redelivery_writes_nothing(stack_env: LocalResources, writes: Counter[str]) -> None:
    # Given a stored article that joined another article's story (candidate entries of both exist)
    assert _deliver(stack_env, WIRE) == ["created"]
    assert _deliver(stack_env, REWRITE) == ["created"]
    entries_before = _items(stack_env, "LSH#")
    writes.clear()
    # When both are delivered again, unchanged
    assert _deliver(stack_env, WIRE, REWRITE) == ["unchanged", "unchanged"]
    # Then nothing is written: no article, candidate entry or claim write
    assert sum(writes.values()) == 0, writes
    assert _items(stack_env, "LSH#") == entries_before


def test_a_redelivered_duplicate_writes_nothing(stack_env: LocalResources, writes: Counter[str]) -> None:
    # Given an article and the same body under another URL and guid (a duplicate, recorded on the first)
    _deliver(stack_env, WIRE)
    duplicate = body(
        url="https://news.example.com/energy/opec-cut-copy",
        guid="copy-2",
        content_html="".join(f"<p>{p}</p>" for p in PARAGRAPHS),
    )
    assert _deliver(stack_env, duplicate) == ["duplicate"]
    [article] = _items(stack_env, "ART#")
    assert article["version"]["N"] == "1"
    writes.clear()
    # When the duplicate is delivered again
    assert _deliver(stack_env, duplicate) == ["duplicate"]
    # Then its claims are read, not rewritten, and the sighting already recorded is not written again
    assert sum(writes.values()) == 0, writes


def _entries_of(resources: LocalResources) -> dict[str, set[str]]:
    """article id -> the band keys it is filed under."""
    entries: dict[str, set[str]] = {}
    for item in _items(resources, "LSH#"):
        entries.setdefault(item["article_id"]["S"], set()).add(item["pk"]["S"])
    return entries


def test_a_rewrite_joins_by_story_id_and_is_filed_only_where_its_story_is_not(
    stack_env: LocalResources, writes: Counter[str]
) -> None:
    # Given a new article that resembles nothing stored: it is filed under every band key, alone in its story
    assert _deliver(stack_env, WIRE) == ["created"]
    [(wire_id, wire_keys)] = _entries_of(stack_env).items()
    assert len(wire_keys) == 5  # 4 body bands + 1 lead band
    assert writes["BatchWriteItem"] == 5  # its entries, in one batch (the article and its claims are puts)
    # When a rewrite of it arrives from another outlet
    writes.clear()
    assert _deliver(stack_env, REWRITE) == ["created"]
    # Then it carries the wire's story id; a story has no item of its own and nothing is updated
    repository = DynamoArticleRepository(aws.dynamodb(), stack_env.table_name)
    articles = {i["pk"]["S"][4:]: repository.get(i["pk"]["S"][4:]) for i in _items(stack_env, "ART#")}
    [rewrite_id] = set(articles) - {wire_id}
    assert [a.story_id if a else None for a in (articles[rewrite_id], articles[wire_id])] == [wire_id, wire_id]
    assert _items(stack_env, "STORY#") == []
    assert writes["UpdateItem"] == 0
    # And it is filed only under the keys where the lookup did not find its story (the wire) already
    rewrite_keys = _entries_of(stack_env).get(rewrite_id, set())
    assert not rewrite_keys & wire_keys
    assert writes["BatchWriteItem"] == len(rewrite_keys) < 5


def test_a_redelivery_completes_what_a_failed_attempt_left_out(
    stack_env: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a delivery that stored a new article but failed while filing its candidate entries (throttled)
    def throttled(self: Any, *_: Any, **__: Any) -> None:
        raise stories.UnprocessedWritesError("throttled")

    with monkeypatch.context() as patch:
        patch.setattr(stories.DynamoCandidateIndex, "add", throttled)
        send_items(stack_env, [WIRE])
        failed = ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    assert len(failed["batchItemFailures"]) == 1
    assert len(_items(stack_env, "ART#")) == 1
    assert _items(stack_env, "LSH#") == []
    # When SQS delivers it again (now the article is unchanged)
    assert _deliver(stack_env, WIRE) == ["unchanged"]
    # Then its entries are filed, as if the first attempt had succeeded
    [keys] = _entries_of(stack_env).values()
    assert len(keys) == 5


def test_a_changed_article_refiles_only_what_changed(stack_env: LocalResources, writes: Counter[str]) -> None:
    # Given a stored article
    _deliver(stack_env, WIRE)
    # When only its title changes, with a later update time (same body, so the same sketch and candidate keys)
    writes.clear()
    corrected = json.loads(WIRE.replace("crude prices slide", "crude prices tumble"))
    corrected["updated"] = "Thu, 19 Nov 2026 16:00:00 GMT"
    assert _deliver(stack_env, json.dumps(corrected)) == ["updated"]
    # Then one conditional put replaces the article (version 2) and no candidate entry is rewritten
    assert writes == Counter({"PutItem": 1})
    [article] = _items(stack_env, "ART#")
    assert article["version"]["N"] == "2"
