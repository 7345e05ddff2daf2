"""A speed-up for moto's DynamoDB, applied by the local stack only.

moto 5.2 answers every Query on a base table by sorting *all* items of the table with its DynamoType
comparisons and then filtering them by partition key (`Table.query` over `Table.all_items`), which makes
the local stack quadratic in the table size: with the story candidate index (8 Queries per ingested
item), a few thousand items brought local ingest down to a few items per second. While a base-table
Query runs, this patch hands moto only the queried partition (what DynamoDB itself reads); every other
use of `all_items` (scans, GSI queries) is unchanged. moto is pinned, and the e2e tests run through it.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

_PATCHED = False
_current = threading.local()  # moto's server answers requests on several threads


def speed_up_moto_dynamodb() -> None:
    global _PATCHED
    if _PATCHED:
        return
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items

    signature = inspect.signature(original_query)

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        # moto passes index_name positionally: bind the call to read it whatever the calling convention.
        index_name = signature.bind(self, hash_key, *args, **kwargs).arguments.get("index_name")
        partitioned = index_name is None and hash_key is not None and bool(self.range_key_attr)
        _current.partition = (self, hash_key) if partitioned else None
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _current.partition = None

    def all_items(self: Any) -> list[Any]:
        partition = getattr(_current, "partition", None)
        if partition is None or partition[0] is not self:
            return original_all_items(self)
        return list(self.items.get(partition[1], {}).values())  # moto sorts the query's results itself

    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]
    _PATCHED = True
