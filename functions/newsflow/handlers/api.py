"""API Gateway (REST, proxy) -> the query service. Routes live under /v1.

Errors always come back as `{status: "error", code, message, param}` with the right HTTP status:
bad parameters are 400, unknown ids 404, unknown routes 404, anything unexpected 500 (and logged).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ValidationError

from newsflow import aws
from newsflow.api.errors import ApiError, ErrorBody, from_validation_error
from newsflow.api.params import ArticleIdParam, ArticlesParams, NoParams, SearchParams
from newsflow.api.service import QueryService
from newsflow.handlers.index import search_index
from newsflow.observability import logger
from newsflow.settings import get_settings
from newsflow.store.dynamo import DynamoArticleRepository

ParamsT = TypeVar("ParamsT", bound=BaseModel)

app = APIGatewayRestResolver()


@lru_cache(maxsize=1)
def service() -> QueryService:
    settings = get_settings()
    return QueryService(DynamoArticleRepository(aws.dynamodb(), settings.table_name), search_index())


def reset() -> None:
    service.cache_clear()


def _json(status_code: int, body: BaseModel | dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    payload = body.model_dump_json(by_alias=True) if isinstance(body, BaseModel) else _dumps(body)
    return Response(
        status_code=status_code,
        content_type="application/json",
        body=payload,
        headers={"Cache-Control": "public, max-age=30", **(headers or {})},
    )


def _dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"))


def _query_params() -> dict[str, str]:
    # Repeated parameters are ambiguous: reject rather than silently pick one.
    multi = app.current_event.multi_value_query_string_parameters or {}
    for name, values in multi.items():
        if len(values) > 1:
            raise ApiError(400, "parameterRepeated", f"parameter '{name}' is given more than once", name)
    return dict(app.current_event.query_string_parameters or {})


def _parse(model: type[ParamsT], data: dict[str, Any]) -> ParamsT:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(error) from error


@app.get("/v1/articles")
def list_articles() -> Response:
    params = _parse(ArticlesParams, _query_params())
    return _json(200, service().list_articles(params))


@app.get("/v1/articles/<article_id>")
def get_article(article_id: str) -> Response:
    _parse(NoParams, _query_params())
    checked = _parse(ArticleIdParam, {"article_id": article_id})
    return _json(
        200,
        {"status": "ok", "article": service().get_article(checked.article_id).model_dump(mode="json", by_alias=True)},
    )


@app.get("/v1/search")
def search() -> Response:
    params = _parse(SearchParams, _query_params())
    return _json(200, service().search(params))


@app.get("/v1/categories")
def categories() -> Response:
    _parse(NoParams, _query_params())
    return _json(200, service().categories())


@app.get("/v1/health")
def health() -> Response:
    body = service().health()
    return _json(200 if body["status"] == "ok" else 503, body, headers={"Cache-Control": "no-store"})


@app.exception_handler(ApiError)
def handle_api_error(error: ApiError) -> Response:
    body = ErrorBody(code=error.code, message=error.message, param=error.param)
    return _json(error.status_code, body, headers={"Cache-Control": "no-store"})


@app.not_found
def handle_not_found(_: NotFoundError) -> Response:
    body = ErrorBody(code="routeNotFound", message=f"no route {app.current_event.http_method} {app.current_event.path}")
    return _json(404, body, headers={"Cache-Control": "no-store"})


@app.exception_handler(Exception)
def handle_unexpected(error: Exception) -> Response:
    logger.exception("unhandled error", extra={"path": app.current_event.path})
    body = ErrorBody(code="internalError", message="the request could not be completed; it has been logged")
    return _json(500, body, headers={"Cache-Control": "no-store"})


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
