"""AWS clients that reach moto's backends in this process: no HTTP, no signing, no second copy of the state.

The local stack's moto server (ThreadedMotoServer) and these clients share moto's process-global backends, so
the aws CLI and `newsflow ingest` (over HTTP) see exactly what the handlers and the runtime (in process) write.

- `InProcessDynamoDB`: the data-plane calls (GetItem, PutItem, Query, BatchWriteItem, ...) go straight to moto's
  own DynamoDB request handler methods with the call's parameters; botocore's request serialisation, endpoint
  resolution, signing, moto's URL routing and its request parsing are skipped (they cost ~50x the backend work).
  Results and errors have the shape boto3 gives: errors are parsed by botocore's own parser from moto's error
  body and raised as the client's `ClientError` subclasses. Parameters and results are copied, so neither side
  shares a mutable structure with moto's stored items.
- every other call, and the other services: a real boto3 client whose requests moto answers before they are
  sent (moto's botocore stubber, registered on that client only). A request moto does not answer raises: none
  ever leaves the process.

moto is pinned (pyproject.toml); tests/integration/test_inprocess_clients.py runs the same calls through these
clients and through boto3 on `mock_aws` and compares the answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account, the one its server uses for unknown access keys
# DynamoDB calls answered by moto's request handler directly (everything else takes the stubbed client).
FAST_DYNAMODB_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
# AWS's own endpoint of each service (what moto's stubber recognises); explicit, so AWS_ENDPOINT_URL (which
# points outside clients at the moto server) does not apply to these clients.
_HOSTS = {"dynamodbstreams": "streams.dynamodb"}
_CONFIG = Config(signature_version=UNSIGNED, retries={"mode": "standard", "max_attempts": 2})
_HEADERS = {"content-type": "application/x-amz-json-1.0"}


class RequestLeftProcess(RuntimeError):
    """A request that moto in this process did not answer (it is never sent anywhere)."""


def _copy(value: Any) -> Any:
    """A copy of an AttributeValue structure (dicts and lists; strings, numbers and bytes are immutable)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def stubbed_client(service: str, region: str = REGION, lock: threading.RLock | None = None) -> Any:
    """A boto3 client whose every request moto answers in this process."""
    from moto.core.botocore_stubber import BotocoreStubber

    client = boto3.client(
        service,
        region_name=region,
        endpoint_url=f"https://{_HOSTS.get(service, service)}.{region}.amazonaws.com",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto accepts any credentials
        config=_CONFIG,
    )
    stubber = BotocoreStubber()
    stubber.enabled = True
    guard = lock or threading.RLock()

    def answer(request: Any, **kwargs: Any) -> Any:
        with guard:
            response = stubber(event_name="before-send", request=request)
        if response is None:
            raise RequestLeftProcess(f"moto did not answer {request.method} {request.url}")
        return response

    client.meta.events.register("before-send", answer)
    return client


class InProcessDynamoDB:
    """The DynamoDB client interface, served by moto's DynamoDB handler in this process (see module doc)."""

    def __init__(self, region: str = REGION, lock: threading.RLock | None = None) -> None:
        from botocore.parsers import create_parser
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.responses import DynamoHandler

        self._lock = lock or threading.RLock()
        self._fallback = stubbed_client("dynamodb", region, self._lock)
        self.meta = self._fallback.meta
        self.exceptions = self._fallback.exceptions
        self._service_model = self._fallback.meta.service_model
        self._api_names = dict(self._fallback.meta.method_to_api_mapping)
        self._error_parser = create_parser("json")
        self._methods: dict[str, Callable[..., Any]] = {}
        backend = dynamodb_backends[ACCOUNT_ID][region]

        class Handler(DynamoHandler):
            @property
            def dynamodb_backend(self) -> Any:
                return backend

        self._handler_class = Handler

    def __getattr__(self, name: str) -> Any:
        api_name = self._api_names.get(name)
        if api_name not in FAST_DYNAMODB_OPERATIONS:
            return getattr(self._fallback, name)
        method = self._methods.get(name)
        if method is None:
            method = self._methods[name] = self._operation(name, api_name)
        return method

    def _operation(self, name: str, api_name: str) -> Callable[..., Any]:
        from moto.core.exceptions import HTTPException, ServiceException

        operation_model = self._service_model.operation_model(api_name)

        def call(**params: Any) -> Any:
            handler = self._handler_class()
            handler.body = _copy(params)
            try:
                with self._lock:
                    result = getattr(handler, name)()
            except (HTTPException, ServiceException) as error:
                raise self._client_error(error, operation_model, api_name) from None
            body = _copy(getattr(result, "result", result))
            body["ResponseMetadata"] = {"HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}
            return body

        call.__name__ = name
        return call

    def _client_error(self, error: Any, operation_model: Any, api_name: str) -> Exception:
        raw = error.get_body() if hasattr(error, "get_body") else str(error)
        status = int(getattr(error, "code", 400) or 400)
        parsed = self._error_parser.parse(
            {
                "status_code": status,
                "headers": {**_HEADERS, "x-amzn-errortype": str(getattr(error, "relative_error_type", ""))},
                "body": raw.encode() if isinstance(raw, str) else raw,
            },
            operation_model.output_shape,
        )
        parsed.setdefault("ResponseMetadata", {})["HTTPStatusCode"] = status
        code = parsed.get("Error", {}).get("Code", "")
        return self.exceptions.from_code(code)(parsed, api_name)


class InProcessClients:
    """The three clients the stack's code uses, all on moto in this process. One lock orders every call into
    moto made through them, so a snapshot (local/snapshot.py) reads a state no call is halfway through."""

    def __init__(self, region: str = REGION) -> None:
        self.lock = threading.RLock()
        self._region = region
        self._dynamodb: InProcessDynamoDB | None = None
        self._sqs: Any = None
        self._streams: Any = None
        self._ssm: Any = None

    def dynamodb(self) -> Any:
        if self._dynamodb is None:
            self._dynamodb = InProcessDynamoDB(self._region, self.lock)
        return self._dynamodb

    def sqs(self) -> Any:
        if self._sqs is None:
            self._sqs = stubbed_client("sqs", self._region, self.lock)
        return self._sqs

    def dynamodb_streams(self) -> Any:
        if self._streams is None:
            self._streams = stubbed_client("dynamodbstreams", self._region, self.lock)
        return self._streams

    def ssm(self) -> Any:
        if self._ssm is None:
            self._ssm = stubbed_client("ssm", self._region, self.lock)
        return self._ssm
