"""API Gateway (REST, proxy) -> the route table. Routes live under /v1 and /v2 (README "API", /v1/openapi.json).

Thin: `newsflow.api.router` matches the request against `newsflow.api.routes.ROUTES` and calls the route's
endpoint; `newsflow.api.http` applies compression, validators (ETag / 304), CORS and Vary. Errors always
come back as `{status: "error", code, message, param}` with the right HTTP status. No request state is kept
outside the call, so concurrent calls (the local front's threads) never mix.

Cold start: the route table and its parameter/response models are imported with this module; boto3, the
search adapter, the OpenAPI builder and the admin service load on the first request that needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsflow.api import router
from newsflow.api.http import Request, finish, preflight
from newsflow.api.routes import ROUTES
from newsflow.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from newsflow.api.admin import AdminService
    from newsflow.api.newsapi.service import NewsApiService
    from newsflow.api.service import QueryService
    from newsflow.search import SearchIndex  # noqa: F401 - ships with this function (the index it queries)

__all__ = ["ROUTES", "lambda_handler"]


# The dependencies come from newsflow.wiring (built once per process from the settings). The TYPE_CHECKING
# imports above also put these modules in this function's asset (infra/closure.py follows every import).


def service() -> QueryService:
    from newsflow import wiring

    return wiring.current().query_service


def admin_service() -> AdminService:
    from newsflow import wiring

    return wiring.current().admin_service


def newsapi_service() -> NewsApiService:
    from newsflow import wiring

    return wiring.current().newsapi_service


def cors_origins() -> frozenset[str]:
    """The origins allowed to read the API from a browser (NEWSFLOW_CORS_ORIGINS; `*`: any; none by default)."""
    from newsflow import wiring

    return wiring.current().cors_origins


def _stage() -> str:
    from newsflow import wiring

    return wiring.current().settings.stage


class _Services:
    """What the endpoints use, built on first use (each is a cached module-level singleton)."""

    @property
    def query(self) -> QueryService:
        return service()

    @property
    def admin(self) -> AdminService:
        return admin_service()

    @property
    def newsapi(self) -> NewsApiService:
        return newsapi_service()

    @property
    def stage(self) -> str:
        return _stage()


SERVICES = _Services()


def handle(event: dict[str, Any]) -> dict[str, Any]:
    """One API Gateway REST proxy event -> its proxy response."""
    request = Request.from_event(event)
    allowed = cors_origins() if request.header("origin") else frozenset()  # settings only when a browser asks
    if request.method == "OPTIONS":  # preflight: no key, no route lookup
        return preflight(request, allowed)
    return finish(router.dispatch(request, SERVICES), request, allowed)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event)
