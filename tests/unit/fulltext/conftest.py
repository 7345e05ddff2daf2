"""Fixtures of the full-text tests: a real HTTP server on 127.0.0.1 serving article pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.feeds.http_fixture import FeedServer, serving


@pytest.fixture
def site() -> Iterator[FeedServer]:
    with serving() as server:
        yield server
