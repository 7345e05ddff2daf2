"""One place that builds what the handlers use, from one validated `Settings`.

The Lambda handlers, the local runtime and the tests all get their repositories, queues, search index, story
services and categoriser from a `Wiring`: built lazily (a handler pays only for what it touches, on its first
invocation), once per process. `current()` is the process's; `install()` replaces it (the local stack, a test
with its own settings); `reset()` forgets it, so the next call re-reads the environment (and the clients).

Nothing here runs at import: cheap to import from any handler. Each Lambda asset holds only the import closure of
its handler (infra/closure.py follows every import statement, lazy ones too), so the builders of what only one
function uses (the categoriser, the feed fetcher, the API services) load their modules by name: the handler that
uses them imports them itself, which is what puts them in its asset.
"""

from __future__ import annotations

import importlib
import logging
import sys
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # light modules every function with storage ships anyway
    from newsflow.search.port import SearchIndex
    from newsflow.settings import Settings
    from newsflow.store.dynamo import DynamoArticleRepository
    from newsflow.store.feeds import DynamoFeedRepository
    from newsflow.store.queues import SqsDeadLetterQueue, SqsItemQueue

MAX_FEED_BYTES = 10 * 1024 * 1024
# Loggers of the libraries: their records go out through the Powertools logger's handler and formatter (JSON,
# with the invocation's keys).
LIBRARY_LOGGERS = frozenset({"botocore", "boto3", "urllib3", "opensearch"})


class WiringError(RuntimeError):
    """A dependency was asked for that the settings cannot provide (a queue URL that is not set, ...)."""


class Wiring:
    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings

    def built(self, name: str) -> Any:
        """The dependency `name` if it was built, else None (closing what exists without building it)."""
        return self.__dict__.get(name)

    @property
    def settings(self) -> Settings:
        """The given settings, else the process's (re-read after `reset_settings_cache()`)."""
        from newsflow.settings import get_settings

        return self._settings or get_settings()

    # -- storage -------------------------------------------------------------------------------------------

    @cached_property
    def repository(self) -> DynamoArticleRepository:
        from newsflow.store.dynamo import DynamoArticleRepository

        return DynamoArticleRepository(_aws().dynamodb(), self.settings.table_name)

    @cached_property
    def feeds(self) -> DynamoFeedRepository:
        from newsflow.store.feeds import DynamoFeedRepository

        return DynamoFeedRepository(_aws().dynamodb(), self.settings.table_name)

    @cached_property
    def stories(self) -> Any:
        """newsflow.pipeline.StoryServices: candidates, stories and the thresholds from the settings."""
        from newsflow.store.stories import DynamoCandidateIndex, DynamoStoryBook

        return _load("newsflow.pipeline", "StoryServices")(
            candidates=DynamoCandidateIndex(_aws().dynamodb(), self.settings.table_name),
            book=DynamoStoryBook(_aws().dynamodb(), self.settings.table_name),
            thresholds=self.settings.story,
        )

    @cached_property
    def search_index(self) -> SearchIndex:
        """One per process: the index and api handlers share it (tantivy allows one writer per index)."""
        return _load("newsflow.search", "build_search_index")(self.settings)

    # -- queues --------------------------------------------------------------------------------------------

    @cached_property
    def dead_letters(self) -> SqsDeadLetterQueue:
        from newsflow.store.queues import SqsDeadLetterQueue

        if not self.settings.dlq_url:
            raise WiringError("NEWSFLOW_DLQ_URL is not set: ingest cannot park poison messages")
        return SqsDeadLetterQueue(_aws().sqs(), self.settings.dlq_url)

    @cached_property
    def item_queue(self) -> SqsItemQueue:
        from newsflow.store.queues import SqsItemQueue

        if not self.settings.queue_url:
            raise WiringError("NEWSFLOW_QUEUE_URL is not set: nowhere to send items")
        return SqsItemQueue(_aws().sqs(), self.settings.queue_url)

    @cached_property
    def fetcher(self) -> Any:
        """newsflow.feeds.fetch.FeedFetcher with the settings' timeout and address policy."""
        return _load("newsflow.feeds.fetch", "FeedFetcher")(
            timeout_seconds=self.settings.fetch_timeout_seconds,
            max_bytes=MAX_FEED_BYTES,
            allow_private=self.settings.allow_private_fetch,
        )

    # -- categories ----------------------------------------------------------------------------------------

    @cached_property
    def taxonomy(self) -> Any:
        """newsflow.taxonomy.Taxonomy: the settings' file, else the packaged one."""
        taxonomy = importlib.import_module("newsflow.taxonomy")
        path = self.settings.taxonomy_path
        return taxonomy.load_taxonomy(path) if path else taxonomy.active_taxonomy()

    @cached_property
    def categoriser(self) -> Any:
        """newsflow.categorise.Categoriser of the settings' taxonomy and model (the packaged ones by default)."""
        from pathlib import Path

        categorise = importlib.import_module("newsflow.categorise")
        path = self.settings.category_model_path
        if not path and not self.settings.taxonomy_path:
            return categorise.default_categoriser()  # the packaged taxonomy and model, built once per process
        default = categorise.DEFAULT_MODEL_PATH
        model_path = Path(path) if path else (default if default.exists() else None)
        model = _load("newsflow.categorise.model", "LinearModel").load(model_path) if model_path else None
        return categorise.Categoriser.from_taxonomy(self.taxonomy, model)

    # -- the API -------------------------------------------------------------------------------------------

    @cached_property
    def query_service(self) -> Any:
        """newsflow.api.service.QueryService over the repository and the index."""
        return _load("newsflow.api.service", "QueryService")(self.repository, self.search_index)

    @cached_property
    def admin_service(self) -> Any:
        """newsflow.api.admin.AdminService (items to the queue when it is set; the feed registry)."""
        queue = self.item_queue if self.settings.queue_url else None
        return _load("newsflow.api.admin", "AdminService")(queue, self.feeds)

    @cached_property
    def newsapi_service(self) -> Any:
        """newsflow.api.newsapi.service.NewsApiService with the NEWSFLOW_NEWSAPI_* mapping."""
        config = _load("newsflow.api.newsapi.mapping", "get_config")()
        return _load("newsflow.api.newsapi.service", "NewsApiService")(self.query_service, self.search_index, config)

    @cached_property
    def cors_origins(self) -> frozenset[str]:
        return frozenset(self.settings.cors_origins)


def _aws() -> Any:
    """newsflow.aws, imported on first use: boto3 costs ~250 ms of import, paid by the first call that needs it."""
    return importlib.import_module("newsflow.aws")


def _load(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module), name)


_current: Wiring | None = None


def current() -> Wiring:
    """The process's wiring (built from the environment on first use)."""
    global _current
    if _current is None:
        _current = Wiring()
        attach_library_loggers()
    return _current


def install(wiring: Wiring) -> Wiring:
    global _current
    _current = wiring
    return wiring


def reset() -> None:
    """Forget the wiring, the settings and the clients: the next call reads the environment again."""
    global _current
    _current = None
    for name, forget in (("newsflow.settings", "reset_settings_cache"), ("newsflow.aws", "reset_clients")):
        module = sys.modules.get(name)
        if module is not None:
            getattr(module, forget)()
    mapping = sys.modules.get("newsflow.api.newsapi.mapping")
    if mapping is not None:
        mapping.get_config.cache_clear()


def attach_library_loggers() -> None:
    """Send the libraries' standard-library loggers (botocore, urllib3, opensearch) out through the Powertools
    logger's handler and JSON formatter, at WARNING or above. Our own modules' loggers (`newsflow.*`) are children
    of the Powertools logger (named after the service), so their records reach it already."""
    from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

    from newsflow.observability import logger

    present = {name for name in logging.root.manager.loggerDict if name in LIBRARY_LOGGERS}
    if present:
        level = max(
            logging.WARNING,
            logging.getLevelName(logger.log_level) if isinstance(logger.log_level, str) else int(logger.log_level),
        )
        copy_config_to_registered_loggers(source_logger=logger, log_level=level, include=present)
