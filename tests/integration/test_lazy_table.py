"""A restored table whose partitions are unpickled when first read answers every call as the table it was."""

from __future__ import annotations

import pickle
import threading
from typing import Any

from newsflow import aws
from newsflow.constants import GSI_CATEGORY
from newsflow.local.lazy_table import LazyPartitions, encode, item_count
from newsflow.local.moto_tuning import speed_up_moto_dynamodb
from newsflow.local.resources import LocalResources
from newsflow.local.snapshot import materialize_in_background


def _table(name: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends["123456789012"]["us-east-1"].get_table(name)


def _fill(client: Any, table: str) -> None:
    for pk in range(20):
        for sk in ("a", "b"):
            item = {"pk": {"S": f"P{pk}"}, "sk": {"S": sk}, "n": {"N": str(pk)}, "tags": {"L": [{"S": "x"}]}}
            if sk == "a" and pk % 2 == 0:
                item |= {"gsi1pk": {"S": "CAT#even"}, "gsi1sk": {"S": f"{pk:03d}"}}
            client.put_item(TableName=table, Item=item)


def _restore(table_name: str) -> LazyPartitions:
    """What a restart does: the snapshot's partitions back as bytes."""
    table = _table(table_name)
    saved = pickle.loads(pickle.dumps(encode(table.items)))
    assert item_count(saved) == 40
    table.items = LazyPartitions(saved, stream_position=len(table.stream_shard.items))
    return table.items  # type: ignore[no-any-return]


def _everything(client: Any, table: str) -> list[str]:
    items = client.scan(TableName=table)["Items"]
    return sorted(f"{i['pk']['S']}/{i['sk']['S']}/{i['n']['N']}" for i in items)


def test_a_restored_table_answers_reads_and_writes_as_before(stack_env: LocalResources) -> None:
    speed_up_moto_dynamodb()
    client: Any = aws.dynamodb()
    name = stack_env.table_name
    _fill(client, name)
    before = _everything(client, name)
    lazy = _restore(name)
    assert lazy.pending == 20
    assert len(_table(name)) == 40
    # A read of one key materialises that partition only
    got = client.get_item(TableName=name, Key={"pk": {"S": "P3"}, "sk": {"S": "b"}})["Item"]
    assert got["n"] == {"N": "3"}
    assert got["tags"] == {"L": [{"S": "x"}]}
    assert lazy.pending == 19
    assert [i["sk"]["S"] for i in client.query(
        TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "P4"}}
    )["Items"]] == ["a", "b"]  # fmt: skip
    # A write into a partition still held as bytes keeps what the partition held
    client.put_item(TableName=name, Item={"pk": {"S": "P5"}, "sk": {"S": "c"}, "n": {"N": "55"}})
    client.delete_item(TableName=name, Key={"pk": {"S": "P6"}, "sk": {"S": "a"}})
    client.update_item(
        TableName=name,
        Key={"pk": {"S": "P7"}, "sk": {"S": "a"}},
        UpdateExpression="SET n = :n",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":n": {"N": "77"}},
    )
    client.put_item(TableName=name, Item={"pk": {"S": "NEW"}, "sk": {"S": "a"}, "n": {"N": "1"}})
    # A snapshot taken now (some partitions read, some not) holds all of it
    partial = encode(lazy)
    assert item_count(partial) == 41
    # A GSI query and a scan see every partition, changes included
    even = client.query(
        TableName=name,
        IndexName=GSI_CATEGORY,
        KeyConditionExpression="gsi1pk = :p",
        ExpressionAttributeValues={":p": {"S": "CAT#even"}},
    )["Items"]
    assert sorted(i["pk"]["S"] for i in even) == sorted(f"P{n}" for n in range(0, 20, 2) if n != 6)
    expected = sorted({*before, "P5/c/55", "NEW/a/1", "P7/a/77"} - {"P6/a/6", "P7/a/7"})
    assert _everything(client, name) == expected
    assert lazy.pending == 0
    assert len(_table(name)) == 41


def test_the_background_pass_materialises_every_partition(stack_env: LocalResources) -> None:
    speed_up_moto_dynamodb()
    client: Any = aws.dynamodb()
    _fill(client, stack_env.table_name)
    before = _everything(client, stack_env.table_name)
    lazy = _restore(stack_env.table_name)
    thread = materialize_in_background(threading.RLock())
    assert thread is not None
    thread.join(timeout=30)
    assert lazy.pending == 0
    assert dict.__len__(lazy) == 20
    assert _everything(client, stack_env.table_name) == before


def test_a_snapshot_pickles_again_only_the_partitions_written_since_the_last(stack_env: LocalResources) -> None:
    from newsflow.local.lazy_table import PartitionCache

    speed_up_moto_dynamodb()
    client: Any = aws.dynamodb()
    name = stack_env.table_name
    _fill(client, name)
    lazy = _restore(name)
    cache = PartitionCache()
    # When one partition is written, one deleted and one read after the restore
    client.put_item(TableName=name, Item={"pk": {"S": "P1"}, "sk": {"S": "z"}, "n": {"N": "9"}})
    for sk in ("a", "b"):
        client.delete_item(TableName=name, Key={"pk": {"S": "P2"}, "sk": {"S": sk}})
    client.get_item(TableName=name, Key={"pk": {"S": "P3"}, "sk": {"S": "a"}})
    blobs = cache.encode(name, _table(name))
    # Then the unwritten partitions keep their restored pickles, the written one is new, the emptied one gone
    untouched = [key for key in lazy.origin if key not in {("S", "P1"), ("S", "P2")}]
    assert all(blobs[key] is lazy.origin[key] for key in untouched)
    assert blobs[("S", "P1")][0] == 3
    assert ("S", "P2") not in blobs
    # And a second snapshot after another write re-pickles just that one, and holds the table as it is
    client.put_item(TableName=name, Item={"pk": {"S": "P4"}, "sk": {"S": "c"}, "n": {"N": "4"}})
    again = cache.encode(name, _table(name))
    assert again[("S", "P1")] is blobs[("S", "P1")]
    assert again[("S", "P4")][0] == 3
    restored = {key: pickle.loads(blob) for key, (_, blob) in again.items()}
    full = {key: pickle.loads(blob) for key, (_, blob) in encode(_table(name).items).items()}
    as_json = lambda parts: {k: sorted(str(i.to_json()) for i in p.values()) for k, p in parts.items()}  # noqa: E731
    assert as_json(restored) == as_json(full)
