"""A queue message body to a `FeedItem`, or a permanent error that says why (no normalisation here).

Shared by ingest and by `POST /v1/admin/items`, which checks items exactly as ingest will; kept apart
from the pipeline so the api function does not import (or ship) the normaliser and the categoriser.
"""

from __future__ import annotations

import json

from pydantic import ValidationError

from newsflow.errors import PermanentItemError
from newsflow.models import MAX_ITEM_BYTES, FeedItem


def parse_message(body: str) -> FeedItem:
    """Turn an SQS message body into a FeedItem, or raise PermanentItemError saying exactly why not."""
    size = len(body.encode("utf-8", errors="surrogatepass"))
    if size > MAX_ITEM_BYTES:
        raise PermanentItemError("oversize", f"message is {size} bytes; the limit is {MAX_ITEM_BYTES}")
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PermanentItemError("invalid_json", str(exc)) from exc
    if not isinstance(payload, dict):
        raise PermanentItemError("schema_violation", "message body must be a JSON object")
    try:
        return FeedItem.model_validate(payload)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, err['loc'])) or 'item'}: {err['msg']}" for err in exc.errors()[:10])
        raise PermanentItemError("schema_violation", problems) from exc
