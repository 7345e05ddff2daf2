"""End to end: the local stack (moto server + event-source emulation + HTTP front) over real HTTP.

The stack is started in-process by the fixture, on free ports on 127.0.0.1, with its data in tmp_path.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from newsflow import aws
from newsflow import constants as c
from newsflow.local.ingest_run import IngestSummary, queue_for_stack, run_ingest
from newsflow.local.sources import collect
from newsflow.local.stack import LocalStack

from tests.conftest import SAMPLES

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(data_dir=tmp_path_factory.mktemp("newsflow"), api_port=0) as running:
        yield running


@pytest.fixture(scope="module")
def ingested(stack: LocalStack) -> IngestSummary:
    summary = run_ingest(collect([str(SAMPLES)]), queue_for_stack(stack), stack.status, 180, progress=False)
    assert summary.completed, summary
    return summary


def get(stack: LocalStack, path: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"{stack.api_url}{path}", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_samples_are_ingested_across_all_categories(ingested: IngestSummary) -> None:
    # The samples hold ~100 items over the 14 categories, duplicates, and one malformed feed.
    # 100 entries = 98 stories + an identical repeat + the same URL syndicated by a second feed (which,
    # depending on arrival order, is a sighting or replaces the teaser that came first: an update).
    assert ingested.stored == 98
    assert ingested.unchanged == 1
    assert ingested.duplicates + ingested.updated == 1
    assert len(ingested.per_category) >= 12
    assert [r.source for r in ingested.rejected_sources] == [
        str(p) for p in sorted(SAMPLES.rglob("*")) if "broken" in p.name
    ]
    assert ingested.indexed >= ingested.stored


def test_search_over_http_returns_results(stack: LocalStack, ingested: IngestSummary) -> None:
    status, body = get(stack, "/v1/search?q=" + quote("semiconductor"))
    assert status == 200
    assert body["totalResults"] >= 1
    assert all({"id", "title", "url", "category"} <= set(a) for a in body["articles"])


def test_bad_parameter_over_http_is_400_with_the_error_schema(stack: LocalStack, ingested: IngestSummary) -> None:
    status, body = get(stack, "/v1/articles?pageSize=abc")
    assert status == 400
    assert body["status"] == "error"
    assert body["code"] == "parameterInvalid"
    assert body["param"] == "pageSize"


def test_category_pages_and_article_pages_render(stack: LocalStack, ingested: IngestSummary) -> None:
    status, categories = get(stack, "/v1/categories")
    assert status == 200
    busiest = max(categories["categories"], key=lambda c: c["articleCount"])
    status, page = get(stack, f"/v1/articles?category={busiest['slug']}&pageSize=5")
    assert status == 200
    assert page["articles"]
    status, article = get(stack, f"/v1/articles/{page['articles'][0]['id']}")
    assert status == 200
    assert article["article"]["wordCount"] > 0


def test_same_item_twice_stores_one_article_and_malformed_message_reaches_the_dlq(
    stack: LocalStack, ingested: IngestSummary, tmp_path: Path
) -> None:
    # Given a new item sent twice and a message that is not JSON
    item = {
        "url": "https://e2e.example.com/airbus-order",
        "title": "Airbus wins record order for A321neo jets from Gulf carrier",
        "content_text": "Airbus said the aircraft order covers 150 A321neo jets for delivery from 2029.",
    }
    source = tmp_path / "twice.jsonl"
    source.write_text(f"{json.dumps(item)}\n{json.dumps(item)}\n{{broken json\n")
    # When they are ingested through the queue
    summary = run_ingest(collect([str(source)]), queue_for_stack(stack), stack.status, 60, progress=False)
    # Then one article is stored, the repeat is recognised, and the bad message is parked with its reason
    assert summary.completed
    assert (summary.stored, summary.unchanged + summary.duplicates, summary.failed) == (1, 1, 1)
    assert summary.failure_reasons == {"invalid_json": 1}
    status, found = get(stack, "/v1/search?q=" + quote("A321neo"))
    assert status == 200
    assert found["totalResults"] == 1
    assert stack.resources is not None
    parked = aws.sqs().receive_message(
        QueueUrl=stack.resources.dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    reasons = [m["MessageAttributes"][c.DLQ_REASON_ATTRIBUTE]["StringValue"] for m in parked]
    assert "invalid_json" in reasons


GRAIN_RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Grain Desk</title><link>https://grain.example.com/</link>
<item><title>Wheat futures climb as drought hits Kansas harvest</title>
<link>https://grain.example.com/wheat-drought</link><guid>wheat-1</guid>
<description>Farmers expect a smaller winter wheat crop.</description>
<pubDate>Tue, 17 Nov 2026 08:00:00 EST</pubDate></item>
<item><title>Fertilizer prices ease for corn growers</title>
<link>https://grain.example.com/fertilizer</link><guid>fert-1</guid>
<pubDate>Mon, 16 Nov 2026 08:00:00 EST</pubDate></item>
</channel></rss>"""


def test_a_feed_registered_through_the_admin_api_is_polled_and_served(
    stack: LocalStack, ingested: IngestSummary
) -> None:
    from tests.unit.feeds.http_fixture import FeedServer, send, start_server

    # Given a feed served over HTTP on this machine, registered through the admin API
    server = FeedServer()
    server.routes["/grain.xml"] = lambda h: send(h, 200, GRAIN_RSS, {"Content-Type": "application/rss+xml"})
    stop = start_server(server)
    try:
        request = urllib.request.Request(
            f"{stack.api_url}/v1/admin/feeds",
            data=json.dumps({"feedId": "grain-desk", "url": server.url("/grain.xml"), "name": "Grain Desk"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
        # When the schedule fires (the scheduler enqueues it, the fetch worker polls it) and the pipeline settles
        assert stack.runtime is not None
        report = stack.runtime.poll_now()
        assert stack.runtime.wait_idle(60)
    finally:
        stop()
    # Then the feed's items went through the fetch queue, items queue, ingest and index, and are searchable
    assert report["enqueued"] == 1
    status, found = get(stack, "/v1/search?q=" + quote("Kansas wheat drought"))
    assert status == 200
    assert found["totalResults"] == 1
    # And the registry shows the poll's outcome
    status, feeds = get(stack, "/v1/admin/feeds")
    assert status == 200
    grain = next(f for f in feeds["feeds"] if f["feedId"] == "grain-desk")
    assert (grain["lastStatus"], grain["itemsSent"], grain["lastError"]) == (200, 2, None)
