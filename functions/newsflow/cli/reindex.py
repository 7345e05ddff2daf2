"""`newsflow reindex`: rebuild the search index from the article table, with no downtime.

The table is the source of truth: every `ART#` item is decoded (`store.codec.item_to_article`) and
written to a *new* index, which is then swapped in atomically:

- OpenSearch: a new concrete index `<alias>-v<n+1>` with the current mapping; when it is full, one
  `_aliases` call moves the alias (`NEWSFLOW_OPENSEARCH_INDEX`, e.g. `articles`) onto it. Readers and
  the index function only ever use the alias. The old index is kept (delete it with --delete-old).
- tantivy: a new generation directory beside the live one; `CURRENT` is then replaced with
  `os.replace`, and a running local stack reopens on it within a second.

Articles written while the rebuild runs are picked up by a second, catch-up scan just before the
swap (upserts are idempotent). A write that lands between that scan and the swap (milliseconds) is
only in the old index until the article changes again: run reindex when ingest is quiet, or twice.

With a local stack running (`newsflow dev`), reindex reads its table and rebuilds its index;
otherwise it uses the NEWSFLOW_* environment (e.g. the deployed table and OpenSearch domain).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsflow.search.port import SearchDocument, SearchIndex


def scan_documents(table_name: str, page_size: int = 500) -> Iterator[list[SearchDocument]]:
    """Every article of the table as SearchDocuments, one scan page at a time."""
    from newsflow import aws
    from newsflow.search.port import SearchDocument
    from newsflow.store import keys
    from newsflow.store.codec import item_to_article
    from newsflow.store.dynamo import deserialize

    kwargs: dict[str, Any] = {
        "TableName": table_name,
        "FilterExpression": "begins_with(pk, :prefix) AND sk = :sk",
        "ExpressionAttributeValues": {":prefix": {"S": "ART#"}, ":sk": {"S": keys.ARTICLE_SK}},
        "Limit": page_size,
    }
    client = aws.dynamodb()
    while True:
        response = client.scan(**kwargs)
        docs = [SearchDocument.from_article(item_to_article(deserialize(item))) for item in response.get("Items", [])]
        if docs:
            yield docs
        if "LastEvaluatedKey" not in response:
            return
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def fill(index: SearchIndex, table_name: str, batch: int) -> tuple[int, int]:
    """Upsert every article; returns (documents written, failures)."""
    written = failed = 0
    for docs in scan_documents(table_name, batch):
        failures = index.upsert(docs)
        failed += len(failures)
        written += len(docs) - len(failures)
        for failure in failures[:3]:
            print(f"  failed {failure.id}: {failure.reason}", file=sys.stderr)
    return written, failed


def reindex_tantivy(root: Path, table_name: str, batch: int = 500) -> tuple[Path, int, int]:
    from newsflow.search.tantivy_index import TantivyIndex, activate_generation, new_generation

    generation = new_generation(root)
    with TantivyIndex(generation, follow_generations=False) as index:
        written, failed = fill(index, table_name, batch)
        fill(index, table_name, batch)  # catch-up: what was written meanwhile
    activate_generation(root, generation)
    return generation, written, failed


def reindex_opensearch(url: str, alias: str, table_name: str, batch: int = 500, delete_old: bool = False) -> str:
    from newsflow.search.opensearch_index import OpenSearchIndex

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    live = OpenSearchIndex(url, alias, region=region, auto_create=False)
    new_name = live.create_version()
    target = OpenSearchIndex(url, new_name, client=live.client, auto_create=False)
    written, failed = fill(target, table_name, batch)
    fill(target, table_name, batch)
    target.refresh()
    old = live.swap_alias(new_name)
    print(f"opensearch: {written} documents in {new_name} ({failed} failed); alias {alias} -> {new_name}")
    for name in old:
        if delete_old:
            live.client.indices.delete(index=name)
            print(f"  deleted {name}")
        else:
            print(f"  kept {name} (delete it once satisfied: newsflow reindex --delete-old, next time)")
    return new_name


def _cmd_reindex(args: argparse.Namespace) -> int:
    from newsflow.local.stack import aws_environment, read_state
    from newsflow.settings import SettingsError, get_settings, reset_settings_cache

    state = read_state(args.data_dir)
    if state is not None:
        os.environ.update(aws_environment(state.moto_endpoint))
        os.environ.update(state.resources.environment())
        print(f"reindexing the running local stack ({state.moto_endpoint})", file=sys.stderr)
    reset_settings_cache()
    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"{exc}\n(no local stack is running: start one with `newsflow dev`, or set NEWSFLOW_*)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    if state is None and settings.search_backend == "opensearch" and settings.opensearch_url:
        reindex_opensearch(
            settings.opensearch_url, settings.opensearch_index, settings.table_name, args.batch, args.delete_old
        )
    else:
        root = Path(state.data_dir) / "index" if state is not None else Path(settings.tantivy_path)
        generation, written, failed = reindex_tantivy(root, settings.table_name, args.batch)
        print(f"tantivy: {written} documents in {generation} ({failed} failed); now live")
    print(f"reindex took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("reindex", help="rebuild the search index from the article table (no downtime)")
    parser.add_argument("--batch", type=int, default=500, help="articles per scan page and index write")
    parser.add_argument("--delete-old", action="store_true", help="OpenSearch: delete the indices the alias left")
    parser.set_defaults(func=_cmd_reindex)
