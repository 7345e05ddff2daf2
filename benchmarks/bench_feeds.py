"""Feed parsing throughput: newsflow's parse_feed against plain feedparser.parse, on the same bytes.

Corpora: samples/feeds (always) and ../shared/data/feeds (real-world feeds, when present), XML
feeds and JSON Feeds measured apart (feedparser does not read JSON Feed).

parse_feed calls feedparser with the feed URL as base (relative links resolved) and its HTML
sanitizer off (normalisation cleans HTML with nh3), then validates FeedItems and cleans links,
images, dates and authors. "feedparser (same options)" is the same feedparser call alone, so the
difference is newsflow's own cost; "feedparser (defaults)" is what a naive integration would do.

    python -c "from benchmarks.bench_feeds import run; print(run())"
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path

import feedparser
from newsflow.errors import FeedError
from newsflow.feeds import parse_feed
from newsflow.models import FeedItem

from benchmarks.common import REPO_ROOT, SHARED_DATA, table

MIN_SECONDS = 1.0
MIN_PASSES = 3


def _load(directory: Path) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(directory.iterdir()) if p.is_file()]


def _newsflow(name: str, data: bytes) -> int:
    try:
        return len(parse_feed(data, feed_url=f"https://bench.example/{name}").items)
    except FeedError:
        return -1


def _feedparser_defaults(name: str, data: bytes) -> int:
    result = feedparser.parse(data)
    return len(result.entries) if result.entries or not result.get("bozo") else -1


def _feedparser_same_options(name: str, data: bytes) -> int:
    headers = {"content-location": f"https://bench.example/{name}"}
    result = feedparser.parse(data, response_headers=headers, sanitize_html=False, resolve_relative_uris=True)
    return len(result.entries) if result.entries or not result.get("bozo") else -1


def _measure(files: list[tuple[str, bytes]], parse: Callable[[str, bytes], int]) -> tuple[int, int, float]:
    """(items per pass, files refused per pass, seconds per pass), best pass of several."""
    items = errors = 0
    for name, data in files:  # warm-up and counts
        found = parse(name, data)
        items += max(found, 0)
        errors += found < 0
    best = float("inf")
    passes = 0
    started = time.perf_counter()
    while passes < MIN_PASSES or time.perf_counter() - started < MIN_SECONDS:
        t0 = time.perf_counter()
        for name, data in files:
            parse(name, data)
        best = min(best, time.perf_counter() - t0)
        passes += 1
    return items, errors, best


def _rows(label: str, files: list[tuple[str, bytes]]) -> list[list[object]]:
    rows: list[list[object]] = []
    xml = [(n, d) for n, d in files if not n.endswith(".json")]
    json_feeds = [(n, d) for n, d in files if n.endswith(".json")]
    if xml:
        rows.extend(
            _compare(
                f"{label} (XML)",
                xml,
                [
                    ("newsflow parse_feed", _newsflow),
                    ("feedparser (same options)", _feedparser_same_options),
                    ("feedparser (defaults)", _feedparser_defaults),
                ],
            )
        )
    if json_feeds:
        rows.extend(_compare(f"{label} (JSON Feed)", json_feeds, [("newsflow parse_feed", _newsflow)]))
    return rows


def _compare(
    label: str, files: list[tuple[str, bytes]], parsers: list[tuple[str, Callable[[str, bytes], int]]]
) -> list[list[object]]:
    size_kb = sum(len(d) for _, d in files) / 1024
    rows: list[list[object]] = []
    for parser_name, parse in parsers:
        items, errors, seconds = _measure(files, parse)
        rows.append(
            [
                label,
                f"{len(files)} ({size_kb:.0f} KB)",
                parser_name,
                items,
                errors,
                f"{items / seconds:,.0f}",
                f"{seconds / len(files) * 1000:.2f}",
            ]
        )
    return rows


def _jsonl_row() -> list[object] | None:
    path = REPO_ROOT / "samples" / "items.jsonl"
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    best = float("inf")
    for _ in range(200):
        t0 = time.perf_counter()
        for line in lines:
            FeedItem.model_validate_json(line)
        best = min(best, time.perf_counter() - t0)
    return ["samples/items.jsonl", f"{len(lines)} lines", "FeedItem.model_validate_json", len(lines), 0,
            f"{len(lines) / best:,.0f}", "-"]  # fmt: skip


def run() -> str:
    warnings.simplefilter("ignore", DeprecationWarning)
    rows: list[list[object]] = []
    notes: list[str] = []
    samples = REPO_ROOT / "samples" / "feeds"
    if samples.is_dir():
        rows.extend(_rows("samples/feeds", _load(samples)))
    else:
        notes.append("samples/feeds is missing: skipped.")
    jsonl = _jsonl_row()
    if jsonl:
        rows.append(jsonl)
    shared = SHARED_DATA / "feeds"
    if shared.is_dir():
        rows.extend(_rows("shared/data/feeds", _load(shared)))
    else:
        notes.append(f"{shared} not found: real-world feeds skipped.")
    headers = ["corpus", "files", "parser", "items", "refused", "items/s", "ms/file"]
    text = "## Feed parsing throughput (best pass, one core)\n\n" + table(headers, rows)
    text += (
        "\n\n`refused`: files raising FeedError (parse_feed) or bozo with no entries (feedparser). "
        "feedparser does not read JSON Feed, so its item counts leave those files out."
    )
    if notes:
        text += "\n\n" + "\n".join(notes)
    return text
