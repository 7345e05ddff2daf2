"""The local stack keeps its data across a clean stop: table, queues, feeds and the index (local/snapshot.py)."""

from __future__ import annotations

import json
import pickle
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from newsflow import aws
from newsflow.local.ingest_run import queue_for_stack, run_ingest
from newsflow.local.snapshot import SNAPSHOT_FILE, SnapshotError, write
from newsflow.local.sources import CollectedMessages, collect
from newsflow.local.stack import LocalStack

from tests.conftest import SAMPLES

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _get(stack: LocalStack, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{stack.api_url}{path}", timeout=10) as response:
        return dict(json.loads(response.read()))


def _article_ids(stack: LocalStack) -> set[str]:
    assert stack.resources is not None
    items = aws.dynamodb().scan(TableName=stack.resources.table_name)["Items"]
    return {i["pk"]["S"] for i in items if i["pk"]["S"].startswith("ART#")}


def test_everything_ingested_before_a_clean_stop_is_there_after_the_restart(tmp_path: Path) -> None:
    # Given a stack that ingested the samples, holds a feed, and still has messages queued when it stops
    with LocalStack(data_dir=tmp_path, api_port=0) as stack:
        summary = run_ingest(collect([str(SAMPLES)]), queue_for_stack(stack), stack.status, 180, progress=False)
        assert summary.completed
        assert summary.stored > 50
        before_ids = _article_ids(stack)
        before_search = _get(stack, "/v1/search?q=oil&pageSize=5")["totalResults"]
        feed = {"feedId": "example-feed", "url": "https://feeds.example.org/rss", "name": "Example feed"}
        request = urllib.request.Request(
            f"{stack.api_url}/v1/admin/feeds", data=json.dumps(feed).encode(), method="POST"
        )
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status in (200, 201)
        assert stack.runtime is not None
        stack.runtime.stop()  # nothing consumes the queue from here: these stay queued through the stop
        late = [
            json.dumps({"url": f"https://late.example.com/{n}", "title": f"Zyxwquark arrives late, item {n}"})
            for n in range(3)
        ]
        assert queue_for_stack(stack).send_raw(late) == []
    assert (tmp_path / SNAPSHOT_FILE).exists()

    # When the stack starts again on the same data dir
    with LocalStack(data_dir=tmp_path, api_port=0) as again:
        # Then every article, the feed and the index are there, and the queued items are ingested now
        assert again.restored_clean
        assert before_ids <= _article_ids(again)
        assert _get(again, "/v1/search?q=oil&pageSize=5")["totalResults"] == before_search
        feeds = _get(again, "/v1/admin/feeds")
        assert "https://feeds.example.org/rss" in json.dumps(feeds)
        assert again.runtime is not None
        assert again.runtime.wait_idle(timeout=60)
        assert len(_article_ids(again)) == len(before_ids) + 3
        late_found = _get(again, "/v1/search?q=zyxwquark&pageSize=10")["totalResults"]
        assert late_found == 3


def test_fresh_starts_empty(tmp_path: Path) -> None:
    # Given a data dir with a snapshot and an index
    with LocalStack(data_dir=tmp_path, api_port=None) as stack:
        one = CollectedMessages(bodies=[json.dumps({"url": "https://a.example.com/1", "title": "One item only"})])
        assert run_ingest(one, queue_for_stack(stack), stack.status, 60, progress=False).stored == 1
    # When it starts with fresh=True
    with LocalStack(data_dir=tmp_path, api_port=None, fresh=True) as stack:
        # Then neither the table nor the index holds anything
        assert _article_ids(stack) == set()
        assert stack.restored == {}


def test_a_snapshot_is_replaced_whole_and_a_foreign_one_is_refused(tmp_path: Path) -> None:
    # Given a snapshot written by another format version
    write(tmp_path, pickle.dumps({"format": 99, "moto": "0.0", "tables": {}, "queues": {}}))
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed, not left behind
    # When a stack starts on it, Then it refuses with the way out, before anything runs
    with pytest.raises(SnapshotError, match="--fresh"):
        LocalStack(data_dir=tmp_path, api_port=None).start()
    # And a garbled file is refused the same way
    (tmp_path / SNAPSHOT_FILE).write_bytes(b"not a pickle")
    with pytest.raises(SnapshotError, match="unreadable"):
        LocalStack(data_dir=tmp_path, api_port=None).start()
