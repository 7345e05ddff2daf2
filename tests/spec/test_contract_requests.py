"""The whole `SearchIndex` contract suite again, with the OpenSearch adapter driven beside tantivy.

Every test of tests/unit/search/test_contract.py runs here on a `SpecMirrorIndex`: tantivy decides what the
test sees, and the OpenSearch adapter sends the same calls to a fake OpenSearch that checks each request
(operation, query parameters, body; `_bulk` line by line) and each answer against the OpenSearch API
specification, and the mirror checks that the adapter read back what tantivy found. So the requests
checked are the ones the contract suite really produces, not a hand-picked few.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from newsflow.search.port import SearchIndex
from newsflow.search.tantivy_index import TantivyIndex

from tests.spec.fake_opensearch import FakeOpenSearch
from tests.spec.mirror import SpecMirrorIndex
from tests.unit.search.test_contract import *  # noqa: F403 - the contract's tests, collected again here


@pytest.fixture
def index(tmp_path: Path, fake_opensearch: FakeOpenSearch) -> Iterator[SearchIndex]:
    with TantivyIndex(tmp_path / "index") as tantivy_index:
        yield SpecMirrorIndex(tantivy_index, fake_opensearch)
