"""Create the stack's resources in moto from the same names and settings the CDK stack uses."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from newsflow import aws
from newsflow import constants as c

# Same keys and indexes as infra/storage.py (tests/infra checks that the two agree).
TABLE_KEY_SCHEMA = [
    {"AttributeName": "pk", "KeyType": "HASH"},
    {"AttributeName": "sk", "KeyType": "RANGE"},
]
GSI_KEYS = {
    c.GSI_CATEGORY: ("gsi1pk", "gsi1sk"),
    c.GSI_DUE: ("gsi3pk", "gsi3sk"),
}


def _projection(index_name: str) -> dict[str, Any]:
    if index_name == c.GSI_DUE:
        return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(c.GSI_DUE_ATTRIBUTES)}
    return {"ProjectionType": c.GSI_PROJECTION}


# Locally a failed message comes back quickly so retries are visible within a demo.
LOCAL_VISIBILITY_TIMEOUT_SECONDS = 2


class LocalResources(BaseModel):
    table_name: str
    stream_arn: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str
    index_failures_url: str
    fulltext_queue_url: str = ""
    fulltext_queue_arn: str = ""
    fulltext_dlq_url: str = ""
    fetch_queue_url: str = ""
    fetch_queue_arn: str = ""
    fetch_dlq_url: str = ""

    def environment(self, *, fulltext: bool = False) -> dict[str, str]:
        """The functions' environment; `fulltext`: teasers are routed through the full-text queue (the local
        stack, which drains it; plain moto tests leave it off and see items on the items queue)."""
        env = {
            c.ENV_TABLE_NAME: self.table_name,
            c.ENV_QUEUE_URL: self.queue_url,
            c.ENV_DLQ_URL: self.dlq_url,
            c.ENV_INDEX_FAILURES_URL: self.index_failures_url,
            c.ENV_FULLTEXT_DLQ_URL: self.fulltext_dlq_url,
            c.ENV_FETCH_QUEUE_URL: self.fetch_queue_url,
            c.ENV_FETCH_DLQ_URL: self.fetch_dlq_url,
        }
        if fulltext:
            env[c.ENV_FULLTEXT_QUEUE_URL] = self.fulltext_queue_url
        return env


def table_definition(table_name: str) -> dict[str, Any]:
    attributes = {"pk", "sk"} | {k for pair in GSI_KEYS.values() for k in pair}
    return {
        "TableName": table_name,
        "KeySchema": TABLE_KEY_SCHEMA,
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "GlobalSecondaryIndexes": [
            {
                "IndexName": name,
                "KeySchema": [
                    {"AttributeName": pk, "KeyType": "HASH"},
                    {"AttributeName": sk, "KeyType": "RANGE"},
                ],
                "Projection": _projection(name),
            }
            for name, (pk, sk) in GSI_KEYS.items()
        ],
    }


def _queue(name: str, attributes: dict[str, Any]) -> tuple[str, str]:
    sqs = aws.sqs()
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def create_resources(table_name: str = c.LOCAL_TABLE_NAME) -> LocalResources:
    dynamodb = aws.dynamodb()
    existing = dynamodb.list_tables()["TableNames"]
    if table_name not in existing:
        dynamodb.create_table(**table_definition(table_name))
    stream_arn = dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]

    dlq_url, dlq_arn = _queue(c.LOCAL_DLQ_NAME, {"MessageRetentionPeriod": str(14 * 24 * 3600)})
    queue_url, queue_arn = _queue(
        c.LOCAL_QUEUE_NAME,
        {
            "VisibilityTimeout": str(LOCAL_VISIBILITY_TIMEOUT_SECONDS),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": c.MAX_RECEIVE_COUNT}),
        },
    )
    index_failures_url, _ = _queue(c.LOCAL_INDEX_DLQ_NAME, {})
    fulltext_dlq_url, fulltext_dlq_arn = _queue(c.LOCAL_FULLTEXT_DLQ_NAME, {})
    fulltext_url, fulltext_arn = _queue(
        c.LOCAL_FULLTEXT_QUEUE_NAME,
        {
            "VisibilityTimeout": str(LOCAL_VISIBILITY_TIMEOUT_SECONDS),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": fulltext_dlq_arn, "maxReceiveCount": c.MAX_RECEIVE_COUNT}
            ),
        },
    )
    fetch_dlq_url, fetch_dlq_arn = _queue(c.LOCAL_FETCH_DLQ_NAME, {"MessageRetentionPeriod": str(14 * 24 * 3600)})
    fetch_queue_url, fetch_queue_arn = _queue(
        c.LOCAL_FETCH_QUEUE_NAME,
        {
            "VisibilityTimeout": str(LOCAL_VISIBILITY_TIMEOUT_SECONDS),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": fetch_dlq_arn, "maxReceiveCount": c.MAX_RECEIVE_COUNT}),
        },
    )
    return LocalResources(
        table_name=table_name,
        stream_arn=stream_arn,
        queue_url=queue_url,
        queue_arn=queue_arn,
        dlq_url=dlq_url,
        dlq_arn=dlq_arn,
        index_failures_url=index_failures_url,
        fulltext_queue_url=fulltext_url,
        fulltext_queue_arn=fulltext_arn,
        fulltext_dlq_url=fulltext_dlq_url,
        fetch_queue_url=fetch_queue_url,
        fetch_queue_arn=fetch_queue_arn,
        fetch_dlq_url=fetch_dlq_url,
    )
