"""The fetcher's address policy as a pure function: which addresses a feed fetch may connect to."""

from __future__ import annotations

import pytest
from newsflow.errors import FeedError
from newsflow.feeds import FeedFetcher, address_block_reason, is_allowed_address

BLOCKED = [
    ("10.0.0.1", "private"),
    ("10.255.255.254", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.1", "private"),
    ("192.168.1.10", "private"),
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("::1", "loopback"),
    ("169.254.169.254", "link-local (metadata service)"),
    ("169.254.10.20", "link-local"),
    ("fe80::1", "link-local"),
    ("fd00:ec2::254", "private (metadata service)"),
    ("fc00::1", "private"),
    ("::ffff:127.0.0.1", "loopback (embedded in IPv6)"),
    ("::ffff:10.1.2.3", "private (embedded in IPv6)"),
    ("::ffff:169.254.169.254", "link-local (metadata service) (embedded in IPv6)"),
    ("64:ff9b::a9fe:a9fe", "link-local (metadata service) (embedded in IPv6)"),
    ("2002:0a00:0001::1", "private (embedded in IPv6)"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "private"),
    ("255.255.255.255", "private"),
    ("192.0.2.10", "private"),
    ("198.18.0.1", "private"),
    ("2001:db8::1", "private"),
    ("not-an-ip", "not an IP address"),
]

PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "151.101.1.69", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"]


@pytest.mark.parametrize(("address", "reason"), BLOCKED)
def test_non_public_addresses_are_blocked_with_a_reason(address: str, reason: str) -> None:
    assert address_block_reason(address) == reason
    assert not is_allowed_address(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_unicast_addresses_are_allowed(address: str) -> None:
    assert address_block_reason(address) is None
    assert is_allowed_address(address)


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.0.0.1", "192.168.1.1", "100.64.0.1", "::ffff:127.0.0.1"])
def test_allow_private_opens_loopback_and_private_ranges_for_local_dev(address: str) -> None:
    assert is_allowed_address(address, allow_private=True)


@pytest.mark.parametrize(
    "address", ["169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254", "0.0.0.0", "224.0.0.1", "junk"]
)
def test_allow_private_never_opens_the_metadata_service_multicast_or_unspecified(address: str) -> None:
    assert not is_allowed_address(address, allow_private=True)


def test_a_host_with_any_blocked_address_is_refused_before_connecting() -> None:
    # Given a resolver answering one public and one private address (a DNS rebinding attempt)
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["93.184.216.34", "10.0.0.7"]

    fetcher = FeedFetcher(timeout_seconds=2, resolver=resolver)

    # When fetching / Then it is refused, naming the address
    with pytest.raises(FeedError, match=r"blocked address 10\.0\.0\.7 \(private\)"):
        fetcher.fetch("https://feeds.example.com/rss")
    assert asked == ["feeds.example.com"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://feeds.example.com/rss", "unsupported URL scheme 'ftp'"),
        ("file:///etc/passwd", "unsupported URL scheme 'file'"),
        ("gopher://127.0.0.1:6379/_INFO", "unsupported URL scheme"),
        ("https://user:secret@feeds.example.com/rss", "credentials"),
        ("http://[::1", "invalid URL"),
        ("http:///no-host", "no host"),
    ],
)
def test_only_plain_http_and_https_urls_are_fetched(url: str, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        FeedFetcher(timeout_seconds=2).fetch(url)


def test_literal_private_ips_in_urls_are_refused() -> None:
    with pytest.raises(FeedError, match=r"blocked address 169\.254\.169\.254"):
        FeedFetcher(timeout_seconds=2).fetch("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(FeedError, match=r"blocked address ::ffff:127\.0\.0\.1 \(loopback"):
        FeedFetcher(timeout_seconds=2).fetch("http://[::ffff:127.0.0.1]:8080/")
