"""Today's serial poller (main at 0ea6f46: one loop, at most 200 feeds per run) against the feed farm.

Run by bench_feedfarm in a subprocess whose PYTHONPATH holds that commit's functions/ (git archive):
`python benchmarks/feedfarm_serial.py PORT FEEDS OUT.json`. Two cycles over the same feeds: the first
(everything new), then one with no change (every feed due again). The items queue is played by a counter
that serializes every item (as the fan-out's benchmark does), so neither side pays for moto's SQS.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from feedfarm import feed_url


class CountingSink:
    """The poller's ItemSink with the items queue replaced by a counter: every item is still serialized."""

    def __init__(self) -> None:
        self.items = 0

    def send(self, items: list[Any]) -> list[Any]:
        self.items += len([item.model_dump_json(exclude_none=True) for item in items])
        return []


def main(port: int, feeds: int, out: Path) -> None:
    os.environ.update({"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
                       "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled", "POWERTOOLS_METRICS_DISABLED": "true"})  # fmt: skip
    from moto import mock_aws

    with mock_aws():
        from newsflow import aws
        from newsflow.feeds.fetch import FeedFetcher
        from newsflow.feeds.poller import poll_due_feeds
        from newsflow.local.resources import create_resources
        from newsflow.models import FeedConfig
        from newsflow.store.feeds import DynamoFeedRepository

        resources = create_resources()
        registry = DynamoFeedRepository(aws.dynamodb(), resources.table_name)
        for index in range(feeds):
            registry.save_feed(FeedConfig(feed_id=f"f{index}", url=feed_url(index, port)))
        fetcher = FeedFetcher(timeout_seconds=10, allow_private=True, resolver=lambda host, p: ["127.0.0.1"])
        sink = CountingSink()
        cycles = []
        now = datetime.now(UTC)
        for cycle in range(2):
            moment = now + timedelta(days=2 * cycle)
            runs: list[dict[str, float]] = []
            while True:
                started = time.perf_counter()
                report = poll_due_feeds(registry, fetcher, sink, moment, 200)
                if not report.outcomes:
                    break
                runs.append({"feeds": len(report.outcomes), "seconds": time.perf_counter() - started,
                             "items": report.items_sent})  # fmt: skip
            cycles.append({"runs": runs, "items": sum(r["items"] for r in runs)})
        out.write_text(json.dumps({"cycles": cycles}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
