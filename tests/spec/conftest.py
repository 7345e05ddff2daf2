"""Fixtures of the OpenSearch specification layer: a fake OpenSearch per test that checks every exchange."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.spec.fake_opensearch import FakeOpenSearch


@pytest.fixture
def fake_opensearch() -> Iterator[FakeOpenSearch]:
    with FakeOpenSearch().running() as fake:
        yield fake
    # every request of the test, including those a mirror did not check itself, kept to the specification
    assert fake.violations() == []
