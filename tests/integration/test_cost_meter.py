"""The cost benchmark's meter bills DynamoDB calls by DynamoDB's published rules (item sizes, GSI projections)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from benchmarks.cost_meter import DynamoMeter, IndexSpec, item_size, number_size


def test_item_size_counts_names_and_values_as_dynamodb_does() -> None:
    # Given attributes of each type / Then their sizes follow the developer guide's rules
    assert item_size({"pk": {"S": "ART#1"}}) == 2 + 5
    assert item_size({"doc": {"B": b"\x00" * 100}}) == 3 + 100
    assert item_size({"members": {"SS": ["a1", "b22"]}}) == 7 + 5
    assert number_size("12345") == 4  # 5 significant digits -> 3 bytes + 1
    assert number_size("1000") == 2  # trailing zeros are not significant
    assert item_size({"ok": {"BOOL": True}}) == 3


def test_keys_only_index_is_written_only_when_its_keys_change() -> None:
    index = IndexSpec(name="g", keys=("gpk", "gsk"), projection="KEYS_ONLY")
    table_keys = ("pk", "sk")
    old = {"pk": {"S": "a"}, "sk": {"S": "b"}, "gpk": {"S": "c"}, "gsk": {"S": "d"}, "doc": {"B": b"x" * 3000}}
    new_doc = {**old, "doc": {"B": b"y" * 3000}}
    moved = {**old, "gsk": {"S": "e"}}
    assert index.write_units(None, old, table_keys) == 1  # a new entry: keys only, under 1 KB
    assert index.write_units(old, new_doc, table_keys) == 0  # a non-projected attribute changed
    assert index.write_units(old, moved, table_keys) == 2  # delete the old entry, put the new one
    assert index.write_units({"pk": {"S": "x"}, "sk": {"S": "y"}}, None, table_keys) == 0  # never indexed
    everything = IndexSpec(name="g", keys=("gpk", "gsk"), projection="ALL")
    assert everything.write_units(old, new_doc, table_keys) == 3  # ALL: the whole 3 KB item again


@pytest.fixture
def metered() -> Iterator[tuple[Any, DynamoMeter]]:
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g")],
            BillingMode="PAY_PER_REQUEST",
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-g",
                    "KeySchema": [
                        {"AttributeName": "g", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
        )
        raw = boto3.client("dynamodb", region_name="us-east-1")
        yield client, DynamoMeter(client, raw, "t")


def test_writes_and_reads_on_moto_are_billed_by_size_projection_and_consistency(
    metered: tuple[Any, DynamoMeter],
) -> None:
    client, meter = metered
    item = {"pk": {"S": "p"}, "sk": {"S": "s"}, "g": {"S": "x"}, "doc": {"B": b"z" * 1500}}
    # When a 1.5 KB item is put, put again unchanged, and a conditional put of it fails
    client.put_item(TableName="t", Item=item)
    assert (meter.bill.table_wru, meter.bill.index_wru, meter.bill.stream_records) == (2, 1, 1)
    client.put_item(TableName="t", Item=item)
    assert (meter.bill.table_wru, meter.bill.index_wru, meter.bill.stream_records) == (4, 1, 1)
    with pytest.raises(ClientError):
        client.put_item(TableName="t", Item=item, ConditionExpression="attribute_not_exists(pk)")
    assert meter.bill.table_wru == 6  # a failed conditional write costs the existing item's size
    # And it is read strongly consistently, eventually consistently, and from the index
    client.get_item(TableName="t", Key={"pk": {"S": "p"}, "sk": {"S": "s"}}, ConsistentRead=True)
    client.get_item(TableName="t", Key={"pk": {"S": "p"}, "sk": {"S": "s"}})
    client.query(
        TableName="t",
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
    )
    # Then reads cost 1 + 0.5 + 0.5 (a query is billed on the keys-only entries it reads, minimum one unit)
    assert meter.bill.rru == 2.0
    assert meter.bill.requests == {"PutItem": 3, "GetItem": 2, "Query": 1}
    # And every unit is attributed to the item kind (its pk's prefix) or the index it was spent on
    assert meter.bill.wru_by == {"table p": 6, "GSI by-g": 1}
    assert meter.bill.rru_by == {"GetItem p": 1.5, "Query by-g": 0.5}
    # And the meter's own image reads are timed apart from the calls (not taken for the handler's compute)
    assert meter.bill.meter_seconds > 0


def test_concurrent_calls_are_one_round_trip_and_sequential_calls_one_each(
    metered: tuple[Any, DynamoMeter],
) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    client, meter = metered
    client.put_item(TableName="t", Item={"pk": {"S": "p"}, "sk": {"S": "s"}, "g": {"S": "x"}})
    meter.bill.reset()
    # When two queries are sent one after the other
    for _ in range(2):
        client.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}})
    assert (meter.bill.calls, meter.bill.round_trips) == (2, 2)
    # And then four are held in flight together (each waits in its own thread until all four have started)
    meter.bill.reset()
    together = Barrier(4)

    def held(_: int) -> None:
        def wait(**__: Any) -> None:
            together.wait(timeout=10)

        client.meta.events.register_first("before-send.dynamodb.Query", wait, unique_id="held")
        client.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}})

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(held, range(4)))
    client.meta.events.unregister("before-send.dynamodb.Query", unique_id="held")
    # Then they are four calls billed as four reads, but one round trip of latency
    assert (meter.bill.calls, meter.bill.round_trips) == (4, 1)
    assert meter.bill.requests == {"Query": 4}
    assert meter.bill.rru == 2.0
