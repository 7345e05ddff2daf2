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
from datetime import timedelta
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # light modules every function with storage ships anyway
    from concurrent.futures import ThreadPoolExecutor

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
    def ingest_table(self) -> Any:
        """The ingest function's DynamoDB client: a per-call retry budget on top of the SDK's (store/retry.py)."""
        return _load("newsflow.store.retry", "RetryingClient")(_aws().dynamodb())

    @cached_property
    def ingest_repository(self) -> DynamoArticleRepository:
        from newsflow.store.dynamo import DynamoArticleRepository

        return DynamoArticleRepository(self.ingest_table, self.settings.table_name)

    @cached_property
    def feeds(self) -> DynamoFeedRepository:
        from newsflow.store.feeds import DynamoFeedRepository

        return DynamoFeedRepository(_aws().dynamodb(), self.settings.table_name)

    @cached_property
    def stories(self) -> Any:
        """newsflow.pipeline.StoryServices: the candidates (a terms query on the search index) and the thresholds."""
        from newsflow.stories.indexed import IndexedCandidateIndex

        return _load("newsflow.pipeline", "StoryServices")(
            candidates=IndexedCandidateIndex(self.search_index, self.settings.story.window_days),
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
    def fetch_queue(self) -> SqsItemQueue:
        """The scheduler's fetch requests, one per due feed (poll sends, the fetch workers consume)."""
        from newsflow.store.queues import SqsItemQueue

        if not self.settings.fetch_queue_url:
            raise WiringError("NEWSFLOW_FETCH_QUEUE_URL is not set: poll has nowhere to send fetch requests")
        return SqsItemQueue(_aws().sqs(), self.settings.fetch_queue_url)

    @cached_property
    def fetcher(self) -> Any:
        """newsflow.feeds.fetch.FeedFetcher with the settings' timeout and address policy."""
        return _load("newsflow.feeds.fetch", "FeedFetcher")(
            timeout_seconds=self.settings.fetch_timeout_seconds,
            max_bytes=MAX_FEED_BYTES,
            allow_private=self.settings.allow_private_fetch,
        )

    # -- feed fetching (the fetch workers) and the full-text stage ---------------------------------------------

    @cached_property
    def fetch_worker(self) -> Any:
        """newsflow.feeds.worker.WorkerDeps of the fetch worker (handlers/fetch.py)."""
        settings = self.settings
        if not settings.queue_url or not settings.fetch_queue_url:
            raise WiringError("NEWSFLOW_QUEUE_URL and NEWSFLOW_FETCH_QUEUE_URL must be set for the fetch worker")
        from newsflow.store.feeds import DynamoFeedRepository
        from newsflow.store.queues import SqsItemQueue

        policy = importlib.import_module("newsflow.feeds.policy")
        sqs = _aws().sqs()
        fetch_queue = settings.fetch_queue_url
        politeness = policy.politeness_from_env()

        def requeue(request: Any, delay: int) -> None:
            sqs.send_message(
                QueueUrl=fetch_queue, MessageBody=request.model_dump_json(exclude_none=True), DelaySeconds=delay
            )

        return _load("newsflow.feeds.worker", "WorkerDeps")(
            store=DynamoFeedRepository(_aws().dynamodb(), settings.table_name),
            fetcher=_load("newsflow.feeds.fetch", "FeedFetcher")(
                timeout_seconds=settings.fetch_timeout_seconds,
                max_bytes=MAX_FEED_BYTES,
                allow_private=settings.allow_private_fetch,
                oversize="truncate",  # a feed over the cap yields what arrived within it, not an error every poll
            ),
            sink=_load("newsflow.feeds.sink", "QueueSink")(
                SqsItemQueue(sqs, settings.queue_url),
                SqsItemQueue(sqs, settings.fulltext_queue_url) if settings.fulltext_queue_url else None,
                mode=settings.fulltext_mode,
                min_words=settings.fulltext_min_words,
            ),
            limiter=_load("newsflow.store.hosts", "DynamoHostLimiter")(
                _aws().dynamodb(), settings.table_name, politeness
            ),
            requeue=requeue,
            read_secret=self.read_secret,
            policy=policy.feed_policy_from_env(),
            politeness=politeness,
        )

    def read_secret(self, name: str) -> str:
        """A per-feed secret header (an SSM SecureString), read once per execution environment: a rotated
        secret is read by the next cold start."""
        secrets: dict[str, str] = self.__dict__.setdefault("_secrets", {})
        if name not in secrets:
            response = _aws().ssm().get_parameter(Name=name, WithDecryption=True)
            secrets[name] = str(response["Parameter"]["Value"])
        return secrets[name]

    @cached_property
    def fetch_dead_letters(self) -> SqsDeadLetterQueue:
        from newsflow.store.queues import SqsDeadLetterQueue

        if not self.settings.fetch_dlq_url:
            raise WiringError("NEWSFLOW_FETCH_DLQ_URL is not set: the fetch worker cannot park messages")
        return SqsDeadLetterQueue(_aws().sqs(), self.settings.fetch_dlq_url)

    @cached_property
    def fulltext_stage(self) -> tuple[Any, SqsItemQueue, SqsDeadLetterQueue]:
        """(newsflow.fulltext.Enricher, the items queue, the full-text DLQ) of handlers/fulltext.py."""
        settings = self.settings
        if not settings.queue_url or not settings.fulltext_dlq_url:
            raise WiringError("NEWSFLOW_QUEUE_URL and NEWSFLOW_FULLTEXT_DLQ_URL must be set for the full-text stage")
        from newsflow.store.queues import SqsDeadLetterQueue, SqsItemQueue

        fulltext = importlib.import_module("newsflow.fulltext")
        handler = importlib.import_module("newsflow.handlers.fulltext")
        fetcher = _load("newsflow.feeds.fetch", "FeedFetcher")
        pages = fetcher(
            timeout_seconds=settings.fulltext_timeout_seconds,
            max_bytes=settings.fulltext_max_bytes,
            allow_private=settings.allow_private_fetch,
            user_agent=handler.USER_AGENT,
            accept=_load("newsflow.fulltext.enrich", "PAGE_ACCEPT"),
        )
        robots_fetcher = fetcher(
            timeout_seconds=min(5.0, settings.fulltext_timeout_seconds),
            max_bytes=_load("newsflow.fulltext.robots", "MAX_ROBOTS_BYTES"),
            allow_private=settings.allow_private_fetch,
            user_agent=handler.USER_AGENT,
            accept="text/plain,*/*;q=0.1",
            oversize="truncate",
        )
        enricher = fulltext.Enricher(
            pages,
            fulltext.RobotsCache(robots_fetcher, handler.ROBOTS_PRODUCT),
            # The fetch workers' host record: K in flight and the gap hold across every worker of both stages.
            fulltext.SharedHostGate(
                _load("newsflow.store.hosts", "DynamoHostLimiter")(
                    _aws().dynamodb(), settings.table_name, _load("newsflow.feeds.policy", "politeness_from_env")()
                ),
                min_gap_seconds=settings.fulltext_host_gap_seconds,
                max_wait_seconds=10.0,
            ),
            min_words=settings.fulltext_min_words,
            default_mode=settings.fulltext_mode,
        )
        sqs = _aws().sqs()
        return enricher, SqsItemQueue(sqs, settings.queue_url), SqsDeadLetterQueue(sqs, settings.fulltext_dlq_url)

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

    @cached_property
    def preparer(self) -> Any:
        """newsflow.local.prepare_pool.PreparePool when ingest_prepare_processes > 0 (the local stack), else None:
        ingest then prepares each item in the handler, as in Lambda."""
        processes = self.settings.ingest_prepare_processes
        if not processes:
            return None
        pool = _load("newsflow.local.prepare_pool", "PreparePool")(
            processes, with_sketch=self.stories is not None, settings=self.settings
        )
        pool.warm()
        return pool

    @cached_property
    def ingest_store_pool(self) -> ThreadPoolExecutor | None:
        """The threads that store one ingest batch's items side by side (their round trips overlap), or None
        (ingest_store_concurrency 1): stored one after another in the handler's thread. Preparing stays in the
        handler's thread, one item at a time: it is CPU work, and one item's parse trees at a time bound memory."""
        threads = self.settings.ingest_store_concurrency
        if threads <= 1:
            return None
        from concurrent.futures import ThreadPoolExecutor

        return ThreadPoolExecutor(threads, thread_name_prefix="ingest-store")

    @cached_property
    def document_builder(self) -> Any:
        """newsflow.indexing.DocumentBuilder of the index stage: the local stack's worker processes when it has
        them (sketching is most of the stage's CPU, and locally every stage shares one process), else in the
        handler, as in Lambda."""
        if self.preparer is not None:
            return self.preparer.index_documents
        return partial(_load("newsflow.indexing", "build_documents"), thresholds=self.settings.story)

    # -- the API -------------------------------------------------------------------------------------------

    @cached_property
    def query_service(self) -> Any:
        """newsflow.api.service.QueryService over the repository and the index."""
        return _load("newsflow.api.service", "QueryService")(
            self.repository, self.search_index, story_span=timedelta(days=self.settings.story.span_days)
        )

    @cached_property
    def admin_service(self) -> Any:
        """newsflow.api.admin.AdminService (items to the queue when it is set; the feed registry)."""
        queue = self.item_queue if self.settings.queue_url else None
        fetch_queue = self.fetch_queue if self.settings.fetch_queue_url else None  # poll-now fetches at once
        return _load("newsflow.api.admin", "AdminService")(
            queue, self.feeds, allow_private=self.settings.allow_private_fetch, fetch_queue=fetch_queue
        )

    @cached_property
    def newsapi_service(self) -> Any:
        """newsflow.api.newsapi.service.NewsApiService with the NEWSFLOW_NEWSAPI_* mapping."""
        config = _load("newsflow.api.newsapi.mapping", "get_config")()
        return _load("newsflow.api.newsapi.service", "NewsApiService")(self.query_service, self.search_index, config)

    @cached_property
    def cors_origins(self) -> frozenset[str]:
        return frozenset(o.rstrip("/") for o in self.settings.cors_origins)


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
