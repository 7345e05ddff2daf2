"""`newsflow --stage X table copy-back --from RESTORED`: recovering items from a point-in-time restore."""

from __future__ import annotations

import time

import pytest
from newsflow import aws
from newsflow.cli import main
from newsflow.handlers import ingest
from newsflow.local.resources import LocalResources, table_definition

from tests.integration.helpers import body, context, receive_event, send_items
from tests.integration.ops_helpers import deploy_stack, stack_outputs

RESTORED = "newsflow-restored-20261120"


def items(table: str) -> dict[tuple[str, str], dict[str, object]]:
    found, kwargs = {}, {"TableName": table}
    while True:
        page = aws.dynamodb().scan(**kwargs)
        found.update({(i["pk"]["S"], i["sk"]["S"]): i for i in page["Items"]})
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.fixture
def restored(stack_env: LocalResources) -> LocalResources:
    """Two stored articles, a restore of the table taken then, and afterwards: one article deleted from the
    live table, one changed."""
    deploy_stack("test", stack_outputs(stack_env))
    send_items(
        stack_env,
        [body(), body(url="https://news.example.com/b", guid="b", title="Wheat harvest", content_html="<p>W.</p>")],
    )
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    dynamodb = aws.dynamodb()
    dynamodb.create_table(**{**table_definition(RESTORED), "StreamSpecification": {"StreamEnabled": False}})
    for item in items(stack_env.table_name).values():
        dynamodb.put_item(TableName=RESTORED, Item=item)  # what restore-table-to-point-in-time would hold
    dynamodb.put_item(
        TableName=RESTORED,
        Item={"pk": {"S": "HASH#expired"}, "sk": {"S": "HASH"}, "expires_at": {"N": str(int(time.time()) - 60)}},
    )
    articles = sorted(k for k in items(stack_env.table_name) if k[0].startswith("ART#"))
    dynamodb.delete_item(TableName=stack_env.table_name, Key={"pk": {"S": articles[0][0]}, "sk": {"S": "ARTICLE"}})
    dynamodb.update_item(
        TableName=stack_env.table_name,
        Key={"pk": {"S": articles[1][0]}, "sk": {"S": "ARTICLE"}},
        UpdateExpression="SET marker = :t",  # any change (the title lives in the document)
        ExpressionAttributeValues={":t": {"S": "changed after the restore point"}},
    )
    return stack_env


def article_keys(table: str) -> list[tuple[str, str]]:
    return sorted(k for k in items(table) if k[0].startswith("ART#"))


def test_copy_back_restores_deleted_items_and_keeps_newer_ones(
    restored: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    assert len(article_keys(restored.table_name)) == 1

    assert main(["--stage", "test", "table", "copy-back", "--from", RESTORED]) == 0

    out = capsys.readouterr()
    assert "copied 1 of " in out.out
    assert "1 past their TTL" in out.out
    assert "  ART: 1" in out.out
    assert "newsflow --stage test reindex" in out.err
    assert article_keys(restored.table_name) == article_keys(RESTORED)
    markers = {i.get("marker", {}).get("S") for k, i in items(restored.table_name).items() if k[0].startswith("ART#")}
    assert "changed after the restore point" in markers
    assert ("HASH#expired", "HASH") not in items(restored.table_name)


def test_a_dry_run_writes_nothing(restored: LocalResources, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stage", "test", "table", "copy-back", "--from", RESTORED, "--dry-run"]) == 0

    assert "would copy 1 of " in capsys.readouterr().out
    assert len(article_keys(restored.table_name)) == 1


def test_overwrite_puts_the_restored_version_back(restored: LocalResources) -> None:
    assert main(["--stage", "test", "table", "copy-back", "--from", RESTORED, "--overwrite"]) == 0

    markers = {i.get("marker", {}).get("S") for k, i in items(restored.table_name).items() if k[0].startswith("ART#")}
    assert "changed after the restore point" not in markers
    assert len(article_keys(restored.table_name)) == 2


def test_the_own_table_or_a_missing_one_is_refused(
    restored: LocalResources, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--stage", "test", "table", "copy-back", "--from", restored.table_name]) == 2
    assert "the stack's own table" in capsys.readouterr().err
    assert main(["--stage", "test", "table", "copy-back", "--from", "no-such-table"]) == 2
    assert "cannot read table no-such-table" in capsys.readouterr().err
