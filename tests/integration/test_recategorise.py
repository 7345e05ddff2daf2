"""`newsflow recategorise` on moto + tantivy: resumable, idempotent, version-conditional; the index follows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from newsflow import aws
from newsflow.cli import main
from newsflow.cli.recategorise import Progress, Recategoriser
from newsflow.handlers import index, ingest
from newsflow.local.resources import LocalResources
from newsflow.models import Categorisation, CategoryScore, NormalisedItem
from newsflow.search.port import SearchFilters, SearchQuery
from newsflow.store import keys
from newsflow.store.codec import item_to_article
from newsflow.store.dynamo import deserialize

from tests.integration.helpers import body, context, receive_event, send_items, stream_event_from_moto

ITEMS = [
    body(),
    body(
        url="https://news.example.com/b", guid="b", title="Wheat harvest record", content_html="<p>Wheat farmers.</p>"
    ),
    body(url="https://news.example.com/c", guid="c", title="Hotel bookings surge", content_html="<p>Tourists.</p>"),
]


class Everything:
    """A "new model" that files every article under one category."""

    def __init__(self, slug: str, before: Any = None) -> None:
        self.slug = slug
        self.before = before
        self.calls = 0

    def categorise(self, item: NormalisedItem) -> Categorisation:
        self.calls += 1
        if self.before is not None:
            self.before(item)
        return Categorisation(primary=self.slug, scores=[CategoryScore(slug=self.slug, score=0.9)], tags=[])


def stored(resources: LocalResources) -> dict[str, tuple[str, int]]:
    items = aws.dynamodb().scan(TableName=resources.table_name)["Items"]
    articles = [item_to_article(deserialize(i)) for i in items if i["pk"]["S"].startswith("ART#")]
    return {a.id: (a.category, a.version) for a in articles}


@pytest.fixture
def ingested(stack_env: LocalResources) -> LocalResources:
    send_items(stack_env, ITEMS)
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    assert len(stored(stack_env)) == 3
    return stack_env


def test_the_default_categoriser_changes_nothing_that_ingest_just_categorised(ingested: LocalResources) -> None:
    before = stored(ingested)
    progress, finished = Recategoriser(aws.dynamodb(), ingested.table_name).run(page_size=2)
    assert finished
    assert (progress.scanned, progress.changed, progress.unchanged) == (3, 0, 3)
    assert stored(ingested) == before


def test_a_new_model_is_applied_page_by_page_resumably_and_the_index_follows(
    ingested: LocalResources, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "recategorise.json"
    seen_records = len(stream_event_from_moto(ingested)["Records"])
    recategoriser = Recategoriser(aws.dynamodb(), ingested.table_name, Everything("political"))  # type: ignore[arg-type]
    reports: list[str] = []

    # When one page of one article is done and the run stops
    progress, finished = recategoriser.run(
        page_size=1, checkpoint=checkpoint, max_pages=1, report=lambda p: reports.append(p.line())
    )
    # Then one article moved, and the checkpoint holds the cursor and the counts
    assert not finished
    assert checkpoint.exists()
    saved = json.loads(checkpoint.read_text())
    assert saved["table"] == ingested.table_name
    assert saved["start_key"] is not None
    assert saved["progress"]["changed"] == 1
    assert sum(category == "political" for category, _ in stored(ingested).values()) == 1
    assert reports == ["page 1: 1 scanned, 1 changed, 0 unchanged"]

    # When it resumes, it continues after the cursor (no article is read twice) and finishes
    progress, finished = recategoriser.run(page_size=1, checkpoint=checkpoint, resume=True)
    assert finished
    assert not checkpoint.exists()
    assert (progress.scanned, progress.changed, progress.unchanged, progress.failed) == (3, 3, 0, 0)
    assert recategoriser.categoriser.calls == 3  # type: ignore[attr-defined]
    # Then every article is political, one version further
    assert set(stored(ingested).values()) == {("political", 2)}

    # And the table's stream carries the updates to the index
    event = stream_event_from_moto(ingested, since=seen_records)
    assert len(event["Records"]) == 3
    index.lambda_handler(event, context("index"))
    hits = index.search_index().search(SearchQuery(filters=SearchFilters(primary_category="political")))
    assert hits.total == 3

    # When it runs again, nothing is written (idempotent)
    again, _ = Recategoriser(aws.dynamodb(), ingested.table_name, Everything("political")).run()  # type: ignore[arg-type]
    assert (again.changed, again.unchanged) == (0, 3)
    assert set(stored(ingested).values()) == {("political", 2)}
    assert len(stream_event_from_moto(ingested, since=seen_records)["Records"]) == 3


def test_an_update_by_ingest_meanwhile_is_reread_not_overwritten(ingested: LocalResources) -> None:
    from newsflow.store.codec import article_to_item
    from newsflow.store.dynamo import serialize

    client = aws.dynamodb()
    bumped: set[str] = set()

    def ingest_writes_first(item: NormalisedItem) -> None:
        # Between the scan and the conditional put, "ingest" updates the article (version + 1, new title).
        if item.id in bumped:
            return
        bumped.add(item.id)
        key = {"pk": {"S": keys.article_pk(item.id)}, "sk": {"S": keys.ARTICLE_SK}}
        current = item_to_article(deserialize(client.get_item(TableName=ingested.table_name, Key=key)["Item"]))
        newer = current.model_copy(update={"version": current.version + 1, "title": current.title + " (updated)"})
        client.put_item(TableName=ingested.table_name, Item=serialize(article_to_item(newer)))

    progress, finished = Recategoriser(client, ingested.table_name, Everything("economy", ingest_writes_first)).run()  # type: ignore[arg-type]
    assert finished
    assert (progress.changed, progress.conflicts, progress.failed) == (3, 3, 0)
    articles = [
        item_to_article(deserialize(i))
        for i in client.scan(TableName=ingested.table_name)["Items"]
        if i["pk"]["S"].startswith("ART#")
    ]
    # The ingest update survived (its title) and the recategorisation was applied on top of it
    assert all(a.title.endswith("(updated)") and a.category == "economy" and a.version == 3 for a in articles)


def test_the_command_refuses_a_stale_checkpoint_and_resumes_one(
    ingested: LocalResources, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = tmp_path / "cp.json"
    checkpoint.write_text(json.dumps({"table": "another-table", "start_key": None, "progress": {}}))
    data_dir = ["--data-dir", str(tmp_path / "no-stack")]
    # An existing checkpoint needs --resume or --restart
    assert main([*data_dir, "recategorise", "--checkpoint", str(checkpoint)]) == 2
    assert "--resume" in capsys.readouterr().err
    # A checkpoint of another table is refused with a clear error
    assert main([*data_dir, "recategorise", "--checkpoint", str(checkpoint), "--resume"]) == 2
    assert "another-table" in capsys.readouterr().err
    # --restart runs from the start: the default categoriser finds nothing to change
    assert main([*data_dir, "recategorise", "--checkpoint", str(checkpoint), "--restart", "--batch", "2"]) == 0
    captured = capsys.readouterr()
    assert "recategorise done: 3 articles, 0 changed, 3 unchanged, 0 failed" in captured.out
    assert "page 2: 3 scanned, 0 changed, 3 unchanged" in captured.err
    assert not checkpoint.exists()


def test_progress_line_mentions_retries_and_failures_only_when_there_are_some() -> None:
    assert Progress(pages=2, scanned=5, changed=1, unchanged=4).line() == "page 2: 5 scanned, 1 changed, 4 unchanged"
    assert (
        Progress(pages=1, scanned=1, changed=0, unchanged=0, conflicts=2, failed=1)
        .line()
        .endswith(", 2 retried, 1 failed")
    )
