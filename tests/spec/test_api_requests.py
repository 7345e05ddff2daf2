"""The API handler tests again, with the api Lambda's search index a tantivy + OpenSearch mirror.

`build_search_index` (what `shared_search_index` builds for the api and index handlers) is replaced by a
`SpecMirrorIndex`: every listing, search, facet, What's Hot and index write the handler tests make also
goes through the OpenSearch adapter to a fake OpenSearch that checks it against the API specification.
"""

from __future__ import annotations

import pytest
from newsflow import search, wiring
from newsflow.search.tantivy_index import TantivyIndex
from newsflow.settings import Settings

from tests.integration.test_api_handler import *  # noqa: F403 - the handler tests, collected again here
from tests.spec.fake_opensearch import FakeOpenSearch
from tests.spec.mirror import SpecMirrorIndex

# Not collected again: it never reaches the search index, and it is timing-bound (it reads the items queue
# after `populated`, whose messages come back once their 2 s local visibility timeout passes).
del test_admin_items_are_validated_and_enqueued  # noqa: F821


@pytest.fixture(autouse=True)
def opensearch_mirror(monkeypatch: pytest.MonkeyPatch, fake_opensearch: FakeOpenSearch) -> FakeOpenSearch:
    def build(settings: Settings) -> SpecMirrorIndex:
        return SpecMirrorIndex(TantivyIndex(settings.tantivy_path), fake_opensearch, settings.opensearch_index)

    monkeypatch.setattr(search, "build_search_index", build)
    wiring.reset()
    return fake_opensearch


def test_the_handler_tests_reach_opensearch(populated: LocalResources, opensearch_mirror: FakeOpenSearch) -> None:  # noqa: F405
    # Given the populated stack, when the API answers a search
    status, _ = call("/v1/search?q=export")  # noqa: F405
    # Then the OpenSearch adapter was driven too: the index was created, written and searched
    assert status == 200
    groups = {x.operation.rsplit(".", 1)[0] for x in opensearch_mirror.requests if x.operation}
    assert {"indices.exists", "indices.create", "bulk", "search"} <= groups
