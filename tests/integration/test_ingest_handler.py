"""The ingest Lambda on moto: SQS events built from real receives, DynamoDB and the DLQ in moto."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from newsflow import constants as c
from newsflow.handlers import ingest
from newsflow.local.resources import LocalResources
from newsflow.models import MAX_ITEM_BYTES
from newsflow.store.dynamo import DynamoArticleRepository

from tests.integration.helpers import body, context, dlq_messages, receive_event, send_items


def _repository(resources: LocalResources) -> DynamoArticleRepository:
    from newsflow import aws

    return DynamoArticleRepository(aws.dynamodb(), resources.table_name)


def _article_ids(resources: LocalResources) -> list[str]:
    from newsflow import aws

    items = aws.dynamodb().scan(TableName=resources.table_name)["Items"]
    return sorted(i["pk"]["S"].removeprefix("ART#") for i in items if i["pk"]["S"].startswith("ART#"))


def _invoke(resources: LocalResources) -> dict[str, Any]:
    event = receive_event(resources)
    assert event["Records"], "expected messages on the queue"
    return ingest.lambda_handler(event, context("ingest"))


def test_valid_item_is_stored_once_even_when_delivered_twice(stack_env: LocalResources) -> None:
    # Given the same item sent twice (at-least-once delivery)
    send_items(stack_env, [body(), body()])
    # When ingest processes both deliveries
    first = _invoke(stack_env)
    # Then both succeed and exactly one article exists, at version 1
    assert first == {"batchItemFailures": []}
    ids = _article_ids(stack_env)
    assert len(ids) == 1
    article = _repository(stack_env).get(ids[0])
    assert article is not None
    assert article.version == 1
    assert article.url == "https://news.example.com/energy/opec-output-cut"
    assert article.category == "energy-resources"
    assert sorted(o["outcome"] for o in ingest.last_outcomes) == ["created", "unchanged"]


def test_changed_item_updates_the_article_and_bumps_its_version(stack_env: LocalResources) -> None:
    # Given a stored article
    send_items(stack_env, [body()])
    _invoke(stack_env)
    # When the producer sends the same URL with a corrected title (and its update time)
    send_items(
        stack_env,
        [
            body(
                title="OPEC+ agrees deeper oil output cut of 1.5m barrels a day",
                updated="Thu, 19 Nov 2026 16:00:00 GMT",
            )
        ],
    )
    _invoke(stack_env)
    # Then there is still one article, now at version 2 with the new title, first-seen time kept
    ids = _article_ids(stack_env)
    assert len(ids) == 1
    article = _repository(stack_env).get(ids[0])
    assert article is not None
    assert article.version == 2
    assert "1.5m barrels" in article.title


def test_same_body_under_another_url_is_a_duplicate(stack_env: LocalResources) -> None:
    # Given one article, then the same story republished at another URL
    send_items(stack_env, [body()])
    _invoke(stack_env)
    send_items(stack_env, [body(url="https://mirror.example.org/opec-cut", guid="mirror-1")])
    _invoke(stack_env)
    # Then no second article is stored, and the other URL is recorded on the first
    ids = _article_ids(stack_env)
    assert len(ids) == 1
    assert ingest.last_outcomes[0]["outcome"] == "duplicate"
    article = _repository(stack_env).get(ids[0])
    assert article is not None
    assert article.duplicate_urls == ["https://mirror.example.org/opec-cut"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("{not json", "invalid_json"),
        ("[1, 2, 3]", "schema_violation"),
        (json.dumps({"title": "no url and no guid"}), "schema_violation"),
        (json.dumps({"url": "ftp://example.com/x", "title": "wrong scheme"}), "schema_violation"),
        (
            json.dumps({"url": "https://e.com/a", "title": "big", "content_text": "x" * (MAX_ITEM_BYTES + 10)}),
            "oversize",
        ),
        (json.dumps({"url": "https://e.com/b", "title": "<p> </p>"}), "empty_title"),
    ],
)
def test_poison_message_goes_straight_to_the_dlq_with_its_reason(
    stack_env: LocalResources, raw: str, reason: str
) -> None:
    # Given a message that can never be ingested, next to a good one
    send_items(stack_env, [raw, body()])
    # When ingest processes the batch
    response = _invoke(stack_env)
    # Then the batch does not fail (no pointless retries) and the good item is stored...
    assert response == {"batchItemFailures": []}
    assert len(_article_ids(stack_env)) == 1
    # ...and the bad one is in the DLQ, unchanged, with the reason as a message attribute
    parked = dlq_messages(stack_env)
    assert len(parked) == 1
    assert parked[0]["Body"] == raw
    assert parked[0]["MessageAttributes"][c.DLQ_REASON_ATTRIBUTE]["StringValue"] == reason
    assert parked[0]["MessageAttributes"][c.DLQ_DETAIL_ATTRIBUTE]["StringValue"] or reason == "empty_title"


def test_unknown_producer_fields_are_kept_in_extra(stack_env: LocalResources) -> None:
    send_items(stack_env, [body(priority="breaking", desk={"editor": "A. Smith"})])
    _invoke(stack_env)
    article = _repository(stack_env).get(_article_ids(stack_env)[0])
    assert article is not None
    assert article.extra == {"priority": "breaking", "desk": {"editor": "A. Smith"}}


def _throttling(*_: Any, **__: Any) -> Any:
    raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "PutItem")


def test_transient_failure_is_reported_for_retry_not_parked(
    stack_env: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given DynamoDB throttles every write
    send_items(stack_env, [body()])
    event = receive_event(stack_env)
    monkeypatch.setattr(DynamoArticleRepository, "save", _throttling)
    # When ingest runs
    response = ingest.lambda_handler(event, context("ingest"))
    # Then the message is reported as a batch item failure (SQS will retry it) and nothing is parked
    assert response == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert dlq_messages(stack_env) == []


def test_transient_failure_on_the_last_receive_is_parked_with_the_reason(
    stack_env: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a message on its last allowed receive, and a store that keeps failing
    send_items(stack_env, [body()])
    event = receive_event(stack_env)
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = str(c.MAX_RECEIVE_COUNT)
    monkeypatch.setattr(DynamoArticleRepository, "save", _throttling)
    # When ingest runs
    response = ingest.lambda_handler(event, context("ingest"))
    # Then it is parked with reason retries_exhausted and the cause, and not retried again
    assert response == {"batchItemFailures": []}
    parked = dlq_messages(stack_env)
    assert parked[0]["MessageAttributes"][c.DLQ_REASON_ATTRIBUTE]["StringValue"] == "retries_exhausted"
    assert "ProvisionedThroughputExceeded" in parked[0]["MessageAttributes"][c.DLQ_DETAIL_ATTRIBUTE]["StringValue"]


def test_sqs_redrives_a_message_that_keeps_failing_to_the_dlq(
    stack_env: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a queue whose redrive policy allows MAX_RECEIVE_COUNT receives, and a DLQ that cannot be written
    # (so ingest cannot park the message itself and must rely on SQS)
    from newsflow import aws

    aws.sqs().set_queue_attributes(QueueUrl=stack_env.queue_url, Attributes={"VisibilityTimeout": "0"})
    send_items(stack_env, [body()])
    monkeypatch.setattr(DynamoArticleRepository, "save", _throttling)
    monkeypatch.setattr(ingest, "_park", _throttling)
    # When every receive fails
    for _ in range(c.MAX_RECEIVE_COUNT):
        event = receive_event(stack_env)
        if not event["Records"]:
            break
        response = ingest.lambda_handler(event, context("ingest"))
        assert response["batchItemFailures"], "each failure must be reported so SQS can retry"
    # Then SQS moves the message to the DLQ: nothing is lost
    assert receive_event(stack_env)["Records"] == []
    assert [m["Body"] for m in dlq_messages(stack_env)] == [body()]


def test_same_url_from_another_source_is_a_sighting_not_an_update(stack_env: LocalResources) -> None:
    # Given an article from one publisher's feed
    send_items(stack_env, [body()])
    _invoke(stack_env)
    # When another feed syndicates the same URL with its own teaser
    send_items(stack_env, [body(summary="Syndicated teaser.", source={"name": "Wire Digest"})])
    _invoke(stack_env)
    # Then the first version stands and the other source is recorded
    ids = _article_ids(stack_env)
    article = _repository(stack_env).get(ids[0])
    assert article is not None
    assert article.version == 1
    assert ingest.last_outcomes[0]["outcome"] == "duplicate"
    assert article.also_from == ["Wire Digest"]


def _unrelated_item() -> str:
    """An item of another story than the oil and lithium ones below."""
    return body(
        url="https://news.example.com/agri/wheat",
        guid="wheat-1",
        title="Wheat futures climb on Kansas drought",
        content_html="<p>Wheat futures climbed to a three-month high as drought cut estimates for the harvest.</p>"
        "<p>Farmers expect yields to fall sharply while traders watch export demand from North Africa.</p>",
    )


def test_near_duplicates_from_two_sources_share_a_story(stack_env: LocalResources) -> None:
    # Given a wire story, then another outlet's rewrite of it (new URL, headline, boilerplate, a dropped paragraph)
    paragraphs = [
        "OPEC+ ministers agreed on Thursday to cut oil output by a further one million barrels a day from January.",
        "Brent crude rose 3% after the decision, which extends production quotas agreed earlier this year.",
        "Saudi Arabia will shoulder the largest share of the reduction, energy ministry officials said.",
        "Analysts expect inventories to tighten in the first quarter as refiners restock after maintenance.",
    ]
    original = body(content_html="".join(f"<p>{p}</p>" for p in paragraphs))
    rewrite = body(
        url="https://copycat.example.net/oil/opec-plus-cut",
        guid="copy-1",
        title="Oil cartel slashes production again",
        content_html="<p>Share on Facebook Twitter</p>" + "".join(f"<p>{p}</p>" for p in paragraphs[:3]),
        source={"name": "Copycat Daily"},
    )
    unrelated = _unrelated_item()
    for message in (original, rewrite, unrelated):
        send_items(stack_env, [message])
        _invoke(stack_env)
    # Then the two versions are stored as two articles of one story, and the unrelated one has its own
    articles = [_repository(stack_env).get(i) for i in _article_ids(stack_env)]
    stories = {a.url: a.story_id for a in articles if a is not None}
    assert len(stories) == 3
    assert (
        stories["https://copycat.example.net/oil/opec-plus-cut"]
        == stories["https://news.example.com/energy/opec-output-cut"]
    )
    assert stories["https://news.example.com/agri/wheat"] != stories["https://news.example.com/energy/opec-output-cut"]


def test_same_feed_guid_under_a_new_url_is_one_article(stack_env: LocalResources) -> None:
    # Given an item, then the same feed entry (same guid) re-published under a different URL
    send_items(stack_env, [body()])
    _invoke(stack_env)
    send_items(stack_env, [body(url="https://news.example.com/2026/11/19/opec-cut-moved", summary="Moved.")])
    _invoke(stack_env)
    # Then there is still one article, and the new URL is recorded on it
    ids = _article_ids(stack_env)
    assert len(ids) == 1
    article = _repository(stack_env).get(ids[0])
    assert article is not None
    assert article.duplicate_urls == ["https://news.example.com/2026/11/19/opec-cut-moved"]


def test_a_full_text_replaces_a_syndicated_teaser_of_the_same_url(stack_env: LocalResources) -> None:
    # Given a syndicator's teaser of an article
    send_items(stack_env, [body(content_html=None, source={"name": "Wire Digest"})])
    _invoke(stack_env)
    # When the publisher's own feed brings the full text of the same URL
    full = "".join(
        f"<p>Paragraph {n}: OPEC+ ministers weighed output, quotas and prices at length.</p>" for n in range(12)
    )
    send_items(stack_env, [body(content_html=full)])
    _invoke(stack_env)
    # Then the fuller body is kept (an update), and the teaser's source is remembered
    article = _repository(stack_env).get(_article_ids(stack_env)[0])
    assert article is not None
    assert article.version == 2
    assert article.word_count > 100
    assert article.source_name == "Example News"
    assert article.also_from == ["Wire Digest"]


def _overlap_recorder(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Wrap the store step: record how many items were in it at once (each lingers 50 ms, like a round trip)."""
    import threading
    import time

    real = ingest.store_article
    lock = threading.Lock()
    state = {"in": 0}
    peaks: list[int] = []

    def store_slowly(*args: Any, **kwargs: Any) -> Any:
        with lock:
            state["in"] += 1
            peaks.append(state["in"])
        try:
            time.sleep(0.05)
            return real(*args, **kwargs)
        finally:
            with lock:
                state["in"] -= 1

    monkeypatch.setattr(ingest, "store_article", store_slowly)
    return peaks


def test_a_batch_is_stored_side_by_side_and_copies_within_it_still_share_a_story(
    stack_env: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one batch holding a wire story, another outlet's rewrite of it, a redelivery and an unrelated item
    paragraphs = [
        "Lithium producers in Chile agreed on Monday to a new royalty scheme proposed by the finance ministry.",
        "The agreement ends months of talks and sets a sliding rate tied to the metal's price on world markets.",
        "Mining companies said the scheme gives them the certainty needed to approve two new evaporation plants.",
        "Battery makers in Asia expect steadier supply contracts as a result of the deal, analysts said on Monday.",
    ]
    original = body(
        url="https://news.example.com/mining/chile-lithium-royalty",
        guid="lithium-1",
        title="Chile lithium miners accept royalty plan",
        content_html="".join(f"<p>{p}</p>" for p in paragraphs),
    )
    rewrite = body(
        url="https://copycat.example.net/lithium-deal",
        guid="copy-lithium",
        title="Lithium deal reached in Chile",
        content_html="<p>Share on Facebook Twitter</p>" + "".join(f"<p>{p}</p>" for p in paragraphs[:3]),
        source={"name": "Copycat Daily"},
    )
    unrelated = _unrelated_item()
    send_items(stack_env, [original, rewrite, original, unrelated])
    peaks = _overlap_recorder(monkeypatch)
    # When ingest handles the batch
    response = _invoke(stack_env)
    # Then the items were in the store step together, every item succeeded, the redelivery was told apart,
    # and the rewrite joined the original's story as if they had come one after the other
    assert response == {"batchItemFailures": []}
    assert len(peaks) == 4
    assert max(peaks) >= 2
    assert sorted(o["outcome"] for o in ingest.last_outcomes) == ["created", "created", "created", "unchanged"]
    articles = [_repository(stack_env).get(i) for i in _article_ids(stack_env)]
    stories = {a.url: a.story_id for a in articles if a is not None}
    assert len(stories) == 3
    assert (
        stories["https://copycat.example.net/lithium-deal"]
        == stories["https://news.example.com/mining/chile-lithium-royalty"]
    )
    assert stories["https://news.example.com/agri/wheat"] != stories["https://copycat.example.net/lithium-deal"]


def test_store_concurrency_one_stores_a_batch_one_item_at_a_time(
    stack_env: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsflow import wiring

    # Given the setting that turns the store threads off
    monkeypatch.setenv("NEWSFLOW_INGEST_STORE_CONCURRENCY", "1")
    wiring.reset()
    send_items(
        stack_env,
        [
            body(
                url=f"https://news.example.com/energy/item-{n}",
                guid=f"g-{n}",
                title=f"Refinery {n} restarts after maintenance",
                content_html=f"<p>Refinery number {n} restarted on Tuesday after {n + 2} weeks of planned work.</p>",
            )
            for n in range(3)
        ],
    )
    peaks = _overlap_recorder(monkeypatch)
    # When ingest handles the batch
    response = _invoke(stack_env)
    # Then each item was stored alone, and all were stored
    assert response == {"batchItemFailures": []}
    assert peaks == [1, 1, 1]
    assert len(_article_ids(stack_env)) == 3


def test_a_categoriser_that_cannot_be_built_fails_each_item_with_its_reason_not_the_invocation(
    stack_env: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsflow import wiring

    def broken(self: Any) -> Any:
        raise RuntimeError("category model file missing")

    # Given a deployment whose categoriser cannot be built, and two messages, one on its last allowed receive
    wiring.reset()
    monkeypatch.setattr(wiring.Wiring, "categoriser", property(broken))
    send_items(stack_env, [body(), body(url="https://news.example.com/energy/other", guid="other-1")])
    event = receive_event(stack_env)
    event["Records"][1]["attributes"]["ApproximateReceiveCount"] = str(c.MAX_RECEIVE_COUNT)
    # When ingest runs
    response = ingest.lambda_handler(event, context("ingest"))
    # Then the invocation itself succeeds: the first item is reported for retry, the last-chance one is parked
    # with the cause, and nothing was stored
    assert response == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    (parked,) = dlq_messages(stack_env)
    assert parked["MessageAttributes"][c.DLQ_REASON_ATTRIBUTE]["StringValue"] == "retries_exhausted"
    assert "category model file missing" in parked["MessageAttributes"][c.DLQ_DETAIL_ATTRIBUTE]["StringValue"]
    assert _article_ids(stack_env) == []
