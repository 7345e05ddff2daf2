"""A real HTTP server on 127.0.0.1 for the fetcher and poller tests (http.server in a thread)."""

from __future__ import annotations

import contextlib
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]


@dataclass
class FeedServer:
    """Routes by path (query string ignored); records every request it receives."""

    host: str = "127.0.0.1"
    port: int = 0
    scheme: str = "http"
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[SeenRequest] = field(default_factory=list)

    def url(self, path: str, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def route(self, path: str) -> Callable[[Route], Route]:
        def register(handler: Route) -> Route:
            self.routes[path] = handler
            return handler

        return register


def _handler_for(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            server.requests.append(SeenRequest(path=path, headers={k.lower(): v for k, v in self.headers.items()}))
            route = server.routes.get(path)
            if route is None:
                self.send_error(404, "not found")
                return
            # The client may give up early (size cap, timeout): that is the point of those tests.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
                route(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # failed TLS handshakes and aborted clients are expected in these tests


def start_server(server: FeedServer, ssl_context: ssl.SSLContext | None = None) -> Callable[[], None]:
    httpd = _QuietServer((server.host, 0), _handler_for(server))
    if ssl_context is not None:
        httpd.socket = ssl_context.wrap_socket(httpd.socket, server_side=True)
        server.scheme = "https"
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()

    return stop


@contextlib.contextmanager
def serving() -> Iterator[FeedServer]:
    """A FeedServer running on 127.0.0.1 (random port) for the duration of the block."""
    server = FeedServer()
    stop = start_server(server)
    try:
        yield server
    finally:
        stop()


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    content_length: bool = True,
) -> None:
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if content_length:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body:
        handler.wfile.write(body)
