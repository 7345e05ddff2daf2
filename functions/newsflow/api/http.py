"""HTTP semantics of every API answer, as plain functions of the request and the reply (no AWS imports).

- **Compression**: bodies of 1 KiB or more go out as `br` when the client asks for it (Accept-Encoding,
  q-values honoured), else `gzip`, else as they are; `Vary: Accept-Encoding`. API Gateway passes the
  encoded bytes through (binary media type `*/*`), and so does the local front.
- **Validators**: a strong `ETag` on every 200 (a hash of the identity body, with `-br`/`-gz` appended for an
  encoded representation, as each is a different byte sequence); `If-None-Match` with any of them (or `*`)
  answers 304 with no body. `Last-Modified` where a reply knows it (an article: its last update), and
  `If-Modified-Since` when no `If-None-Match` was sent.
- **CORS**: `Vary: Origin` on every answer; for an allowed origin (or any, in public-read mode: origin list
  `*`) `Access-Control-Allow-Origin` and `Access-Control-Expose-Headers` (ETag, Last-Modified, Retry-After),
  so a page's script can read them. Preflights need no key and are answered before anything else.
- **Cache-Control** comes from the route table (`newsflow.api.routes`).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Final

from pydantic import BaseModel

COMPRESS_MIN_BYTES: Final = 1024
EXPOSE_HEADERS: Final = "ETag, Last-Modified, Retry-After"
ALLOW_METHODS: Final = "GET, HEAD, POST, DELETE, OPTIONS"
ALLOW_HEADERS: Final = (
    "Content-Type, X-Api-Key, Authorization, X-Amz-Date, X-Amz-Security-Token, If-None-Match, If-Modified-Since, "
    # The npm `newsapi` client sends these two on every request (so a browser preflights them).
    "X-No-Cache, Access-Control-Allow-Origin"
)
PREFLIGHT_MAX_AGE: Final = "3600"
NO_STORE: Final = "no-store"
_COMPRESSIBLE: Final = ("application/json", "text/")
_SUFFIX: Final = {"br": "-br", "gzip": "-gz"}


@dataclass(frozen=True)
class Request:
    """One HTTP request as the API sees it (from an API Gateway REST proxy event, or the local front)."""

    method: str
    path: str
    query: Mapping[str, Sequence[str]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    caller: Mapping[str, str | None] = field(default_factory=dict)  # requestContext.identity

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Request:
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items() if v is not None}
        query: dict[str, list[str]] = {}
        multi = event.get("multiValueQueryStringParameters") or {}
        if multi:
            query = {str(k): [str(v) for v in values] for k, values in multi.items()}
        else:
            query = {str(k): [str(v)] for k, v in (event.get("queryStringParameters") or {}).items()}
        raw = event.get("body") or ""
        body = base64.b64decode(raw) if event.get("isBase64Encoded") else str(raw).encode()
        identity = ((event.get("requestContext") or {}).get("identity")) or {}
        return cls(
            method=str(event.get("httpMethod") or "GET").upper(),
            path=str(event.get("path") or "/"),
            query=query,
            headers=headers,
            body=body,
            caller={k: identity.get(k) for k in ("userArn", "caller", "accessKey", "sourceIp")},
        )


@dataclass
class Reply:
    """What an endpoint answers, before the HTTP rules above are applied."""

    status: int
    body: BaseModel | Mapping[str, Any] | str
    cache: str = NO_STORE
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None


def serialize(body: BaseModel | Mapping[str, Any] | str) -> bytes:
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, BaseModel):
        to_json = getattr(body, "to_json", None)
        return (to_json() if callable(to_json) else body.model_dump_json(by_alias=True)).encode()
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def strong_etag(body: bytes) -> str:
    return '"' + base64.urlsafe_b64encode(hashlib.sha256(body).digest()[:18]).decode() + '"'


def _etag_core(tag: str) -> str:
    tag = tag.strip()
    tag = tag.removeprefix("W/")
    inner = tag.strip('"')
    for suffix in _SUFFIX.values():
        inner = inner.removesuffix(suffix)
    return inner


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 If-None-Match (weak comparison): `*`, or any listed tag naming this content."""
    if if_none_match.strip() == "*":
        return True
    wanted = _etag_core(etag)
    return any(_etag_core(tag) == wanted for tag in if_none_match.split(",") if tag.strip())


def chosen_encoding(accept_encoding: str | None) -> str | None:
    """br, else gzip, when the client accepts it (q > 0); None: send the body as it is."""
    if not accept_encoding:
        return None
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name:
            weights[name.strip().lower()] = q
    star = weights.get("*", 0.0)
    for encoding in ("br", "gzip"):
        if weights.get(encoding, star) > 0 and (encoding != "br" or _brotli_available()):
            return encoding
    return None


def _brotli_available() -> bool:
    try:
        import brotli  # noqa: F401
    except ImportError:  # pragma: no cover - brotli is a pinned dependency
        return False
    return True


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        import brotli

        return bytes(brotli.compress(body, quality=5))
    return gzip.compress(body, compresslevel=6, mtime=0)


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _not_modified_since(request: Request, last_modified: datetime | None) -> bool:
    since = request.header("if-modified-since")
    if last_modified is None or not since or request.header("if-none-match"):
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return last_modified.astimezone(UTC).replace(microsecond=0) <= moment


def cors_headers(origin: str | None, allowed: frozenset[str]) -> dict[str, str]:
    if origin is None:
        return {}
    if "*" in allowed:
        return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": EXPOSE_HEADERS}
    if origin.rstrip("/") in allowed:
        return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": EXPOSE_HEADERS}
    return {}


def preflight(request: Request, allowed: frozenset[str]) -> dict[str, Any]:
    """OPTIONS: no key, no route lookup. Allowed origins get the CORS grant; others a 403 without one."""
    cors = cors_headers(request.header("origin"), allowed)
    headers = {"Cache-Control": NO_STORE, "Vary": "Origin", "Content-Type": "application/json"}
    if cors:
        headers |= cors | {
            "Access-Control-Allow-Methods": ALLOW_METHODS,
            "Access-Control-Allow-Headers": ALLOW_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
        headers.pop("Access-Control-Expose-Headers", None)
        return {"statusCode": 204, "headers": headers, "body": "", "isBase64Encoded": False}
    body = serialize({"status": "error", "code": "originNotAllowed", "message": "this origin may not call the API"})
    return {"statusCode": 403, "headers": headers, "body": body.decode(), "isBase64Encoded": False}


def finish(reply: Reply, request: Request, allowed: frozenset[str]) -> dict[str, Any]:
    """The API Gateway proxy response for a reply: validators, 304, compression, CORS, Vary."""
    raw = serialize(reply.body)
    compressible = reply.content_type.startswith(_COMPRESSIBLE)
    headers: dict[str, str] = {"Content-Type": reply.content_type, "Cache-Control": reply.cache, **reply.headers}
    headers["Vary"] = "Origin, Accept-Encoding" if compressible else "Origin"
    headers |= cors_headers(request.header("origin"), allowed)
    if reply.last_modified is not None:
        headers["Last-Modified"] = http_date(reply.last_modified)
    encoding = chosen_encoding(request.header("accept-encoding")) if compressible else None
    if len(raw) < COMPRESS_MIN_BYTES:
        encoding = None
    cacheable = reply.status == 200 and request.method in {"GET", "HEAD"}
    if cacheable:
        tag = strong_etag(raw)
        headers["ETag"] = tag[:-1] + _SUFFIX[encoding] + '"' if encoding else tag
        match = request.header("if-none-match")
        if (match and etag_matches(match, tag)) or _not_modified_since(request, reply.last_modified):
            headers.pop("Content-Type", None)
            return {"statusCode": 304, "headers": headers, "body": "", "isBase64Encoded": False}
    if encoding:
        headers["Content-Encoding"] = encoding
        raw = compress(raw, encoding)
    if request.method == "HEAD":  # what GET would send, without the body
        headers["Content-Length"] = str(len(raw))
        return {"statusCode": reply.status, "headers": headers, "body": "", "isBase64Encoded": False}
    if encoding:
        return {"statusCode": reply.status, "headers": headers, "body": base64.b64encode(raw).decode(),
                "isBase64Encoded": True}  # fmt: skip
    return {"statusCode": reply.status, "headers": headers, "body": raw.decode(), "isBase64Encoded": False}
