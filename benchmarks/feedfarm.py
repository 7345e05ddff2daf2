"""A local feed farm: N generated RSS feeds on one 127.0.0.1 server, with a realistic mix of behaviours.

Per feed (deterministic from the seed): answers in 50-300 ms, 2 % slow (2-4 s), 1 % never answer in time
(12 s: over the fetcher's 10 s deadline), 10 % send no validators (and rewrite lastBuildDate on every
request, as many CMSs do), the rest send ETag/Last-Modified and answer 304 when unchanged. Each feed lists
its 20 newest entries, 6 hours apart. Feeds are spread over virtual hosts (`<host>.farm.test`, resolved
to 127.0.0.1 by the benchmark): 10 % of feeds on 20 big hosts, the rest two per host.

Run as a process (`python -m benchmarks.feedfarm N SEED PORT_FILE`) so its threads never compete with the
workers' for the GIL. Control: GET /_advance?fraction=F (F of the feeds get one new entry), GET /_stats.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ENTRIES = 20
BASE_TIME = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class FeedSpec:
    __slots__ = ("delay", "index", "kind", "validators", "version")

    def __init__(self, index: int, seed: int) -> None:
        rng = random.Random(seed * 1_000_003 + index)
        draw = rng.random()
        self.index = index
        self.kind = "timeout" if draw < 0.01 else "slow" if draw < 0.03 else "normal"
        self.delay = (
            12.0 if self.kind == "timeout" else rng.uniform(2, 4) if self.kind == "slow" else rng.uniform(0.05, 0.3)
        )
        self.validators = rng.random() >= 0.10
        self.version = 0


def host_of(index: int) -> str:
    return f"big{index // 10 % 20}" if index % 10 == 0 else f"h{index // 2}"


def feed_url(index: int, port: int) -> str:
    return f"http://{host_of(index)}.farm.test:{port}/f/{index}.xml"


def body_of(spec: FeedSpec, build: datetime) -> bytes:
    newest = BASE_TIME + timedelta(hours=6 * spec.version)
    items = []
    for n in range(spec.version + ENTRIES - 1, spec.version - 1, -1):
        when = newest - timedelta(hours=6 * (spec.version + ENTRIES - 1 - n))
        items.append(
            f"<item><title>Feed {spec.index} story {n}: markets, energy and chips</title>"
            f"<link>https://site{spec.index}.example.com/story/{n}</link>"
            f'<guid isPermaLink="false">{spec.index}-{n}</guid>'
            f"<description>Story {n} of feed {spec.index}: a short teaser about trade and industry.</description>"
            f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Farm feed {spec.index}</title><link>https://site{spec.index}.example.com/</link>"
        f"<lastBuildDate>{format_datetime(build, usegmt=True)}</lastBuildDate>{''.join(items)}</channel></rss>"
    ).encode()


class Farm:
    def __init__(self, feeds: int, seed: int) -> None:
        self.specs = [FeedSpec(i, seed) for i in range(feeds)]
        self.lock = threading.Lock()
        self.requests = 0
        self.statuses: dict[str, int] = {}
        self.rng = random.Random(seed)

    def count(self, status: int) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1

    def advance(self, fraction: float) -> int:
        chosen = self.rng.sample(range(len(self.specs)), round(fraction * len(self.specs)))
        for index in chosen:
            self.specs[index].version += 1
        return len(chosen)


def handler_for(farm: Farm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/_advance":
                fraction = float(parse_qs(parts.query).get("fraction", ["0"])[0])
                self._send(200, json.dumps({"advanced": farm.advance(fraction)}).encode())
                return
            if parts.path == "/_stats":
                with farm.lock:
                    self._send(200, json.dumps({"requests": farm.requests, "statuses": farm.statuses}).encode())
                return
            try:
                index = int(parts.path.removeprefix("/f/").removesuffix(".xml"))
                spec = farm.specs[index]
            except (ValueError, IndexError):
                farm.count(404)
                self._send(404, b"no such feed")
                return
            time.sleep(spec.delay)
            etag = f'"{spec.index}-{spec.version}"'
            modified = format_datetime(BASE_TIME + timedelta(hours=6 * spec.version), usegmt=True)
            if spec.validators and (self.headers.get("If-None-Match") == etag):
                farm.count(304)
                self._send(304, headers={"ETag": etag, "Last-Modified": modified})
                return
            build = datetime.now(UTC) if not spec.validators else BASE_TIME + timedelta(hours=6 * spec.version)
            headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
            if spec.validators:
                headers |= {"ETag": etag, "Last-Modified": modified}
            farm.count(200)
            self._send(200, body_of(spec, build), headers)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that give up (timeouts) are part of the mix


def serve(feeds: int, seed: int, port_file: Path) -> None:
    farm = Farm(feeds, seed)
    server = _Server(("127.0.0.1", 0), handler_for(farm))
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
