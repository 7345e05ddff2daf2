"""The local stack's prepare workers (other processes) and concurrent ingest invocations give the same result as
one ingest invocation at a time in one process: every item stored once, redeliveries and poison told apart."""

from __future__ import annotations

import json
import random
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsflow.local.ingest_run import IngestSummary, queue_for_stack, run_ingest
from newsflow.local.prepare_pool import PreparePool
from newsflow.local.sources import CollectedMessages
from newsflow.local.stack import LocalStack
from newsflow.pipeline import PreparedArticle, PrepareFailure, prepare_article
from newsflow.settings import Settings

HEADLINES = [
    "Wheat harvest falls as drought hits farmers and grain exports",
    "Chipmaker expands semiconductor fab to meet AI demand",
    "Oil prices climb after OPEC output cut",
    "Central bank holds interest rates as inflation cools",
    "Striker scores twice as the champions win the derby",
]


def _item(n: int, rng: random.Random) -> dict[str, Any]:
    words = " ".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9))) for _ in range(80))
    headline = HEADLINES[n % len(HEADLINES)]
    return {
        "url": f"https://workers.example.com/story-{n}",
        "title": f"{headline} ({n})",
        "content_html": f"<p>{headline}. {words}.</p><p>{words[::-1]}.</p>",
        "published": f"2026-11-{1 + n % 28:02d}T08:00:00Z",
        "source": {"name": "Workers Wire"},
    }


def _bodies() -> list[str]:
    rng = random.Random(3)
    distinct = [json.dumps(_item(n, rng)) for n in range(30)]
    redelivered = distinct[:4]
    poison = ["{not json", "[" * 5000 + "]" * 5000, json.dumps({"title": ["not", "a", "string"]})]
    return distinct + redelivered + poison


def _ingest(tmp_path: Path, prepare_processes: int) -> tuple[IngestSummary, dict[str, str]]:
    with LocalStack(data_dir=tmp_path, api_port=None, prepare_processes=prepare_processes) as stack:
        summary = run_ingest(CollectedMessages(bodies=_bodies()), queue_for_stack(stack), stack.status, 300, False)
        from newsflow import aws

        assert stack.resources is not None
        from newsflow.store.dynamo import DynamoArticleRepository

        table = aws.dynamodb().scan(TableName=stack.resources.table_name)["Items"]
        repository = DynamoArticleRepository(aws.dynamodb(), stack.resources.table_name)
        articles = [repository.get(i["pk"]["S"].removeprefix("ART#")) for i in table if i["sk"]["S"] == "ARTICLE"]
        categories = {a.id: a.category for a in articles if a is not None}
    return summary, categories


def test_prepare_workers_store_what_one_process_stores(tmp_path: Path) -> None:
    # Given the same messages (30 distinct items, 4 redeliveries, 3 poison), ingested with prepare workers and
    # three ingest invocations at a time, and without them
    with_workers, stored_with = _ingest(tmp_path / "workers", prepare_processes=2)
    inline, stored_inline = _ingest(tmp_path / "inline", prepare_processes=0)
    # Then both store each distinct item once, with the same ids and categories
    for summary in (with_workers, inline):
        assert summary.completed, summary
        assert summary.stored == 30, summary
        assert summary.unchanged + summary.duplicates == 4, summary
        assert summary.failed == 3, summary
        assert summary.failure_reasons == {"invalid_json": 1, "schema_violation": 1, "too_deep": 1}, summary
        assert summary.indexed >= 30, summary
    assert stored_with == stored_inline
    assert len(stored_with) == 30


def test_a_prepare_pool_answers_what_the_handler_would_and_survives_a_dead_worker() -> None:
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    good = json.dumps(_item(1, random.Random(5)))
    pool = PreparePool(processes=2, with_sketch=True, settings=Settings(table_name="articles"))
    try:
        # When a good item and a poison one are prepared in the workers
        done = pool.prepare([("a", good, None), ("b", "{broken", None)])
        # Then the good one is what the handler's own preparation gives, the poison a permanent failure
        from newsflow.messages import parse_message

        inline = prepare_article(parse_message(good), done["a"].article.first_seen_at, None, with_sketch=True)  # type: ignore[union-attr]
        assert isinstance(done["a"], PreparedArticle)
        assert done["a"].model_dump() == inline.model_dump()
        assert done["b"] == PrepareFailure(reason="invalid_json", detail=done["b"].detail, permanent=True)
        assert done["a"].article.first_seen_at >= now
        # And when a worker dies, that batch comes back empty (prepared in the handler) and the next one works
        executor: Any = pool._pool()
        for process in list(executor._processes.values()):
            process.kill()
        assert pool.prepare([("c", good, None)]) == {}
        again = pool.prepare([("d", good, now)])
        assert isinstance(again["d"], PreparedArticle)
        assert again["d"].article.first_seen_at == now  # the sighting time given, not the worker's clock
    finally:
        pool.close()


def test_the_pool_builds_the_index_stage_documents_the_handler_would() -> None:
    from newsflow.indexing import build_documents
    from newsflow.store.codec import article_to_item

    settings = Settings(table_name="articles")
    rng = random.Random(11)
    articles = [
        prepare_article(parse_message_of(_item(n, rng)), datetime(2026, 11, 30, tzinfo=UTC), None).article
        for n in range(7)
    ]
    images = [article_to_item(a) for a in articles]
    images.insert(3, {**images[0], "doc": b"not a compressed document"})
    pool = PreparePool(processes=2, with_sketch=True, settings=settings)
    try:
        # When the index stage's documents are built in the workers
        built = pool.index_documents(images)
        # Then they are, in order, what the handler builds itself: sketch and band keys included; the corrupt
        # image is a reason, not a document
        inline = build_documents(images, settings.story)
        assert [b if isinstance(b, str) else b.model_dump() for b in built] == [
            b if isinstance(b, str) else b.model_dump() for b in inline
        ]
        assert isinstance(built[3], str)
        assert built[3].startswith("undecodable article")
        documents = [b for b in built if not isinstance(b, str)]
        assert [d.id for d in documents] == [a.id for a in articles]
        assert all(d.story_keys and d.story_sketch for d in documents)
        # And with its workers dead, the batch is built here and the next one in new workers
        executor: Any = pool._pool()
        for process in list(executor._processes.values()):
            process.kill()
        assert [getattr(b, "id", b) for b in pool.index_documents(images[:2])] == [a.id for a in articles[:2]]
        assert [getattr(b, "id", b) for b in pool.index_documents(images[:2])] == [a.id for a in articles[:2]]
    finally:
        pool.close()


def parse_message_of(item: dict[str, Any]) -> Any:
    from newsflow.messages import parse_message

    return parse_message(json.dumps(item))


def test_a_running_stack_tunes_the_collector_and_its_stop_restores_it(tmp_path: Path) -> None:
    import gc

    from newsflow.local.stack import GC_THRESHOLDS

    before = gc.get_threshold()
    assert before != GC_THRESHOLDS
    # While a stack runs, what it built at start is frozen out of the collector and collections are rarer
    with LocalStack(data_dir=tmp_path, api_port=None):
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    # After its stop, the process's collector is as it was
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
