"""Full-text search behind one port (`port.SearchIndex`) with two adapters.

`tantivy_index.TantivyIndex` (embedded, on disk: local stack and tests) and
`opensearch_index.OpenSearchIndex` (OpenSearch Service in AWS). Each adapter is imported only
when chosen, so a Lambda pays the import cost of the backend it uses and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsflow.search.port import SearchIndex

if TYPE_CHECKING:
    from newsflow.settings import Settings

__all__ = ["SearchIndex", "build_search_index", "shared_search_index"]


def build_search_index(settings: Settings) -> SearchIndex:
    """The configured adapter: `settings.search_backend` is "tantivy" or "opensearch"."""
    if settings.search_backend == "opensearch":
        from newsflow.search.opensearch_index import OpenSearchIndex

        if not settings.opensearch_url:  # Settings already refuses this; keep the adapter honest
            raise ValueError("opensearch backend needs an OpenSearch URL")
        return OpenSearchIndex(settings.opensearch_url, settings.opensearch_index, region=settings.region)
    from newsflow.search.tantivy_index import TantivyIndex

    return TantivyIndex(settings.tantivy_path)


def shared_search_index() -> SearchIndex:
    """The process's one index (newsflow.wiring builds it from the settings): the index and api handlers share it
    (the local stack runs both in one process, and tantivy allows one writer per index)."""
    from newsflow import wiring

    return wiring.current().search_index
