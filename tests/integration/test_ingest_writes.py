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
    # Given a stored article that joined another article's story
    assert _deliver(stack_env, WIRE) == ["created"]
    assert _deliver(stack_env, REWRITE) == ["created"]
    writes.clear()
    # When both are delivered again, unchanged
    assert _deliver(stack_env, WIRE, REWRITE) == ["unchanged", "unchanged"]
    # Then nothing is written: no article or claim write
    assert sum(writes.values()) == 0, writes


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


def test_a_new_article_and_a_rewrite_write_no_candidate_records(
    stack_env: LocalResources, writes: Counter[str]
) -> None:
    # Given a new article that resembles nothing stored
    assert _deliver(stack_env, WIRE) == ["created"]
    # Then it is written as its item, its two claims (guid, body) and its month's marker (the container's first
    # article of the month): its story candidates live in the search index (its document's band keys)
    assert writes == Counter({"PutItem": 4})
    assert _items(stack_env, "LSH#") == []
    # When a rewrite of it arrives from another outlet
    writes.clear()
    assert _deliver(stack_env, REWRITE) == ["created"]
    # Then it carries the wire's story id; a story has no item of its own and nothing else is written
    repository = DynamoArticleRepository(aws.dynamodb(), stack_env.table_name)
    articles = {i["pk"]["S"][4:]: repository.get(i["pk"]["S"][4:]) for i in _items(stack_env, "ART#")}
    [wire_id] = [i for i, a in articles.items() if a and a.url and "copycat" not in a.url]
    [rewrite_id] = set(articles) - {wire_id}
    assert [a.story_id if a else None for a in (articles[rewrite_id], articles[wire_id])] == [wire_id, wire_id]
    assert _items(stack_env, "STORY#") == []
    assert _items(stack_env, "LSH#") == []
    assert writes == Counter({"PutItem": 3})


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
