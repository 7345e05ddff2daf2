"""boto3 clients, created once per process and configured for Lambda (short timeouts, standard retries).

Endpoints come from the standard AWS_ENDPOINT_URL variables. The local stack installs its own source instead
(`use(...)`: clients that call moto in the same process, newsflow.local.inprocess), so every caller of these
functions reaches moto without HTTP.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

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


class ClientSource(Protocol):
    def dynamodb(self) -> Any: ...
    def sqs(self) -> Any: ...
    def dynamodb_streams(self) -> Any: ...
    def ssm(self) -> Any: ...


_source: ClientSource | None = None


def use(source: ClientSource | None) -> None:
    """Serve the clients from `source` (None: boto3 clients from the environment again)."""
    global _source
    _source = source
    reset_clients()


def dynamodb() -> DynamoDBClient:
    return _source.dynamodb() if _source is not None else _dynamodb()


def dynamodb_streams() -> DynamoDBStreamsClient:
    return _source.dynamodb_streams() if _source is not None else _dynamodb_streams()


def sqs() -> SQSClient:
    return _source.sqs() if _source is not None else _sqs()


def ssm() -> Any:
    """Only the fetch worker uses it: per-feed secret headers are SSM SecureString parameters."""
    return _source.ssm() if _source is not None else _ssm()


@lru_cache(maxsize=1)
def _ssm() -> Any:
    return boto3.client("ssm", config=_CONFIG)


@lru_cache(maxsize=1)
def _dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb", config=_CONFIG)


@lru_cache(maxsize=1)
def _dynamodb_streams() -> DynamoDBStreamsClient:
    return boto3.client("dynamodbstreams", config=_CONFIG)


@lru_cache(maxsize=1)
def _sqs() -> SQSClient:
    return boto3.client("sqs", config=_CONFIG)


def reset_clients() -> None:
    """The local stack and tests switch endpoints; forget cached clients."""
    _dynamodb.cache_clear()
    _dynamodb_streams.cache_clear()
    _sqs.cache_clear()
    _ssm.cache_clear()
