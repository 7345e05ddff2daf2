"""The local stack's moto speed-up must not change what any Query returns."""

from __future__ import annotations

from newsflow import aws
from newsflow.constants import GSI_CATEGORY
from newsflow.local.moto_tuning import speed_up_moto_dynamodb
from newsflow.local.resources import LocalResources


def _query(table: str, **kwargs: object) -> list[str]:
    items = aws.dynamodb().query(TableName=table, **kwargs)["Items"]  # type: ignore[arg-type]
    return [f"{i['pk']['S']}/{i['sk']['S']}" for i in items]


def test_queries_answer_the_same_with_the_speed_up(stack_env: LocalResources) -> None:
    # Given items in several partitions, some of them in a GSI
    client = aws.dynamodb()
    for pk, sk, category in [("A", "2", "x"), ("A", "1", "x"), ("B", "1", "y"), ("A", "3", None)]:
        item = {"pk": {"S": pk}, "sk": {"S": sk}}
        if category:
            item |= {"gsi1pk": {"S": f"CAT#{category}"}, "gsi1sk": {"S": f"{pk}{sk}"}}
        client.put_item(TableName=stack_env.table_name, Item=item)
    base = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "A"}}}
    gsi = {
        "IndexName": GSI_CATEGORY,
        "KeyConditionExpression": "gsi1pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "CAT#x"}},
        "ScanIndexForward": False,
    }
    before = (_query(stack_env.table_name, **base), _query(stack_env.table_name, **gsi))
    # When the speed-up is applied
    speed_up_moto_dynamodb()
    after = (_query(stack_env.table_name, **base), _query(stack_env.table_name, **gsi))
    # Then base-table and index queries return the same items in the same order
    assert before == after == (["A/1", "A/2", "A/3"], ["A/2", "A/1"])
    paged = _query(stack_env.table_name, Limit=1, ExclusiveStartKey={"pk": {"S": "A"}, "sk": {"S": "1"}}, **base)
    assert paged == ["A/2"]
