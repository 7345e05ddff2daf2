"""Feeds: fetch safely (conditional GET), parse RSS/Atom/JSON Feed, schedule and poll feeds at scale.

Names are loaded lazily (PEP 562): `newsflow.models` imports `feeds.settings_model`, and importing this
package must not pull the fetcher and the parser in before the models exist.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "FeedFetcher": "fetch",
    "FetchError": "fetch",
    "FetchResult": "fetch",
    "address_block_reason": "fetch",
    "is_allowed_address": "fetch",
    "MAX_ENTRIES": "parse",
    "MAX_FEED_BYTES": "parse",
    "ParsedFeed": "parse",
    "SkippedEntry": "parse",
    "parse_feed": "parse",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
