"""Event-source emulation: what Lambda's SQS and DynamoDB-stream pollers and EventBridge do in AWS.

moto never runs Lambda code without Docker, and its event source mappings drop records, so the local
stack polls SQS and the table's stream itself and calls the *same handler functions* the Lambdas run,
with real Lambda-shaped events:

Both sources are read from moto's backends in this process (local/moto_direct.py), as fast as from an empty
queue however deep the queue is.

- items queue: receive up to 10 messages, call `ingest`, delete the ones not reported in
  `batchItemFailures`; the rest become visible again after the visibility timeout and are retried; SQS
  (moto) redrives them to the DLQ after maxReceiveCount, as in AWS.
- table stream: read each shard in order, call `index`; on reported failures re-read from the earliest
  failed sequence number, and after MAX_STREAM_RETRIES send the failing records to the index-failures
  queue (the on-failure destination) and move on.
- schedule: call `poll` (the scheduler) every `poll_interval_seconds`, then drain the fetch queue it filled
  through `fetch` (the fetch worker) like the fetch queue's event source mapping, before returning.
- fetch queue (when given a `fetch` handler): also read between ticks, so a fetch request queued by an
  operator's poll-now (admin API, `newsflow feeds poll-now`) is fetched at once; a drain and this loop take
  turns (one lock), so `poll_now()` returns only when every fetch it queued is done.
- full-text queue (when given a `fulltext` handler): receive up to 5 messages, call `fulltext`, delete the
  ones not reported; it sends the enriched items on to the items queue.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from newsflow import aws
from newsflow import constants as c
from newsflow.local.context import LocalLambdaContext
from newsflow.local.events import sqs_event, stream_event
from newsflow.local.moto_direct import MotoQueue, MotoStream
from newsflow.local.resources import LocalResources

Handler = Callable[[dict[str, Any], Any], Any]
MAX_STREAM_RETRIES = 3
ARTICLE_PREFIX = "ART#"
# Locally, invocations that add no metric are normal (e.g. a stream batch of feed items): not worth a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish")
STREAM_BATCH = 100  # infra/search.py: the index function's batch size
STREAM_READ = 2000  # stream records read at once (most are not articles: dedupe keys, story candidates)
INGEST_BATCH = 10
IDLE_POLL_SECONDS = 0.05  # how long an empty queue or stream is left before it is read again
FETCH_IDLE_POLL_SECONDS = 0.25  # the fetch queue between ticks (operators' poll-now requests)


class RuntimeStats(BaseModel):
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    retried: int = 0
    indexed: int = 0
    index_failures: int = 0
    polls: int = 0
    per_category: dict[str, int] = Field(default_factory=dict)
    rejections: dict[str, int] = Field(default_factory=dict)
    errors: list[str] = Field(default_factory=list)


class LocalRuntime:
    def __init__(
        self,
        resources: LocalResources,
        region: str,
        ingest: Handler,
        index: Handler,
        poll: Handler | None = None,
        poll_interval_seconds: float = 0,
        fetch: Handler | None = None,
        fulltext: Handler | None = None,
        ingest_outcomes: Callable[[], list[dict[str, Any]]] = list,
        lock: threading.RLock | None = None,
        ingest_concurrency: int = 1,
    ) -> None:
        self._ingest_concurrency = max(1, ingest_concurrency)
        self._ingest_busy = 0  # ingest loops holding a batch (is_idle needs none)
        self._resources = resources
        moto_lock = lock or threading.RLock()
        self._queue = MotoQueue(resources.queue_url, moto_lock)
        self._stream = MotoStream(resources.table_name, moto_lock)
        fulltext_url = resources.fulltext_queue_url if fulltext is not None else None
        self._fulltext_queue = MotoQueue(fulltext_url, moto_lock) if fulltext_url else None
        fetch_url = resources.fetch_queue_url if fetch is not None else None
        # Read from moto's backend like the items queue: through boto3, each empty poll between ticks (4 a second)
        # cost as much CPU as a stored item.
        self._fetch_queue = MotoQueue(fetch_url, moto_lock) if fetch_url else None
        self._region = region
        self._ingest = ingest
        self._index = index
        self._poll = poll
        self._fetch = fetch
        self._fulltext = fulltext
        self._fulltext_idle = threading.Event()
        self._fetch_idle = threading.Event()
        self._fetch_idle.set()
        self._fetch_turn = threading.Lock()  # the fetch loop and drain_fetch_queue take turns
        if fulltext is None or not resources.fulltext_queue_url:
            self._fulltext_idle.set()
        self._poll_interval = poll_interval_seconds
        # What each record of the last ingest invocation came to (for the summary counters).
        self._ingest_outcomes = ingest_outcomes
        self._stop = threading.Event()  # every loop
        self._stop_intake = threading.Event()  # the queue and the schedule (the stream is drained first)
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stats = RuntimeStats()
        self._categories: Counter[str] = Counter()
        self._rejections: Counter[str] = Counter()
        self._stream_idle = threading.Event()
        self._queue_idle = threading.Event()
        self._busy = threading.Lock()

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        workers: list[tuple[str, Callable[[], None]]] = [
            (f"sqs-ingest-{n}" if n else "sqs-ingest", self._sqs_loop) for n in range(self._ingest_concurrency)
        ]
        workers.append(("stream-index", self._stream_loop))
        if self._poll is not None and self._poll_interval > 0:
            workers.append(("schedule-poll", self._schedule_loop))
        if self._fulltext is not None and self._resources.fulltext_queue_url:
            workers.append(("sqs-fulltext", self._fulltext_loop))
        if self._fetch is not None and self._resources.fetch_queue_url:
            workers.append(("sqs-fetch", self._fetch_loop))
        for name, target in workers:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, drain_seconds: float = 60.0) -> None:
        """Stop taking messages (the batch in hand is finished), index what the stream still holds, stop."""
        self._stop_intake.set()
        for thread in self._threads:
            if thread.name != "stream-index":
                thread.join(timeout=drain_seconds)
        deadline = time.monotonic() + drain_seconds
        while time.monotonic() < deadline and not (self._stream.at_end() and self._stream_idle.is_set()):
            time.sleep(0.02)
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def stats(self) -> RuntimeStats:
        with self._lock:
            snapshot = self._stats.model_copy(deep=True)
            snapshot.per_category = dict(self._categories)
            snapshot.rejections = dict(self._rejections)
            return snapshot

    def is_idle(self) -> bool:
        """True when the queue is empty (nothing in flight) and the stream has been read to its end."""
        if not (
            self._queue_idle.is_set()
            and self._stream_idle.is_set()
            and self._fulltext_idle.is_set()
            and self._fetch_idle.is_set()
        ):
            return False
        if self._queue.depth() or (self._fulltext_queue is not None and self._fulltext_queue.depth()):
            return False
        idle = self._queue_idle.is_set() and self._stream_idle.is_set() and self._fulltext_idle.is_set()
        return idle and self._stream.at_end()

    def wait_idle(self, timeout: float = 120.0, settle: float = 0.3) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.is_idle():
                time.sleep(settle)  # a stream record may land right after the last ingest
                if self.is_idle():
                    return True
            time.sleep(0.1)
        return False

    def poll_now(self) -> Any:
        if self._poll is None:
            raise RuntimeError("no poll handler configured")
        with self._lock:
            self._stats.polls += 1
        report = self._invoke(self._poll, {"source": "aws.events", "detail-type": "Scheduled Event"}, "poll")
        if self._fetch is not None and self._resources.fetch_queue_url:
            self.drain_fetch_queue()
        return report

    def drain_fetch_queue(self, max_batches: int = 10_000) -> int:
        """Deliver the fetch queue to the fetch worker until it is empty (delayed re-queues included)."""
        assert self._fetch is not None
        sqs = aws.sqs()
        delivered = 0
        with self._fetch_turn:
            for _ in range(max_batches):
                received = self._fetch_batch()
                if received is None:
                    attributes = sqs.get_queue_attributes(
                        QueueUrl=self._resources.fetch_queue_url, AttributeNames=["ApproximateNumberOfMessagesDelayed"]
                    )["Attributes"]
                    if int(attributes.get("ApproximateNumberOfMessagesDelayed", "0")) == 0:
                        self._fetch_idle.set()
                        return delivered
                    time.sleep(0.5)
                    continue
                done, failed = received
                delivered += done
                if failed:
                    time.sleep(0.2)
        return delivered

    def _fetch_batch(self) -> tuple[int, int] | None:
        """One batch of the fetch queue through the fetch worker: (done, failed), None when none is visible."""
        assert self._fetch is not None
        assert self._fetch_queue is not None
        messages = self._fetch_queue.receive(c.FETCH_BATCH_SIZE)
        if not messages:
            return None
        self._fetch_idle.clear()
        event = sqs_event([dict(m) for m in messages], self._resources.fetch_queue_arn, self._region)
        try:
            response = self._invoke(self._fetch, event, "fetch")
            failed = {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}
        except Exception as error:
            self._note_error(f"fetch invocation failed: {error!r}")
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._fetch_queue.delete([m["ReceiptHandle"] for m in done])
        if failed:
            self._fetch_queue.release([m["ReceiptHandle"] for m in messages if m["MessageId"] in failed])
        return len(done), len(failed)

    def _fetch_loop(self) -> None:
        while not self._stop_intake.is_set():
            try:
                with self._fetch_turn:
                    received = self._fetch_batch()
                    if received is None:
                        self._fetch_idle.set()
            except Exception as error:
                self._note_error(f"receive fetch: {error!r}")
                received = None
            if received is None:
                self._stop_intake.wait(FETCH_IDLE_POLL_SECONDS)

    @staticmethod
    def _invoke(handler: Handler, event: dict[str, Any], function_name: str) -> Any:
        try:
            return handler(event, LocalLambdaContext(function_name))
        finally:
            if os.environ.get("POWERTOOLS_METRICS_DISABLED") == "true":
                # Disabled, Powertools neither prints nor clears the metric set, yet prints it anyway once a
                # metric reaches 100 values: drop each invocation's metrics instead.
                from newsflow.observability import metrics

                metrics.clear_metrics()

    # -- items queue -> ingest ------------------------------------------------------------------

    def _sqs_loop(self) -> None:
        while not self._stop_intake.is_set():
            try:
                messages = self._queue.receive(INGEST_BATCH)
            except Exception as error:  # a transient hiccup
                self._note_error(f"receive: {error!r}")
                time.sleep(0.5)
                continue
            if not messages:
                with self._lock:
                    if not self._ingest_busy:
                        self._queue_idle.set()
                self._stop_intake.wait(IDLE_POLL_SECONDS)
                continue
            with self._lock:
                self._ingest_busy += 1
                self._queue_idle.clear()
            try:
                self._deliver(messages)
            finally:
                with self._lock:
                    self._ingest_busy -= 1

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        event = sqs_event(messages, self._resources.queue_arn, self._region)
        try:
            response = self._invoke(self._ingest, event, "ingest")
            failed_ids = {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}
            outcomes = self._ingest_outcomes()
        except Exception as error:  # the whole invocation failed: every message is retried
            self._note_error(f"ingest invocation failed: {error!r}")
            failed_ids = {m["MessageId"] for m in messages}
            outcomes = []
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        if done:
            self._queue.delete([m["ReceiptHandle"] for m in done])
        if failed_ids:
            self._queue.release([m["ReceiptHandle"] for m in messages if m["MessageId"] in failed_ids])
        with self._lock:
            self._stats.received += sum(1 for m in messages if m["Attributes"].get("ApproximateReceiveCount") == "1")
            self._stats.retried += len(failed_ids)
            for outcome in outcomes:
                kind = outcome.get("outcome")
                if kind == "created":
                    self._stats.created += 1
                    self._categories[outcome.get("category", "?")] += 1
                elif kind == "updated":
                    self._stats.updated += 1
                elif kind == "unchanged":
                    self._stats.unchanged += 1
                elif kind == "duplicate":
                    self._stats.duplicates += 1
                elif kind == "rejected":
                    self._stats.rejected += 1
                    self._rejections[outcome.get("reason", "?")] += 1

    # -- table stream -> index ------------------------------------------------------------------

    def _stream_loop(self) -> None:
        while not self._stop.is_set():
            try:
                got_any = self._read_stream_once()
            except Exception as error:
                self._note_error(f"stream: {error!r}")
                time.sleep(0.5)
                continue
            if got_any:
                self._stream_idle.clear()
            else:
                self._stream_idle.set()
                self._stop.wait(IDLE_POLL_SECONDS)

    def _read_stream_once(self) -> bool:
        # The same filter as the stream's event source mapping in AWS (applied before batching): only article
        # items reach `index`, up to STREAM_BATCH of them per invocation.
        shard_id, read, records = self._stream.read(STREAM_READ, pk_prefix=ARTICLE_PREFIX)
        if read:
            self._stream_idle.clear()  # before indexing: stop() and is_idle() must not see this batch as done
        for start in range(0, len(records), STREAM_BATCH):
            self._index_records(records[start : start + STREAM_BATCH], shard_id)
        return bool(read)

    def _index_records(self, records: list[dict[str, Any]], shard_id: str) -> None:
        pending = records
        for attempt in range(MAX_STREAM_RETRIES + 1):
            try:
                response = self._invoke(self._index, stream_event(pending, self._resources.stream_arn), "index")
                failed = [f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])]
            except Exception as error:  # whole batch failed
                self._note_error(f"index invocation failed: {error!r}")
                failed = [pending[0]["dynamodb"]["SequenceNumber"]]
            if not failed:
                with self._lock:
                    self._stats.indexed += sum(1 for r in pending if str(_pk(r)).startswith("ART#"))
                return
            # Like the Lambda poller: retry from the earliest failed record; what came before succeeded.
            earliest = min(failed, key=lambda s: (len(s), s))
            position = next((i for i, r in enumerate(pending) if r["dynamodb"]["SequenceNumber"] == earliest), 0)
            with self._lock:
                self._stats.indexed += sum(1 for r in pending[:position] if str(_pk(r)).startswith("ART#"))
            pending = pending[position:]
            if attempt < MAX_STREAM_RETRIES:
                time.sleep(0.2 * (attempt + 1))
        self._send_index_failures(pending, shard_id, MAX_STREAM_RETRIES + 1)

    def _send_index_failures(self, records: list[dict[str, Any]], shard_id: str, invocations: int) -> None:
        """The on-failure destination, as Lambda writes it: the batch's position in the stream, not its records."""
        arrivals = [r["dynamodb"].get("ApproximateCreationDateTime") for r in records]
        body = json.dumps(
            {
                "requestContext": {
                    "requestId": str(uuid.uuid4()),
                    "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:index",
                    "condition": "RetryAttemptsExhausted",
                    "approximateInvokeCount": invocations,
                },
                "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
                "version": "1.0",
                "timestamp": _iso(datetime.now(UTC)),
                "DDBStreamBatchInfo": {
                    "shardId": shard_id,
                    "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                    "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                    "approximateArrivalOfFirstRecord": _iso(arrivals[0]),
                    "approximateArrivalOfLastRecord": _iso(arrivals[-1]),
                    "batchSize": len(records),
                    "streamArn": self._resources.stream_arn,
                },
            }
        )
        aws.sqs().send_message(QueueUrl=self._resources.index_failures_url, MessageBody=body)
        with self._lock:
            self._stats.index_failures += len(records)

    # -- full-text queue -> fulltext (-> items queue) ------------------------------------------

    def _fulltext_loop(self) -> None:
        assert self._fulltext is not None
        assert self._fulltext_queue is not None
        arn = self._resources.fulltext_queue_arn
        while not self._stop_intake.is_set():
            try:
                messages = self._fulltext_queue.receive(5)
            except Exception as error:
                self._note_error(f"receive full-text: {error!r}")
                time.sleep(0.5)
                continue
            if not messages:
                self._fulltext_idle.set()
                self._stop_intake.wait(IDLE_POLL_SECONDS)
                continue
            self._fulltext_idle.clear()
            try:
                event = sqs_event(messages, arn, self._region)
                response = self._invoke(self._fulltext, event, "fulltext")
                failed = {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}
            except Exception as error:  # the whole invocation failed: every message is retried
                self._note_error(f"fulltext invocation failed: {error!r}")
                failed = {m["MessageId"] for m in messages}
            done = [m for m in messages if m["MessageId"] not in failed]
            if done:
                self._fulltext_queue.delete([m["ReceiptHandle"] for m in done])
            if failed:
                self._fulltext_queue.release([m["ReceiptHandle"] for m in messages if m["MessageId"] in failed])

    # -- schedule -> poll -----------------------------------------------------------------------

    def _schedule_loop(self) -> None:
        while not self._stop_intake.wait(self._poll_interval):
            try:
                self.poll_now()
            except Exception as error:
                self._note_error(f"poll: {error!r}")

    def _note_error(self, message: str) -> None:
        if self._stop.is_set():
            return
        with self._lock:
            self._stats.errors = [*self._stats.errors[-19:], message]


def _iso(moment: Any) -> str:
    if not isinstance(moment, datetime):
        moment = datetime.now(UTC)
    value = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pk(record: dict[str, Any]) -> Any:
    keys = record.get("dynamodb", {}).get("Keys", {})
    return keys.get("pk", {}).get("S", "")
