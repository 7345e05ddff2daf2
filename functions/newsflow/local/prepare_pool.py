"""The local stack's prepare workers: the pure part of ingest (parse, normalise, categorise, sketch) and of the
index stage (decode and sketch the stored article) in other processes, so that the local stack uses more than the
one core its threads share.

In AWS each ingest invocation has its own execution environment; locally every handler runs in one process,
where Python runs one thread at a time, and the pure work of an item costs as much as its storage calls. The
ingest handler hands its batch to the wiring's preparer (this pool, when `NEWSFLOW_INGEST_PREPARE_PROCESSES` > 0,
which only the local stack sets) and stores what comes back; it is the same code as in Lambda, where there is no
preparer and each record is prepared in the handler.

The workers are spawned (not forked: the stack's process runs threads, the moto server among them) and build their
categoriser from the stack's own settings. A script that starts a stack with workers needs the usual
`if __name__ == "__main__":` guard (spawned workers import the main module); the `newsflow` command has it.
They read and write nothing. A worker that dies takes only its batch's head start with it: the pool is rebuilt
and that batch is prepared in the handler.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import Any

from newsflow.pipeline import PreparedArticle, PrepareFailure
from newsflow.settings import Settings
from newsflow.stories.match import StoryThresholds

# Items per task: large enough that the pickling round trip is small beside the work, small enough that a batch of
# ten spreads over the workers.
CHUNK = 2


def _start_worker(settings: Settings) -> None:
    """The worker's wiring, from the stack's settings: its categoriser is the handler's."""
    from newsflow import wiring

    wiring.install(wiring.Wiring(settings))


def _warm() -> int:
    """Build the worker's categoriser before the first item needs it."""
    from newsflow import wiring

    wiring.current().categoriser  # noqa: B018 - built for its side effect (the model loaded)
    return 0


def _prepare_chunk(
    bodies: list[tuple[str, datetime | None]], now: datetime, with_sketch: bool
) -> list[PreparedArticle | PrepareFailure]:
    from newsflow import wiring
    from newsflow.pipeline import prepare_or_failure

    categoriser = wiring.current().categoriser
    return [prepare_or_failure(body, now, categoriser, with_sketch, seen) for body, seen in bodies]


def _build_documents(images: list[dict[str, Any]], thresholds: StoryThresholds) -> list[Any]:
    from newsflow.indexing import build_documents

    return build_documents(images, thresholds)


class PreparePool:
    """`prepare(records)` -> what each (message id, body, sighting time) came to, prepared in the workers."""

    def __init__(self, processes: int, with_sketch: bool, settings: Settings) -> None:
        self._processes = processes
        self._settings = settings
        self._with_sketch = with_sketch
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self._processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(self._settings,),
                )
            return self._executor

    def warm(self) -> None:
        """Start the workers and load their categoriser now (in the background), not on the first batch."""
        pool = self._pool()
        for _ in range(self._processes):
            pool.submit(_warm)

    def prepare(self, records: list[tuple[str, str, datetime | None]]) -> dict[str, PreparedArticle | PrepareFailure]:
        now = datetime.now(UTC)
        try:
            pool = self._pool()
            chunks = [records[i : i + CHUNK] for i in range(0, len(records), CHUNK)]
            futures: list[Future[Any]] = [
                pool.submit(_prepare_chunk, [(body, seen) for _, body, seen in chunk], now, self._with_sketch)
                for chunk in chunks
            ]
            done: dict[str, PreparedArticle | PrepareFailure] = {}
            for chunk, future in zip(chunks, futures, strict=True):
                for (message_id, *_), outcome in zip(chunk, future.result(), strict=True):
                    done[message_id] = outcome
            return done
        except BrokenProcessPool:  # a worker died (killed, out of memory): new workers; this batch in the handler
            with self._lock:
                self._executor = None
            return {}

    def index_documents(self, images: list[dict[str, Any]]) -> list[Any]:
        """The index stage's `DocumentBuilder`: the images decoded and sketched in the workers, in order."""
        from newsflow.indexing import build_documents

        size = max(1, -(-len(images) // (2 * self._processes)))  # two tasks per worker: the slowest finishes last
        chunks = [images[i : i + size] for i in range(0, len(images), size)]
        try:
            pool = self._pool()
            futures = [pool.submit(_build_documents, chunk, self._settings.story) for chunk in chunks]
            return [built for future in futures for built in future.result()]
        except BrokenProcessPool:  # as in prepare(): new workers next time; this batch here
            with self._lock:
                self._executor = None
            return build_documents(images, self._settings.story)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
