"""Helpers for the ops tests: on-failure records built from what moto's stream really holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from newsflow import aws
from newsflow.local.context import LocalLambdaContext
from newsflow.local.resources import LocalResources

from tests.integration.helpers import stream_records


def shard_id(resources: LocalResources) -> str:
    shards = aws.dynamodb_streams().describe_stream(StreamArn=resources.stream_arn)["StreamDescription"]["Shards"]
    return str(shards[0]["ShardId"])


def on_failure_record(
    resources: LocalResources, records: list[dict[str, Any]], first_arrival: datetime | None = None
) -> str:
    """The message Lambda would send to the on-failure destination for a batch of these stream records."""
    arrival = (first_arrival or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(
        {
            "requestContext": {
                "requestId": "r-1",
                "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:index",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": 4,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": arrival,
            "DDBStreamBatchInfo": {
                "shardId": shard_id(resources),
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": arrival,
                "approximateArrivalOfLastRecord": arrival,
                "batchSize": len(records),
                "streamArn": resources.stream_arn,
            },
        }
    )


def article_records(resources: LocalResources, since: int = 0) -> list[dict[str, Any]]:
    return [r for r in stream_records(resources)[since:] if r["dynamodb"]["Keys"]["pk"]["S"].startswith("ART#")]


def park_failure(resources: LocalResources, body: str) -> None:
    aws.sqs().send_message(QueueUrl=resources.index_failures_url, MessageBody=body)


def failures_left(resources: LocalResources) -> list[str]:
    response = aws.sqs().receive_message(
        QueueUrl=resources.index_failures_url, MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return [m["Body"] for m in response.get("Messages", [])]


def ops_context() -> LocalLambdaContext:
    return LocalLambdaContext("ops", timeout_seconds=900)


def deploy_stack(stage: str, outputs: dict[str, str]) -> None:
    """A CloudFormation stack `NewsflowStack-<stage>` in moto carrying these outputs (as `cdk deploy` leaves them)."""
    import boto3

    template = {
        "Resources": {"Marker": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"marker-{stage}"}}},
        "Outputs": {name: {"Value": value} for name, value in outputs.items()},
    }
    boto3.client("cloudformation", region_name="us-east-1").create_stack(
        StackName=f"NewsflowStack-{stage}", TemplateBody=json.dumps(template)
    )


def stack_outputs(resources: LocalResources, **extra: str) -> dict[str, str]:
    outputs = {
        "ApiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com/v1/",
        "QueueUrl": resources.queue_url,
        "DlqUrl": resources.dlq_url,
        "TableName": resources.table_name,
        "OpenSearchEndpoint": "https://vpc-newsflow-test.us-east-1.es.amazonaws.com",
    }
    outputs.update(extra)
    return outputs
