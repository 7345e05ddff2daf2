"""`newsflow [--stage X] table copy-back --from RESTORED`: bring items back from a point-in-time restore.

DynamoDB restores into a new table, and the stack owns its table, so recovery copies items from the
restored table into the stack's. By default only items the live table no longer has are copied
(`PutItem` with `attribute_not_exists(pk)`: whatever changed since the restore point is kept);
`--overwrite` replaces live items with their restored version. Items whose TTL (`expires_at`) has passed
are skipped. Every copied write goes through the table's stream, so the search index follows; run
`reindex` afterwards so that it agrees exactly.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from newsflow.cli.target import OperatorError, local_state_or_fail, stack_for
from newsflow.constants import OUTPUT_TABLE_NAME

TTL_ATTRIBUTE = "expires_at"  # infra/storage.py
BATCH = 25


class CopyResult(BaseModel):
    copied: dict[str, int] = Field(default_factory=dict, description="item kind (pk prefix) -> items written")
    present: int = 0
    expired: int = 0
    scanned: int = 0


def kind_of(item: dict[str, Any]) -> str:
    pk = str(item.get("pk", {}).get("S", "?"))
    return pk.split("#", 1)[0]


def _expired(item: dict[str, Any], now: float) -> bool:
    value = item.get(TTL_ATTRIBUTE, {}).get("N")
    return value is not None and float(value) < now


def _exists(dynamodb: Any, table: str, keys: list[dict[str, Any]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    pending: dict[str, Any] = {table: {"Keys": keys, "ProjectionExpression": "pk, sk"}}
    while pending:
        response = dynamodb.batch_get_item(RequestItems=pending)
        for item in response.get("Responses", {}).get(table, []):
            found.add((item["pk"]["S"], item["sk"]["S"]))
        pending = response.get("UnprocessedKeys") or {}
        if pending:
            time.sleep(0.2)
    return found


def _put_batch(dynamodb: Any, table: str, items: list[dict[str, Any]]) -> None:
    pending: dict[str, Any] = {table: [{"PutRequest": {"Item": item}} for item in items]}
    delay = 0.1
    while pending:
        pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        if pending:
            time.sleep(delay)
            delay = min(delay * 2, 5)


def copy_back(
    dynamodb: Any, source: str, target: str, *, overwrite: bool, dry_run: bool, now: float | None = None
) -> CopyResult:
    from botocore.exceptions import ClientError

    moment = time.time() if now is None else now
    result = CopyResult()
    kwargs: dict[str, Any] = {"TableName": source, "Limit": 100}
    while True:
        page = dynamodb.scan(**kwargs)
        items = page.get("Items", [])
        result.scanned += len(items)
        live = [i for i in items if not _expired(i, moment)]
        result.expired += len(items) - len(live)
        if not overwrite and live:
            present = _exists(dynamodb, target, [{"pk": i["pk"], "sk": i["sk"]} for i in live])
            result.present += sum(1 for i in live if (i["pk"]["S"], i["sk"]["S"]) in present)
            live = [i for i in live if (i["pk"]["S"], i["sk"]["S"]) not in present]
        written: list[dict[str, Any]] = []
        if dry_run:
            written = live
        elif overwrite:
            for start in range(0, len(live), BATCH):
                _put_batch(dynamodb, target, live[start : start + BATCH])
            written = live
        else:
            for item in live:  # conditional: an item written since the existence check is kept
                try:
                    dynamodb.put_item(TableName=target, Item=item, ConditionExpression="attribute_not_exists(pk)")
                except ClientError as error:
                    if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                        raise
                    result.present += 1
                    continue
                written.append(item)
        for kind, count in Counter(kind_of(i) for i in written).items():
            result.copied[kind] = result.copied.get(kind, 0) + count
        if "LastEvaluatedKey" not in page:
            return result
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _cmd_copy_back(args: argparse.Namespace) -> int:
    stack = stack_for(args)
    if stack is not None:
        dynamodb, target = stack.client("dynamodb"), stack.output(OUTPUT_TABLE_NAME)
    else:
        from newsflow.local.stack import client_for

        state = local_state_or_fail(args.data_dir)
        dynamodb, target = client_for(state, "dynamodb"), state.resources.table_name
    if args.source == target:
        raise OperatorError(f"--from names the stack's own table ({target}): give the restored table")
    from botocore.exceptions import ClientError

    try:
        dynamodb.describe_table(TableName=args.source)
    except ClientError as error:
        raise OperatorError(
            f"cannot read table {args.source}: {error.response.get('Error', {}).get('Message')}"
        ) from error
    mode = "overwriting" if args.overwrite else "only items the live table lacks"
    print(f"copying {args.source} -> {target} ({mode}){' (dry run)' if args.dry_run else ''}", file=sys.stderr)
    result = copy_back(dynamodb, args.source, target, overwrite=args.overwrite, dry_run=args.dry_run)
    verb = "would copy" if args.dry_run else "copied"
    print(
        f"{verb} {sum(result.copied.values())} of {result.scanned} item(s); {result.present} already present, "
        f"{result.expired} past their TTL"
    )
    for kind, count in sorted(result.copied.items()):
        print(f"  {kind}: {count}")
    if not args.dry_run and result.copied.get("ART"):
        stage = f"--stage {args.stage} " if args.stage else ""
        print(f"then make the index agree exactly: newsflow {stage}reindex", file=sys.stderr)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("table", help="the article table: copy items back from a point-in-time restore")
    actions = parser.add_subparsers(dest="table_action", required=True)
    copy = actions.add_parser("copy-back", help="copy items from a restored table into the stack's table")
    copy.add_argument("--from", dest="source", required=True, metavar="TABLE", help="the restored table")
    copy.add_argument("--overwrite", action="store_true", help="replace live items with their restored version")
    copy.add_argument("--dry-run", action="store_true", help="count what would be copied; write nothing")
    copy.set_defaults(func=_cmd_copy_back)
