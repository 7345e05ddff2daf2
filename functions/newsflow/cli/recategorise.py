"""`newsflow recategorise`: re-run categorisation over the stored articles (after the model or taxonomy changed).

Every `ART#` item of the table is decoded, categorised again with the categoriser in use (the packaged
model and taxonomy, or NEWSFLOW_CATEGORY_MODEL_PATH / NEWSFLOW_TAXONOMY_PATH), and written back only
when its categories changed:

- idempotent: an article whose primary and scored categories are already what the categoriser says is
  not written (a second run writes nothing);
- version-conditional: a changed article is put with `version + 1` on condition that the stored version
  is still the one read; if ingest updated it meanwhile, it is read again and recategorised (a few tries);
- resumable: after every scan page the scan cursor and the running counts are written to a checkpoint
  file (atomically); `--resume` continues from it, and a finished run removes it;
- the index follows: each write is an ordinary table update, so the table's stream carries it to the
  index function (deployed) or to the local stack's stream poller, like any ingest update.

The article's text fields are what is read; the feed's own tags are not stored apart from the article's
tags, so those (feed tags first, then countries and organisations) stand in for them: only tags that are
reviewed aliases count, so country and organisation tags add nothing.

With a local stack running (`newsflow dev`) it works on that stack's table; otherwise on the table the
NEWSFLOW_* environment names (a deployed stage).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsflow.categorise import Categoriser
    from newsflow.models import Article, Categorisation

MAX_TRIES = 3


@dataclass(slots=True)
class Progress:
    pages: int = 0
    scanned: int = 0
    changed: int = 0
    unchanged: int = 0
    conflicts: int = 0  # re-read and retried because ingest changed the article meanwhile
    failed: int = 0
    moves: dict[str, int] = field(default_factory=dict)  # "old -> new": count

    def line(self) -> str:
        return (
            f"page {self.pages}: {self.scanned} scanned, {self.changed} changed, {self.unchanged} unchanged"
            + (f", {self.conflicts} retried" if self.conflicts else "")
            + (f", {self.failed} failed" if self.failed else "")
        )


def _normalised(article: Article) -> Any:
    from newsflow.models import NormalisedItem

    fields = {name: getattr(article, name) for name in NormalisedItem.model_fields if name != "feed_tags"}
    return NormalisedItem(**fields, feed_tags=list(article.tags))


def verdict_changes(article: Article, verdict: Categorisation) -> bool:
    """Does the verdict differ from what is stored (primary, or the scored categories)?"""
    stored = [(s.slug, round(s.score, 4)) for s in article.categories]
    fresh = [(s.slug, round(s.score, 4)) for s in verdict.scores]
    return article.category != verdict.primary or stored != fresh


def _write_checkpoint(path: Path, table: str, start_key: dict[str, Any] | None, progress: Progress) -> None:
    payload = {"table": table, "start_key": start_key, "progress": asdict(progress)}
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(temporary, path)


def _read_checkpoint(path: Path, table: str) -> tuple[dict[str, Any] | None, Progress]:
    payload = json.loads(path.read_text(encoding="utf-8"))
    if payload.get("table") != table:
        raise ValueError(f"{path} is a checkpoint of table {payload.get('table')!r}, not {table!r}")
    return payload.get("start_key"), Progress(**payload.get("progress", {}))


class Recategoriser:
    """Scans the article table page by page and rewrites the articles whose categories changed."""

    def __init__(self, client: Any, table_name: str, categoriser: Categoriser | None = None) -> None:
        from newsflow.categorise import default_categoriser

        self.client = client
        self.table = table_name
        self.categoriser = categoriser or default_categoriser()

    def _recategorise_item(self, item: dict[str, Any], progress: Progress) -> None:
        from newsflow.store import keys
        from newsflow.store.codec import article_to_item, item_to_article
        from newsflow.store.dynamo import deserialize, is_conditional_failure, serialize

        article = item_to_article(deserialize(item))
        for attempt in range(MAX_TRIES):
            verdict = self.categoriser.categorise(_normalised(article))
            if not verdict_changes(article, verdict):
                progress.unchanged += 1
                return
            updated = article.model_copy(
                update={"category": verdict.primary, "categories": verdict.scores, "version": article.version + 1}
            )
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item=serialize(article_to_item(updated)),
                    ConditionExpression="version = :expected",
                    ExpressionAttributeValues={":expected": {"N": str(article.version)}},
                )
            except Exception as error:  # botocore ClientError; imported lazily like the rest of the CLI
                if not (hasattr(error, "response") and is_conditional_failure(error)):
                    raise
                progress.conflicts += 1
                fresh = self.client.get_item(
                    TableName=self.table, Key={"pk": {"S": keys.article_pk(article.id)}, "sk": {"S": keys.ARTICLE_SK}}
                ).get("Item")
                if fresh is None:  # deleted meanwhile: nothing to recategorise
                    return
                article = item_to_article(deserialize(fresh))
                if attempt == MAX_TRIES - 1:
                    progress.failed += 1
                continue
            progress.changed += 1
            move = f"{article.category} -> {verdict.primary}"
            progress.moves[move] = progress.moves.get(move, 0) + 1
            return

    def run(
        self,
        *,
        page_size: int = 200,
        checkpoint: Path | None = None,
        resume: bool = False,
        max_pages: int | None = None,
        report: Callable[[Progress], None] | None = None,
    ) -> tuple[Progress, bool]:
        """Recategorise every article (or `max_pages` pages of them); (progress, finished)."""
        from newsflow.store import keys

        start_key: dict[str, Any] | None = None
        progress = Progress()
        if resume and checkpoint is not None and checkpoint.exists():
            start_key, progress = _read_checkpoint(checkpoint, self.table)
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "FilterExpression": "begins_with(pk, :prefix) AND sk = :sk",
            "ExpressionAttributeValues": {":prefix": {"S": "ART#"}, ":sk": {"S": keys.ARTICLE_SK}},
            "Limit": page_size,
        }
        pages = 0
        while max_pages is None or pages < max_pages:
            if start_key is not None:
                kwargs["ExclusiveStartKey"] = start_key
            response = self.client.scan(**kwargs)
            for item in response.get("Items", []):
                progress.scanned += 1
                self._recategorise_item(item, progress)
            progress.pages += 1
            pages += 1
            start_key = response.get("LastEvaluatedKey")
            if checkpoint is not None:
                _write_checkpoint(checkpoint, self.table, start_key, progress)
            if report is not None:
                report(progress)
            if start_key is None:
                if checkpoint is not None:
                    checkpoint.unlink(missing_ok=True)
                return progress, True
        return progress, False


def _cmd_recategorise(args: argparse.Namespace) -> int:
    from newsflow import aws
    from newsflow.local.stack import aws_environment, read_state
    from newsflow.settings import SettingsError, get_settings, reset_settings_cache

    state = read_state(args.data_dir)
    if state is not None:
        os.environ.update(aws_environment(state.moto_endpoint))
        os.environ.update(state.resources.environment())
        print(f"recategorising the running local stack ({state.moto_endpoint})", file=sys.stderr)
    reset_settings_cache()
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"{exc}\n(no local stack is running: start one with `newsflow dev`, or set NEWSFLOW_*)", file=sys.stderr)
        return 2
    checkpoint = (
        Path(args.checkpoint) if args.checkpoint else Path(args.data_dir) / f"recategorise-{settings.table_name}.json"
    )
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    if checkpoint.exists() and not args.resume and not args.restart:
        print(
            f"a checkpoint exists ({checkpoint}): continue with --resume, or start over with --restart", file=sys.stderr
        )
        return 2
    started = time.perf_counter()
    recategoriser = Recategoriser(aws.dynamodb(), settings.table_name)
    try:
        progress, finished = recategoriser.run(
            page_size=args.batch,
            checkpoint=checkpoint,
            resume=args.resume,
            max_pages=args.max_pages,
            report=lambda p: print(p.line(), file=sys.stderr, flush=True),
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for move, count in sorted(progress.moves.items(), key=lambda pair: (-pair[1], pair[0]))[:15]:
        print(f"  {move}: {count}")
    state_word = "done" if finished else f"stopped after {args.max_pages} page(s); continue with --resume"
    print(
        f"recategorise {state_word}: {progress.scanned} articles, {progress.changed} changed, "
        f"{progress.unchanged} unchanged, {progress.failed} failed in {time.perf_counter() - started:.1f} s"
    )
    return 1 if progress.failed else 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("recategorise", help="re-run categorisation over the stored articles")
    parser.add_argument("--batch", type=int, default=200, help="articles per scan page (and per checkpoint)")
    parser.add_argument("--checkpoint", help="checkpoint file (default <data-dir>/recategorise-<table>.json)")
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    resume.add_argument("--restart", action="store_true", help="ignore an existing checkpoint and start over")
    parser.add_argument("--max-pages", type=int, default=None, help="stop after this many pages (resumable)")
    parser.set_defaults(func=_cmd_recategorise)
