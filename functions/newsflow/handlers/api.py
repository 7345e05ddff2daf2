"""API Gateway (REST, proxy) -> the query service. Routes live under /v1 (README "API", /v1/openapi.json).

Errors always come back as `{status: "error", code, message, param}` with the right HTTP status:
bad parameters are 400, unknown ids 404, unknown routes 404, anything unexpected 500 (and logged).

Cold start: only the router, the logger and the parameter/response models are imported with this
module. boto3, the search adapter, the OpenAPI builder and the admin code load on the first request
that needs them (see benchmarks/bench_api.py for the measured import cost).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from pydantic import BaseModel, ValidationError

from newsflow.api import params as p
from newsflow.api.errors import ApiError, ErrorBody, bad_request, from_validation_error
from newsflow.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from newsflow.api.admin import AdminService
    from newsflow.api.newsapi.service import NewsApiService
    from newsflow.api.service import QueryService

ParamsT = TypeVar("ParamsT", bound=BaseModel)

app = APIGatewayRestResolver()
CACHE_READS = "public, max-age=30"
NO_STORE = "no-store"
CORS_METHODS = "GET, POST, DELETE, OPTIONS"
CORS_HEADERS = "Content-Type, X-Api-Key, Authorization, X-Amz-Date, X-Amz-Security-Token"
# The npm `newsapi` client sends these two on every request (so a browser preflights them).
CORS_HEADERS += ", X-No-Cache, Access-Control-Allow-Origin"


# The dependencies come from newsflow.wiring (built once per process from the settings); the names below are
# what the routes call. The TYPE_CHECKING imports also put these modules in this function's asset.


def service() -> QueryService:
    from newsflow import wiring

    return wiring.current().query_service


def admin_service() -> AdminService:
    from newsflow import wiring

    return wiring.current().admin_service


def cors_origins() -> frozenset[str]:
    """The origins allowed to read the API from a browser (NEWSFLOW_CORS_ORIGINS; none by default)."""
    from newsflow import wiring

    return wiring.current().cors_origins


def newsapi_service() -> NewsApiService:
    from newsflow import wiring

    return wiring.current().newsapi_service


def _json(
    status_code: int, body: BaseModel | dict[str, Any], cache: str = CACHE_READS, headers: dict[str, str] | None = None
) -> Response:
    payload = body.model_dump_json(by_alias=True) if isinstance(body, BaseModel) else _dumps(body)
    return Response(
        status_code=status_code,
        content_type="application/json",
        body=payload,
        headers={"Cache-Control": cache, **(headers or {})},
    )


def _dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


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


def _article_id(article_id: str) -> str:
    return _parse(p.ArticleIdParam, {"id": article_id}).id


# ----------------------------------------------------------------------------------------- reads


@app.get("/v1/articles")
def list_articles() -> Response:
    return _json(200, service().list_articles(_parse(p.ArticlesParams, _query_params())))


@app.get("/v1/search")
def search() -> Response:
    return _json(200, service().search(_parse(p.SearchParams, _query_params())))


@app.get("/v1/articles/<article_id>")
def get_article(article_id: str) -> Response:
    query = _parse(p.ArticleParams, _query_params())
    return _json(200, service().get_article(_article_id(article_id), query))


@app.get("/v1/articles/<article_id>/related")
def related(article_id: str) -> Response:
    query = _parse(p.RelatedParams, _query_params())
    return _json(200, service().related(_article_id(article_id), query))


@app.get("/v1/top-headlines")
def top_headlines() -> Response:
    return _json(200, service().top_headlines(_parse(p.TopHeadlinesParams, _query_params())))


@app.get("/v1/categories")
def categories() -> Response:
    _parse(p.NoParams, _query_params())
    return _json(200, service().categories())


@app.get("/v1/archives")
def archives() -> Response:
    return _json(200, service().archives(_parse(p.ArchivesParams, _query_params())))


@app.get("/v1/archives/<year>/<month>")
def archive_month(year: str, month: str) -> Response:
    query = _parse(p.FilterParams, _query_params())
    when = _parse(p.ArchiveMonthPath, {"year": year, "month": month})
    return _json(200, service().archive_month(when.year, when.month, query))


@app.get("/v1/sources")
def sources() -> Response:
    return _json(200, service().sources(_parse(p.SourcesParams, _query_params())))


@app.get("/v1/health")
def health() -> Response:
    _parse(p.NoParams, _query_params())
    body = service().health()
    return _json(200 if body.status == "ok" else 503, body, cache=NO_STORE)


@app.get("/v1/openapi.json")
def openapi() -> Response:
    from newsflow.api.openapi import openapi_document

    return _json(200, openapi_document(), cache="public, max-age=300")


@app.get("/v1/docs")
def docs() -> Response:
    from newsflow.api.openapi import DOCS_HTML

    return Response(200, "text/html; charset=utf-8", DOCS_HTML, headers={"Cache-Control": "public, max-age=300"})


# ------------------------------------------------------------------ NewsAPI compatibility (/v2)


def _newsapi(call: Callable[[NewsApiService, Mapping[str, str]], BaseModel]) -> Response:
    """NewsAPI's routes answer NewsAPI's error body for every failure (newsflow.api.newsapi.routes)."""
    from newsflow.api.newsapi.routes import respond

    status, body = respond(lambda: call(newsapi_service(), _query_params()), app.current_event.path)
    no_cache = (app.current_event.headers.get("x-no-cache") or "").lower() == "true"
    return _json(status, body, cache=CACHE_READS if status == 200 and not no_cache else NO_STORE)


@app.get("/v2/everything")
def newsapi_everything() -> Response:
    from newsflow.api.newsapi import routes

    return _newsapi(routes.everything)


@app.get("/v2/top-headlines")
def newsapi_top_headlines() -> Response:
    from newsflow.api.newsapi import routes

    return _newsapi(routes.top_headlines)


@app.get("/v2/top-headlines/sources")
@app.get("/v2/sources")
def newsapi_sources() -> Response:
    from newsflow.api.newsapi import routes

    return _newsapi(routes.sources)


# ----------------------------------------------------------------------------------------- admin


def _require_operator() -> None:
    """API Gateway authorises /v1/admin with IAM; refuse an admin call that did not come through it."""
    from newsflow import wiring

    if wiring.current().settings.stage == "local":
        return
    identity = app.current_event.request_context.identity
    if not (identity.user_arn or identity.caller or identity.access_key):
        raise ApiError(403, "forbidden", "admin routes need an IAM-signed (SigV4) request")


def _body() -> Any:
    raw = app.current_event.decoded_body
    if not raw:
        raise bad_request("a JSON body is required", None, code="bodyInvalid")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise bad_request("the body is not valid JSON", None, code="bodyInvalid") from exc


@app.post("/v1/admin/items")
def submit_items() -> Response:
    _require_operator()
    return _json(202, admin_service().submit_items(_body()), cache=NO_STORE)


@app.get("/v1/admin/feeds")
def list_feeds() -> Response:
    _require_operator()
    return _json(200, admin_service().list_feeds(), cache=NO_STORE)


@app.post("/v1/admin/feeds")
def save_feed() -> Response:
    _require_operator()
    created, body = admin_service().save_feed(_body())
    return _json(201 if created else 200, body, cache=NO_STORE)


@app.get("/v1/admin/feeds/<feed_id>")
def get_feed(feed_id: str) -> Response:
    _require_operator()
    checked = _parse(p.FeedIdParam, {"feedId": feed_id})
    return _json(200, admin_service().get_feed(checked.feed_id), cache=NO_STORE)


@app.delete("/v1/admin/feeds/<feed_id>")
def delete_feed(feed_id: str) -> Response:
    _require_operator()
    checked = _parse(p.FeedIdParam, {"feedId": feed_id})
    return _json(200, admin_service().delete_feed(checked.feed_id), cache=NO_STORE)


# ---------------------------------------------------------------------------------------- errors


@app.exception_handler(ApiError)
def handle_api_error(error: ApiError) -> Response:
    body = ErrorBody(code=error.code, message=error.message, param=error.param)
    return _json(error.status_code, body, cache=NO_STORE)


@app.not_found
def handle_not_found(_: NotFoundError) -> Response:
    body = ErrorBody(code="routeNotFound", message=f"no route {app.current_event.http_method} {app.current_event.path}")
    return _json(404, body, cache=NO_STORE)


@app.exception_handler(Exception)
def handle_unexpected(error: Exception) -> Response:
    logger.exception("unhandled error", extra={"path": app.current_event.path})
    body = ErrorBody(code="internalError", message="the request could not be completed; it has been logged")
    return _json(500, body, cache=NO_STORE)


# ------------------------------------------------------------------------------------------ CORS


def _origin(event: dict[str, Any]) -> str | None:
    headers = event.get("headers") or {}
    origin = next((v for k, v in headers.items() if k.lower() == "origin"), None)
    return origin if origin and origin.rstrip("/") in cors_origins() else None


def _with_cors(response: dict[str, Any], origin: str | None) -> dict[str, Any]:
    """Allow configured origins only (NEWSFLOW_CORS_ORIGINS); others get no CORS headers at all."""
    if origin is None:
        return response
    headers = dict(response.get("headers") or {})
    headers.update({"Access-Control-Allow-Origin": origin, "Vary": "Origin"})
    response["headers"] = headers
    multi = response.get("multiValueHeaders")
    if multi:
        for name in ("Access-Control-Allow-Origin", "Vary"):
            multi.pop(name, None)
    return response


def _preflight(origin: str | None) -> dict[str, Any]:
    headers = {"Cache-Control": NO_STORE}
    if origin is not None:
        headers |= {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": CORS_METHODS,
            "Access-Control-Allow-Headers": CORS_HEADERS,
            "Access-Control-Max-Age": "3600",
            "Vary": "Origin",
        }
    return {"statusCode": 204 if origin else 403, "headers": headers, "body": "", "isBase64Encoded": False}


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    origin = _origin(event)
    if event.get("httpMethod") == "OPTIONS":
        return _preflight(origin)
    return _with_cors(app.resolve(event, context), origin)
