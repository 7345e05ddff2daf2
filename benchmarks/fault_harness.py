"""Fault injection through the real ingest, index and ops handlers on moto (in process) and tantivy on disk.

What the run plays, with a seeded random generator:
- N distinct items over three months, corrections (same URL, a later `updated`, new title and body),
  syndications (the same body at another URL from another source) and poison messages of every kind, in
  shuffled order (a correction may come before its original), plus duplicate deliveries of any of them;
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
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from botocore.exceptions import ClientError, ReadTimeoutError

WORDS = [
    *("market", "rates", "bank", "energy", "oil", "grid", "chip", "factory", "harvest", "wheat", "port"),
    *("airline", "hotel", "election", "budget", "tariff", "export", "steel", "copper", "lithium", "battery"),
    *("software", "cloud", "robot", "sensor", "vaccine", "retail", "brand", "shipping", "freight", "merger"),
]
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
STREAM_BATCH = 100
STREAM_RETRIES = 3


class Crash(BaseException):
    """The Lambda process died (timeout, out of memory) right after a write: no answer for the whole batch."""


class IndexOutage(RuntimeError):
    """An injected failure of a whole bulk call."""


@dataclass
class FaultConfig:
    items: int = 5000
    corrections: float = 0.10
    syndications: float = 0.05
    poison: int = 50
    dynamo_fault_rate: float = 0.20
    index_fault_rate: float = 0.20
    duplicate_rate: float = 0.10
    crash_rate: float = 0.003  # per article write
    stream_replay_rate: float = 0.10
    replay_every_batches: int = 25
    seed: int = 13


@dataclass
class FaultReport:
    config: FaultConfig
    expected_articles: int = 0
    messages: int = 0
    deliveries: int = 0
    lost: int = 0
    duplicated: int = 0
    reverted: int = 0
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
            ["handler errors not injected (5xx)", self.handler_errors],
            ["poison messages parked with reason (DLQ entries)",
             f"{self.poison_parked}/{self.poison_deliveries} ({poison_reasons}) ({self.dlq_entries})"],
            ["valid items parked / redriven without reason", f"{self.valid_parked} / {self.redriven_without_reason}"],
            ["outcomes", ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))],
            ["DynamoDB faults injected", ", ".join(f"{k} {v}" for k, v in sorted(self.injected.items()))],
            ["calls retried inside the invocation", self.step_retries],
            ["on-failure records / replayed by the schedule", f"{self.on_failure_records} / {self.replayed_messages}"],
            ["reconciliation drift found / repaired", f"{self.drift_found} / {self.drift_repaired}"],
            ["index equals table (missing, stale, extra)", f"{self.index_equals_table} "
             f"({self.index_missing}, {self.index_stale}, {self.index_extra})"],
            ["wall time (s)", f"{self.seconds:.0f}"],
        ]  # fmt: skip


# ------------------------------------------------------------------------------------------------ messages


@dataclass
class Plan:
    bodies: list[tuple[str, str]]  # (kind, body) in delivery order, duplicates included
    newest_title: dict[str, str]  # canonical URL -> title of its newest copy
    syndicated_urls: set[str]
    poison_bodies: set[str]
    # copy body -> its original's body: a syndicator copies what the publisher has online, so a copy is held back
    # while its original has not been stored once (a fault can fail the original's first delivery)
    original_of: dict[str, str] = field(default_factory=dict)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnprstvwz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))


def _text(rng: random.Random, n: int, words: int = 60) -> str:
    """Distinct prose per article (a shared small vocabulary would make every article a near-duplicate)."""
    sentences = []
    for s in range(4):
        chosen = " ".join(rng.choice(WORDS) if rng.random() < 0.2 else _word(rng) for _ in range(words // 4))
        sentences.append(f"<p>Report {n}.{s}: {chosen}.</p>")
    return "".join(sentences)


def _poison(count: int) -> list[str]:
    deep = "[" * 5000 + "]" * 5000
    deep_extra = '{"a": ' * 900 + "1" + "}" * 900
    shapes = [
        lambda i: f'{{"title": "Deep", "url": "https://p.example/{i}", "extra": {{"x": {deep}}}}}',
        lambda i: f'{{"title": "Num", "url": "https://p.example/{i}", "extra": {{"n": {"9" * 5000}}}}}',
        lambda i: f'{{"title": "Deep extra", "url": "https://p.example/{i}", "extra": {deep_extra}}}',
        lambda i: f'{{"title": "Broken", "url": "https://p.example/{i}"',
        lambda i: json.dumps({"title": "Bin", "url": f"https://p.example/{i}", "content_text": "\x00\x01\x02" * 400}),
        lambda i: json.dumps({"title": "   ", "url": f"https://p.example/{i}"}),
        lambda i: f'{{"title": "Sur\\ud800rogate {i}", "url": "https://p.example/{i}"}}',
        lambda i: json.dumps({"title": "Big", "url": f"https://p.example/{i}", "content_text": "x" * 300_000}),
        lambda i: json.dumps({"title": "No identity", "summary": f"{i}"}),
        lambda i: json.dumps([i]),
    ]
    return [shapes[i % len(shapes)](i) for i in range(count)]


def plan_messages(config: FaultConfig) -> Plan:
    rng = random.Random(config.seed)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    bodies: list[tuple[str, str]] = []
    newest: dict[str, str] = {}
    syndicated: set[str] = set()
    syndications: list[tuple[str, str]] = []  # (its original's body, the copy)
    for n in range(config.items):
        wire = n % 40
        url = f"https://wire{wire}.example.com/news/{n}"
        published = start + timedelta(minutes=rng.randrange(0, 90 * 24 * 60))
        source = {"name": f"Wire {wire}", "feed_url": f"https://wire{wire}.example.com/rss"}
        title = f"Story {n}: {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)}"
        html = _text(rng, n)
        original = {
            "url": url,
            "guid": f"w{wire}-{n}",
            "title": title,
            "content_html": html,
            "published": format_datetime(published),
            "source": source,
            "language": "en",
        }
        bodies.append(("original", json.dumps(original)))
        newest[url] = title
        if rng.random() < config.corrections:
            corrected = dict(original)
            corrected.update(
                title=f"{title} (corrected)",
                content_html=_text(rng, n) + "<p>Correction appended.</p>",
                updated=format_datetime(published + timedelta(hours=2)),
            )
            bodies.append(("correction", json.dumps(corrected)))
            newest[url] = corrected["title"]
        if rng.random() < config.syndications:
            copy_url = f"https://syndicator.example.net/{n}"
            syndicated.add(copy_url)
            copy = dict(original, url=copy_url, guid=f"syn-{n}", source={"name": "Syndicator"})
            syndications.append((json.dumps(original), json.dumps(copy)))
    poison = _poison(config.poison)
    bodies.extend(("poison", p) for p in poison)
    duplicates = [b for b in bodies if rng.random() < config.duplicate_rate]
    bodies.extend(duplicates)
    rng.shuffle(bodies)
    # A syndicator republishes after the publisher: each copy comes after its original's first delivery (the
    # other order, followed by the publisher's correction, leaves two articles: see the README's limits).
    for original_body, copy in syndications:
        first = next(i for i, (_, b) in enumerate(bodies) if b == original_body)
        at = rng.randint(first + 1, len(bodies))
        bodies.insert(at, ("syndication", copy))
        if rng.random() < config.duplicate_rate:
            bodies.insert(rng.randint(at + 1, len(bodies)), ("syndication", copy))
    return Plan(
        bodies=bodies,
        newest_title=newest,
        syndicated_urls=syndicated,
        poison_bodies=set(poison),
        original_of={copy: original for original, copy in syndications},
    )


# ------------------------------------------------------------------------------------------------ faults


class DynamoFaults:
    """Fails a share of DynamoDB calls after the SDK's retries (botocore hooks on the client)."""

    def __init__(self, client: Any, config: FaultConfig, rng: random.Random, report: FaultReport) -> None:
        self._client = client
        self._rate = config.dynamo_fault_rate
        self._crash_rate = config.crash_rate
        self._rng = rng
        self._report = report
        self.active = False

    def _error(self, code: str, status: int, operation: str) -> ClientError:
        return ClientError(
            {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation
        )

    def before(self, model: Any, **_: Any) -> None:
        if not self.active or self._rng.random() >= self._rate * 0.75:
            return
        kind = self._rng.choice(("throttle", "500", "timeout"))
        self._report.injected[kind] += 1
        if kind == "throttle":
            raise self._error("ProvisionedThroughputExceededException", 400, model.name)
        if kind == "500":
            raise self._error("InternalServerError", 500, model.name)
        raise ReadTimeoutError(endpoint_url="https://dynamodb.injected")

    def after(self, model: Any, **kwargs: Any) -> None:
        if not self.active or model.name not in WRITES:
            return
        params = kwargs.get("context", {}).get("fault_params") or {}
        if self._rng.random() < self._crash_rate and str(params.get("pk", "")).startswith("ART#"):
            self._report.injected["crash after write"] += 1
            raise Crash("the process died after an article write")
        if self._rng.random() < self._rate * 0.25 / 0.75 * 0.75:  # a quarter of the faults: the lost response
            self._report.injected["lost response"] += 1
            raise ReadTimeoutError(endpoint_url="https://dynamodb.injected")

    def remember(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        item = params.get("Item") or {}
        context["fault_params"] = {"pk": (item.get("pk") or {}).get("S", "")}

    @contextmanager
    def installed(self) -> Iterator[None]:
        events = self._client.meta.events
        events.register("before-call.dynamodb.*", self.before, unique_id="faults-before")
        events.register("after-call.dynamodb.*", self.after, unique_id="faults-after")
        events.register("before-parameter-build.dynamodb.*", self.remember, unique_id="faults-params")
        try:
            yield
        finally:
            events.unregister("before-call.dynamodb.*", unique_id="faults-before")
            events.unregister("after-call.dynamodb.*", unique_id="faults-after")
            events.unregister("before-parameter-build.dynamodb.*", unique_id="faults-params")


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
        from newsflow.local.moto_tuning import speed_up_moto_dynamodb
        from newsflow.local.resources import create_resources
        from newsflow.local.stack import reset_process_caches

        self.config = config
        self.rng = random.Random(config.seed + 1)
        self.report = FaultReport(config=config)
        speed_up_moto_dynamodb()  # the local stack's Query speed-up (answers unchanged: tests/integration)
        reset_process_caches()
        self.resources = create_resources()
        os.environ.update(self.resources.environment())
        os.environ[c.ENV_SEARCH_BACKEND] = "tantivy"
        os.environ[c.ENV_TANTIVY_PATH] = os.path.join(workdir, "index")
        reset_process_caches()
        self.aws = aws
        self.faults = DynamoFaults(aws.dynamodb(), config, self.rng, self.report)
        self._iterators: dict[str, str] = {}
        self._stream_seen = 0

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

        queue: deque[tuple[str, str, int]] = deque((str(uuid.uuid4()), body, 1) for _, body in plan.bodies)
        self.report.messages = len(queue)
        self._tune_retry_budget()
        batches = 0
        stored: set[str] = set()  # bodies ingest has processed once (so a syndicator can have copied them)
        while queue:
            batch: list[tuple[str, str, int]] = []
            held: list[tuple[str, str, int]] = []
            while queue and len(batch) < 10:
                message = queue.popleft()
                original = plan.original_of.get(message[1])
                (held if original is not None and original not in stored and queue else batch).append(message)
            queue.extendleft(reversed(held))  # the copies wait for their originals, in their order
            if not batch:
                batch = [queue.popleft()]
            event = {
                "Records": [
                    {
                        "messageId": mid,
                        "receiptHandle": f"rh-{mid}-{receives}",
                        "body": body,
                        "attributes": {"ApproximateReceiveCount": str(receives), "SentTimestamp": "0"},
                        "messageAttributes": {},
                        "md5OfBody": "",
                        "eventSource": "aws:sqs",
                        "eventSourceARN": self.resources.queue_arn,
                        "awsRegion": "us-east-1",
                    }
                    for mid, body, receives in batch
                ]
            }
            self.report.deliveries += len(batch)
            self.faults.active = True
            try:
                response = ingest.lambda_handler(event, LocalLambdaContext("ingest"))
                failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
                self.report.outcomes.update(o["outcome"] for o in ingest.last_outcomes if o["outcome"] != "rejected")
            except Crash:
                failed = {mid for mid, _, _ in batch}
                wiring.install(wiring.Wiring())  # a new process: caches (month markers known) are gone
                self._tune_retry_budget()
            except Exception:
                self.report.handler_errors += 1
                failed = {mid for mid, _, _ in batch}
            finally:
                self.faults.active = False
            for mid, body, receives in batch:
                if mid not in failed:
                    stored.add(body)
                elif receives >= MAX_RECEIVE_COUNT:
                    self.report.redriven_without_reason += 1  # SQS's redrive: the DLQ gets it, no reason
                else:
                    queue.append((mid, body, receives + 1))
            batches += 1
            if batches % 5 == 0:
                self.index_new_records()
            if batches % self.config.replay_every_batches == 0:
                self.replay()
        self.report.step_retries = wiring.current().ingest_table.budget.retried

    # -- stream -> index, with the event source's retry, bisection and on-failure destination ------

    def _new_records(self) -> list[dict[str, Any]]:
        streams = self.aws.dynamodb_streams()
        arn = self.resources.stream_arn
        records: list[dict[str, Any]] = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            iterator = (
                self._iterators.get(shard_id)
                or streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")[
                    "ShardIterator"
                ]
            )
            while True:
                got = streams.get_records(ShardIterator=iterator, Limit=1000)
                records.extend(got["Records"])
                iterator = got.get("NextShardIterator") or iterator
                if not got["Records"]:
                    break
            self._iterators[shard_id] = iterator
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
        shard = self.aws.dynamodb_streams().describe_stream(StreamArn=self.resources.stream_arn)
        body = {
            "requestContext": {"requestId": str(uuid.uuid4()), "condition": "RetryAttemptsExhausted"},
            "version": "1.0",
            "timestamp": arrival,
            "DDBStreamBatchInfo": {
                "shardId": shard["StreamDescription"]["Shards"][0]["ShardId"],
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
        by_url = {a.url: a for a in articles}
        self.report.expected_articles = len(plan.newest_title)
        self.report.poison_deliveries = len(plan.poison_bodies)
        self.report.lost = sum(1 for url in plan.newest_title if url not in by_url)
        self.report.duplicated = sum(1 for a in articles if a.url in plan.syndicated_urls) + (
            len(articles) - len(by_url)
        )
        self.report.reverted = sum(
            1 for url, title in plan.newest_title.items() if url in by_url and by_url[url].title != title
        )
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


def run_faults(config: FaultConfig) -> FaultReport:
    """The whole run, in a moto of its own. Needs AWS_* test credentials (set here) and nothing else."""
    from moto import mock_aws

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
    with tempfile.TemporaryDirectory() as workdir, mock_aws():
        run = Run(config, workdir)
        from newsflow.handlers import index
        from newsflow.search import shared_search_index

        faulty = FaultyIndex(shared_search_index(), config.index_fault_rate, run.rng, run.report)
        original = index.search_index
        index.search_index = lambda: faulty  # type: ignore[assignment]
        try:
            with run.faults.installed():
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

            reset_process_caches()
            os.environ.clear()
            os.environ.update(saved)
            logger.setLevel(level)
    run.report.seconds = time.perf_counter() - started
    return run.report
