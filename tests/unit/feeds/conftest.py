"""Fixtures of the feed tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.feeds.http_fixture import FeedServer, start_server


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A real HTTP server on 127.0.0.1 (random port); register routes with `@feed_server.route(path)`."""
    server = FeedServer()
    stop = start_server(server)
    try:
        yield server
    finally:
        stop()
