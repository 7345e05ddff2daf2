"""boto3 clients, created once per process and configured for Lambda (short timeouts, standard retries).

Endpoints come from the standard AWS_ENDPOINT_URL variables, which the local stack points at moto.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_sqs import SQSClient

_CONFIG = Config(
    connect_timeout=3,
    read_timeout=10,
    retries={"mode": "standard", "max_attempts": 4},
    # Keeps ARN-carrying calls working against moto (see DESIGN.md) and costs nothing in AWS.
    account_id_endpoint_mode="disabled",
)


@lru_cache(maxsize=1)
def dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb", config=_CONFIG)


@lru_cache(maxsize=1)
def dynamodb_streams() -> DynamoDBStreamsClient:
    return boto3.client("dynamodbstreams", config=_CONFIG)


@lru_cache(maxsize=1)
def sqs() -> SQSClient:
    return boto3.client("sqs", config=_CONFIG)


@lru_cache(maxsize=1)
def ssm() -> Any:
    """Only the fetch worker uses it: per-feed secret headers are SSM SecureString parameters."""
    return boto3.client("ssm", config=_CONFIG)


def reset_clients() -> None:
    """The local stack and tests switch endpoints; forget cached clients."""
    dynamodb.cache_clear()
    dynamodb_streams.cache_clear()
    sqs.cache_clear()
    ssm.cache_clear()
