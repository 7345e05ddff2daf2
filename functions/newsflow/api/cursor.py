"""Opaque paging cursors: where the previous page ended, bound to the query that produced it.

A cursor is base64url(JSON) of
  v: format version; k: endpoint kind; h: hash of the query's parameters (a cursor only
  continues the query it came from); s: the sort values of the last article examined
  ([sort_at_us, id], or [score, sort_at_us, id] for relevancy); o: how many articles of the
  ordering were already passed (tantivy's relevancy snapshot pages by offset); p: the snapshot
  (an OpenSearch point in time, or a tantivy snapshot id) for relevancy order, else absent.
It is not signed: a forged cursor can only move the reader to another position of the same query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from newsflow.api.errors import ApiError, bad_request

VERSION = 1


class CursorState(BaseModel):
    sort: list[int | float | str] = Field(min_length=2, max_length=3)
    offset: int = Field(ge=0, le=100_000_000)
    snapshot: str | None = Field(default=None, max_length=3000)


def query_hash(kind: str, params: dict[str, Any]) -> str:
    canonical = json.dumps([kind, sorted((k, str(v)) for k, v in params.items() if v is not None)])
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(kind: str, digest: str, state: CursorState) -> str:
    payload: dict[str, Any] = {"v": VERSION, "k": kind, "h": digest, "s": state.sort, "o": state.offset}
    if state.snapshot:
        payload["p"] = state.snapshot
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid(message: str = "cursor is not valid") -> ApiError:
    return bad_request(message, "cursor", code="cursorInvalid")


def decode_cursor(cursor: str, kind: str, digest: str) -> CursorState:
    try:
        payload = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise _invalid() from exc
    if not isinstance(payload, dict) or payload.get("v") != VERSION or payload.get("k") != kind:
        raise _invalid()
    if payload.get("h") != digest:
        raise _invalid("cursor belongs to another query: keep every parameter but cursor (and pageSize) the same")
    try:
        state = CursorState(sort=payload.get("s"), offset=payload.get("o"), snapshot=payload.get("p"))
    except ValidationError as exc:
        raise _invalid() from exc
    if not isinstance(state.sort[-1], str) or not isinstance(state.sort[-2], int) or isinstance(state.sort[-2], bool):
        raise _invalid()
    return state
