"""The OpenAPI 3.1 document of the API, generated from the same pydantic models that validate requests
and shape responses (so the document cannot drift from the code). Built on first request and cached.

Powertools can generate OpenAPI from `enable_validation=True` routes, but its OpenAPI machinery costs
~200 ms of import on every cold start; this module is only imported when the document is asked for.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from newsflow.api import admin, params, views
from newsflow.api.errors import ErrorBody
from newsflow.api.newsapi import params as newsapi_params
from newsflow.api.newsapi import views as newsapi_views
from newsflow.api.newsapi.errors import NewsApiErrorBody

TOP_HEADLINES_DESCRIPTION = (
    '"What\'s Hot": stories ranked by how many distinct sources cover them, with recency decay. '
    "score(story) = Σ over its distinct sources s of 2^(-age_s / halfLife), where age_s is the age in hours of "
    "the first article of s in the story (inside the window) and halfLife is 6 h for window=24h and 36 h for "
    "window=7d. A story of two fresh sources scores ~2, a six-hour-old single article 0.5 (24h). One article "
    "per story is returned: its earliest, with `alsoFrom` listing the other sources. Articles with no story "
    "are stories of one."
)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    response: type[BaseModel]
    query: type[BaseModel] | None = None
    path_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: tuple[int, ...] = (400,)
    tag: str = "articles"
    description: str = ""
    body: type[BaseModel] | None = None
    status: int = 200
    admin: bool = False
    error_body: type[BaseModel] = ErrorBody
    media_type: str | None = None  # a non-JSON response or body (OPML): documented as text, no schema


NEWSAPI_DESCRIPTION = (
    "NewsAPI.org-compatible (README, 'NewsAPI compatibility'): NewsAPI's parameters, response shape and error "
    "codes, so the newsapi-python and npm newsapi clients work with only their base URL changed. The API key may "
    "be given as the apiKey parameter, the X-Api-Key header or `Authorization: Bearer KEY`."
)
_NEWSAPI_ERRORS = (400, 401, 500)

_ID = {"id": {"type": "string", "pattern": r"^[0-9a-f]{32}$", "description": "Article id"}}
_FEED_ID = {"feedId": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]{0,63}$"}}

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get",
        "/v1/articles",
        "listArticles",
        "Articles, newest first (category pages, Latest Posts)",
        views.ListResponse,
        params.ArticlesParams,
    ),
    Operation(
        "get",
        "/v1/search",
        "search",
        "Full-text search with filters, facets and highlights",
        views.SearchResponse,
        params.SearchParams,
        tag="search",
    ),
    Operation(
        "get",
        "/v1/articles/{id}",
        "getArticle",
        "One article with body, reading time, source and previous/next in its category",
        views.ArticleResponse,
        params.ArticleParams,
        _ID,
        (400, 404),
    ),
    Operation(
        "get",
        "/v1/articles/{id}/related",
        "relatedArticles",
        "Similar articles, never the article itself nor its own story",
        views.ListResponse,
        params.RelatedParams,
        _ID,
        (400, 404),
    ),
    Operation(
        "get",
        "/v1/top-headlines",
        "topHeadlines",
        "What's Hot: stories ranked by distinct sources with recency decay",
        views.TopHeadlinesResponse,
        params.TopHeadlinesParams,
        description=TOP_HEADLINES_DESCRIPTION,
    ),
    Operation(
        "get",
        "/v1/categories",
        "listCategories",
        "Categories with counts",
        views.CategoriesResponse,
        params.NoParams,
        tag="site",
    ),
    Operation(
        "get",
        "/v1/archives",
        "listArchives",
        "Monthly archive counts",
        views.ArchivesResponse,
        params.ArchivesParams,
        tag="site",
    ),
    Operation(
        "get",
        "/v1/archives/{year}/{month}",
        "archiveMonth",
        "Articles of one calendar month (UTC), newest first",
        views.ListResponse,
        params.FilterParams,
        {
            "year": {"type": "integer", "minimum": 1970, "maximum": 9999},
            "month": {"type": "integer", "minimum": 1, "maximum": 12},
        },
        tag="site",
    ),
    Operation(
        "get",
        "/v1/sources",
        "listSources",
        "Sources with counts",
        views.SourcesResponse,
        params.SourcesParams,
        tag="site",
    ),
    Operation(
        "get",
        "/v1/health",
        "health",
        "Table and index reachability",
        views.HealthResponse,
        params.NoParams,
        errors=(400, 503),
        tag="ops",
    ),
    Operation(
        "post",
        "/v1/admin/items",
        "submitItems",
        "Validate and enqueue up to 100 FeedItems",
        admin.ItemsResponse,
        body=admin.ItemsRequest,
        errors=(400, 503),
        tag="admin",
        status=202,
        admin=True,
    ),
    Operation(
        "get", "/v1/admin/feeds", "listFeeds", "The feeds registry", admin.FeedsResponse, tag="admin", admin=True
    ),
    Operation(
        "post",
        "/v1/admin/feeds",
        "saveFeed",
        "Create (201) or update (200) a feed",
        admin.FeedResponse,
        body=admin.FeedInput,
        tag="admin",
        admin=True,
    ),
    Operation(
        "post",
        "/v1/admin/feeds/opml",
        "importOpml",
        "Register the feeds of an OPML document (body: the OPML XML); existing URLs are kept",
        admin.OpmlImportResponse,
        tag="admin",
        admin=True,
        media_type="text/x-opml",
    ),
    Operation(
        "get",
        "/v1/admin/feeds/opml",
        "exportOpml",
        "The registry as OPML 2.0 (text/x-opml)",
        admin.OpmlImportResponse,
        tag="admin",
        admin=True,
        media_type="text/x-opml",
    ),
    Operation(
        "post",
        "/v1/admin/feeds/{feedId}/{action}",
        "feedAction",
        "enable (clears the disabled reason, due now), disable, poll (due now) or reset (forget validators)",
        admin.FeedResponse,
        path_params=_FEED_ID | {"action": {"type": "string", "enum": ["enable", "disable", "poll", "reset"]}},
        errors=(400, 404, 409),
        tag="admin",
        admin=True,
    ),
    Operation(
        "get",
        "/v1/admin/feeds/{feedId}",
        "getFeed",
        "One feed",
        admin.FeedResponse,
        path_params=_FEED_ID,
        errors=(400, 404),
        tag="admin",
        admin=True,
    ),
    Operation(
        "delete",
        "/v1/admin/feeds/{feedId}",
        "deleteFeed",
        "Remove a feed",
        admin.DeletedResponse,
        path_params=_FEED_ID,
        errors=(400, 404),
        tag="admin",
        admin=True,
    ),
    Operation(
        "get",
        "/v2/everything",
        "newsapiEverything",
        "NewsAPI /v2/everything: search every article (page-based paging to a maximum depth)",
        newsapi_views.ArticlesResponse,
        newsapi_params.EverythingParams,
        errors=_NEWSAPI_ERRORS,
        tag="newsapi",
        description=NEWSAPI_DESCRIPTION,
        error_body=NewsApiErrorBody,
    ),
    Operation(
        "get",
        "/v2/top-headlines",
        "newsapiTopHeadlines",
        "NewsAPI /v2/top-headlines: What's Hot, with NewsAPI's filters",
        newsapi_views.ArticlesResponse,
        newsapi_params.TopHeadlinesParams,
        errors=_NEWSAPI_ERRORS,
        tag="newsapi",
        description=NEWSAPI_DESCRIPTION,
        error_body=NewsApiErrorBody,
    ),
    Operation(
        "get",
        "/v2/top-headlines/sources",
        "newsapiSources",
        "NewsAPI /v2/top-headlines/sources: the sources of the index",
        newsapi_views.SourcesResponse,
        newsapi_params.SourcesParams,
        errors=_NEWSAPI_ERRORS,
        tag="newsapi",
        description=NEWSAPI_DESCRIPTION,
        error_body=NewsApiErrorBody,
    ),
    Operation(
        "get",
        "/v2/sources",
        "newsapiSourcesLegacy",
        "NewsAPI /v2/sources (the older path of /v2/top-headlines/sources)",
        newsapi_views.SourcesResponse,
        newsapi_params.SourcesParams,
        errors=_NEWSAPI_ERRORS,
        tag="newsapi",
        description=NEWSAPI_DESCRIPTION,
        error_body=NewsApiErrorBody,
    ),
)

ERROR_DESCRIPTIONS = {
    400: "Bad, unknown or repeated parameter, or bad cursor",
    401: "API key missing or invalid (NewsAPI routes: apiKeyMissing, apiKeyInvalid)",
    404: "Unknown id or route",
    409: "Conflict with the resource's state (e.g. poll-now on a disabled feed)",
    429: "Throttled (API Gateway usage plan or WAF rate limit); retry after Retry-After seconds",
    503: "A dependency is unavailable",
    500: "Unexpected failure, logged (NewsAPI routes: unexpectedError)",
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


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(by_alias=True, mode="validation")
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = _strip_null(copy.deepcopy(prop))
        description = prop.pop("description", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        out.append(parameter)
    return out


def _error_response(status: int, body: type[BaseModel] = ErrorBody) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body.__name__}"}}},
    }


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    models: list[type[BaseModel]] = [ErrorBody, NewsApiErrorBody]
    for op in OPERATIONS:
        models.append(op.response)
        if op.body:
            models.append(op.body)
    _, defs = models_json_schema(
        [(m, "validation" if any(m is op.body for op in OPERATIONS) else "serialization") for m in models],
        by_alias=True,
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": schema} for name, schema in op.path_params.items()
        ]
        if op.query is not None:
            parameters += _query_parameters(op.query)
        content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{op.response.__name__}"}}}
        if op.media_type and op.method == "get":
            content = {op.media_type: {"schema": {"type": "string"}}}
        responses: dict[str, Any] = {str(op.status): {"description": "OK", "content": content}}
        if op.operation_id == "saveFeed":
            responses["201"] = responses["200"] | {"description": "Created"}
        for status in (*op.errors, 429):
            responses[str(status)] = _error_response(status, op.error_body)
        security: list[dict[str, list[str]]] = [{"sigv4": []}] if op.admin else [{"apiKey": []}, {}]
        if op.error_body is NewsApiErrorBody:
            security = [{"apiKey": []}, {"apiKeyQuery": []}, {"bearer": []}, {}]
        operation: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": parameters,
            "responses": responses,
            "security": security,
        }
        if op.description:
            operation["description"] = op.description
        if op.media_type and op.method != "get":
            operation["requestBody"] = {"required": True, "content": {op.media_type: {"schema": {"type": "string"}}}}
        if op.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}}},
            }
        paths.setdefault(op.path, {})[op.method] = operation
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
