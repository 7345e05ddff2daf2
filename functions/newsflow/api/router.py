"""Matches a request against the route table and calls the route's endpoint (no AWS imports).

Nothing about the request is kept anywhere but in the call itself: concurrent requests (the local front
serves each on its own thread) cannot see each other's parameters. Unknown paths are 404 `routeNotFound`;
a known path with another method is 405 with `Allow`; HEAD is served wherever GET is (the body is dropped
by `newsflow.api.http.finish`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError

from newsflow.api.endpoints import Call, Services, single_values
from newsflow.api.errors import ApiError, ErrorBody, from_validation_error
from newsflow.api.http import NO_STORE, Reply, Request
from newsflow.api.routes import ROUTES, Route
from newsflow.observability import logger

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern[str], Route], ...]:
    compiled = []
    for route in sorted(ROUTES, key=lambda r: "{" in r.path):  # static paths win over templates
        pattern = _PLACEHOLDER.sub(
            lambda m: f"(?P<{m[1]}>[^/]+)", re.escape(route.path).replace(r"\{", "{").replace(r"\}", "}")
        )
        compiled.append((re.compile(f"^{pattern}$"), route))
    return tuple(compiled)


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
    """(the route, its path values, the methods the path allows); no route: None."""
    allowed: list[str] = []
    for pattern, route in _compiled():
        found = pattern.match(path)
        if found is None:
            continue
        allowed.append(route.method)
        if route.method == method or (method == "HEAD" and route.method == "GET"):
            return route, found.groupdict(), allowed
    return None, {}, allowed


def allow_header(methods: Sequence[str]) -> str:
    out = list(dict.fromkeys(methods))
    if "GET" in out:
        out.insert(out.index("GET") + 1, "HEAD")
    return ", ".join([*out, "OPTIONS"])


def error_reply(error: ApiError, headers: dict[str, str] | None = None) -> Reply:
    body = ErrorBody(code=error.code, message=error.message, param=error.param)
    return Reply(error.status_code, body, cache=NO_STORE, headers=headers or {})


def _parse(model: type[BaseModel], data: Mapping[str, Any]) -> Any:
    try:
        return model.model_validate(dict(data))
    except ValidationError as error:
        raise from_validation_error(error) from error


def dispatch(request: Request, services: Services) -> Reply:
    route, values, allowed = match(request.method, request.path)
    if route is None:
        if allowed:
            message = f"method {request.method} is not allowed on {request.path}"
            return error_reply(ApiError(405, "methodNotAllowed", message), headers={"Allow": allow_header(allowed)})
        return error_reply(ApiError(404, "routeNotFound", f"no route {request.method} {request.path}"))
    try:
        if route.error_body is not ErrorBody:  # NewsAPI's routes validate (and answer errors) their own way
            query = None
        else:
            single = single_values(request.query)
            query = _parse(route.query, single) if route.query is not None else None
            if route.query is None and single:
                name = next(iter(single))
                raise ApiError(400, "parameterUnknown", f"unknown parameter '{name}'", name)
        path = _parse(route.path_model, values) if route.path_model is not None else None
        return route.endpoint(Call(request, query, path, route.cache, services))
    except ApiError as error:
        return error_reply(error)
    except Exception:
        logger.exception("unhandled error", extra={"path": request.path})
        body = ErrorBody(code="internalError", message="the request could not be completed; it has been logged")
        return Reply(500, body, cache=NO_STORE)
