"""API Gateway Lambda REQUEST authorizer: finds the API key wherever the request carries it (query
`apiKey`, `X-Api-Key`, `Authorization: Bearer`) and returns it as `usageIdentifierKey`, so API Gateway
checks it against the usage plan like an `x-api-key` header (see newsflow.api.newsapi.auth)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsflow.api.newsapi.auth import authorizer_response

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return authorizer_response(event)
