"""The local API Gateway: real HTTP on 127.0.0.1, turned into REST proxy events for the api handler.

Requests are served concurrently (one thread each, as parallel Lambda instances would): the api handler
keeps no request state outside the call. Each response is one write of status line, headers and body on a
TCP_NODELAY socket (no 40 ms delayed-ACK stall on reused connections); the listen backlog is the system's
maximum, not http.server's 5. Whatever the front refuses itself (oversize URL, headers or body, a method it
has no route for) is answered in the API's JSON error shape.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from newsflow.api.newsapi.auth import key_matches, presented_key
from newsflow.api.newsapi.errors import API_KEY_INVALID, API_KEY_MISSING
from newsflow.local.context import LocalLambdaContext
from newsflow.local.events import api_gateway_event
from newsflow.local.site import SiteFiles

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
MAX_URL_BYTES = 65536  # longer URLs: a JSON 414 (API Gateway refuses long URLs itself)
STATUS_PATH = "/_local/status"
# The local stand-in for `lambda:Invoke` of operator functions (`newsflow index-failures replay` locally).
INVOKE_PREFIX = "/_local/invoke/"
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
NEWSAPI_PREFIX = "/v2/"


class ApiFront:
    def __init__(
        self,
        handler: Callable[[dict[str, Any], Any], dict[str, Any]],
        status: Callable[[], dict[str, Any]],
        host: str = "127.0.0.1",
        port: int = 8000,
        api_key: str | None = None,
        functions: dict[str, Handler] | None = None,
        site: SiteFiles | None = None,
    ) -> None:
        self._handler = handler
        self._functions = dict(functions or {})
        self._status = status
        self._api_key = api_key
        self._site = site
        front = self

        class RequestHandler(BaseHTTPRequestHandler):
            server_version = "newsflow-local"
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # TCP_NODELAY on every connection

            def log_message(self, format: str, *args: Any) -> None:
                return

            def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
                # http.server's own refusals (request line or headers too long, malformed request): JSON too.
                codes = {414: "uriTooLong", 431: "headersTooLarge", 400: "badRequest"}
                self.close_connection = True
                front._error(self, code, codes.get(code, "badRequest"), message or "the request was refused")

            def _serve(self) -> None:
                front.serve(self)

            def __getattr__(self, name: str) -> Any:
                # Any other method (TRACE, PATCH, ...) goes to the api handler too: its route table answers
                # 405 with the path's `Allow` (never http.server's 501).
                if name.startswith("do_"):
                    return self._serve
                raise AttributeError(name)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _serve

        self._server = _Server((host, port), RequestHandler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="api-front", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        if len(request.path.encode()) > MAX_URL_BYTES:
            self._error(request, 414, "uriTooLong", f"the URL is longer than {MAX_URL_BYTES} bytes")
            return
        if request.path.split("?", 1)[0] == STATUS_PATH:
            self._write(request, 200, {"Content-Type": "application/json"}, json.dumps(self._status()).encode())
            return
        if request.path.startswith(INVOKE_PREFIX) and request.command == "POST":
            self._invoke(request, request.path.removeprefix(INVOKE_PREFIX))
            return
        # The site's files need no API key: a browser cannot send a header when it opens a page.
        static = self._site.lookup(request.command, request.path) if self._site else None
        if static is not None:
            self._write(request, 200, static.headers, static.body)
            return
        length = int(request.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._error(request, 413, "payloadTooLarge", "request body is larger than 10 MB")
            return
        body = request.rfile.read(length) if length else b""
        # A preflight never carries the key (browsers send none): the api handler answers it.
        if self._api_key is not None and request.command != "OPTIONS" and not self._authorised(request, self._api_key):
            return
        event = api_gateway_event(
            request.command, request.path, dict(request.headers.items()), body, request.client_address[0]
        )
        try:
            response = self._handler(event, LocalLambdaContext("api"))
        except Exception:  # API Gateway answers 502 when the integration itself fails
            self._error(request, 502, "badGateway", "the api function failed")
            return
        headers = dict(response.get("headers") or {})
        for name, values in (response.get("multiValueHeaders") or {}).items():
            headers[name] = ", ".join(values)
        payload = response.get("body") or ""
        raw = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
        self._write(request, int(response.get("statusCode", 502)), headers, raw)

    def _invoke(self, request: BaseHTTPRequestHandler, name: str) -> None:
        """Like Lambda's Invoke: 200 with the function's answer, or with errorMessage/errorType when it raised.
        JSON only, which a browser cannot send cross-origin without a preflight this front never grants."""
        handler = self._functions.get(name)
        if handler is None:
            self._error(request, 404, "notFound", f"no local function {name!r}")
            return
        if request.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            self._error(request, 415, "unsupportedMediaType", "invoke with Content-Type: application/json")
            return
        length = int(request.headers.get("Content-Length") or 0)
        try:
            event = json.loads(request.rfile.read(length) if 0 < length <= MAX_BODY_BYTES else b"{}")
            answer = handler(event, LocalLambdaContext(name, timeout_seconds=900))
        except Exception as error:
            answer = {"errorMessage": str(error), "errorType": type(error).__name__}
        self._write(request, 200, {"Content-Type": "application/json"}, json.dumps(answer, default=str).encode())

    def _authorised(self, request: BaseHTTPRequestHandler, expected: str) -> bool:
        """The key as API Gateway's authorizer finds it: x-api-key, Authorization (Bearer) or ?apiKey=."""
        parts = urlsplit(request.path)
        key = presented_key(dict(request.headers.items()), dict(parse_qsl(parts.query)))
        if key_matches(key, expected):
            return True
        if parts.path.startswith(NEWSAPI_PREFIX):  # NewsAPI's clients expect its 401s and error body
            code, message = ("apiKeyMissing", API_KEY_MISSING) if key is None else ("apiKeyInvalid", API_KEY_INVALID)
            body = json.dumps({"status": "error", "code": code, "message": message}).encode()
            self._write(request, 401, {"Content-Type": "application/json"}, body)
        else:
            self._error(request, 403, "apiKeyInvalid", "a valid x-api-key header is required")
        return False

    def _error(self, request: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
        body = json.dumps({"status": "error", "code": code, "message": message, "param": None}).encode()
        self._write(request, status, {"Content-Type": "application/json"}, body)

    @staticmethod
    def _write(request: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
        """Status line, headers and body in one write (a HEAD answer keeps the length GET would have)."""
        phrase = request.responses.get(status, ("",))[0]
        lines = [
            f"HTTP/1.1 {status} {phrase}",
            f"Server: {request.version_string()}",
            f"Date: {request.date_time_string()}",
        ]
        length = str(len(body))
        for name, value in headers.items():
            lower = name.lower()
            if lower == "content-length" and request.command == "HEAD":
                length = value
            if lower not in {"content-length", "connection", "server", "date"}:
                lines.append(f"{name}: {value}")
        head_only = request.command == "HEAD" or status in {204, 304}
        if status not in {204, 304}:
            lines.append(f"Content-Length: {length}")
        if request.close_connection:
            lines.append("Connection: close")
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        request.wfile.write(payload if head_only else payload + body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = socket.SOMAXCONN  # http.server's default of 5 stalls a page's parallel fetches
