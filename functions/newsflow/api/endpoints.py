"""One function per route: parsed parameters in, a `Reply` out (the route table in `newsflow.api.routes`
names them; `newsflow.api.router` parses what each route declares and calls them). No AWS imports: the
services come from the caller (`newsflow.handlers.api`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from newsflow.api.errors import ApiError, bad_request
from newsflow.api.http import Reply, Request

if TYPE_CHECKING:
    from newsflow.api.admin import AdminService
    from newsflow.api.newsapi.service import NewsApiService
    from newsflow.api.service import QueryService


class Services(Protocol):
    @property
    def query(self) -> QueryService: ...

    @property
    def admin(self) -> AdminService: ...

    @property
    def newsapi(self) -> NewsApiService: ...

    @property
    def stage(self) -> str: ...


@dataclass(frozen=True)
class Call:
    """What the router hands an endpoint: the request, its validated query and path parameters, the cache
    policy its route declares, and the services."""

    request: Request
    query: Any
    path: Any
    cache: str
    services: Services

    def ok(self, body: BaseModel | dict[str, Any] | str, status: int = 200, **kwargs: Any) -> Reply:
        return Reply(status, body, cache=self.cache, **kwargs)


def single_values(query: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """One value per parameter: a repeated parameter is ambiguous, so it is refused rather than guessed."""
    for name, values in query.items():
        if len(values) > 1:
            raise ApiError(400, "parameterRepeated", f"parameter '{name}' is given more than once", name)
    return {name: values[0] for name, values in query.items() if values}


# ----------------------------------------------------------------------------------------- reads


def list_articles(call: Call) -> Reply:
    return call.ok(call.services.query.list_articles(call.query))


def search(call: Call) -> Reply:
    return call.ok(call.services.query.search(call.query))


def get_article(call: Call) -> Reply:
    detail = call.services.query.get_article(call.path.id, call.query)
    changed = detail.article.get("updatedAt") or detail.article.get("firstSeenAt")
    return call.ok(detail, last_modified=_moment(changed))


def related(call: Call) -> Reply:
    return call.ok(call.services.query.related(call.path.id, call.query))


def top_headlines(call: Call) -> Reply:
    return call.ok(call.services.query.top_headlines(call.query))


def categories(call: Call) -> Reply:
    return call.ok(call.services.query.categories())


def archives(call: Call) -> Reply:
    return call.ok(call.services.query.archives(call.query))


def archive_month(call: Call) -> Reply:
    return call.ok(call.services.query.archive_month(call.path.year, call.path.month, call.query))


def sources(call: Call) -> Reply:
    return call.ok(call.services.query.sources(call.query))


def health(call: Call) -> Reply:
    body = call.services.query.health()
    return call.ok(body, 200 if body.status == "ok" else 503)


def openapi(call: Call) -> Reply:
    from newsflow.api.openapi import openapi_document

    return call.ok(openapi_document())


def docs(call: Call) -> Reply:
    from newsflow.api.openapi import DOCS_HTML

    return call.ok(DOCS_HTML, content_type="text/html; charset=utf-8")


# ----------------------------------------------------------------------------------------- pages


def page_home(call: Call) -> Reply:
    return call.ok(call.services.query.pages.home(call.query))


def page_category(call: Call) -> Reply:
    return call.ok(call.services.query.pages.category(call.path.slug, call.query))


def page_article(call: Call) -> Reply:
    return call.ok(call.services.query.pages.article(call.path.id, call.query))


def page_search(call: Call) -> Reply:
    return call.ok(call.services.query.pages.search(call.query))


# ------------------------------------------------------------------ NewsAPI compatibility (/v2)


def _newsapi(call: Call, name: str) -> Reply:
    """NewsAPI's routes answer NewsAPI's error body for every failure (newsflow.api.newsapi.routes)."""
    from newsflow.api.newsapi import routes

    run = getattr(routes, name)
    status, body = routes.respond(
        lambda: run(call.services.newsapi, single_values(call.request.query)), call.request.path
    )
    no_cache = (call.request.header("x-no-cache") or "").lower() == "true"
    return Reply(status, body, cache=call.cache if status == 200 and not no_cache else "no-store")


def newsapi_everything(call: Call) -> Reply:
    return _newsapi(call, "everything")


def newsapi_top_headlines(call: Call) -> Reply:
    return _newsapi(call, "top_headlines")


def newsapi_sources(call: Call) -> Reply:
    return _newsapi(call, "sources")


# ----------------------------------------------------------------------------------------- admin


def require_operator(call: Call) -> None:
    """API Gateway authorises /v1/admin with IAM; refuse an admin call that did not come through it."""
    if call.services.stage == "local":
        return
    caller = call.request.caller
    if not (caller.get("userArn") or caller.get("caller") or caller.get("accessKey")):
        raise ApiError(403, "forbidden", "admin routes need an IAM-signed (SigV4) request")


def _body(call: Call) -> Any:
    raw = call.request.body
    if not raw:
        raise bad_request("a JSON body is required", None, code="bodyInvalid")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise bad_request("the body is not valid JSON", None, code="bodyInvalid") from exc


def submit_items(call: Call) -> Reply:
    require_operator(call)
    return call.ok(call.services.admin.submit_items(_body(call)), 202)


def list_feeds(call: Call) -> Reply:
    require_operator(call)
    return call.ok(call.services.admin.list_feeds())


def save_feed(call: Call) -> Reply:
    require_operator(call)
    created, body = call.services.admin.save_feed(_body(call))
    return call.ok(body, 201 if created else 200)


def import_opml(call: Call) -> Reply:
    require_operator(call)
    return call.ok(call.services.admin.import_opml(call.request.body))


def export_opml(call: Call) -> Reply:
    require_operator(call)
    headers = {"Content-Disposition": 'attachment; filename="newsflow-feeds.opml"'}
    return call.ok(call.services.admin.export_opml(), content_type="text/x-opml; charset=utf-8", headers=headers)


def feed_action(call: Call) -> Reply:
    require_operator(call)
    return call.ok(call.services.admin.feed_action(call.path.feed_id, call.path.action))


def get_feed(call: Call) -> Reply:
    require_operator(call)
    return call.ok(call.services.admin.get_feed(call.path.feed_id))


def delete_feed(call: Call) -> Reply:
    require_operator(call)
    return call.ok(call.services.admin.delete_feed(call.path.feed_id))


def _moment(value: object) -> Any:
    from datetime import datetime

    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
