"""A per-step retry budget for DynamoDB calls: one transient failure retries that call, not the whole item.

The SDK already retries throttling, 5xx and timeouts (standard mode, 4 attempts). What still fails after
that used to fail the whole item: SQS redelivered it after the visibility timeout and the item made its
15-20 calls again. `RetryingClient` wraps a boto3 client and retries one failed call a few more times with
exponential backoff and full jitter, inside the invocation, with a bound on attempts and on the time spent
sleeping per call. Conditional-check failures and validation errors are answers, not weather: never retried.

A retried write is safe: every write newsflow makes is conditional or idempotent (a conditional put whose
first response was lost fails its condition on the retry, and `save` reads the item to see why).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

# Error codes worth another attempt (the SDK's own transient set, plus what DynamoDB says under load).
TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TransactionInProgressException",
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "RequestTimeout",
        "RequestTimeoutException",
        "LimitExceededException",
        "Throttling",
    }
)
TRANSIENT_ERRORS = (ConnectionClosedError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError)


def is_transient(error: BaseException) -> bool:
    """Could the very same call succeed if made again in a moment?"""
    if isinstance(error, TRANSIENT_ERRORS):
        return True
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        return code in TRANSIENT_CODES or status >= 500
    return False


@dataclass
class RetryBudget:
    """At most `attempts` tries of one call, sleeping base * 2**n (full jitter), at most `max_sleep` in all."""

    attempts: int = 5
    base_seconds: float = 0.05
    max_sleep_seconds: float = 2.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    retried: int = 0  # calls that needed another attempt (observability and the fault benchmark)

    def call(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        slept = 0.0
        for attempt in range(self.attempts):
            try:
                return fn(*args, **kwargs)
            except Exception as error:
                last = attempt == self.attempts - 1
                if last or not is_transient(error):
                    raise
                delay = min(self.rng.uniform(0, self.base_seconds * 2**attempt), self.max_sleep_seconds - slept)
                if delay < 0:
                    raise
                self.retried += 1
                self.sleep(delay)
                slept += delay
        raise AssertionError("unreachable")  # pragma: no cover


class RetryingClient:
    """A boto3 client whose API calls go through a `RetryBudget`; everything else is the client's own."""

    def __init__(self, client: Any, budget: RetryBudget | None = None) -> None:
        self._client = client
        self.budget = budget or RetryBudget()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name.startswith("_") or name in {"meta", "exceptions"} or not callable(attribute):
            return attribute
        if name in {"get_paginator", "get_waiter", "can_paginate", "close"}:
            return attribute

        def retried(*args: Any, **kwargs: Any) -> Any:
            return self.budget.call(attribute, *args, **kwargs)

        return retried
