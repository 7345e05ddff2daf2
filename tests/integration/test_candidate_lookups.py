"""The candidate index on moto: an article's band-key Queries are in flight together (one round trip)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from threading import Barrier
from typing import Any

import pytest
from botocore.exceptions import ClientError
from newsflow import aws
from newsflow.local.resources import LocalResources
from newsflow.store.stories import DynamoCandidateIndex
from newsflow.stories.ports import Candidate
from newsflow.stories.sketch import sketch

KEYS = ["b0#aa", "b1#bb", "b2#cc", "b3#dd", "l0#ee"]
TEXT = "Ministers agreed on Thursday to cut oil output by a further one million barrels a day from January."


def _entry(article_id: str, minutes: int) -> Candidate:
    return Candidate(
        article_id=article_id,
        story_id=f"story-{article_id}",
        source="Example",
        sort_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=minutes),
        sketch=sketch("", TEXT),
    )


def test_lookups_run_concurrently_and_return_the_newest_entries_per_key_in_key_order(
    stack_env: LocalResources,
) -> None:
    # Given articles filed under overlapping keys
    client = aws.dynamodb()
    index = DynamoCandidateIndex(client, stack_env.table_name)
    index.add(KEYS[:3], _entry("a", 1), 30)
    index.add(KEYS[2:], _entry("b", 2), 30)
    index.add(KEYS[2:3], _entry("c", 3), 30)
    # When an article looks its five keys up, each Query held until all five have been sent
    # (sequential Queries would break the barrier: the first would wait alone and time out)
    together = Barrier(len(KEYS))

    def hold(**_: Any) -> None:
        together.wait(timeout=10)

    client.meta.events.register_first("before-send.dynamodb.Query", hold, unique_id="hold")
    try:
        found = index.lookup(KEYS, limit_per_key=2)
    finally:
        client.meta.events.unregister("before-send.dynamodb.Query", unique_id="hold")
    # Then every key's newest entries come back, grouped by key in the order asked, newest first
    assert [(c.found_under, c.article_id) for c in found] == [
        ("b0#aa", "a"),
        ("b1#bb", "a"),
        ("b2#cc", "c"),
        ("b2#cc", "b"),
        ("b3#dd", "b"),
        ("l0#ee", "b"),
    ]
    assert found[0].sketch == sketch("", TEXT)


def test_a_failing_lookup_fails_the_whole_lookup(stack_env: LocalResources, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a table that throttles one of the Queries
    client = aws.dynamodb()
    index = DynamoCandidateIndex(client, stack_env.table_name)
    original = client.query

    def query(**kwargs: Any) -> Any:
        if kwargs["ExpressionAttributeValues"][":pk"]["S"] == "LSH#b3#dd":
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "Query")
        return original(**kwargs)

    monkeypatch.setattr(client, "query", query)
    # Then the error reaches the caller (the message is retried), not a partial candidate list
    with pytest.raises(ClientError, match="ProvisionedThroughputExceeded"):
        index.lookup(KEYS, limit_per_key=20)
