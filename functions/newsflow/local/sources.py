"""Turn what an operator points `newsflow ingest` at into queue messages.

- a feed file (RSS/Atom/RDF/JSON Feed): parsed here; each entry becomes one FeedItem message
- a `.jsonl` file: each line is sent as it is, so the pipeline (not this tool) validates it and
  parks bad lines in the DLQ with a reason, exactly as it would for a producer
- a `.json` file holding one FeedItem object (or a list of them)
- a directory: every such file in it, sorted
- an http(s) URL: fetched (with the same address policy as the poller) and parsed as a feed
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from newsflow.errors import FeedError
from newsflow.feeds.fetch import FeedFetcher
from newsflow.feeds.parse import parse_feed
from newsflow.models import SourceInfo

FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".feed"}
JSON_FEED_SUFFIXES = {".json"}


class RejectedSource(BaseModel):
    source: str
    reason: str


class CollectedMessages(BaseModel):
    bodies: list[str] = Field(default_factory=list)
    origins: list[str] = Field(default_factory=list, description="Where each body came from (file or URL).")
    rejected_sources: list[RejectedSource] = Field(default_factory=list)
    skipped_entries: list[str] = Field(default_factory=list)


def _feed_messages(content: bytes, origin: str, feed_url: str, out: CollectedMessages) -> None:
    try:
        parsed = parse_feed(content, feed_url=feed_url, source=SourceInfo(feed_url=feed_url))
    except FeedError as error:
        out.rejected_sources.append(RejectedSource(source=origin, reason=str(error)))
        return
    for item in parsed.items:
        out.bodies.append(item.model_dump_json(exclude_none=True))
        out.origins.append(origin)
    out.skipped_entries.extend(f"{origin}: {s.reason}" for s in parsed.skipped)


def _json_file(path: Path, out: CollectedMessages) -> None:
    raw = path.read_bytes()
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError) as error:
        out.rejected_sources.append(RejectedSource(source=str(path), reason=f"invalid JSON: {error}"))
        return
    if isinstance(payload, dict) and "items" in payload and "version" in payload:
        _feed_messages(raw, str(path), path.resolve().as_uri(), out)  # a JSON Feed document
        return
    for entry in payload if isinstance(payload, list) else [payload]:
        out.bodies.append(json.dumps(entry))
        out.origins.append(str(path))


def _jsonl_file(path: Path, out: CollectedMessages) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if line.strip():
            out.bodies.append(line)
            out.origins.append(f"{path}:{number}")


def collect(targets: list[str], fetcher: FeedFetcher | None = None) -> CollectedMessages:
    out = CollectedMessages()
    for target in targets:
        if target.startswith(("http://", "https://")):
            try:
                result = (fetcher or FeedFetcher(timeout_seconds=10, max_bytes=10 * 1024 * 1024)).fetch(target)
            except FeedError as error:
                out.rejected_sources.append(RejectedSource(source=target, reason=str(error)))
                continue
            _feed_messages(result.body, target, result.final_url or target, out)
            continue
        path = Path(target)
        if not path.exists():
            out.rejected_sources.append(RejectedSource(source=target, reason="no such file or directory"))
            continue
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            suffix = file.suffix.lower()
            if suffix == ".jsonl":
                _jsonl_file(file, out)
            elif suffix in JSON_FEED_SUFFIXES:
                _json_file(file, out)
            elif suffix in FEED_SUFFIXES:
                _feed_messages(file.read_bytes(), str(file), file.resolve().as_uri(), out)
            elif not path.is_dir():
                out.rejected_sources.append(RejectedSource(source=str(file), reason="unknown file type"))
    return out
