"""Every method of the OpenSearch adapter, and the faults the spec describes, against the fake OpenSearch.

The contract and API reruns (test_contract_requests.py, test_api_requests.py, test_query_service_requests.py)
cover what the port's users call; this module adds what only operators and failures reach (index versions,
alias swaps, deleting, refreshing; partial `_bulk` failures, `_search` shard failures, an expired point in
time, a missing index), and pins the exact set of HTTP operations the adapter can call.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from newsflow.search.opensearch_body import document_source
from newsflow.search.opensearch_index import OpenSearchIndex
from newsflow.search.port import SearchDocument, SearchQuery, SnapshotExpired

from tests.spec.fake_opensearch import FakeOpenSearch
from tests.spec.opensearch_spec import AMAZON_DISTRIBUTIONS, SPEC

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# What the adapter can call, as method + path template of the spec. The api/index roles' IAM policy and the
# domain access policy must allow exactly these (listed in the module docstring of opensearch_index too).
ADAPTER_OPERATIONS = {
    ("HEAD", "/{index}"),  # ensure_index: does the alias exist; ping (the health check asks for the index)
    ("PUT", "/{index}"),  # ensure_index, create_version
    ("GET", "/{index}"),  # create_version: the existing <alias>-v* indices
    ("DELETE", "/{index}"),  # delete_index (the concrete indices)
    ("HEAD", "/_alias/{name}"),  # swap_alias, delete_index
    ("GET", "/_alias/{name}"),  # swap_alias, delete_index
    ("POST", "/_aliases"),  # swap_alias
    ("POST", "/{index}/_refresh"),  # refresh
    ("POST", "/{index}/_bulk"),  # upsert, delete
    ("POST", "/{index}/_search"),  # search, story_sources
    ("POST", "/_search"),  # search in a point in time
    ("POST", "/{index}/_search/point_in_time"),  # open a point in time
    ("DELETE", "/_search/point_in_time"),  # close it after the last page
    ("GET", "/{index}/_doc/{id}"),  # get
    ("POST", "/{index}/_count"),  # count
}


def doc(doc_id: str, hours_ago: float = 0, **fields: Any) -> SearchDocument:
    fields.setdefault("category", "economy")
    return SearchDocument(id=doc_id, title=f"Title {doc_id}", sort_at=T0 - timedelta(hours=hours_ago), **fields)


def hits(*docs: SearchDocument, total: int | None = None, score: float = 1.0) -> dict[str, Any]:
    return {
        "hits": {
            "total": {"value": len(docs) if total is None else total, "relation": "eq"},
            "max_score": score,
            "hits": [
                {
                    "_index": "articles-v1",
                    "_id": d.id,
                    "_score": score,
                    "_source": document_source(d),
                    "sort": [score, 1, d.id],
                }
                for d in docs
            ],
        }
    }


@pytest.fixture
def adapter(fake_opensearch: FakeOpenSearch) -> OpenSearchIndex:
    return OpenSearchIndex(fake_opensearch.url, "articles", refresh="true")


def test_every_adapter_method_keeps_to_the_spec_and_the_operation_set_is_pinned(
    adapter: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # Given a fresh domain, when every method of the adapter is used once
    assert adapter.ping() is True
    assert adapter.count() == 0  # no index yet: empty, not an error
    assert adapter.search(SearchQuery(text="oil")).hits == []
    assert adapter.story_sources(SearchQuery()) == []
    assert adapter.upsert([doc("a"), doc("b", 1)]) == []  # creates articles-v1 behind the alias first
    assert adapter.ensure_index() is False
    assert adapter.get("a") == doc("a")
    assert adapter.get("missing") is None
    assert adapter.count() == 2
    adapter.refresh()
    fake_opensearch.answer_next_search(hits(doc("a"), doc("b", 1)))
    first = adapter.search(SearchQuery(text="title", size=2, keep_snapshot=True))
    assert first.snapshot is not None  # a full page: the walk goes on in the point in time
    fake_opensearch.answer_next_search(hits(total=2))
    last = adapter.search(SearchQuery(text="title", size=2, snapshot=first.snapshot, search_after=first.hits[-1].sort))
    assert last.snapshot == first.snapshot  # the adapter never closes a walk's point in time on its own ...
    adapter.release_snapshot(first.snapshot)  # ... the query service releases it when the walk is over
    assert fake_opensearch.pits == {}
    assert adapter.delete(["a", "never-there"]) == []
    new = adapter.create_version()
    assert new == "articles-v2"
    assert adapter.swap_alias(new) == ["articles-v1"]
    adapter.delete_index()
    assert fake_opensearch.indices == {"articles-v1": fake_opensearch.indices["articles-v1"]}
    # Then every request and answer kept to the specification (the fixture checks it too)
    assert fake_opensearch.violations() == []
    # and the adapter called exactly the pinned operations
    assert fake_opensearch.operations_called() == ADAPTER_OPERATIONS


def test_no_operation_the_adapter_calls_is_excluded_on_amazon_opensearch() -> None:
    # x-distributions-excluded: amazon-managed (OpenSearch Service) and amazon-serverless
    for method, path in ADAPTER_OPERATIONS:
        [op] = [o for o in SPEC.operations if (o.method, o.path) == (method, path)]
        assert not set(op.excluded) & AMAZON_DISTRIBUTIONS, (op.id, op.excluded)
    # what is excluded there is never called: GET / (info) on serverless, _cat, _nodes, segments, settings...
    excluded = {(o.method, o.path) for o in SPEC.operations if set(o.excluded) & AMAZON_DISTRIBUTIONS}
    assert ("GET", "/") in excluded
    assert not excluded & ADAPTER_OPERATIONS


def test_every_operation_the_adapter_calls_exists_in_the_domain_engine_version() -> None:
    # infra/search.py deploys OpenSearch 3.x; points in time need 2.4
    for method, path in ADAPTER_OPERATIONS:
        [op] = [o for o in SPEC.bundle["operations"] if (o["method"], o["path"]) == (method, path)]
        assert tuple(int(x) for x in op["version_added"].split(".")) <= (3, 0), op


def test_partial_bulk_failures_fail_only_their_documents(
    adapter: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # Given a bulk in which OpenSearch rejects one item (429, queue full) and refuses another (400, mapping)
    adapter.ensure_index()
    fake_opensearch.fail_bulk_items = {
        "b": (429, "es_rejected_execution_exception"),
        "c": (400, "mapper_parsing_exception"),
    }
    # When three documents are upserted
    failures = adapter.upsert([doc("a"), doc("b"), doc("c")])
    # Then exactly those two are reported, with the spec's error type, and the third is stored
    assert {f.id: f.reason.split(":")[0] for f in failures} == {
        "b": "429 es_rejected_execution_exception",
        "c": "400 mapper_parsing_exception",
    }
    assert adapter.get("a") is not None
    # deletes too: a rejected delete fails, a missing document (404 not_found) does not
    fake_opensearch.fail_bulk_items = {"a": (429, "es_rejected_execution_exception")}
    assert [f.id for f in adapter.delete(["a", "zz"])] == ["a"]


def test_search_answered_by_some_shards_only_reports_a_lower_bound(
    adapter: OpenSearchIndex, fake_opensearch: FakeOpenSearch
) -> None:
    # Given a search that one of two shards failed (200, `_shards.failed` 1 with its `failures`)
    adapter.ensure_index()
    fake_opensearch.shard_failures = True
    fake_opensearch.answer_next_search(hits(doc("a"), total=1))
    # When it is read
    result = adapter.search(SearchQuery(text="title"))
    # Then the hits that came back are served, and the total is only a lower bound
    assert [h.id for h in result.hits] == ["a"]
    assert (result.total, result.total_relation) == (1, "gte")
    assert fake_opensearch.requests[-1].response["_shards"]["failed"] == 1


@pytest.mark.parametrize("keep", [False, True])
def test_an_expired_point_in_time_is_reported_and_never_continued_on_the_live_index(
    adapter: OpenSearchIndex, fake_opensearch: FakeOpenSearch, keep: bool
) -> None:
    # Given a relevancy walk whose point in time expired (404 search_context_missing_exception)
    adapter.ensure_index()
    fake_opensearch.answer_next_search(hits(doc("a"), doc("b")))
    first = adapter.search(SearchQuery(text="title", size=2, keep_snapshot=True))
    assert first.snapshot in fake_opensearch.pits
    fake_opensearch.expire_pits()
    # When the next page is read with it
    fake_opensearch.answer_next_search(hits(doc("c"), doc("d")))
    with pytest.raises(SnapshotExpired):
        adapter.search(
            SearchQuery(
                text="title", size=2, snapshot=first.snapshot, keep_snapshot=keep, search_after=first.hits[-1].sort
            )
        )
    # Then nothing was read from the live index (scores there moved: pages would repeat or skip)
    calls = [(x.method, x.path, x.status) for x in fake_opensearch.requests[-1:]]
    assert calls == [("POST", "/_search", 404)]


def test_the_whole_request_log_can_be_written_for_an_outside_check(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    record = tmp_path / "exchanges.jsonl"
    monkeypatch.setenv("NEWSFLOW_SPEC_RECORD", str(record))
    with FakeOpenSearch().running() as fake:
        OpenSearchIndex(fake.url, "articles").upsert([doc("a")])
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [(x["method"], x["path"]) for x in lines] == [
        ("HEAD", "/articles"),
        ("PUT", "/articles-v1"),
        ("POST", "/articles/_bulk"),
    ]
    assert all(x["errors"] == [] for x in lines)
