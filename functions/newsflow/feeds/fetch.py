"""An SSRF-safe HTTP fetcher for feeds (urllib3, no requests).

Every hop of a fetch:
1. accepts only http/https URLs without credentials;
2. resolves the host itself and refuses the request if ANY resolved address is not a public
   unicast address (private, loopback, link-local incl. the metadata service, multicast,
   reserved, unspecified, CGNAT, and IPv6 forms embedding such an IPv4 address), unless
   `allow_private` (local dev/test only);
3. connects to the validated IP (pinned: a second DNS answer can't swap it) while sending the
   original Host header and using the hostname for TLS SNI and certificate verification;
4. follows redirects itself (at most `max_redirects`), re-validating each hop.

Bodies are streamed with a size cap (on the wire and after gzip/deflate/brotli decoding) and the whole
fetch runs under an overall deadline on top of the connect and read timeouts. Over the cap, a fetcher
built with `oversize="truncate"` keeps the first `max_bytes` (decoded) and marks the result `truncated`
(a 30 MB feed still yields its first entries, instead of failing on every poll); the default refuses it.
Only the encodings decoded here are advertised (`Accept-Encoding: gzip, deflate, br`); `br` is also
decoded when a server sends it unasked.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import urllib3
from pydantic import BaseModel, ConfigDict
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

from newsflow.errors import FeedError
from newsflow.feeds.parse import MAX_FEED_BYTES

DEFAULT_USER_AGENT = "newsflow-feed-poller/0.1 (+https://github.com/newsflow)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
ACCEPT_ENCODING = "gzip, deflate, br"
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
CHUNK_BYTES = 64 * 1024

Oversize = Literal["error", "truncate"]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_NEVER_ALLOWED = ("link-local", "metadata", "multicast", "unspecified", "not an IP", "scoped")


class FetchError(FeedError):
    """A fetch failed. `status` is the HTTP status when the server answered."""

    def __init__(self, message: str, *, status: int | None = None, retry_after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_seconds = retry_after_seconds


class FetchResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    final_url: str
    not_modified: bool = False
    truncated: bool = False  # the body was cut at the fetcher's max_bytes (oversize="truncate")
    # Set when every hop from the requested URL to `final_url` was a permanent redirect (301/308).
    permanent_url: str | None = None
    # Freshness hints for the scheduler (raw header values).
    cache_control: str | None = None
    expires: str | None = None


# ------------------------------------------------------------------------------- address policy


def address_block_reason(address: str | IPAddress) -> str | None:
    """Why a fetch must not connect to `address` (None when it is a public unicast address).

    A pure function: no DNS, no I/O. Unparseable input is blocked.
    """
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "scoped IPv6 address"
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            reason = address_block_reason(embedded)
            return f"{reason} (embedded in IPv6)" if reason else None
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local (metadata service)" if str(ip) == "169.254.169.254" else "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "carrier-grade NAT"
    if ip.is_private:
        return "private (metadata service)" if str(ip) == "fd00:ec2::254" else "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "not globally routable"
    return None


def is_allowed_address(address: str | IPAddress, *, allow_private: bool = False) -> bool:
    """The fetch policy: public unicast only.

    `allow_private` (local dev/test only) also opens loopback, private and CGNAT ranges, but never
    link-local / the metadata service, multicast or unspecified addresses.
    """
    reason = address_block_reason(address)
    if reason is None:
        return True
    if not allow_private:
        return False
    return not any(word in reason for word in _NEVER_ALLOWED)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses of `host` (IPv4 first: Lambda has no IPv6 egress by default)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    return sorted(addresses, key=lambda a: ":" in a)


# -------------------------------------------------------------------------------------- fetcher


class FeedFetcher:
    """Fetch feed URLs safely. `timeout_seconds` is the overall deadline of one `fetch` call."""

    def __init__(
        self,
        timeout_seconds: float = 10.0,
        max_bytes: int = MAX_FEED_BYTES,
        allow_private: bool = False,
        user_agent: str = DEFAULT_USER_AGENT,
        *,
        connect_timeout_seconds: float | None = None,
        read_timeout_seconds: float | None = None,
        max_redirects: int = MAX_REDIRECTS,
        resolver: Resolver | None = None,
        ca_certs: str | None = None,
        oversize: Oversize = "error",
        accept: str = ACCEPT,
    ) -> None:
        if timeout_seconds <= 0 or max_bytes <= 0:
            raise ValueError("timeout_seconds and max_bytes must be positive")
        self.timeout_seconds = timeout_seconds
        self.connect_timeout_seconds = connect_timeout_seconds or min(timeout_seconds, 5.0)
        self.read_timeout_seconds = read_timeout_seconds or timeout_seconds
        self.max_bytes = max_bytes
        self.allow_private = allow_private
        self.user_agent = user_agent
        self.max_redirects = max_redirects
        self._resolve = resolver or system_resolver
        self._ca_certs = ca_certs
        self.oversize: Oversize = oversize
        self.accept = accept

    def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        extra_headers: dict[str, str] | None = None,
        user_agent: str | None = None,
        timeout_seconds: float | None = None,
    ) -> FetchResult:
        """GET `url` (conditional when validators are given). Per-feed headers, user agent and timeout
        (never longer than the fetcher's own) override the defaults."""
        budget = min(timeout_seconds, self.timeout_seconds) if timeout_seconds else self.timeout_seconds
        deadline = time.monotonic() + budget
        headers = {
            **(extra_headers or {}),
            "User-Agent": user_agent or self.user_agent,
            "Accept": self.accept,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        permanent: str | None = None
        all_permanent = True
        for _hop in range(self.max_redirects + 1):
            outcome = self._fetch_once(current, headers, deadline)
            if isinstance(outcome, FetchResult):
                update: dict[str, object] = {"permanent_url": permanent if all_permanent else None}
                if outcome.not_modified:
                    update |= {"etag": outcome.etag or etag, "last_modified": outcome.last_modified or last_modified}
                return outcome.model_copy(update=update)
            status, current = outcome
            all_permanent = all_permanent and status in PERMANENT_REDIRECTS
            permanent = current
        raise FetchError(f"too many redirects (more than {self.max_redirects}) starting at {url}")

    # A hop returns either the final result or (redirect status, the URL to go to next).
    def _fetch_once(self, url: str, base_headers: dict[str, str], deadline: float) -> FetchResult | tuple[int, str]:
        scheme, host, port, host_header, path = _split_url(url)
        addresses = self._resolve(host, port)
        if not addresses:
            raise FetchError(f"cannot resolve host {host!r}: no addresses")
        for address in addresses:
            if not is_allowed_address(address, allow_private=self.allow_private):
                reason = address_block_reason(address)
                raise FetchError(f"blocked address {address} ({reason}) for host {host}")
        headers = {**base_headers, "Host": host_header}
        last_error: FetchError | None = None
        for address in addresses:
            pool = self._pool(scheme, address, port, host, deadline)
            try:
                response = pool.urlopen(
                    "GET",
                    path,
                    headers=headers,
                    retries=False,
                    redirect=False,
                    assert_same_host=False,
                    preload_content=False,
                    decode_content=False,
                    release_conn=False,
                )
            except NewConnectionError as exc:
                pool.close()
                last_error = FetchError(f"cannot connect to {host} ({address}): {_cause(exc)}")
                continue
            except (HTTPError, OSError) as exc:
                pool.close()
                raise _transport_error(exc, url, self) from exc
            try:
                return self._handle(response, url, deadline)
            finally:
                response.release_conn()
                response.close()
                pool.close()
        assert last_error is not None
        raise last_error

    def _pool(self, scheme: str, address: str, port: int, host: str, deadline: float) -> urllib3.HTTPConnectionPool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"timeout: overall deadline of {self.timeout_seconds:g}s exceeded")
        timeout = urllib3.Timeout(
            connect=min(self.connect_timeout_seconds, remaining), read=min(self.read_timeout_seconds, remaining)
        )
        if scheme == "https":
            return urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                maxsize=1,
                retries=False,
                cert_reqs="CERT_REQUIRED",
                ca_certs=self._ca_certs,
                assert_hostname=host,
                server_hostname=host,
            )
        return urllib3.HTTPConnectionPool(address, port, timeout=timeout, maxsize=1, retries=False)

    def _handle(self, response: urllib3.BaseHTTPResponse, url: str, deadline: float) -> FetchResult | tuple[int, str]:
        status = response.status
        if status in REDIRECT_STATUSES:
            location = response.headers.get("Location")
            if not location:
                raise FetchError(f"HTTP {status} redirect without a Location header from {url}", status=status)
            return status, urljoin(url, location.strip())
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        content_type = response.headers.get("Content-Type")
        hints = {"cache_control": response.headers.get("Cache-Control"), "expires": response.headers.get("Expires")}
        if status == 304:
            return FetchResult(
                status=304,
                etag=etag,
                last_modified=last_modified,
                content_type=content_type,
                final_url=url,
                not_modified=True,
                **hints,
            )
        if not 200 <= status < 300:
            retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
            raise FetchError(f"HTTP {status} from {url}", status=status, retry_after_seconds=retry_after)
        body, truncated = self._read_body(response, url, deadline)
        return FetchResult(
            status=status, body=body, etag=etag, last_modified=last_modified, content_type=content_type,
            final_url=url, truncated=truncated, **hints,
        )  # fmt: skip

    def _read_body(self, response: urllib3.BaseHTTPResponse, url: str, deadline: float) -> tuple[bytes, bool]:
        """(body, truncated). Over the cap: an error, or the first max_bytes with oversize="truncate"."""
        truncate = self.oversize == "truncate"
        declared = response.headers.get("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > self.max_bytes and not truncate:
            raise FetchError(f"too large: {url} declares {int(declared)} bytes (cap {self.max_bytes})", status=200)
        decoder = _BodyDecoder(response.headers.get("Content-Encoding", ""), self.max_bytes, url)
        parts: list[bytes] = []
        wire_bytes = 0
        try:
            while not decoder.full:
                if time.monotonic() > deadline:
                    raise FetchError(f"timeout: overall deadline of {self.timeout_seconds:g}s exceeded reading {url}")
                chunk = response.read1(CHUNK_BYTES, decode_content=False)
                if not chunk:
                    break
                wire_bytes += len(chunk)
                if wire_bytes > self.max_bytes:
                    if not truncate:
                        raise FetchError(f"too large: {url} sent more than {self.max_bytes} bytes", status=200)
                    chunk = chunk[: len(chunk) - (wire_bytes - self.max_bytes)]
                    parts.append(decoder.feed(chunk, truncate=True))
                    decoder.full = True
                    break
                parts.append(decoder.feed(chunk, truncate=truncate))
        except (HTTPError, OSError) as exc:
            raise _transport_error(exc, url, self) from exc
        if not decoder.full:
            parts.append(decoder.flush(truncate=truncate))
        return b"".join(parts), decoder.full


class _BodyDecoder:
    """Streaming gzip/deflate/brotli decoding with a cap on the decoded size (zip-bomb safe).

    With `truncate`, output beyond the cap is cut (and `full` set) instead of raising."""

    def __init__(self, content_encoding: str, limit: int, url: str) -> None:
        encoding = content_encoding.strip().lower()
        self._limit = limit
        self._url = url
        self._size = 0
        self._raw_deflate_fallback = False
        self.full = False
        self._z: zlib._Decompress | None = None
        self._brotli: Any = None
        if encoding in {"", "identity"}:
            pass
        elif encoding in {"gzip", "x-gzip"}:
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            # "deflate" is meant to be zlib-wrapped; some servers send raw deflate.
            self._z = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_deflate_fallback = True
        elif encoding == "br":
            import brotli  # ~1 ms; only bodies that need it pay

            self._brotli = brotli.Decompressor()
        else:
            raise FetchError(f"unsupported Content-Encoding {content_encoding!r} from {url}")

    def feed(self, data: bytes, *, truncate: bool = False) -> bytes:
        if self._brotli is not None:
            return self._feed_brotli(data, truncate)
        if self._z is None:
            return self._count(data, truncate)
        try:
            out = self._z.decompress(data, self._limit - self._size + 1)
        except zlib.error as exc:
            if not self._raw_deflate_fallback:
                raise FetchError(f"corrupt compressed body from {self._url}: {exc}") from exc
            self._raw_deflate_fallback = False
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            return self.feed(data, truncate=truncate)
        self._raw_deflate_fallback = False
        if self._z.unconsumed_tail and not truncate:
            self._too_large()
        return self._count(out, truncate)

    def _feed_brotli(self, data: bytes, truncate: bool) -> bytes:
        import brotli

        out: list[bytes] = []
        try:
            # Bounded output per call (bomb-safe): keep pulling with empty input until it accepts more.
            piece = self._brotli.process(data, output_buffer_limit=CHUNK_BYTES)
            while piece:
                out.append(self._count(piece, truncate))
                if self.full or self._brotli.is_finished():
                    break
                piece = self._brotli.process(b"", output_buffer_limit=CHUNK_BYTES)
        except brotli.error as exc:
            raise FetchError(f"corrupt compressed body from {self._url}: {exc}") from exc
        return b"".join(out)

    def flush(self, *, truncate: bool = False) -> bytes:
        if self._brotli is not None:
            if not self._brotli.is_finished():
                raise FetchError(f"corrupt compressed body from {self._url}: truncated brotli stream")
            return b""
        if self._z is None:
            return b""
        try:
            return self._count(self._z.flush(), truncate)
        except zlib.error as exc:
            raise FetchError(f"corrupt compressed body from {self._url}: {exc}") from exc

    def _count(self, data: bytes, truncate: bool = False) -> bytes:
        if self.full:
            return b""
        self._size += len(data)
        if self._size > self._limit:
            if not truncate:
                self._too_large()
            keep = len(data) - (self._size - self._limit)
            self._size = self._limit
            self.full = True
            return data[:keep]
        return data

    def _too_large(self) -> None:
        raise FetchError(f"too large: {self._url} decodes to more than {self._limit} bytes", status=200)


def _split_url(url: str) -> tuple[str, str, int, str, str]:
    """(scheme, ascii host, port, Host header, request target) of an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"invalid URL {url[:200]!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise FetchError(f"unsupported URL scheme {scheme or '(none)'!r} in {url[:200]!r}: only http and https")
    if parts.username is not None or parts.password is not None:
        raise FetchError("URLs with credentials are not fetched")
    if not parts.hostname:
        raise FetchError(f"invalid URL {url[:200]!r}: no host")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise FetchError(f"invalid host in {url[:200]!r}: {exc}") from exc
    default_port = 443 if scheme == "https" else 80
    port = port or default_port
    shown_host = f"[{host}]" if ":" in host else host
    host_header = shown_host if port == default_port else f"{shown_host}:{port}"
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return scheme, host, port, host_header, target


def _transport_error(exc: BaseException, url: str, fetcher: FeedFetcher) -> FetchError:
    if isinstance(exc, FetchError):
        return exc
    if isinstance(exc, ConnectTimeoutError):
        return FetchError(f"timeout: connecting to {url} took over {fetcher.connect_timeout_seconds:g}s")
    if isinstance(exc, ReadTimeoutError | TimeoutError | socket.timeout):
        return FetchError(f"timeout: {url} did not answer within {fetcher.read_timeout_seconds:g}s")
    if isinstance(exc, SSLError):
        return FetchError(f"TLS error for {url}: {_cause(exc)}")
    return FetchError(f"HTTP transport error for {url}: {_cause(exc)}")


def _cause(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:300]


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
