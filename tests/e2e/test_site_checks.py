"""The site's checks on a local stack, items through the real ingest path (dedupe folds verbatim copies into
`alsoFrom`, the index derives their source keys): a wire story carried by five outlets leads What's Hot, and a
relevancy walk read after 300 other searches, with new matching items arriving between pages, neither repeats
nor skips a result."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from newsflow.local.ingest_run import queue_for_stack, run_ingest
from newsflow.local.sources import collect
from newsflow.local.stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

NOW = datetime.now(UTC)
WIRE = (
    "The central bank of Norland held its main interest rate at 4.25 percent on Tuesday, citing sticky services "
    "inflation. Governor Ilse Varga said the committee would keep policy tight until wage growth slowed. Markets "
    "had priced a small chance of a cut; the krone rose half a percent after the decision."
)


def _item(url: str, title: str, body: str, source: str, hours_ago: float) -> dict[str, Any]:
    domain = url.split("/")[2]
    return {
        "url": url,
        "title": title,
        "summary": title + ".",
        "content_text": body,
        "published": (NOW - timedelta(hours=hours_ago)).isoformat(),
        "language": "en",
        "source": {"name": source, "site_url": f"https://{domain}/"},
    }


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(data_dir=tmp_path_factory.mktemp("checks"), api_port=0) as running:
        yield running


def _ingest(stack: LocalStack, folder: Path, name: str, items: list[dict[str, Any]]) -> None:
    path = folder / f"{name}.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    summary = run_ingest(collect([str(path)]), queue_for_stack(stack), stack.status, 180, progress=False)
    assert summary.completed, summary


def _get(stack: LocalStack, path: str) -> Any:
    with urllib.request.urlopen(f"{stack.api_url}{path}", timeout=30) as response:
        return json.loads(response.read())


def test_a_wire_story_carried_verbatim_by_five_outlets_leads_whats_hot(stack: LocalStack, tmp_path: Path) -> None:
    # Given the same wire text from five outlets 2 h ago, a two-source story 1 h ago, a fresh single, 20 others
    items = [
        _item(f"https://outlet{i}.example/rates", "Norland central bank holds rates", WIRE, f"Outlet {i}", 2)
        for i in range(5)
    ]
    port = "Dock workers at Eastmouth returned to work after a deal on pay and shifts ended a nine-day strike."
    items += [_item(f"https://port{k}.example/strike", f"Port strike ends {k}", port + " More." * k, f"Port {k}", 1)
              for k in range(2)]  # fmt: skip
    items.append(_item("https://crier.example/bakery", "Bakery opens", "A bakery opened today. " * 5, "Crier", 0.2))
    items += [
        _item(f"https://other{j}.example/n", f"Garden news {j}", f"Volunteers planted {j} trees. Text {j * 7919}.",
              f"Other {j}", 3 + j / 10)
        for j in range(20)
    ]  # fmt: skip
    _ingest(stack, tmp_path, "hot", items)
    # When What's Hot is read
    hot = _get(stack, "/v1/top-headlines?pageSize=5")
    # Then the wire story is first, counted with all five outlets (four of them folded into alsoFrom)
    first = hot["articles"][0]
    assert first["title"] == "Norland central bank holds rates"
    assert first["sourceCount"] == 5
    assert len(first["alsoFrom"]) == 4
    assert hot["articles"][1]["sourceCount"] == 2


def test_a_relevancy_walk_survives_300_searches_and_new_matches(stack: LocalStack, tmp_path: Path) -> None:
    # Given 60 matching articles
    _ingest(
        stack,
        tmp_path,
        "quay",
        [_item(f"https://quay{i}.example/r", f"Quay dredging report {i}", f"Silt at berth {i}. Code {i * 104729}.",
               f"Quay {i % 7}", 20 + i / 100) for i in range(60)],
    )  # fmt: skip
    path = "/v1/search?q=" + quote("quay dredging") + "&pageSize=10"
    body = _get(stack, path)
    matched = body["totalResults"]
    seen = [a["id"] for a in body["articles"]]
    # When 300 other searches run after the first page, and a new matching article arrives before each next one
    for n in range(300):
        _get(stack, f"/v1/search?q=garden+{n}&pageSize=5")
    arrived = 0
    while body["nextCursor"]:
        arrived += 1
        _ingest(stack, tmp_path, f"late{arrived}", [
            _item(f"https://late{arrived}.example/q", f"Quay dredging late {arrived}", f"Late {arrived * 15485863}.",
                  f"Late {arrived}", 0.1)
        ])  # fmt: skip
        body = _get(stack, path + "&cursor=" + quote(body["nextCursor"]))
        seen += [a["id"] for a in body["articles"]]
    # Then the walk saw every match of its first page once: nothing repeated, nothing skipped
    assert matched == 60
    assert arrived == 5
    assert len(seen) == len(set(seen)) == matched
    assert _get(stack, path)["totalResults"] == 65  # a new walk sees the arrivals
