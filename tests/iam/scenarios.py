"""Every handler driven through its real paths, each under its own synthesized role.

`run_all` plays what Lambda does in AWS: the event source mappings' own calls (SQS receive/delete,
stream reads, the on-failure send) are made under the function's role too, since that is the role
Lambda uses for them. The scenarios cover the data flow end to end: items in, articles stored and
indexed, every API route answered, a feed polled.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from newsflow import aws
from newsflow import constants as c
from newsflow.local.context import LocalLambdaContext
from newsflow.local.events import api_gateway_event, sqs_event, stream_event
from newsflow.local.resources import LocalResources
from newsflow.local.stack import reset_process_caches

from tests.iam.boto_enforcer import Enforcer
from tests.iam.opensearch_standin import OpenSearchStandIn
from tests.iam.template import Deployment

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
OPERATOR_ARN = "arn:aws:iam::123456789012:user/operator"


@dataclass
class Run:
    """What the scenarios saw: API answers by route, handler results, and the enforcers' records."""

    enforcer: Enforcer
    standin: OpenSearchStandIn
    api: dict[str, tuple[int, Any]] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    routes_called: set[str] = field(default_factory=set)


@dataclass
class Roles:
    deployment: Deployment
    resources: LocalResources
    standin: OpenSearchStandIn
    enforcer: Enforcer
    monkeypatch: pytest.MonkeyPatch
    by_handler: Mapping[str, str]
    feed_url: str = ""

    @contextmanager
    def acting_as(self, handler: str, extra_env: Mapping[str, str] | None = None) -> Iterator[None]:
        """The function's environment exactly as synthesized (resolved), its role enforced."""
        role = self.by_handler[handler]
        function = next(
            r for r in self.deployment.resources.values()
            if r["Type"] == "AWS::Lambda::Function" and r["Properties"]["Handler"] == handler
        )  # fmt: skip
        env = self.deployment.resolve((function["Properties"].get("Environment") or {}).get("Variables", {}))
        with self.monkeypatch.context() as patch:
            for name, value in {**env, c.ENV_OPENSEARCH_URL: self.standin.url, **(extra_env or {})}.items():
                patch.setenv(name, str(value))
            reset_process_caches()
            with self.enforcer.acting_as(role), self.standin.acting_as(role):
                yield
        reset_process_caches()


def _context(name: str) -> LocalLambdaContext:
    return LocalLambdaContext(name)


def _items() -> list[str]:
    lines = (SAMPLES / "items.jsonl").read_text(encoding="utf-8").splitlines()
    items = [line for line in lines if line.strip()]
    first = json.loads(items[0])
    near = dict(first, url=first["url"] + "-update", guid=first["guid"] + "-near")  # same story, other URL
    # A rewrite of the same story elsewhere (joins its story: its story_id), and a correction of the original
    text = first.get("content_text") or first.get("summary") or ""
    rewrite = dict(
        first,
        url=first["url"] + "-rewrite",
        guid=first["guid"] + "-rewrite",
        title=first["title"] + ", sources say",
        content_text=text.replace(".", ", the company said.", 2) + "\n\nShares moved in early trading.",
    )
    correction = dict(first, title=first["title"] + " (corrected)", updated="2026-11-21T09:00:00Z")
    syndicated = dict(first, source={"name": "Wire Copy", "feed_url": "https://wire.example/rss"})
    bad = [line for line in (SAMPLES / "bad-messages.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    # A syndicator's copy of the second item queued before it, then the publisher's correction: folded into one
    second = json.loads(items[1])
    copy_first = dict(
        second,
        url=second["url"] + "-syndicated",
        guid=None,
        source={"name": "Syndicator", "feed_url": "https://syndicator.example/rss"},
    )
    second_corrected = dict(
        second,
        title=second["title"] + " (corrected)",
        updated="2026-11-21T10:00:00Z",
        content_text=(second.get("content_text") or second.get("summary") or "") + " Corrected.",
    )
    # An edit of the third item without a newer clock (ordered by its sighting time: its replaced version is
    # kept as the article's contender), then the third item's old text queued again (a stale re-poll)
    third = json.loads(items[2])
    edited = dict(third, title=third["title"] + " (edited)", summary=(third.get("summary") or "") + " Edited.")
    edited.pop("updated", None)
    return [json.dumps(copy_first), *items, items[0], json.dumps(near), json.dumps(rewrite), json.dumps(syndicated),
            json.dumps(correction), json.dumps(second_corrected), json.dumps(edited), items[2], *bad,
            "{not json"]  # fmt: skip


def ingest_scenario(roles: Roles, run: Run) -> None:
    from newsflow.handlers import ingest

    sqs = aws.sqs()
    for body in _items():  # producers (outside the stack) fill the queue
        sqs.send_message(QueueUrl=roles.resources.queue_url, MessageBody=body)
    outcomes: list[Any] = []
    with roles.acting_as(c.HANDLER_INGEST):
        sqs = aws.sqs()  # the event source mapping, with the function's role
        sqs.get_queue_attributes(QueueUrl=roles.resources.queue_url, AttributeNames=["All"])
        while True:
            messages = sqs.receive_message(
                QueueUrl=roles.resources.queue_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])  # fmt: skip
            if not messages:
                break
            response = ingest.lambda_handler(
                sqs_event(messages, roles.resources.queue_arn, "us-east-1"), _context("ingest")
            )
            failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
            outcomes += [dict(o) for o in ingest.last_outcomes]
            done = [m for m in messages if m["MessageId"] not in failed]
            if done:
                sqs.delete_message_batch(
                    QueueUrl=roles.resources.queue_url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
                )
            if failed:
                run.results.setdefault("ingest_failures", []).append(response)
                break
    run.results["ingest"] = outcomes


def index_scenario(roles: Roles, run: Run) -> None:
    from newsflow.handlers import index

    with roles.acting_as(c.HANDLER_INDEX):
        streams = aws.dynamodb_streams()  # the event source mapping's reads, with the function's role
        streams.list_streams(TableName=roles.resources.table_name)
        shards = streams.describe_stream(StreamArn=roles.resources.stream_arn)["StreamDescription"]["Shards"]
        records: list[dict[str, Any]] = []
        for shard in shards:
            iterator = streams.get_shard_iterator(
                StreamArn=roles.resources.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            records += streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
        articles = [r for r in records if r["dynamodb"]["Keys"]["pk"]["S"].startswith("ART#")]  # the mapping's filter
        response = index.lambda_handler(stream_event(articles, roles.resources.stream_arn), _context("index"))
        run.results["index"] = response
        run.results["indexed_records"] = len(articles)
        # The on-failure destination: the mapping sends a batch's metadata (what it gave up on) to the
        # index-failures queue, as Lambda does after the retries; the ops scenario replays it.
        shard = shards[0]["ShardId"]
        batch = [r for r in records if r["dynamodb"]["Keys"]["pk"]["S"].startswith("ART#")][:3]
        aws.sqs().send_message(
            QueueUrl=roles.resources.index_failures_url,
            MessageBody=json.dumps(
                {
                    "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 6},
                    "version": "1.0",
                    "DDBStreamBatchInfo": {
                        "shardId": shard,
                        "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                        "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                        "batchSize": len(batch),
                        "streamArn": roles.resources.stream_arn,
                    },
                }
            ),
        )
        aws.sqs().send_message(QueueUrl=roles.resources.index_failures_url, MessageBody='{"not": "a failure record"}')


def _call(run: Run, key: str, method: str, path: str, body: Any = None, operator: bool = False) -> tuple[int, Any]:
    from newsflow.handlers import api

    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
    event = api_gateway_event(
        method, path, {"Host": "api.test", "Content-Type": "application/json"}, raw, "127.0.0.1", "dev"
    )
    if operator:  # API Gateway's IAM authorizer fills in the caller
        event["requestContext"]["identity"] |= {
            "userArn": OPERATOR_ARN,
            "caller": "AIDAOPERATOR",
            "accessKey": "AKIAOPS",
        }
    response = api.lambda_handler(event, _context("api"))
    text = base64.b64decode(response["body"]).decode() if response.get("isBase64Encoded") else response["body"]
    answer = (response["statusCode"], json.loads(text) if text and text.lstrip().startswith(("{", "[")) else text)
    run.api[key] = answer
    run.routes_called.add(key.split(" ", 2)[0] + " " + key.split(" ", 2)[1])
    return answer


def api_scenario(roles: Roles, run: Run) -> None:
    # The registered feeds are served from 127.0.0.1: private addresses allowed, as in the local stack.
    with roles.acting_as(c.HANDLER_API, {c.ENV_ALLOW_PRIVATE_FETCH: "true"}):
        status, page = _call(run, "GET /v1/articles", "GET", "/v1/articles?pageSize=2")
        article_id = page["articles"][0]["id"] if status == 200 and page.get("articles") else "missing"
        # A page size that leaves a short last page: there the adapter closes its point in time.
        _, probe = _call(run, "GET /v1/search probe", "GET", "/v1/search?q=market&pageSize=1")
        total = int(probe.get("totalResults", 0)) if isinstance(probe, dict) else 0
        size = next((n for n in (3, 4, 5, 7) if total % n), 3)
        status, first = _call(run, "GET /v1/search", "GET", f"/v1/search?q=market&pageSize={size}")
        page = first
        for n in range(2, 40):  # walk to the last page through the cursor (one point in time)
            if status != 200 or not page.get("nextCursor"):
                break
            status, page = _call(
                run,
                f"GET /v1/search page-{n}",
                "GET",
                f"/v1/search?q=market&pageSize={size}&cursor={page['nextCursor']}",
            )
        _call(run, "GET /v1/search by-date", "GET", "/v1/search?q=market&sortBy=publishedAt")
        _call(run, "GET /v1/articles/{id}", "GET", f"/v1/articles/{article_id}")
        _call(run, "GET /v1/articles/{id}/related", "GET", f"/v1/articles/{article_id}/related")
        _call(run, "GET /v1/top-headlines", "GET", "/v1/top-headlines")
        _call(run, "GET /v1/categories", "GET", "/v1/categories")
        _call(run, "GET /v1/archives", "GET", "/v1/archives")
        _call(run, "GET /v1/archives/{year}/{month}", "GET", "/v1/archives/2026/11")
        _call(run, "GET /v1/sources", "GET", "/v1/sources")
        _call(run, "GET /v1/health", "GET", "/v1/health")
        # The page endpoints: one request per page of the site
        _call(run, "GET /v1/pages/home", "GET", "/v1/pages/home")
        _call(run, "GET /v1/pages/category/{slug}", "GET", "/v1/pages/category/information-technology")
        _call(run, "GET /v1/pages/article/{id}", "GET", f"/v1/pages/article/{article_id}")
        _call(run, "GET /v1/pages/search", "GET", "/v1/pages/search?q=market")
        _call(run, "GET /v1/openapi.json", "GET", "/v1/openapi.json")
        _call(run, "GET /v1/docs", "GET", "/v1/docs")
        # The NewsAPI-compatible routes, as its clients call them
        _call(run, "GET /v2/everything", "GET", "/v2/everything?q=market&pageSize=2&page=2")
        _call(run, "GET /v2/everything popularity", "GET", "/v2/everything?q=market&sortBy=popularity")
        _call(run, "GET /v2/top-headlines", "GET", "/v2/top-headlines?category=business&language=en")
        _call(run, "GET /v2/top-headlines/sources", "GET", "/v2/top-headlines/sources")
        _call(run, "GET /v2/sources", "GET", "/v2/sources")
        with roles.standin.outage():  # front and section pages fall back to the table's GSIs
            _call(run, "GET /v1/articles fallback-latest", "GET", "/v1/articles?pageSize=2")
            _call(run, "GET /v1/articles fallback-category", "GET", "/v1/articles?category=information-technology")
        first_item = json.loads(_items()[1])
        _call(run, "POST /v1/admin/items", "POST", "/v1/admin/items", {"items": [first_item]}, operator=True)
        feed = {
            "feedId": "markets-daily", "url": roles.feed_url, "name": "Markets Daily", "intervalMinutes": 15,
            # A secret header by reference: the fetch worker reads the SSM parameter (fetch_scenario).
            "settings": {"secretHeaders": [{"name": "Authorization", "parameter": FEED_SECRET_PARAMETER}]},
        }  # fmt: skip
        _call(run, "POST /v1/admin/feeds", "POST", "/v1/admin/feeds", feed, operator=True)
        opml = (
            '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
            f'<outline text="Markets Wire" xmlUrl="{roles.feed_url}?edition=wire"/></body></opml>'
        ).encode()
        _call(run, "POST /v1/admin/feeds/opml", "POST", "/v1/admin/feeds/opml", opml, operator=True)
        _call(run, "GET /v1/admin/feeds/opml", "GET", "/v1/admin/feeds/opml", operator=True)
        for action in ("disable", "enable", "reset", "poll-now"):
            _call(
                run, f"POST /v1/admin/feeds/{{feedId}}/{{action}} {action}", "POST",
                f"/v1/admin/feeds/markets-wire/{action}", None, operator=True,
            )  # fmt: skip
        _call(
            run, "POST /v1/admin/feeds temp", "POST", "/v1/admin/feeds", feed | {"feedId": "temporary"}, operator=True
        )
        _call(run, "GET /v1/admin/feeds", "GET", "/v1/admin/feeds", operator=True)
        _call(run, "GET /v1/admin/feeds/{feedId}", "GET", "/v1/admin/feeds/markets-daily", operator=True)
        _call(run, "DELETE /v1/admin/feeds/{feedId}", "DELETE", "/v1/admin/feeds/temporary", operator=True)


def poll_scenario(roles: Roles, run: Run) -> None:
    from newsflow.handlers import poll

    with roles.acting_as(c.HANDLER_POLL):  # the scheduler: one index query, fetch requests out
        run.results["poll"] = poll.lambda_handler(
            {"source": "aws.events", "detail-type": "Scheduled Event"}, _context("poll")
        )


FEED_SECRET_PARAMETER = "/newsflow/feeds/markets-daily-token"


def fetch_scenario(roles: Roles, run: Run) -> None:
    """The fetch worker drains what poll enqueued (two feeds on one host: the host record is used), plus a
    request whose host is busy (re-queued with a delay) and a malformed one (parked with its reason)."""
    from newsflow.handlers import fetch

    # The operator stored the feed's secret; a host record holds every slot of a busy host.
    aws_ssm = aws.ssm()
    aws_ssm.put_parameter(Name=FEED_SECRET_PARAMETER, Value="Bearer s3cret", Type="SecureString")
    aws.dynamodb().put_item(
        TableName=roles.resources.table_name,
        Item={"pk": {"S": "FEEDS"}, "sk": {"S": "HOST#busy.example"}, "s0": {"N": "9999999999"},
              "s1": {"N": "9999999999"}, "next_at": {"N": "0"}},
    )  # fmt: skip
    sqs = aws.sqs()
    busy = {"feed_id": "markets-daily", "due": "2000-01-01T00:00:00.000000Z#markets-daily", "host": "busy.example"}
    sqs.send_message(QueueUrl=roles.resources.fetch_queue_url, MessageBody=json.dumps(busy | {"polite": True}))
    sqs.send_message(QueueUrl=roles.resources.fetch_queue_url, MessageBody='{"feed_id": 7}')
    results: list[dict[str, Any]] = []
    # A teaser threshold that sends the sample's two longest items straight to ingest and the rest to the
    # full-text queue, so both of the worker's SendMessage grants are exercised.
    extra = {c.ENV_ALLOW_PRIVATE_FETCH: "true", c.ENV_FULLTEXT_MIN_WORDS: "100"}
    with roles.acting_as(c.HANDLER_FETCH, extra):
        sqs = aws.sqs()  # the event source mapping, with the function's role
        sqs.get_queue_attributes(QueueUrl=roles.resources.fetch_queue_url, AttributeNames=["All"])
        for _ in range(10):
            messages = sqs.receive_message(
                QueueUrl=roles.resources.fetch_queue_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                break
            response = fetch.lambda_handler(
                sqs_event(messages, roles.resources.fetch_queue_arn, "us-east-1"), _context("fetch")
            )
            failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
            for message in messages:
                if message["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=roles.resources.fetch_queue_url, ReceiptHandle=message["ReceiptHandle"])
            results.append({"batch": len(messages), "failed": len(failed)})
    run.results["fetch"] = results
    run.results["fetched_feeds"] = [
        item
        for item in aws.dynamodb().query(
            TableName=roles.resources.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :feed)",
            ExpressionAttributeValues={":pk": {"S": "FEEDS"}, ":feed": {"S": "FEED#"}},
        )["Items"]
    ]


def fulltext_scenario(roles: Roles, run: Run) -> None:
    """What the fetch worker routed to the full-text queue (the feed's teasers; their sites are not fetched here: mode
    never), two teasers whose pages are on one 127.0.0.1 host (fetched, spaced by the shared host record), and a
    poison message (parked in its DLQ)."""
    from newsflow.handlers import fulltext

    sqs = aws.sqs()
    url = roles.resources.fulltext_queue_url
    page = {"url": roles.feed_url.replace("/markets.xml", "/page.html"), "title": "A page", "full_text": "always"}
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(page))
    # A second page of the same host: its turn comes from the shared host record (read while the gap runs).
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(page | {"url": page["url"].replace("page", "page-2")}))
    sqs.send_message(QueueUrl=url, MessageBody="{not json")
    outcomes: list[Any] = []
    extra = {c.ENV_ALLOW_PRIVATE_FETCH: "true", c.ENV_FULLTEXT_MODE: "never", c.ENV_FULLTEXT_HOST_GAP: "0"}
    with roles.acting_as(c.HANDLER_FULLTEXT, extra):
        sqs = aws.sqs()  # the event source mapping, with the function's role
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        while True:
            messages = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=5, MessageSystemAttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                break
            event = sqs_event(messages, roles.resources.fulltext_queue_arn, "us-east-1")
            response = fulltext.lambda_handler(event, _context("fulltext"))
            outcomes += [dict(o) for o in fulltext.last_outcomes]
            failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
            done = [m for m in messages if m["MessageId"] not in failed]
            if done:
                sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
                )
            if failed:
                run.results.setdefault("fulltext_failures", []).append(response)
                break
    run.results["fulltext"] = outcomes


def ops_scenario(roles: Roles, run: Run) -> None:
    from newsflow.handlers import ops

    with roles.acting_as(c.HANDLER_OPS):
        run.results["replay"] = ops.lambda_handler({"action": "replay-index-failures"}, _context("ops"))
        # What the daily schedule sends: compare the index with the table month by month (search + scan)
        run.results["reconcile"] = ops.lambda_handler({"action": "reconcile", "months": 3}, _context("ops"))
        steps: list[dict[str, Any]] = []
        cursor = None
        for _ in range(200):  # a reindex returns a cursor until it has swapped the alias
            step = ops.lambda_handler({"action": "reindex", "cursor": cursor, "page_size": 50}, _context("ops"))
            steps.append(step)
            cursor = step.get("cursor")
            if step.get("done") or step.get("status") == "error":
                break
        run.results["reindex"] = steps
        second = ops.lambda_handler({"action": "reindex", "delete_old": True}, _context("ops"))
        while second.get("cursor") and not second.get("done"):
            second = ops.lambda_handler(
                {"action": "reindex", "cursor": second["cursor"], "delete_old": True}, _context("ops")
            )
        run.results["reindex_delete_old"] = second


def authorizer_scenario(roles: Roles, run: Run) -> None:
    from newsflow.handlers import authorizer

    method_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/v2/everything"
    with roles.acting_as(c.HANDLER_AUTHORIZER):  # it makes no AWS call at all: its role has logs only
        run.results["authorizer"] = authorizer.lambda_handler(
            {"type": "REQUEST", "methodArn": method_arn, "headers": {}, "queryStringParameters": {"apiKey": "k-123"}},
            _context("authorizer"),
        )


Scenario = Callable[[Roles, Run], None]
# In data-flow order: what ingest stores, index publishes and api serves; poll reads the feed api registered.
SCENARIOS: dict[str, Scenario] = {
    c.HANDLER_INGEST: ingest_scenario,
    c.HANDLER_INDEX: index_scenario,
    c.HANDLER_API: api_scenario,
    c.HANDLER_POLL: poll_scenario,
    c.HANDLER_FETCH: fetch_scenario,
    c.HANDLER_FULLTEXT: fulltext_scenario,
    c.HANDLER_OPS: ops_scenario,
    c.HANDLER_AUTHORIZER: authorizer_scenario,
}


@contextmanager
def feed_server() -> Iterator[str]:
    """The sample RSS feed on 127.0.0.1 (what poll fetches)."""
    payload = (SAMPLES / "feeds" / "markets-daily-rss2.xml").read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/markets.xml"
    finally:
        server.shutdown()
        server.server_close()
