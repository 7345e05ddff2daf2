"""Replay the index-failures queue: re-index the articles of every stream batch the index function gave up on.

Each message is a Lambda on-failure record: it names a stream position (shard, start and end sequence
numbers), not the changes themselves. While the stream still holds the records (24 h), the replay re-reads
them, takes the article keys, re-reads each article *from the table* (the source of truth, so a replay is
never older than the table) and upserts it, or deletes it from the index when the article is gone. Once the
records have expired there is no way to know which articles were affected: the replay says so and
`newsflow reindex` is the remedy.

A message is deleted only after its articles are in the index (at-least-once; upserts are idempotent).
Malformed and expired messages stay unless `discard_unreplayable` is set; failed ones stay for the next run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError

from newsflow.ops.models import ReplayedMessage, ReplayReport, ReplayRequest, StreamFailureRecord
from newsflow.ops.ports import ArticleTable, FailureQueue, QueuedMessage, ShardReader, StreamExpired
from newsflow.ops.stream_range import read_range
from newsflow.search.port import SearchDocument, SearchIndex
from newsflow.store import keys
from newsflow.store.codec import item_to_article
from newsflow.stories.indexed import indexed_document

# Long enough that one run never sees a message twice; kept messages are released at the end of the run.
VISIBILITY_SECONDS = 300
# Stop taking new messages when less than this is left of the invocation.
MIN_SECONDS_LEFT = 30.0
EXPIRED_HINT = "the stream no longer holds these records (24 h retention): run `newsflow reindex` to rebuild"


def parse_failure(body: str) -> StreamFailureRecord:
    """The on-failure record in a message body. Raises ValueError with a readable reason."""
    try:
        raw = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg}") from exc
    if not isinstance(raw, dict) or "DDBStreamBatchInfo" not in raw:
        raise ValueError("not a stream on-failure record (no DDBStreamBatchInfo)")
    try:
        return StreamFailureRecord.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"invalid on-failure record: {problems}") from exc


def article_ids(record_keys: list[dict[str, str]]) -> list[str]:
    """Article ids among stream record keys, first appearance order, no repeats (feeds, hashes skipped)."""
    ids: dict[str, None] = {}
    for key in record_keys:
        pk = key.get("pk", "")
        if pk.startswith("ART#") and key.get("sk") == keys.ARTICLE_SK:
            ids[pk.removeprefix("ART#")] = None
    return list(ids)


def reindex_articles(ids: list[str], table: ArticleTable, index: SearchIndex) -> tuple[list[str], list[str], str]:
    """Upsert the table's current version of each article, unindex the ones gone. (upserted, deleted, error)."""
    documents: list[SearchDocument] = []
    gone: list[str] = []
    problems: list[str] = []
    for article_id in ids:
        item = table.get({"pk": keys.article_pk(article_id), "sk": keys.ARTICLE_SK})
        if item is None:
            gone.append(article_id)
            continue
        try:
            documents.append(indexed_document(item_to_article(item)))
        except Exception as exc:  # a corrupt item must not hide the others
            problems.append(f"{article_id}: undecodable article: {exc}")
    failures = index.upsert(documents) if documents else []
    failures += index.delete(gone) if gone else []
    problems += [f"{f.id}: {f.reason}" for f in failures]
    failed = {f.id for f in failures}
    upserted = [d.id for d in documents if d.id not in failed]
    deleted = [i for i in gone if i not in failed]
    return upserted, deleted, "; ".join(problems)


def _replay_one(
    message: QueuedMessage,
    request: ReplayRequest,
    reader: ShardReader,
    table: ArticleTable,
    index: SearchIndex,
    now: datetime,
) -> ReplayedMessage:
    try:
        failure = parse_failure(message.body)
    except ValueError as exc:
        return ReplayedMessage(message_id=message.message_id, outcome="malformed", detail=str(exc))
    batch = failure.batch
    where = {
        "shard_id": batch.shard_id,
        "sequence_range": f"{batch.start_sequence_number}..{batch.end_sequence_number}",
    }
    if batch.expired(now):
        return ReplayedMessage(message_id=message.message_id, outcome="expired", detail=EXPIRED_HINT, **where)
    try:
        found = read_range(reader, batch)
    except StreamExpired as exc:
        return ReplayedMessage(
            message_id=message.message_id, outcome="expired", detail=f"{exc}; {EXPIRED_HINT}", **where
        )
    ids = article_ids([r.keys for r in found.records])
    if request.dry_run:
        return ReplayedMessage(
            message_id=message.message_id,
            outcome="would-replay",
            records=len(found.records),
            upserted=ids,
            detail="" if found.complete else "the stream did not reach the end sequence number",
            **where,
        )
    upserted, deleted, problems = reindex_articles(ids, table, index)
    if problems:
        outcome = "failed"
    elif not found.complete:
        outcome, problems = "incomplete", "the stream did not reach the end sequence number; kept for another run"
    else:
        outcome = "replayed"
    return ReplayedMessage(
        message_id=message.message_id,
        outcome=outcome,
        detail=problems,
        records=len(found.records),
        upserted=upserted,
        deleted=deleted,
        **where,
    )


def replay_failures(
    request: ReplayRequest,
    queue: FailureQueue,
    reader: ShardReader,
    table: ArticleTable,
    index: SearchIndex,
    *,
    now: datetime,
    seconds_left: Callable[[], float] = lambda: float("inf"),
) -> ReplayReport:
    report = ReplayReport()
    kept: list[QueuedMessage] = []
    try:
        while len(report.messages) < request.max_messages:
            if seconds_left() < MIN_SECONDS_LEFT:
                report.stopped_early = True
                break
            batch = queue.receive(min(10, request.max_messages - len(report.messages)), VISIBILITY_SECONDS)
            if not batch:
                break
            for message in batch:
                result = _replay_one(message, request, reader, table, index, now)
                unreplayable = result.outcome in {"malformed", "expired"}
                if not request.dry_run and (
                    result.outcome == "replayed" or (unreplayable and request.discard_unreplayable)
                ):
                    queue.delete(message)
                    result.deleted_message = True
                else:
                    kept.append(message)
                report.messages.append(result)
        else:
            report.stopped_early = True
    finally:
        for message in kept:  # visible again now, for the next run (or another operator)
            queue.release(message)
    return report
