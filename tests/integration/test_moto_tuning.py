"""The local stack's moto speed-ups must not change what moto answers (queries, items, SQS rules)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from newsflow import aws
from newsflow.constants import GSI_CATEGORY
from newsflow.local.moto_tuning import speed_up_moto_dynamodb, speed_up_moto_sqs
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


def _drain_seconds(sqs: object, url: str, depth: int) -> float:
    """Seconds to receive and delete 20 messages from a queue holding `depth` (the best of 5 rounds)."""
    import time

    client: Any = sqs
    for start in range(0, depth, 10):
        client.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(min(10, depth - start))],
        )
    from moto.sqs.models import sqs_backends

    backend = sqs_backends["123456789012"]["us-east-1"]
    queue = backend.get_queue(url.rsplit("/", 1)[-1])
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(2):
            for message in backend.receive_message(queue.name, 10, 0, 30, []):
                queue.delete_message(message.receipt_handle)
        rounds.append(time.perf_counter() - started)
    return min(rounds)


def test_sqs_keeps_its_rules_with_the_speed_up(stack_env: LocalResources) -> None:
    # Given the speed-up, and a queue with a redrive policy of maxReceiveCount (5) and a 2 s visibility timeout
    speed_up_moto_sqs()
    sqs: Any = aws.sqs()
    url = stack_env.queue_url
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"b{i}"} for i in range(3)])
    # When two are received and one deleted
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=0)["Messages"]
    assert [m["Body"] for m in got] == ["b0", "b1"]  # oldest first, as before
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
    # Then the deleted one is gone (a second delete is accepted), an unknown handle is refused, and the
    # undeleted one comes back when its visibility lapses
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
    with pytest.raises(ClientError):
        sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-handle")
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]
    assert sorted(m["Body"] for m in again) == ["b1", "b2"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "2"
    # And a message received maxReceiveCount times is redriven to the DLQ on the next receive
    for _ in range(6):
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    parked = sqs.receive_message(QueueUrl=stack_env.dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in parked) == ["b1", "b2"]


def test_a_deep_queue_drains_as_fast_as_a_shallow_one(stack_env: LocalResources) -> None:
    # Given the speed-up, a queue of 200 messages and one of 5,000
    speed_up_moto_sqs()
    sqs: Any = aws.sqs()
    shallow = sqs.create_queue(QueueName="shallow")["QueueUrl"]
    deep = sqs.create_queue(QueueName="deep")["QueueUrl"]
    # When messages are received and deleted from each
    fast, slow = _drain_seconds(sqs, shallow, 200), _drain_seconds(sqs, deep, 5_000)
    # Then the deep queue costs about the same: without the speed-up it is ~25x (every receive and every delete
    # reads every message); the bound leaves room for a loaded machine
    assert slow < max(8 * fast, 0.02), (fast, slow)


def test_an_item_over_the_size_limit_is_still_refused(stack_env: LocalResources) -> None:
    speed_up_moto_dynamodb()
    client: Any = aws.dynamodb()
    with pytest.raises(ClientError, match="size"):
        client.put_item(
            TableName=stack_env.table_name,
            Item={"pk": {"S": "big"}, "sk": {"S": "1"}, "body": {"S": "x" * 200_000}, "more": {"S": "y" * 210_000}},
        )
    client.put_item(TableName=stack_env.table_name, Item={"pk": {"S": "ok"}, "sk": {"S": "1"}, "b": {"S": "x" * 1000}})
    assert client.get_item(TableName=stack_env.table_name, Key={"pk": {"S": "ok"}, "sk": {"S": "1"}})["Item"]["b"]


def test_sqs_counts_deduplication_and_retention_hold_with_the_speed_up(stack_env: LocalResources) -> None:
    # Given the speed-up (SendMessage computes no counts; the retention check reads the queue's period itself)
    speed_up_moto_sqs()
    sqs: Any = aws.sqs()
    url = sqs.create_queue(QueueName="counted", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"c{i}"} for i in range(3)])
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=30)
    # Then the counts are still the real ones
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    assert counts == {"ApproximateNumberOfMessages": "2", "ApproximateNumberOfMessagesNotVisible": "1"}
    # And a message older than the retention period is no longer delivered
    from moto.sqs.models import sqs_backends

    queue = sqs_backends["123456789012"]["us-east-1"].get_queue("counted")
    for message in (m for m in queue._messages if m.visible):
        message.sent_timestamp -= 120_000  # sent two minutes ago, retention 60 s
    for _ in range(2):  # each expired message stops its receive (moto's rule), one at a time
        assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    sqs.send_message(QueueUrl=url, MessageBody="fresh")
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["fresh"]
    # And content-based deduplication (read from the attributes inside SendMessage) still deduplicates
    fifo = sqs.create_queue(
        QueueName="dedupe.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    for _ in range(2):
        sqs.send_message(QueueUrl=fifo, MessageBody="same", MessageGroupId="g")
    assert len(sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]) == 1


def test_filling_a_deep_queue_costs_what_filling_a_shallow_one_does(stack_env: LocalResources) -> None:
    import time

    speed_up_moto_sqs()
    sqs: Any = aws.sqs()

    def send_seconds(name: str, depth: int) -> float:
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        for _ in range(depth // 10):
            sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(10)])
        rounds = []
        for _ in range(5):
            started = time.perf_counter()
            sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "y"} for i in range(10)])
            rounds.append(time.perf_counter() - started)
        return min(rounds)

    fast, slow = send_seconds("fill-shallow", 10), send_seconds("fill-deep", 5_000)
    # Without the speed-up each SendMessage counted the queue three times: ~30x slower at 5,000 deep
    assert slow < max(5 * fast, 0.02), (fast, slow)


def test_a_snapshot_keeps_items_and_their_size_limit(stack_env: LocalResources) -> None:
    import json
    import pickle

    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.utilities import dynamo_json_dump

    # Given an item stored with the speed-up
    speed_up_moto_dynamodb()
    client: Any = aws.dynamodb()
    item = {"pk": {"S": "p"}, "sk": {"S": "1"}, "n": {"N": "3"}, "m": {"M": {"a": {"L": [{"S": "x"}]}}}}
    client.put_item(TableName=stack_env.table_name, Item=item)
    table = dynamodb_backends["123456789012"]["us-east-1"].get_table(stack_env.table_name)
    # When the table's items go through a snapshot (pickled and read back)
    restored = pickle.loads(pickle.dumps(table.items, protocol=pickle.HIGHEST_PROTOCOL))
    key = (DynamoType({"S": "p"}), DynamoType({"S": "1"}))
    attrs = restored[key[0]][key[1]].attrs
    # Then the item is the same, still a LimitedSizeDict that refuses growing past the limit
    assert type(attrs) is LimitedSizeDict
    assert dynamo_json_dump(restored[key[0]][key[1]].to_json()) == dynamo_json_dump(
        table.items[key[0]][key[1]].to_json()
    )
    assert json.loads(dynamo_json_dump(restored[key[0]][key[1]].to_json()))["Attributes"] == item
    with pytest.raises(ItemSizeTooLarge):
        attrs["big"] = DynamoType({"S": "z" * 410_000})


def test_stream_records_are_sized_as_moto_sizes_them(stack_env: LocalResources) -> None:
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.utilities import dynamo_json_dump

    # Given the speed-up (SizeBytes taken when a record is first read)
    speed_up_moto_dynamodb()
    client: Any = aws.dynamodb()
    client.put_item(TableName=stack_env.table_name, Item={"pk": {"S": "s"}, "sk": {"S": "1"}, "v": {"S": "one"}})
    client.put_item(TableName=stack_env.table_name, Item={"pk": {"S": "s"}, "sk": {"S": "1"}, "v": {"S": "two"}})
    shard = dynamodb_backends["123456789012"]["us-east-1"].get_table(stack_env.table_name).stream_shard
    # When the records are read
    records = [r.to_json() for r in shard.items[-2:]]
    # Then each has moto's own size (its record serialised with SizeBytes 1) and its images
    for record in records:
        change = dict(record["dynamodb"], SizeBytes=1)
        assert record["dynamodb"]["SizeBytes"] == len(dynamo_json_dump(change)) > 1
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
    assert records[1]["dynamodb"]["OldImage"]["v"] == {"S": "one"}
    assert records[1]["dynamodb"]["NewImage"]["v"] == {"S": "two"}


def test_conditions_answer_the_same_when_their_parses_are_remembered(stack_env: LocalResources) -> None:
    from moto.dynamodb.comparisons import ConditionExpressionParser

    speed_up_moto_dynamodb()
    client = aws.dynamodb()
    table = stack_env.table_name
    parses = 0
    original_parse = ConditionExpressionParser.parse

    def counting_parse(self: Any) -> Any:
        nonlocal parses
        parses += 1
        return original_parse(self)

    ConditionExpressionParser.parse = counting_parse  # type: ignore[method-assign]
    try:
        newer = "attribute_not_exists(pk) OR #v < :v"

        def put(version: int) -> str:
            try:
                client.put_item(
                    TableName=table,
                    Item={"pk": {"S": "C"}, "sk": {"S": "1"}, "v": {"N": str(version)}},
                    ConditionExpression=newer,
                    ExpressionAttributeNames={"#v": "v"},
                    ExpressionAttributeValues={":v": {"N": str(version)}},
                )
                return "written"
            except ClientError as error:
                return str(error.response["Error"]["Code"])

        # Given one condition expression used with different values: each answer follows its own values
        assert [put(2), put(1), put(2), put(3), put(3)] == [
            "written",
            "ConditionalCheckFailedException",
            "ConditionalCheckFailedException",
            "written",
            "ConditionalCheckFailedException",
        ]
        item = client.get_item(TableName=table, Key={"pk": {"S": "C"}, "sk": {"S": "1"}})["Item"]
        assert item["v"] == {"N": "3"}
        # and the expression was lexed and parsed once for all five puts (moto's front and its backend each parsed
        # every request's expression), each put's condition built with its own values
        assert parses == 1
        # An invalid expression still fails as moto fails it (a put: moto's ValueError; a scan: a validation
        # error), every time: it is never remembered
        for _ in range(2):
            with pytest.raises(ValueError, match="Bad comparison"):
                client.put_item(
                    TableName=table, Item={"pk": {"S": "D"}, "sk": {"S": "1"}}, ConditionExpression="pk = = :x",
                    ExpressionAttributeValues={":x": {"S": "D"}},
                )  # fmt: skip
            with pytest.raises(ClientError) as scan_refused:
                client.scan(TableName=table, FilterExpression="v >", ExpressionAttributeValues={":x": {"S": "D"}})
            assert scan_refused.value.response["Error"]["Code"] == "ValidationException"
        # and an unused expression attribute name is still refused
        with pytest.raises(ClientError) as unused:
            client.put_item(
                TableName=table, Item={"pk": {"S": "E"}, "sk": {"S": "1"}}, ConditionExpression=newer,
                ExpressionAttributeNames={"#v": "v", "#w": "w"}, ExpressionAttributeValues={":v": {"N": "1"}},
            )  # fmt: skip
        assert unused.value.response["Error"]["Code"] == "ValidationException"
    finally:
        ConditionExpressionParser.parse = original_parse  # type: ignore[method-assign]
