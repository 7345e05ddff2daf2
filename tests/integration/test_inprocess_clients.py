"""The in-process DynamoDB client answers as boto3 on moto does (same items, same errors), without HTTP."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from newsflow.local.inprocess import InProcessClients, InProcessDynamoDB
from newsflow.local.resources import LocalResources

ITEM = {
    "pk": {"S": "ART#1"},
    "sk": {"S": "A"},
    "body": {"B": b"\x00\x01compressed"},
    "n": {"N": "3"},
    "tags": {"SS": ["a", "b"]},
    "nested": {"M": {"l": {"L": [{"S": "x"}, {"BOOL": True}]}}},
}


def _both(resources: LocalResources) -> tuple[InProcessDynamoDB, Any]:
    return InProcessDynamoDB(), boto3.client("dynamodb", region_name="us-east-1")


def _strip(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k not in {"ResponseMetadata", "ConsumedCapacity"}}


def test_items_written_in_process_read_the_same_through_boto3(stack_env: LocalResources) -> None:
    fast, real = _both(stack_env)
    table = stack_env.table_name
    # Given an item put in process
    fast.put_item(TableName=table, Item=ITEM, ConditionExpression="attribute_not_exists(pk)")
    key = {"pk": ITEM["pk"], "sk": ITEM["sk"]}
    # Then boto3 reads it back identically (binary as bytes, sets, maps), and so does the in-process client
    assert real.get_item(TableName=table, Key=key)["Item"] == ITEM
    assert _strip(fast.get_item(TableName=table, Key=key)) == _strip(real.get_item(TableName=table, Key=key))
    query = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "ART#1"}}}
    assert _strip(fast.query(TableName=table, **query)) == _strip(real.query(TableName=table, **query))
    # And changing the returned item does not change the stored one
    fast.get_item(TableName=table, Key=key)["Item"]["tags"]["SS"].append("mutated")
    assert real.get_item(TableName=table, Key=key)["Item"]["tags"] == {"SS": ["a", "b"]}


def test_batches_and_updates_answer_as_boto3(stack_env: LocalResources) -> None:
    fast, real = _both(stack_env)
    table = stack_env.table_name
    puts = [{"PutRequest": {"Item": {**ITEM, "sk": {"S": f"K{i}"}}}} for i in range(3)]
    assert _strip(fast.batch_write_item(RequestItems={table: puts})) == {"UnprocessedItems": {}} | {
        k: v for k, v in _strip(real.batch_write_item(RequestItems={table: puts})).items() if k != "UnprocessedItems"
    }
    keys = {table: {"Keys": [{"pk": ITEM["pk"], "sk": {"S": f"K{i}"}} for i in range(3)]}}
    fast_items = fast.batch_get_item(RequestItems=keys)["Responses"][table]
    real_items = real.batch_get_item(RequestItems=keys)["Responses"][table]
    assert sorted(i["sk"]["S"] for i in fast_items) == sorted(i["sk"]["S"] for i in real_items) == ["K0", "K1", "K2"]
    updated = fast.update_item(
        TableName=table,
        Key={"pk": ITEM["pk"], "sk": {"S": "K0"}},
        UpdateExpression="SET n = n + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="UPDATED_NEW",
    )
    assert updated["Attributes"] == {"n": {"N": "4"}}


def test_errors_are_the_client_errors_boto3_raises(stack_env: LocalResources) -> None:
    fast, real = _both(stack_env)
    table = stack_env.table_name
    fast.put_item(TableName=table, Item=ITEM)
    conditional = {"TableName": table, "Item": ITEM, "ConditionExpression": "attribute_not_exists(pk)"}
    with pytest.raises(ClientError) as from_real:
        real.put_item(**conditional)
    with pytest.raises(fast.exceptions.ConditionalCheckFailedException) as from_fast:
        fast.put_item(**conditional)
    assert from_fast.value.response["Error"] == from_real.value.response["Error"]
    assert from_fast.value.operation_name == "PutItem"
    with pytest.raises(ClientError) as missing:
        fast.get_item(TableName="no-such-table", Key={"pk": {"S": "x"}, "sk": {"S": "y"}})
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_other_calls_and_services_are_answered_in_process(stack_env: LocalResources) -> None:
    clients = InProcessClients()
    # describe_table is not a fast-path call: the stubbed client answers it, from the same backend
    described = clients.dynamodb().describe_table(TableName=stack_env.table_name)["Table"]
    assert described["TableName"] == stack_env.table_name
    clients.sqs().send_message(QueueUrl=stack_env.queue_url, MessageBody="hello")
    got = boto3.client("sqs", region_name="us-east-1").receive_message(QueueUrl=stack_env.queue_url)["Messages"]
    assert [m["Body"] for m in got] == ["hello"]
    shards = clients.dynamodb_streams().describe_stream(StreamArn=stack_env.stream_arn)["StreamDescription"]
    assert shards["StreamArn"] == stack_env.stream_arn
