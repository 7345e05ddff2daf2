"""The OpenAPI 3.1 document of the API, generated from the same pydantic models that validate requests
and shape responses (so the document cannot drift from the code). Built on first request and cached.

Powertools can generate OpenAPI from `enable_validation=True` routes, but its OpenAPI machinery costs
~200 ms of import on every cold start; this module is only imported when the document is asked for.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from newsflow.api.errors import ErrorBody
from newsflow.api.newsapi.errors import NewsApiErrorBody
from newsflow.api.routes import ROUTES, Route

ERROR_DESCRIPTIONS = {
    400: "Bad, unknown or repeated parameter, or bad cursor",
    401: "API key missing or invalid (NewsAPI routes: apiKeyMissing, apiKeyInvalid)",
    403: "Admin: the request did not come through IAM (SigV4) authorisation",
    404: "Unknown id or route",
    409: "Conflict with the resource's state (e.g. poll-now on a disabled feed)",
    410: "cursorExpired: the relevancy walk's snapshot expired (5 minutes idle): search again without cursor",
    429: "Throttled (API Gateway usage plan or WAF rate limit); retry after Retry-After seconds",
    503: "A dependency is unavailable",
    500: "Unexpected failure, logged (NewsAPI routes: unexpectedError)",
}
_HEADER_DOCS = {
    "ETag": "Strong validator of this representation; send it back in If-None-Match for a 304.",
    "Last-Modified": "When the article last changed (article routes only).",
    "Cache-Control": "How long shared caches and browsers may keep the answer (per route).",
    "Vary": "Origin, Accept-Encoding.",
}
_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer", "minimum": 0}}
}

DESCRIPTION = """All the queries a news site needs, one request per page. JSON, camelCase.

Paging: lists return `{status, totalResults, totalRelation, articles, nextCursor}`. Pass `nextCursor` back as
`cursor` with the same other parameters; it continues after the last article of the previous page (keyset
paging on the sort values, with a point-in-time snapshot for relevancy order), so arrivals between pages
never skip or repeat articles and there is no depth limit. `totalRelation` is `eq` when `totalResults` is
exact. Errors: `{status: "error", code, message, param}` with 400, 404, 429 or 503.

Read routes need an `x-api-key` header in AWS (usage plan); admin routes need SigV4 (IAM)."""


def _strip_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: keep the non-null branch of `X | None`."""
    options = schema.get("anyOf")
    if isinstance(options, list):
        kept = [o for o in options if o.get("type") != "null"]
        if len(kept) == 1:
            merged = {k: v for k, v in schema.items() if k != "anyOf"}
            merged.update(kept[0])
            schema = merged
    schema.pop("title", None)
    if schema.get("default", "") is None:
        schema.pop("default")
    return schema


def _closed_values(name: str, prop: dict[str, Any]) -> dict[str, Any]:
    """Where the accepted values are a closed set, the document says so (what the validators enforce)."""
    from newsflow.api.params import ARTICLE_FIELDS, CARD_FIELDS
    from newsflow.models import GENERAL_CATEGORY
    from newsflow.taxonomy import CATEGORY_SLUGS

    if name in {"category", "slug"} and prop.get("type") == "string":
        prop.pop("pattern", None)
        prop["enum"] = sorted({*CATEGORY_SLUGS, GENERAL_CATEGORY})
    elif name == "fields" and prop.get("type") == "string":
        known = ARTICLE_FIELDS if "previous" in str(prop.get("description", "")) else CARD_FIELDS
        one = "(" + "|".join(known) + ")"
        prop["pattern"] = f"^{one}(,{one})*$"
    return prop


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(by_alias=True, mode="validation")
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = _closed_values(name, _strip_null(copy.deepcopy(prop)))
        description = prop.pop("description", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        out.append(parameter)
    return out


def _error_response(status: int, body: type[BaseModel] = ErrorBody) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body.__name__}"}}},
    }
    if status == 429:
        response["headers"] = _RETRY_AFTER
    return response


def _path_parameters(route: Route) -> list[dict[str, Any]]:
    if route.path_model is None:
        return []
    return [{**p, "in": "path", "required": True} for p in _query_parameters(route.path_model)]


def _documented() -> list[Route]:
    return [r for r in ROUTES if r.response is not None]


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    routes = _documented()
    models: list[type[BaseModel]] = [ErrorBody, NewsApiErrorBody]
    bodies = {r.body for r in routes if r.body is not None}
    for route in routes:
        assert route.response is not None
        models.append(route.response)
        if route.body:
            models.append(route.body)
    _, defs = models_json_schema(
        [(m, "validation" if m in bodies else "serialization") for m in dict.fromkeys(models)],
        by_alias=True,
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        assert route.response is not None
        parameters = _path_parameters(route)
        if route.query is not None:
            parameters += _query_parameters(route.query)
        content: dict[str, Any] = {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{route.response.__name__}"}}
        }
        if route.media_type and route.method == "GET":
            content = {route.media_type: {"schema": {"type": "string"}}}
        ok: dict[str, Any] = {"description": "OK", "content": content}
        if route.method == "GET":
            ok["headers"] = {
                name: {"description": text, "schema": {"type": "string"}} for name, text in _HEADER_DOCS.items()
            }
        responses: dict[str, Any] = {str(route.status): ok}
        for status in route.also:
            responses[str(status)] = ok | {"description": "Created" if status == 201 else "OK"}
        if route.method == "GET":
            responses["304"] = {"description": "Not Modified: If-None-Match named the current ETag"}
        for status in (*route.errors, 429):
            responses[str(status)] = _error_response(status, route.error_body)
        security: list[dict[str, list[str]]] = [{"sigv4": []}] if route.auth == "iam" else [{"apiKey": []}, {}]
        if route.error_body is NewsApiErrorBody:
            security = [{"apiKey": []}, {"apiKeyQuery": []}, {"bearer": []}, {}]
        operation: dict[str, Any] = {
            "operationId": route.operation_id,
            "summary": route.summary,
            "tags": [route.tag],
            "parameters": parameters,
            "responses": responses,
            "security": security,
        }
        if route.description:
            operation["description"] = route.description
        if route.media_type and route.method != "GET":
            operation["requestBody"] = {"required": True, "content": {route.media_type: {"schema": {"type": "string"}}}}
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{route.body.__name__}"}}},
            }
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    _type_article_response(defs.get("$defs", {}))
    return {
        "openapi": "3.1.0",
        "info": {"title": "newsflow API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                "apiKeyQuery": {"type": "apiKey", "in": "query", "name": "apiKey", "description": "NewsAPI routes"},
                "bearer": {"type": "http", "scheme": "bearer", "description": "NewsAPI routes: the API key"},
                "sigv4": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "AWS Signature Version 4 (IAM), service execute-api",
                },
            },
        },
    }


def _type_article_response(schemas: dict[str, Any]) -> None:
    """`/v1/articles/{id}` answers an ArticleDetail (restricted to `fields=` when given): document it so."""
    response = schemas.get("ArticleResponse")
    if response is None or "ArticleDetail" not in schemas:
        return
    detail = copy.deepcopy(schemas["ArticleDetail"])
    detail.pop("required", None)
    detail["title"] = "ArticleFields"
    detail["description"] = "An ArticleDetail; with `fields=`, only those fields (and `id`)."
    schemas["ArticleFields"] = detail
    response["properties"]["article"] = {"$ref": "#/components/schemas/ArticleFields"}
    card = schemas.get("ArticleCard")
    if card is None:
        return
    trimmed = copy.deepcopy(card)
    trimmed["required"] = ["id"]
    trimmed["title"] = "ArticleCardFields"
    trimmed["description"] = "An ArticleCard restricted by `fields=` to the chosen fields (and `id`)."
    schemas["ArticleCardFields"] = trimmed
    for name in ("ListResponse", "SearchResponse"):
        listing = schemas.get(name)
        if listing is not None:
            listing["properties"]["articles"]["items"] = {
                "anyOf": [
                    {"$ref": "#/components/schemas/ArticleCard"},
                    {"$ref": "#/components/schemas/ArticleCardFields"},
                ]
            }


# Swagger UI from a CDN, pinned to one release with Subresource Integrity: the browser refuses a changed file.
# (Hashes computed from the npm package swagger-ui-dist 5.35.0.)
DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>newsflow API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5.35.0/swagger-ui.css"
 integrity="sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I" crossorigin="anonymous"></head>
<body><div id="ui"></div>
<script src="https://unpkg.com/swagger-ui-dist@5.35.0/swagger-ui-bundle.js"
 integrity="sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9" crossorigin="anonymous"></script>
<script>window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#ui"});</script>
</body></html>
"""
