"""Which queue delivery wrote an article's content, and as what, in one short attribute of the article item.

A write whose response was lost, or a crash right after it, is redelivered: the retry finds the content already
stored and must still report what its first attempt did (`created`/`updated`), not `unchanged`. The marker says
so. It is on every new article, so its size is paid on every write: DynamoDB bills per started 1 KB, names
included, and the two clear attributes it replaces (`written_by` with the 36-character message id and
`write_outcome`, 66 bytes) put about one samples/ article in eight over a kilobyte. Now: `w`, one outcome byte and
the message id's 16 bytes (18 bytes). Items written before keep the old pair, which is still read.
"""

from __future__ import annotations

import uuid
from typing import Any

from newsflow.store.codec import as_bytes

MARKER_ATTR = "w"
LEGACY_ATTRS = ("written_by", "write_outcome")  # the pair written before, read still
# The outcomes a content write records; lower case before a message id in its 16 bytes (SQS message ids are
# UUIDs), upper case before any other delivery name in UTF-8 (tests, tools).
_CODES = {"created": "c", "updated": "u"}
_OUTCOMES = {code: outcome for outcome, code in _CODES.items()}


def encode(delivery: str, outcome: str) -> bytes:
    code = _CODES[outcome]
    try:
        parsed = uuid.UUID(delivery)
    except ValueError:
        parsed = None
    if parsed is not None and str(parsed) == delivery:
        return code.encode("ascii") + parsed.bytes
    return code.upper().encode("ascii") + delivery.encode("utf-8")


def decode(item: dict[str, Any]) -> tuple[str, str] | None:
    """(delivery, outcome) of the item's last content write, or None when it records none."""
    raw = item.get(MARKER_ATTR)
    if raw is not None:
        data = as_bytes(raw)
        code, rest = data[:1].decode("ascii", "replace"), data[1:]
        outcome = _OUTCOMES.get(code.lower())
        if outcome is None:
            return None
        delivery = str(uuid.UUID(bytes=rest)) if code.islower() and len(rest) == 16 else rest.decode("utf-8")
        return delivery, outcome
    by, outcome_value = (item.get(name) for name in LEGACY_ATTRS)
    if by and outcome_value:
        return str(by), str(outcome_value)
    return None
