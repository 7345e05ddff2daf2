"""Fault injection through the real ingest, index and ops handlers on moto (in process) and tantivy on disk.

What the run plays, with a seeded random generator:
- N distinct items over three months (a share from feeds without guids), corrections (same URL, new title and
  body; a later `updated`, or none: then it is queued after its original and ordered by its sighting time),
  syndications (the same body at another URL from another source, with or without a guid) and poison messages
  of every kind, in shuffled order (a dated correction may come before its original), plus duplicate
  deliveries of any of them (new messages: a duplicate of an original queued after its clockless correction is
  a re-poll of a stale copy);
- DynamoDB calls failing after the SDK's retries (a botocore hook on the client: throttling, 500s, timeouts
  before the call, and writes whose response was lost after it), and crash windows: the invocation dies right
  after an article write (the whole batch comes back, the process's caches are gone);
- an SQS model: batches of 10, partial batch failures and crashed batches come back at the end of the queue
  with their receive count + 1 (the visibility timeout), SQS's own redrive after MAX_RECEIVE_COUNT receives;
- the stream read from moto and delivered to the index handler in batches of 100, with 20 % of bulk calls
  failing wholly (an exception) or partly (some documents refused), the event source's retry from the failed
  record with bisection, then the on-failure record on the index-failures queue; some batches delivered twice;
- the scheduled repair: the ops function's index-failures replay after every few batches, and the
  reconciliation at the end.

Then it counts: lost (an expected article not in the table), duplicated (a syndicated copy stored as its own
article), reverted (an article whose stored title is not its newest copy's), handler errors that were not
injected (what would be a 5xx), parked messages by reason, and whether the index equals the table.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError, ReadTimeoutError

from benchmarks.fault_plan import FaultConfig, Plan, plan_messages

__all__ = ["FaultConfig", "FaultReport", "Plan", "plan_messages", "run_faults"]

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
STREAM_BATCH = 100
STREAM_RETRIES = 3


class Crash(BaseException):
    """The Lambda process died (timeout, out of memory) right after a write: no answer for the whole batch."""


class IndexOutage(RuntimeError):
    """An injected failure of a whole bulk call."""


@dataclass
class FaultReport:
    config: FaultConfig
    expected_articles: int = 0
    messages: int = 0
    deliveries: int = 0
    lost: int = 0
    duplicated: int = 0
    reverted: int = 0
    sightings_missing: int = 0  # a syndicated copy not recorded on its original's article
    syndicated: int = 0
    copies_first: int = 0
    guidless_stories: int = 0
    guidless_copies: int = 0
    clockless_corrections: int = 0
    repolled_after_clockless: int = 0  # a new message with the original's old text, queued after its correction
    handler_errors: int = 0
    parked: Counter[str] = field(default_factory=Counter)
    poison_parked: int = 0
    poison_deliveries: int = 0  # distinct poison messages
    dlq_entries: int = 0  # poison DLQ entries (a batch that crashed after parking parks again)
    poison_unparked: int = 0
    valid_parked: int = 0
    redriven_without_reason: int = 0
    injected: Counter[str] = field(default_factory=Counter)
    step_retries: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    on_failure_records: int = 0
    replayed_messages: int = 0
    replay_outcomes: Counter[str] = field(default_factory=Counter)
    drift_found: int = 0
    drift_repaired: int = 0
    index_missing: int = 0
    index_stale: int = 0
    index_extra: int = 0
    seconds: float = 0.0

    @property
    def index_equals_table(self) -> bool:
        return self.index_missing == 0 and self.index_stale == 0 and self.index_extra == 0

    def rows(self) -> list[list[object]]:
        poison_reasons = ", ".join(f"{r} {n}" for r, n in sorted(self.parked.items()))
        return [
            ["distinct articles expected", self.expected_articles],
            ["messages (with duplicates) / deliveries", f"{self.messages} / {self.deliveries}"],
            ["lost", self.lost],
            ["duplicated", self.duplicated],
            ["reverted", self.reverted],
            ["syndicated copies (delivered before their original) / not recorded as a sighting",
             f"{self.syndicated} ({self.copies_first}) / {self.sightings_missing}"],
            ["stories / copies without a guid", f"{self.guidless_stories} / {self.guidless_copies}"],
            ["corrections without a clock (originals re-queued after one)",
             f"{self.clockless_corrections} ({self.repolled_after_clockless})"],
            ["handler errors not injected (5xx)", self.handler_errors],
            ["poison messages parked with reason (DLQ entries)",
             f"{self.poison_parked}/{self.poison_deliveries} ({poison_reasons}) ({self.dlq_entries})"],
            ["valid items parked / redriven without reason", f"{self.valid_parked} / {self.redriven_without_reason}"],
            ["outcomes", ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))],
            ["DynamoDB faults injected", ", ".join(f"{k} {v}" for k, v in sorted(self.injected.items()))],
            ["calls retried inside the invocation", self.step_retries],
            ["on-failure records / replayed by the schedule", f"{self.on_failure_records} / {self.replayed_messages}"
             f" (replay outcomes: {', '.join(f'{k} {v}' for k, v in sorted(self.replay_outcomes.items())) or 'none'})"],
            ["reconciliation drift found / repaired", f"{self.drift_found} / {self.drift_repaired}"],
            ["index equals table (missing, stale, extra)", f"{self.index_equals_table} "
             f"({self.index_missing}, {self.index_stale}, {self.index_extra})"],
            ["wall time (s)", f"{self.seconds:.0f}"],
        ]  # fmt: skip


# ------------------------------------------------------------------------------------------------ faults


class DynamoFaults:
    """Fails a share of DynamoDB calls after the SDK's retries: what reaches the caller once botocore gave up.

    Applied around every call of the process's DynamoDB client (`FaultyDynamoDB`): throttling, 500s and timeouts
    before the call reaches the table, and, after a write did reach it, a lost response or a crash window."""

    def __init__(self, config: FaultConfig, rng: random.Random, report: FaultReport) -> None:
        self._rate = config.dynamo_fault_rate
        self._crash_rate = config.crash_rate
        self._rng = rng
        self._report = report
        self.active = False

    def _error(self, code: str, status: int, operation: str) -> ClientError:
        return ClientError(
            {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation
        )

    def before(self, operation: str) -> None:
        if not self.active or self._rng.random() >= self._rate * 0.75:
            return
        kind = self._rng.choice(("throttle", "500", "timeout"))
        self._report.injected[kind] += 1
        if kind == "throttle":
            raise self._error("ProvisionedThroughputExceededException", 400, operation)
        if kind == "500":
            raise self._error("InternalServerError", 500, operation)
        raise ReadTimeoutError(endpoint_url="https://dynamodb.injected")

    def after(self, operation: str, params: dict[str, Any]) -> None:
        if not self.active or operation not in WRITES:
            return
        pk = str(((params.get("Item") or {}).get("pk") or {}).get("S", ""))
        if self._rng.random() < self._crash_rate and pk.startswith("ART#"):
            self._report.injected["crash after write"] += 1
            raise Crash("the process died after an article write")
        if self._rng.random() < self._rate * 0.25 / 0.75 * 0.75:  # a quarter of the faults: the lost response
            self._report.injected["lost response"] += 1
            raise ReadTimeoutError(endpoint_url="https://dynamodb.injected")


class FaultyDynamoDB:
    """A DynamoDB client whose API calls go through `DynamoFaults` (before the call, and after it for writes)."""

    def __init__(self, client: Any, faults: DynamoFaults) -> None:
        self._client = client
        self._faults = faults
        self._operations = dict(client.meta.method_to_api_mapping)
        self.meta = client.meta
        self.exceptions = client.exceptions

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        operation = self._operations.get(name)
        if operation is None or not callable(attribute):
            return attribute
        faults = self._faults

        def call(**params: Any) -> Any:
            faults.before(operation)
            result = attribute(**params)
            faults.after(operation, params)
            return result

        return call


class FaultySource:
    """The clients every handler gets (newsflow.aws.use): moto in this process (newsflow.local.inprocess, what
    the local stack uses: no HTTP, no serialisation), DynamoDB through the injected faults."""

    def __init__(self, clients: Any, faults: DynamoFaults) -> None:
        self._clients = clients
        self._dynamodb = FaultyDynamoDB(clients.dynamodb(), faults)

    def dynamodb(self) -> Any:
        return self._dynamodb

    def sqs(self) -> Any:
        return self._clients.sqs()

    def dynamodb_streams(self) -> Any:
        return self._clients.dynamodb_streams()

    def ssm(self) -> Any:
        return self._clients.ssm()


class FaultyIndex:
    """The real index, with a share of bulk calls failing wholly (raise) or partly (some documents refused)."""

    def __init__(self, real: Any, rate: float, rng: random.Random, report: FaultReport) -> None:
        self._real = real
        self._rate = rate
        self._rng = rng
        self._report = report

    def upsert(self, documents: Sequence[Any]) -> list[Any]:
        from newsflow.search.port import IndexFailure

        if self._rng.random() < self._rate:
            if self._rng.random() < 0.5:
                self._report.injected["index bulk failed"] += 1
                raise IndexOutage("injected: the bulk call failed")
            self._report.injected["index bulk partly failed"] += 1
            refused = {d.id for d in documents if self._rng.random() < 0.3}
            failures = [IndexFailure(id=i, reason="injected: refused") for i in refused]
            return [*self._real.upsert([d for d in documents if d.id not in refused]), *failures]
        return list(self._real.upsert(documents))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


# ------------------------------------------------------------------------------------------------ the run


class Run:
    def __init__(self, config: FaultConfig, workdir: str) -> None:
        from newsflow import aws
        from newsflow import constants as c
        from newsflow.local.inprocess import InProcessClients
        from newsflow.local.moto_direct import MotoStream
        from newsflow.local.moto_tuning import speed_up_moto_dynamodb, speed_up_moto_sqs
        from newsflow.local.resources import create_resources
        from newsflow.local.stack import reset_process_caches

        self.config = config
        self.rng = random.Random(config.seed + 1)
        self.report = FaultReport(config=config)
        speed_up_moto_dynamodb()  # the local stack's moto speed-ups (answers unchanged: tests/integration)
        speed_up_moto_sqs()
        clients = InProcessClients()
        self.faults = DynamoFaults(config, self.rng, self.report)
        aws.use(FaultySource(clients, self.faults))  # every handler's clients: moto in process, faults on DynamoDB
        reset_process_caches()
        self.resources = create_resources()
        self.stream = MotoStream(self.resources.table_name, clients.lock)
        self._shard_id = ""
        os.environ.update(self.resources.environment())
        os.environ[c.ENV_SEARCH_BACKEND] = "tantivy"
        os.environ[c.ENV_TANTIVY_PATH] = os.path.join(workdir, "index")
        reset_process_caches()
        self.aws = aws

    # -- SQS model and the ingest handler --------------------------------------------------------

    def _tune_retry_budget(self) -> None:
        from newsflow import wiring

        budget = wiring.current().ingest_table.budget
        budget.sleep = lambda _seconds: None  # the backoff's timing does not change a single-threaded run
        budget.rng = self.rng

    def ingest_all(self, plan: Plan) -> None:
        from newsflow import wiring
        from newsflow.constants import MAX_RECEIVE_COUNT
        from newsflow.handlers import ingest
        from newsflow.local.context import LocalLambdaContext

        # Each message's SentTimestamp (its sighting time, kept across redeliveries): queued 50 ms apart, in order.
        first_sent = int(time.time() * 1000) - 50 * len(plan.bodies) - 60_000
        queue: deque[tuple[str, str, int, int]] = deque(
            (str(uuid.uuid4()), body, 1, first_sent + 50 * n) for n, (_, body) in enumerate(plan.bodies)
        )
        self.report.messages = len(queue)
        self._tune_retry_budget()
        batches = 0
        retried_before_crash = 0  # each new process (after a crash) counts from 0
        while queue:
            batch = [queue.popleft() for _ in range(min(10, len(queue)))]
            event = {
                "Records": [
                    {
                        "messageId": mid,
                        "receiptHandle": f"rh-{mid}-{receives}",
                        "body": body,
                        "attributes": {"ApproximateReceiveCount": str(receives), "SentTimestamp": str(sent)},
                        "messageAttributes": {},
                        "md5OfBody": "",
                        "eventSource": "aws:sqs",
                        "eventSourceARN": self.resources.queue_arn,
                        "awsRegion": "us-east-1",
                    }
                    for mid, body, receives, sent in batch
                ]
            }
            self.report.deliveries += len(batch)
            self.faults.active = True
            try:
                response = ingest.lambda_handler(event, LocalLambdaContext("ingest"))
                failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
                self.report.outcomes.update(o["outcome"] for o in ingest.last_outcomes if o["outcome"] != "rejected")
            except Crash:
                failed = {mid for mid, *_ in batch}
                retried_before_crash += wiring.current().ingest_table.budget.retried
                index_service = wiring.current().search_index
                fresh = wiring.install(wiring.Wiring())  # a new process: caches (month markers known) are gone
                # but the search index is a service of its own (OpenSearch in AWS), not the process's state: the
                # new process reaches the same one (a second tantivy writer on the directory would be refused)
                fresh.__dict__["search_index"] = index_service
                self._tune_retry_budget()
            except Exception:
                self.report.handler_errors += 1
                failed = {mid for mid, *_ in batch}
            finally:
                self.faults.active = False
            for mid, body, receives, sent in batch:
                if mid in failed:
                    if receives >= MAX_RECEIVE_COUNT:
                        self.report.redriven_without_reason += 1  # SQS's redrive: the DLQ gets it, no reason
                    else:
                        queue.append((mid, body, receives + 1, sent))
            batches += 1
            if batches % 5 == 0:
                self.index_new_records()
            if batches % self.config.replay_every_batches == 0:
                self.replay()
        self.report.step_retries = retried_before_crash + wiring.current().ingest_table.budget.retried

    # -- stream -> index, with the event source's retry, bisection and on-failure destination ------

    def _new_records(self) -> list[dict[str, Any]]:
        """The stream's records since the last read (from moto's shard, as the local runtime reads it)."""
        records: list[dict[str, Any]] = []
        while True:
            self._shard_id, read, got = self.stream.read(1000)
            records.extend(got)
            if not read:
                return records

    def index_new_records(self) -> None:
        records = self._new_records()
        for start in range(0, len(records), STREAM_BATCH):
            batch = records[start : start + STREAM_BATCH]
            self._deliver_stream(batch, attempt=0)
            if self.rng.random() < self.config.stream_replay_rate:
                self.report.injected["stream batch replayed"] += 1
                self._deliver_stream(batch, attempt=STREAM_RETRIES)  # a replay: idempotent upserts

    def _deliver_stream(self, batch: list[dict[str, Any]], attempt: int) -> None:
        from newsflow.handlers import index
        from newsflow.local.context import LocalLambdaContext
        from newsflow.local.events import stream_event

        if not batch:
            return
        try:
            response = index.lambda_handler(stream_event(batch, self.resources.stream_arn), LocalLambdaContext("index"))
            failed = [f["itemIdentifier"] for f in response["batchItemFailures"]]
        except IndexOutage:
            failed = [batch[0]["dynamodb"]["SequenceNumber"]]
        except Exception:
            self.report.handler_errors += 1
            failed = [batch[0]["dynamodb"]["SequenceNumber"]]
        if not failed:
            return
        sequence = [r["dynamodb"]["SequenceNumber"] for r in batch]
        rest = batch[min(sequence.index(s) for s in failed if s in sequence) :]
        if attempt >= STREAM_RETRIES:
            self._send_on_failure(rest)
            return
        half = max(1, len(rest) // 2)  # bisect on failure
        self._deliver_stream(rest[:half], attempt + 1)
        self._deliver_stream(rest[half:], attempt + 1)

    def _send_on_failure(self, records: list[dict[str, Any]]) -> None:
        arrival = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {
            "requestContext": {"requestId": str(uuid.uuid4()), "condition": "RetryAttemptsExhausted"},
            "version": "1.0",
            "timestamp": arrival,
            "DDBStreamBatchInfo": {
                "shardId": self._shard_id,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": arrival,
                "approximateArrivalOfLastRecord": arrival,
                "batchSize": len(records),
                "streamArn": self.resources.stream_arn,
            },
        }
        self.aws.sqs().send_message(QueueUrl=self.resources.index_failures_url, MessageBody=json.dumps(body))
        self.report.on_failure_records += 1

    # -- the scheduled repair ----------------------------------------------------------------------

    def replay(self) -> None:
        from newsflow.handlers import ops
        from newsflow.local.context import LocalLambdaContext

        event = {"action": "replay-index-failures", "max_messages": 1000}
        result = ops.lambda_handler(event, LocalLambdaContext("ops"))
        self.report.replay_outcomes.update(m["outcome"] for m in result.get("messages", []))
        self.report.replayed_messages += sum(1 for m in result.get("messages", []) if m["outcome"] == "replayed")

    def reconcile(self) -> None:
        from newsflow.handlers import ops
        from newsflow.local.context import LocalLambdaContext

        result = ops.lambda_handler({"action": "reconcile"}, LocalLambdaContext("ops"))
        self.report.drift_found += int(result.get("drift", 0))
        self.report.drift_repaired += int(result.get("repaired", 0))

    # -- the count -----------------------------------------------------------------------------------

    def _table_articles(self) -> list[dict[str, Any]]:
        from newsflow.store.dynamo import deserialize

        client = self.aws.dynamodb()
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"TableName": self.resources.table_name}
        while True:
            page = client.scan(**kwargs)
            items.extend(deserialize(i) for i in page["Items"] if i["pk"]["S"].startswith("ART#"))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def count(self, plan: Plan) -> None:
        from newsflow import constants as c
        from newsflow.search import shared_search_index
        from newsflow.store.codec import item_to_article

        articles = [item_to_article(i) for i in self._table_articles()]
        # An article stands for every URL it was stored or sighted under (a syndicator's copy stored first keeps
        # its URL, the publisher's original is recorded on it, unless a correction folded it into the original).
        holders: dict[str, set[str]] = defaultdict(set)
        by_id = {a.id: a for a in articles}
        for article in articles:
            for url in {article.url, *article.duplicate_urls}:
                holders[url].add(article.id)
        copies: dict[str, set[str]] = defaultdict(set)
        for copy_url, url in plan.copy_of.items():
            copies[url].add(copy_url)
        self.report.expected_articles = len(plan.newest_title)
        self.report.syndicated, self.report.copies_first = len(plan.copy_of), plan.copies_first
        self.report.guidless_stories, self.report.guidless_copies = plan.guidless_stories, plan.guidless_copies
        self.report.clockless_corrections = plan.clockless_corrections
        self.report.repolled_after_clockless = plan.repolled_after_clockless
        self.report.poison_deliveries = len(plan.poison_bodies)
        represented: set[str] = set()
        for url, title in plan.newest_title.items():
            lineage = {url, *copies[url]}
            ids = set().union(*(holders[u] for u in lineage))
            represented |= ids
            if not ids:
                self.report.lost += 1
                continue
            self.report.duplicated += len(ids) - 1
            self.report.reverted += sum(1 for i in ids if by_id[i].title != title)
            if len(ids) == 1:
                (only,) = ids
                if not lineage <= {by_id[only].url, *by_id[only].duplicate_urls}:
                    self.report.sightings_missing += 1
        self.report.duplicated += len(articles) - len(represented)  # an article for no expected URL at all
        dlq = self.aws.sqs()
        parked_poison: set[str] = set()
        while True:
            got = dlq.receive_message(
                QueueUrl=self.resources.dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
            ).get("Messages", [])
            if not got:
                break
            for message in got:
                reason = message["MessageAttributes"][c.DLQ_REASON_ATTRIBUTE]["StringValue"]
                if message["Body"] in plan.poison_bodies:
                    if message["Body"] not in parked_poison:  # a crashed batch parks its poison again
                        self.report.parked[reason] += 1
                    parked_poison.add(message["Body"])
                    self.report.dlq_entries += 1
                else:
                    self.report.valid_parked += 1
                    self.report.parked[f"valid:{reason}"] += 1
                dlq.delete_message(QueueUrl=self.resources.dlq_url, ReceiptHandle=message["ReceiptHandle"])
        self.report.poison_parked = len(parked_poison)
        index = shared_search_index()
        for article in articles:
            doc = index.get(article.id)
            if doc is None:
                self.report.index_missing += 1
            elif doc.version != article.version:
                self.report.index_stale += 1
        self.report.index_extra = max(0, index.count() - len(articles))


@contextmanager
def _fresh_moto() -> Iterator[None]:
    """moto's backends empty at the start and at the end (what the local stack does). Not `mock_aws`: its stubber
    would answer the in-process clients' requests a second time (every SendMessage would queue two messages)."""
    from moto.core.base_backend import BackendDict

    BackendDict.reset()
    try:
        yield
    finally:
        BackendDict.reset()


def run_faults(config: FaultConfig) -> FaultReport:
    """The whole run, on moto's backends in this process. Sets AWS_* test credentials; needs nothing else."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"  # thousands of EMF lines would bury the table
    from newsflow.observability import logger

    level = logger.log_level
    logger.setLevel("CRITICAL")
    started = time.perf_counter()
    plan = plan_messages(config)
    saved = dict(os.environ)
    # A client made outside newsflow.aws would try AWS itself: make it fail at once (a handler error in the table).
    os.environ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
    with tempfile.TemporaryDirectory() as workdir, _fresh_moto():
        run = Run(config, workdir)
        from newsflow.handlers import index
        from newsflow.search import shared_search_index

        faulty = FaultyIndex(shared_search_index(), config.index_fault_rate, run.rng, run.report)
        original = index.search_index
        index.search_index = lambda: faulty  # type: ignore[assignment]
        try:
            run.ingest_all(plan)
            run.index_new_records()
            for _ in range(3):  # the schedule keeps running: what the stream gave up on comes back
                run.replay()
            run.reconcile()
            run.count(plan)
        finally:
            index.search_index = original  # type: ignore[assignment]
            shared_search_index().close() if hasattr(shared_search_index(), "close") else None
            from newsflow.local.stack import reset_process_caches

            run.aws.use(None)
            reset_process_caches()
            os.environ.clear()
            os.environ.update(saved)
            logger.setLevel(level)
    run.report.seconds = time.perf_counter() - started
    return run.report
