"""FeedFetcher against a real HTTP(S) server on 127.0.0.1 (allow_private=True: local test only)."""

from __future__ import annotations

import datetime as dt
import gzip
import ssl
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from newsflow.errors import FeedError
from newsflow.feeds import FeedFetcher, FetchError

from tests.unit.feeds.http_fixture import FeedServer, send, start_server

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
ETAG = '"v1"'
LAST_MODIFIED = "Mon, 02 Nov 2026 09:00:00 GMT"


def local_fetcher(**kwargs: object) -> FeedFetcher:
    options: dict[str, object] = {"timeout_seconds": 5.0, "allow_private": True}
    options.update(kwargs)
    return FeedFetcher(**options)  # type: ignore[arg-type]


def redirect(status: int, location: str) -> Callable[[BaseHTTPRequestHandler], None]:
    return lambda handler: send(handler, status, headers={"Location": location})


def serve_feed(server: FeedServer) -> None:
    @server.route("/feed.xml")
    def feed(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match") == ETAG or handler.headers.get("If-Modified-Since") == LAST_MODIFIED:
            send(handler, 304, headers={"ETag": ETAG})
            return
        headers = {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": ETAG, "Last-Modified": LAST_MODIFIED}
        send(handler, 200, FEED, headers)


# ------------------------------------------------------------------------------------------ 200


def test_a_200_response_returns_the_body_and_its_validators(feed_server: FeedServer) -> None:
    # Given a server with a feed
    serve_feed(feed_server)

    # When it is fetched
    result = local_fetcher(user_agent="newsflow-test/1").fetch(feed_server.url("/feed.xml"))

    # Then the body, validators and content type come back, and the request was a polite one
    assert result.status == 200
    assert result.body == FEED
    assert result.etag == ETAG
    assert result.last_modified == LAST_MODIFIED
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.final_url == feed_server.url("/feed.xml")
    assert not result.not_modified
    [request] = feed_server.requests
    assert request.headers["user-agent"] == "newsflow-test/1"
    assert request.headers["accept-encoding"] == "gzip, deflate, br"  # only what the fetcher decodes
    assert "application/rss+xml" in request.headers["accept"]
    assert request.headers["host"] == f"127.0.0.1:{feed_server.port}"
    assert "if-none-match" not in request.headers


def test_loopback_is_refused_without_allow_private(feed_server: FeedServer) -> None:
    # Given a server on 127.0.0.1
    serve_feed(feed_server)

    # When a production fetcher (allow_private=False) is pointed at it
    with pytest.raises(FetchError, match=r"blocked address 127\.0\.0\.1 \(loopback\)"):
        FeedFetcher(timeout_seconds=2).fetch(feed_server.url("/feed.xml"))

    # Then no connection was made at all
    assert feed_server.requests == []


# ------------------------------------------------------------------------------ conditional GET


def test_conditional_get_with_etag_returns_not_modified(feed_server: FeedServer) -> None:
    # Given a server that honours If-None-Match
    serve_feed(feed_server)

    # When the feed is fetched again with the ETag of the first fetch
    first = local_fetcher().fetch(feed_server.url("/feed.xml"))
    second = local_fetcher().fetch(feed_server.url("/feed.xml"), etag=first.etag)

    # Then the server answered 304 and the result says so, with no body
    assert feed_server.requests[1].headers["if-none-match"] == ETAG
    assert second.status == 304
    assert second.not_modified
    assert second.body == b""
    assert second.etag == ETAG


def test_conditional_get_with_last_modified_keeps_the_known_validators(feed_server: FeedServer) -> None:
    # Given a server that answers 304 to If-Modified-Since
    serve_feed(feed_server)

    # When fetched with only Last-Modified
    result = local_fetcher().fetch(feed_server.url("/feed.xml"), last_modified=LAST_MODIFIED)

    # Then it is not modified, and the Last-Modified we sent is kept (the 304 did not repeat it)
    assert feed_server.requests[0].headers["if-modified-since"] == LAST_MODIFIED
    assert result.not_modified
    assert result.last_modified == LAST_MODIFIED


# ------------------------------------------------------------------------------------ redirects


def test_a_redirect_chain_is_followed_to_the_final_url(feed_server: FeedServer) -> None:
    # Given /a -> 301 -> /b -> 302 -> /c (relative) -> 307 -> /feed.xml
    serve_feed(feed_server)
    hops = {"/a": (301, feed_server.url("/b")), "/b": (302, "c"), "/c": (307, "/feed.xml?from=c")}
    for path, (status, location) in hops.items():
        feed_server.routes[path] = redirect(status, location)

    # When /a is fetched
    result = local_fetcher().fetch(feed_server.url("/a"), etag='"old"')

    # Then the final response is returned with its URL, and every hop kept the conditional header
    assert result.status == 200
    assert result.body == FEED
    assert result.final_url == feed_server.url("/feed.xml?from=c")
    assert [r.path for r in feed_server.requests] == ["/a", "/b", "/c", "/feed.xml"]
    assert all(r.headers["if-none-match"] == '"old"' for r in feed_server.requests)


def test_a_redirect_loop_stops_after_five_hops(feed_server: FeedServer) -> None:
    feed_server.routes["/loop"] = lambda h: send(h, 302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="too many redirects"):
        local_fetcher().fetch(feed_server.url("/loop"))
    assert len(feed_server.requests) == 6


def test_a_redirect_to_the_metadata_service_is_blocked(feed_server: FeedServer) -> None:
    # Given a feed that redirects to the cloud metadata endpoint
    feed_server.routes["/evil"] = lambda h: send(
        h, 302, headers={"Location": "http://169.254.169.254/latest/meta-data/iam/security-credentials/"}
    )

    # When fetched (even with allow_private) / Then the hop is refused
    with pytest.raises(FetchError, match=r"blocked address 169\.254\.169\.254 \(link-local \(metadata service\)\)"):
        local_fetcher().fetch(feed_server.url("/evil"))


def test_a_redirect_to_a_non_http_scheme_is_refused(feed_server: FeedServer) -> None:
    feed_server.routes["/file"] = lambda h: send(h, 301, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="unsupported URL scheme 'file'"):
        local_fetcher().fetch(feed_server.url("/file"))


def test_a_redirect_without_location_is_an_error(feed_server: FeedServer) -> None:
    feed_server.routes["/nowhere"] = lambda h: send(h, 302)
    with pytest.raises(FetchError, match="without a Location"):
        local_fetcher().fetch(feed_server.url("/nowhere"))


# -------------------------------------------------------------------------------- DNS pinning


def test_the_validated_address_is_used_with_the_original_host_header(feed_server: FeedServer) -> None:
    # Given a host name that only our resolver knows (the system resolver never sees it)
    feed_server.routes["/host"] = lambda h: send(h, 200, (h.headers.get("Host") or "").encode())
    resolved: list[tuple[str, int]] = []

    def resolver(host: str, port: int) -> list[str]:
        resolved.append((host, port))
        return ["127.0.0.1"]

    # When fetching through it
    result = local_fetcher(resolver=resolver).fetch(f"http://feeds.newsflow.test:{feed_server.port}/host")

    # Then the connection went to the pinned IP, resolved once, with the name in the Host header
    assert result.body == f"feeds.newsflow.test:{feed_server.port}".encode()
    assert resolved == [("feeds.newsflow.test", feed_server.port)]


# ------------------------------------------------------------------------------------------ TLS


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[FeedServer, Path]]:
    """An HTTPS server on 127.0.0.1 whose certificate is for feeds.newsflow.test only."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "feeds.newsflow.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("feeds.newsflow.test")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server = FeedServer()
    serve_feed(server)
    stop = start_server(server, context)
    try:
        yield server, cert_path
    finally:
        stop()


def test_https_to_a_pinned_ip_verifies_the_certificate_for_the_host_name(tls_server: tuple[FeedServer, Path]) -> None:
    # Given an HTTPS server on 127.0.0.1 with a certificate for feeds.newsflow.test
    server, ca = tls_server

    # When fetched by name through a resolver that pins 127.0.0.1
    fetcher = local_fetcher(resolver=lambda host, port: ["127.0.0.1"], ca_certs=str(ca))
    result = fetcher.fetch(f"https://feeds.newsflow.test:{server.port}/feed.xml")

    # Then TLS used the name (SNI + certificate check), not the IP, and the fetch succeeded
    assert result.status == 200
    assert result.body == FEED


def test_https_refuses_a_certificate_for_another_name(tls_server: tuple[FeedServer, Path]) -> None:
    server, ca = tls_server
    fetcher = local_fetcher(resolver=lambda host, port: ["127.0.0.1"], ca_certs=str(ca))
    with pytest.raises(FetchError, match=r"TLS error.*doesn't match 'feeds.newsflow.test'"):
        fetcher.fetch(f"https://other.newsflow.test:{server.port}/feed.xml")


def test_https_refuses_an_untrusted_certificate(tls_server: tuple[FeedServer, Path]) -> None:
    server, _ = tls_server
    fetcher = local_fetcher(resolver=lambda host, port: ["127.0.0.1"])
    with pytest.raises(FetchError, match=r"TLS error.*certificate verify failed"):
        fetcher.fetch(f"https://feeds.newsflow.test:{server.port}/feed.xml")


# ------------------------------------------------------------------------------- size and codings


def test_a_declared_body_over_the_cap_is_refused_before_reading(feed_server: FeedServer) -> None:
    feed_server.routes["/big"] = lambda h: send(h, 200, b"x" * 2048)
    with pytest.raises(FetchError, match=r"too large.*declares 2048 bytes"):
        local_fetcher(max_bytes=1024).fetch(feed_server.url("/big"))


def test_an_undeclared_body_over_the_cap_is_aborted_while_streaming(feed_server: FeedServer) -> None:
    # Given a server streaming 4 MB with no Content-Length
    def stream(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 200, content_length=False)
        for _ in range(64):
            handler.wfile.write(b"y" * 65536)

    feed_server.routes["/stream"] = stream

    # When fetched with a 256 KB cap / Then it stops at the cap
    with pytest.raises(FetchError, match=r"too large.*more than 262144 bytes"):
        local_fetcher(max_bytes=256 * 1024).fetch(feed_server.url("/stream"))


def test_gzip_bodies_are_decoded(feed_server: FeedServer) -> None:
    feed_server.routes["/gz"] = lambda h: send(h, 200, gzip.compress(FEED), {"Content-Encoding": "gzip"})
    assert local_fetcher().fetch(feed_server.url("/gz")).body == FEED


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS])
def test_deflate_bodies_are_decoded_zlib_wrapped_or_raw(feed_server: FeedServer, wbits: int) -> None:
    compressor = zlib.compressobj(wbits=wbits)
    body = compressor.compress(FEED) + compressor.flush()
    feed_server.routes["/deflate"] = lambda h: send(h, 200, body, {"Content-Encoding": "deflate"})
    assert local_fetcher().fetch(feed_server.url("/deflate")).body == FEED


def test_a_gzip_bomb_is_stopped_at_the_decoded_size_cap(feed_server: FeedServer) -> None:
    # Given 64 MB of zeros gzipped into ~64 KB
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 1024 * 1024
    feed_server.routes["/bomb"] = lambda h: send(h, 200, bomb, {"Content-Encoding": "gzip"})

    # When fetched with a 1 MB cap / Then decoding stops at the cap
    with pytest.raises(FetchError, match=r"too large.*decodes to more than 1048576 bytes"):
        local_fetcher(max_bytes=1024 * 1024).fetch(feed_server.url("/bomb"))


def test_a_corrupt_gzip_body_is_an_error(feed_server: FeedServer) -> None:
    feed_server.routes["/bad-gz"] = lambda h: send(h, 200, b"\x1f\x8bnot gzip at all", {"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="corrupt compressed body"):
        local_fetcher().fetch(feed_server.url("/bad-gz"))


def test_an_unknown_content_encoding_is_an_error(feed_server: FeedServer) -> None:
    feed_server.routes["/zstd"] = lambda h: send(h, 200, b"....", {"Content-Encoding": "zstd"})
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'zstd'"):
        local_fetcher().fetch(feed_server.url("/zstd"))


def test_a_brotli_body_is_decoded_even_when_the_server_sends_it_unasked(feed_server: FeedServer) -> None:
    # Given a server that answers br whatever the request asked for
    import brotli

    body = FEED.replace(b"<title>T</title>", b"<title>" + b"T" * 300_000 + b"</title>")
    feed_server.routes["/br"] = lambda h: send(h, 200, brotli.compress(body), {"Content-Encoding": "br"})

    # When fetched / Then the body is the decoded feed
    assert local_fetcher().fetch(feed_server.url("/br")).body == body


def test_a_corrupt_brotli_body_is_an_error(feed_server: FeedServer) -> None:
    feed_server.routes["/br"] = lambda h: send(h, 200, b"....", {"Content-Encoding": "br"})
    with pytest.raises(FetchError, match="corrupt compressed body"):
        local_fetcher().fetch(feed_server.url("/br"))


def test_a_brotli_bomb_is_stopped_at_the_decoded_size_cap(feed_server: FeedServer) -> None:
    import brotli

    bomb = brotli.compress(b"\0" * (64 * 1024 * 1024))
    feed_server.routes["/bomb"] = lambda h: send(h, 200, bomb, {"Content-Encoding": "br"})
    with pytest.raises(FetchError, match=r"too large.*decodes to more than 1048576 bytes"):
        local_fetcher(max_bytes=1024 * 1024).fetch(feed_server.url("/bomb"))


@pytest.mark.parametrize("encoding", ["", "gzip", "br"])
def test_with_oversize_truncate_a_body_over_the_cap_is_cut_at_the_cap_and_marked(
    feed_server: FeedServer, encoding: str
) -> None:
    # Given a 3 MB body (declared, compressed or not)
    import brotli

    body = b"z" * (3 * 1024 * 1024)
    encoded = {"": body, "gzip": gzip.compress(body), "br": brotli.compress(body)}[encoding]
    headers = {"Content-Encoding": encoding} if encoding else {}
    feed_server.routes["/big"] = lambda h: send(h, 200, encoded, headers)

    # When fetched with a 1 MB cap that truncates
    result = local_fetcher(max_bytes=1024 * 1024, oversize="truncate").fetch(feed_server.url("/big"))

    # Then the first 1 MB arrives, marked truncated
    assert result.truncated is True
    assert result.body == body[: 1024 * 1024]


def test_with_oversize_truncate_a_body_within_the_cap_is_not_marked(feed_server: FeedServer) -> None:
    serve_feed(feed_server)
    result = local_fetcher(oversize="truncate").fetch(feed_server.url("/feed.xml"))
    assert result.body == FEED
    assert result.truncated is False


# ------------------------------------------------------------------------------- errors, timeouts


def test_http_errors_carry_the_status(feed_server: FeedServer) -> None:
    with pytest.raises(FetchError, match="HTTP 404") as caught:
        local_fetcher().fetch(feed_server.url("/missing"))
    assert caught.value.status == 404
    assert isinstance(caught.value, FeedError)


def test_a_503_with_retry_after_tells_the_poller_how_long_to_wait(feed_server: FeedServer) -> None:
    feed_server.routes["/busy"] = lambda h: send(h, 503, b"busy", {"Retry-After": "120"})
    with pytest.raises(FetchError, match="HTTP 503") as caught:
        local_fetcher().fetch(feed_server.url("/busy"))
    assert caught.value.status == 503
    assert caught.value.retry_after_seconds == 120


def test_a_server_that_does_not_answer_times_out(feed_server: FeedServer) -> None:
    # Given a server that sleeps before answering
    def slow(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        send(handler, 200, FEED)

    feed_server.routes["/slow"] = slow

    # When fetched with a 0.3 s read timeout
    started = time.monotonic()
    with pytest.raises(FetchError, match="timeout"):
        local_fetcher(read_timeout_seconds=0.3).fetch(feed_server.url("/slow"))

    # Then it gave up quickly
    assert time.monotonic() - started < 1.2


def test_a_trickling_body_is_cut_off_by_the_overall_deadline(feed_server: FeedServer) -> None:
    # Given a server that sends one byte every 50 ms for 5 s (each read is fast, the whole is not)
    def drip(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 200, content_length=False)
        for _ in range(100):
            handler.wfile.write(b"<")
            handler.wfile.flush()
            time.sleep(0.05)

    feed_server.routes["/drip"] = drip

    # When fetched with an overall deadline of 0.6 s
    started = time.monotonic()
    with pytest.raises(FetchError, match="overall deadline"):
        local_fetcher(timeout_seconds=0.6).fetch(feed_server.url("/drip"))

    # Then the deadline, not the per-read timeout, ended it
    assert time.monotonic() - started < 1.5


def test_a_refused_connection_is_an_error() -> None:
    # Given a port where nothing listens (bound, never listened to)
    import socket

    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
        with pytest.raises(FetchError, match="cannot connect"):
            local_fetcher().fetch(f"http://127.0.0.1:{port}/feed.xml")
