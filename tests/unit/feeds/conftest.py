"""Fixtures of the feed tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.feeds.http_fixture import FeedServer, serving


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A real HTTP server on 127.0.0.1 (random port); register routes with `@feed_server.route(path)`."""
    with serving() as server:
        yield server
