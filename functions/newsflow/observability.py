"""One place for logging and metrics, so every handler reports the same way.

Tracer (aws-xray-sdk) costs ~280 ms of import: it is never imported here; X-Ray active tracing on the
Lambda still records the invocation segments.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

from newsflow.constants import METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME

logger = Logger(service=POWERTOOLS_SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=POWERTOOLS_SERVICE_NAME)
