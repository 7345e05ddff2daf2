"""A queue message body to a `FeedItem`, or a permanent error that says why (no normalisation here).

Shared by ingest and by `POST /v1/admin/items`, which checks items exactly as ingest will; kept apart
from the pipeline so the api function does not import (or ship) the normaliser and the categoriser.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from newsflow.errors import PermanentItemError
from newsflow.guards import MAX_MESSAGE_DEPTH, ShapeError, load_json
from newsflow.models import MAX_ITEM_BYTES, FeedItem


def parse_message(body: str) -> FeedItem:
    """Turn an SQS message body into a FeedItem, or raise PermanentItemError saying exactly why not."""
    size = len(body.encode("utf-8", errors="surrogatepass"))
    if size > MAX_ITEM_BYTES:
        raise PermanentItemError("oversize", f"message is {size} bytes; the limit is {MAX_ITEM_BYTES}")
    try:
        payload = load_json(body, max_depth=MAX_MESSAGE_DEPTH)
    except ShapeError as exc:  # nesting, overlong numbers: no retry can ever decode it
        raise PermanentItemError(exc.reason, exc.detail) from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise PermanentItemError("invalid_json", str(exc)) from exc
    if _has_lone_surrogate(payload):
        raise PermanentItemError("invalid_encoding", "a string holds a lone UTF-16 surrogate (not Unicode text)")
    if not isinstance(payload, dict):
        raise PermanentItemError("schema_violation", "message body must be a JSON object")
    try:
        return FeedItem.model_validate(payload)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, err['loc'])) or 'item'}: {err['msg']}" for err in exc.errors()[:10])
        raise PermanentItemError("schema_violation", problems) from exc


def _has_lone_surrogate(value: Any) -> bool:
    """JSON can escape half a surrogate pair ("\\ud800"); no encoder downstream accepts the result."""
    if isinstance(value, str):
        return not value.isascii() and any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False
