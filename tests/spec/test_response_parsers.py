"""The adapter's response parsers on responses shaped by the spec: recorded in its stories, and generated.

Generated responses come from the spec's own response schemas (`schema_strategy`), for the parts the
adapter reads: `_bulk` items, `_search` hits, terms / date_histogram buckets with a `max` sub-aggregation.
Recursive schemas are cut at a fixed depth (an ErrorCause's `caused_by` chain...). The settings are bounded
(few examples, no deadline) so the whole module stays within seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from newsflow.search.opensearch_body import (
    bulk_failures,
    document_source,
    parse_search_response,
    parse_story_sources,
)
from newsflow.search.port import SearchDocument

from tests.spec.opensearch_spec import BUNDLE_DIR, SPEC
from tests.spec.schema_strategy import _flatten, inline, spec_instances

BOUNDED = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DOC = SearchDocument(id="doc-1", title="Oil prices", category="economy", sort_at=T0)


def story_payload(relative: str, method: str, path: str) -> Any:
    story = yaml.safe_load((BUNDLE_DIR / "stories" / relative).read_text(encoding="utf-8"))
    [chapter] = [c for c in story["chapters"] if (c["method"], c["path"]) == (method, path) and c.get("response")]
    return chapter["response"]["payload"]


# ------------------------------------------------------------------------------------ recorded (stories)


def test_recorded_bulk_delete_of_a_missing_document_is_not_a_failure() -> None:
    # default/_core/bulk.yaml: {"delete": {"_id": "invalid", "result": "not_found", "status": 404}}
    payload = story_payload("default/_core/bulk.yaml", "PUT", "/_bulk")
    assert bulk_failures(payload, ["invalid"], deleting=True) == []
    assert [f.id for f in bulk_failures(payload, ["invalid"], deleting=False)] == ["invalid"]


def test_recorded_terms_buckets_are_read_as_facet_counts() -> None:
    payload = story_payload("default/_core/search/aggregations/terms.yaml", "POST", "/{index}/_search")
    response = {"aggregations": {"source": payload["aggregations"]["directors"]}}
    assert parse_search_response(response, ["source"]).facets == {"source": {"Bennett Miller": 2}}


def test_recorded_histogram_buckets_are_read_by_their_key_as_string() -> None:
    payload = story_payload("default/_core/search/aggregations/historgram.yaml", "POST", "/{index}/_search")
    response = {"aggregations": {"month": payload["aggregations"]["movies"]}}
    counts = parse_search_response(response, ["month"]).facets["month"]
    assert counts == {b["key_as_string"]: b["doc_count"] for b in payload["aggregations"]["movies"]["buckets"]}


def test_recorded_max_value_is_read_as_the_latest_time() -> None:
    # default/_core/search/aggregations/max.yaml answers {"value": 126}: a number (OpenSearch sends a double)
    value = story_payload("default/_core/search/aggregations/max.yaml", "POST", "/{index}/_search")["aggregations"]
    bucket = {"key": "reuters.com", "doc_count": 1, "latest": value["duration_max"]}
    result = parse_search_response({"aggregations": {"source": {"buckets": [bucket]}}}, ["source"], facet_latest=True)
    assert result.facet_latest == {"source": {"reuters.com": _EPOCH + timedelta(microseconds=126)}}


def test_recorded_search_after_hits_parse() -> None:
    # the story's hit carries only `_source`: `_id`, `_score` and `sort` are optional in the spec
    payload = story_payload("default/_core/search/search_after.yaml", "POST", "/{index}/_search")
    payload["hits"]["hits"][0]["_source"] = document_source(DOC)
    [hit] = parse_search_response(payload).hits
    assert (hit.id, hit.score, hit.sort, hit.document) == ("doc-1", 0.0, [], DOC)


# ------------------------------------------------------------------------------------------ generated


@BOUNDED
@given(spec_instances("_core.bulk:BulkResponse", depth=4))
def test_generated_bulk_responses_fail_exactly_the_non_2xx_items(response: dict[str, Any]) -> None:
    ids = [str(next(iter(item.values())).get("_id") or f"doc{n}") for n, item in enumerate(response["items"])]
    assume(len(set(ids)) == len(ids))
    for deleting in (False, True):
        failed = {f.id for f in bulk_failures(response, ids, deleting=deleting)}
        expected = set()
        for doc_id, item in zip(ids, response["items"], strict=True):
            status = next(iter(item.values()))["status"]
            if not (200 <= status < 300 or (deleting and status == 404)):
                expected.add(doc_id)
        assert failed == expected
    # and an id the response does not account for fails too (retried), never lost
    assert "unanswered" in {f.id for f in bulk_failures(response, [*ids, "unanswered"])}


@BOUNDED
@given(spec_instances("_core.search:HitsMetadata"), st.booleans(), st.integers(0, 3))
def test_generated_search_hits_are_read_as_the_spec_describes(
    block: dict[str, Any], timed_out: bool, failed_shards: int
) -> None:
    for n, hit in enumerate(block["hits"]):
        hit["_source"] = document_source(DOC.model_copy(update={"id": f"doc-{n}"}))  # TDocument: the mapping's
        # sort values of the adapter's own sort: [_score (double)], sort_at_us (long), id (keyword)
        assume(all(isinstance(v, int | float | str) and not isinstance(v, bool) for v in hit.get("sort") or []))
    shards = {"total": 3, "successful": 3 - failed_shards, "failed": failed_shards}
    result = parse_search_response({"hits": block, "timed_out": timed_out, "_shards": shards})
    total = block.get("total", 0)
    expected_total = total["value"] if isinstance(total, dict) else total
    assert result.total == expected_total
    relation = total.get("relation") if isinstance(total, dict) else "eq"
    assert result.total_relation == ("gte" if timed_out or failed_shards or relation == "gte" else "eq")
    assert [h.id for h in result.hits] == [str(hit.get("_id", f"doc-{n}")) for n, hit in enumerate(block["hits"])]
    for hit, raw in zip(result.hits, block["hits"], strict=True):
        assert hit.score == float(raw.get("_score") or 0.0)
        assert hit.sort == list(raw.get("sort") or [])
        expected_marks = {k: v[0] for k, v in (raw.get("highlight") or {}).items() if v}
        assert hit.highlights == expected_marks


def _bucket_schema(name: str) -> dict[str, Any]:
    """A terms or date_histogram aggregate, its buckets with the `latest` max sub-aggregation the adapter asks for.

    Read literally, the spec's MultiBucketBase (an allOf part of every bucket) says `additionalProperties:
    Aggregate`, which makes a bucket's own `key` an aggregate: no real terms bucket validates. That keyword is
    dropped from the bucket; everything else is the spec's, and each instance is checked against it."""
    schema = _flatten(inline(name, depth=6))
    buckets = _flatten(schema["properties"]["buckets"])
    # the array form: the keyed (object) form is never asked for
    branches = buckets.pop("oneOf", [])
    if "items" not in buckets:
        buckets = _flatten(next(b for b in branches if b.get("type") == "array"))
    buckets["type"] = "array"
    schema["properties"]["buckets"] = buckets
    item = _flatten(buckets["items"])
    item.pop("additionalProperties", None)
    latest = inline("_common.aggregations:MaxAggregate", depth=3)
    item["properties"]["latest"] = latest
    item["required"] = sorted({*item.get("required", []), "latest"})
    buckets["items"] = item
    return schema


@BOUNDED
@given(
    spec_instances(
        "_common.aggregations:StringTermsAggregate", _bucket_schema("_common.aggregations:StringTermsAggregate")
    ),
    spec_instances(
        "_common.aggregations:DateHistogramAggregate", _bucket_schema("_common.aggregations:DateHistogramAggregate")
    ),
)
def test_generated_facet_buckets_are_read_as_counts_and_latest_times(terms: Any, months: Any) -> None:
    for bucket in terms["buckets"] + months["buckets"]:
        value = bucket["latest"]["value"]
        assume(value is None or abs(value) < 2**53)  # a time in microseconds, as max(sort_at_us) gives
    result = parse_search_response({"aggregations": {"source": terms, "month": months}}, ["source", "month"], True)
    assert result.facets["source"] == {b["key"]: b["doc_count"] for b in terms["buckets"]}
    assert result.facets["month"] == {str(b.get("key_as_string", b["key"])): b["doc_count"] for b in months["buckets"]}
    latest = {b["key"] for b in terms["buckets"] if b["latest"]["value"] is not None}
    assert set(result.facet_latest["source"]) == latest


def test_story_sources_read_the_first_article_of_each_source() -> None:
    first = (T0 - _EPOCH) // timedelta(microseconds=1)
    response = {
        "aggregations": {
            "stories": {
                "buckets": [
                    {
                        "key": "s1",
                        "doc_count": 3,
                        "sources": {
                            "buckets": [
                                {"key": "a.com", "doc_count": 2, "first": {"value": float(first)}},
                                {"key": "b.com", "doc_count": 1, "first": {"value": None}},
                            ]
                        },
                    }
                ]
            }
        }
    }
    op = SPEC.find("POST", "/articles/_search")[0]  # type: ignore[index]
    assert (
        SPEC.check_response(
            op,
            200,
            {
                "took": 1,
                "timed_out": False,
                "_shards": {"total": 1, "successful": 1, "failed": 0},
                "hits": {"hits": [], "max_score": None},
                **response,
            },
        )
        == []
    )
    [story] = parse_story_sources(response)
    assert (story.story_id, story.articles, story.first_by_source) == ("s1", 3, {"a.com": T0})
