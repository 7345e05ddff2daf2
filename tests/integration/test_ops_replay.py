"""The ops function replays the index-failures queue: stream range -> article keys -> table -> index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsflow import aws
from newsflow.handlers import index, ingest, ops
from newsflow.local.resources import LocalResources

from tests.integration.helpers import body, context, receive_event, send_items, stream_event_from_moto, stream_records
from tests.integration.ops_helpers import article_records, failures_left, on_failure_record, ops_context, park_failure

TWO_ITEMS = [
    body(),
    body(url="https://news.example.com/b", guid="b", title="Wheat harvest record", content_html="<p>Wheat.</p>"),
]


def replay(**options: object) -> dict[str, object]:
    return ops.lambda_handler({"action": "replay-index-failures", **options}, ops_context())


def test_a_failed_batch_is_reindexed_from_the_table_and_its_message_deleted(stack_env: LocalResources) -> None:
    # Given two stored articles whose stream batch the index function gave up on
    send_items(stack_env, TWO_ITEMS)
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    records = article_records(stack_env)
    assert len(records) == 2
    park_failure(stack_env, on_failure_record(stack_env, records))
    assert index.search_index().count() == 0

    # When the replay runs
    report = replay()

    # Then both articles are searchable, and the message is gone
    assert report["status"] == "ok"
    (message,) = report["messages"]  # type: ignore[misc]
    assert message["outcome"] == "replayed"
    assert message["deleted_message"] is True
    assert sorted(message["upserted"]) == sorted(r["dynamodb"]["Keys"]["pk"]["S"][4:] for r in records)
    assert index.search_index().count() == 2
    assert failures_left(stack_env) == []


def test_an_article_gone_from_the_table_is_removed_from_the_index(stack_env: LocalResources) -> None:
    # Given two indexed articles, one of which is then deleted from the table (and that change failed to index)
    send_items(stack_env, TWO_ITEMS)
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    assert index.search_index().count() == 2
    before = len(stream_records(stack_env))
    gone = article_records(stack_env)[0]["dynamodb"]["Keys"]
    aws.dynamodb().delete_item(TableName=stack_env.table_name, Key=gone)
    removal = article_records(stack_env, since=before)
    assert [r["eventName"] for r in removal] == ["REMOVE"]
    park_failure(stack_env, on_failure_record(stack_env, removal))

    # When the replay runs
    report = replay()

    # Then the deleted article is no longer in the index
    (message,) = report["messages"]  # type: ignore[misc]
    assert message["outcome"] == "replayed"
    assert message["deleted"] == [gone["pk"]["S"][4:]]
    assert index.search_index().count() == 1
    assert index.search_index().get(gone["pk"]["S"][4:]) is None


def test_expired_records_are_reported_kept_and_point_to_reindex(stack_env: LocalResources) -> None:
    send_items(stack_env, TWO_ITEMS[:1])
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    old = datetime.now(UTC) - timedelta(hours=30)
    park_failure(stack_env, on_failure_record(stack_env, article_records(stack_env), first_arrival=old))

    report = replay()

    (message,) = report["messages"]  # type: ignore[misc]
    assert message["outcome"] == "expired"
    assert "newsflow reindex" in message["detail"]
    assert message["deleted_message"] is False
    assert len(failures_left(stack_env)) == 1
    assert index.search_index().count() == 0

    # And with --discard-unreplayable it is dropped after being reported
    report = replay(discard_unreplayable=True)
    assert [m["outcome"] for m in report["messages"]] == ["expired"]  # type: ignore[union-attr]
    assert failures_left(stack_env) == []


def test_a_stream_that_no_longer_exists_counts_as_expired(stack_env: LocalResources) -> None:
    send_items(stack_env, TWO_ITEMS[:1])
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    message = on_failure_record(stack_env, article_records(stack_env))
    park_failure(stack_env, message.replace(f"table/{stack_env.table_name}/", "table/a-deleted-table/"))

    report = replay()

    (result,) = report["messages"]  # type: ignore[misc]
    assert result["outcome"] == "expired"
    assert "ResourceNotFoundException" in result["detail"]
    assert len(failures_left(stack_env)) == 1


def test_malformed_messages_are_reported_and_kept_while_good_ones_replay(stack_env: LocalResources) -> None:
    send_items(stack_env, TWO_ITEMS[:1])
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    park_failure(stack_env, "{not json")
    park_failure(stack_env, '{"reason": "index failed after 3 retries", "records": []}')
    park_failure(stack_env, on_failure_record(stack_env, article_records(stack_env)))

    report = replay()

    outcomes = sorted(m["outcome"] for m in report["messages"])  # type: ignore[union-attr]
    assert outcomes == ["malformed", "malformed", "replayed"]
    details = " | ".join(m["detail"] for m in report["messages"])  # type: ignore[union-attr]
    assert "not JSON" in details
    assert "no DDBStreamBatchInfo" in details
    assert sorted(failures_left(stack_env)) == sorted(
        ["{not json", '{"reason": "index failed after 3 retries", "records": []}']
    )
    assert index.search_index().count() == 1


def test_a_dry_run_lists_the_articles_and_changes_nothing(stack_env: LocalResources) -> None:
    send_items(stack_env, TWO_ITEMS)
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    park_failure(stack_env, on_failure_record(stack_env, article_records(stack_env)))

    report = replay(dry_run=True)

    (message,) = report["messages"]  # type: ignore[misc]
    assert message["outcome"] == "would-replay"
    assert len(message["upserted"]) == 2
    assert index.search_index().count() == 0
    assert len(failures_left(stack_env)) == 1


def test_an_empty_queue_replays_nothing(stack_env: LocalResources) -> None:
    assert replay() == {"status": "ok", "messages": [], "stopped_early": False}


def test_bad_requests_answer_an_error_not_a_crash(stack_env: LocalResources) -> None:
    for event in ({"action": "drop-everything"}, {"action": "replay-index-failures", "max_messages": 0}, {}):
        answer = ops.lambda_handler(event, ops_context())
        assert answer["status"] == "error"
        assert "invalid ops request" in answer["message"]
