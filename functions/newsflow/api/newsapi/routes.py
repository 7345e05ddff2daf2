"""The `/v2` routes' request -> response step, with every failure turned into NewsAPI's error body.

The resolver (`newsflow.handlers.api`) registers the paths and calls `respond` with one of the functions
below; nothing here knows about API Gateway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ValidationError

from newsflow.api.errors import ApiError
from newsflow.api.newsapi.errors import UNEXPECTED, NewsApiError, from_api_error, from_validation_error
from newsflow.api.newsapi.params import EverythingParams, SourcesParams, TopHeadlinesParams
from newsflow.observability import logger

if TYPE_CHECKING:
    from newsflow.api.newsapi.service import NewsApiService

ParamsT = TypeVar("ParamsT", bound=BaseModel)
Query = Mapping[str, str]


def _parse(model: type[ParamsT], query: Query) -> ParamsT:
    try:
        return model.model_validate(dict(query))
    except ValidationError as error:
        raise from_validation_error(error) from error


def everything(service: NewsApiService, query: Query) -> BaseModel:
    return service.everything(_parse(EverythingParams, query))


def top_headlines(service: NewsApiService, query: Query) -> BaseModel:
    return service.top_headlines(_parse(TopHeadlinesParams, query))


def sources(service: NewsApiService, query: Query) -> BaseModel:
    return service.sources(_parse(SourcesParams, query))


def respond(run: Callable[[], BaseModel], path: str) -> tuple[int, BaseModel]:
    """(HTTP status, body): the route's answer, or NewsAPI's error body for whatever went wrong."""
    try:
        return 200, run()
    except NewsApiError as error:
        return error.status_code, error.body()
    except ApiError as error:
        mapped = from_api_error(error)
        return mapped.status_code, mapped.body()
    except Exception:
        logger.exception("unhandled error", extra={"path": path})
        failed = NewsApiError("unexpectedError", UNEXPECTED)
        return failed.status_code, failed.body()
