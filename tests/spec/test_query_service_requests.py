"""The query service tests (paging, What's Hot, related, facets) again, on a tantivy + OpenSearch mirror."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from newsflow.api.service import QueryService

from tests.spec.fake_opensearch import FakeOpenSearch
from tests.spec.mirror import SpecMirrorIndex
from tests.unit.search.test_query_service import *  # noqa: F403 - the service tests, collected again here
from tests.unit.search.test_query_service import NOW, Site


@pytest.fixture
def site(tmp_path: Path, fake_opensearch: FakeOpenSearch) -> Iterator[Site]:
    built = Site(tmp_path)
    mirror = SpecMirrorIndex(built.index, fake_opensearch)
    built.index = mirror  # type: ignore[assignment]
    built.service = QueryService(built.store, mirror, now=lambda: NOW)  # type: ignore[arg-type]
    yield built
    mirror.close()
