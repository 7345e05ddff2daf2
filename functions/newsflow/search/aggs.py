"""Aggregations both adapters send as the same JSON (tantivy's aggregation API takes OpenSearch's
request shape) and read back with the same code: the pure core of "What's Hot" in the index.

`story_sources_aggs` groups a window's articles by story (stories of two or more articles), and per story
by source (`source_id`, the earliest article of each) and by the sources of the verbatim copies folded into
its articles (`syndicated`, the earliest article each copied).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from newsflow.search.port import SearchDocument, StorySources

SOURCES_PER_STORY: Final = 100
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def derived_source_fields(doc: SearchDocument) -> dict[str, Any]:
    """The indexed keys What's Hot aggregates on: the copies' source keys and the article's source total."""
    return {"syndicated": doc.copy_keys, "source_total": doc.source_total}


def story_sources_aggs(max_stories: int) -> dict[str, Any]:
    earliest = {"first": {"min": {"field": "sort_at_us"}}}
    return {
        "stories": {
            "terms": {"field": "story_id", "size": max_stories, "min_doc_count": 2},
            "aggs": {
                "sources": {"terms": {"field": "source_id", "size": SOURCES_PER_STORY}, "aggs": earliest},
                "copies": {"terms": {"field": "syndicated", "size": SOURCES_PER_STORY}, "aggs": earliest},
            },
        }
    }


def _firsts(block: Any) -> dict[str, datetime]:
    out: dict[str, datetime] = {}
    for bucket in (block or {}).get("buckets", []) if isinstance(block, Mapping) else []:
        value = (bucket.get("first") or {}).get("value")
        if value is not None:
            out[str(bucket["key"])] = _EPOCH + timedelta(microseconds=int(value))
    return out


def parse_story_sources(aggregations: Mapping[str, Any]) -> list[StorySources]:
    out = []
    for bucket in (aggregations.get("stories") or {}).get("buckets", []):
        out.append(
            StorySources(
                story_id=str(bucket["key"]),
                articles=int(bucket["doc_count"]),
                first_by_source=_firsts(bucket.get("sources")),
                first_by_copy=_firsts(bucket.get("copies")),
            )
        )
    return out
