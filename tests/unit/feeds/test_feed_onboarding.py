"""OPML import/export and feed discovery, on an in-memory registry (no AWS)."""

from __future__ import annotations

import pytest
from newsflow.feeds.discovery import candidates, feed_links, looks_like_html
from newsflow.feeds.opml import OpmlError, parse_opml
from newsflow.feeds.registry import FeedRegistry, RegistryError
from newsflow.models import FeedConfig


class MemoryFeeds:
    def __init__(self) -> None:
        self.feeds: dict[str, FeedConfig] = {}

    def list_feeds(self) -> list[FeedConfig]:
        return list(self.feeds.values())

    def get_feed(self, feed_id: str) -> FeedConfig | None:
        return self.feeds.get(feed_id)

    def save_feed(self, feed: FeedConfig) -> None:
        self.feeds[feed.feed_id] = feed

    def delete_feed(self, feed_id: str) -> bool:
        return self.feeds.pop(feed_id, None) is not None


def public(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


def opml(count: int) -> bytes:
    groups = []
    for g in range(5):
        outlines = "".join(
            f'<outline type="rss" text="Desk {g}-{n} &amp; Co" xmlUrl="https://news{g}.example.com/feed/{n}.xml"/>'
            for n in range(count // 5)
        )
        groups.append(f'<outline text="Group {g}">{outlines}</outline>')
    head = '<?xml version="1.0"?><opml version="1.0"><head><title>mine</title></head>'
    return f"{head}<body>{''.join(groups)}</body></opml>".encode()


def test_an_opml_of_500_feeds_round_trips() -> None:
    registry = FeedRegistry(MemoryFeeds(), allow_private=False, resolver=public)
    report = registry.import_opml(opml(500))
    assert len(report.created) == 500
    assert report.rejected == []
    exported = registry.export_opml().encode()
    again = parse_opml(exported)
    assert sorted(f.url for f in again) == sorted(f.url for f in parse_opml(opml(500)))
    # Importing the export into the same registry creates nothing: every URL is already there
    second = registry.import_opml(exported)
    assert second.created == []
    assert len(second.existing) == 500
    # And the groups became category hints, the titles names
    feed = registry.get(report.created[0])
    assert feed.name == "Desk 0-0 & Co"
    assert feed.settings.category_hint == "Group 0"


@pytest.mark.parametrize(
    "document",
    [
        b"",
        b"not xml",
        b"<rss><channel/></rss>",
        b"<opml><head/></opml>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body/></opml>',
    ],
)
def test_malformed_opml_is_refused_with_a_reason(document: bytes) -> None:
    registry = FeedRegistry(MemoryFeeds(), allow_private=False, resolver=public)
    with pytest.raises(RegistryError) as refused:
        registry.import_opml(document)
    assert refused.value.status == 400
    assert refused.value.code == "opmlInvalid"
    with pytest.raises(OpmlError):
        parse_opml(document)


def test_opml_outlines_the_fetcher_would_refuse_are_reported_not_imported() -> None:
    def resolver(host: str, port: int) -> list[str]:
        return ["10.1.2.3"] if host == "intranet.example.com" else ["93.184.216.34"]

    document = (
        b'<opml version="2.0"><body><outline xmlUrl="https://ok.example.com/rss"/>'
        b'<outline xmlUrl="http://intranet.example.com/rss"/><outline xmlUrl="ftp://files.example.com/rss"/>'
        b'<outline xmlUrl="http://169.254.169.254/latest"/></body></opml>'
    )
    report = FeedRegistry(MemoryFeeds(), allow_private=False, resolver=resolver).import_opml(document)
    assert len(report.created) == 1
    reasons = {r["url"]: r["reason"] for r in report.rejected}
    assert "private" in reasons["http://intranet.example.com/rss"]
    assert "scheme" in reasons["ftp://files.example.com/rss"]
    assert "link-local" in reasons["http://169.254.169.254/latest"]


def test_discovery_prefers_declared_feeds_then_common_paths() -> None:
    page = b"""<!doctype html><html><head><base href="https://www.example.com/news/">
    <link rel="stylesheet" href="/s.css"><link rel="alternate" type="application/json" href="/api.json">
    <link rel="alternate" type="application/atom+xml" href="atom.xml"></head><body></body></html>"""
    assert looks_like_html(page, None)
    assert feed_links(page, "https://www.example.com/news/story-1") == [
        "https://www.example.com/news/atom.xml",
        "https://www.example.com/api.json",
    ]
    found = candidates(page, "https://www.example.com/news/story-1")
    assert found[:3] == ["https://www.example.com/news/atom.xml", "https://www.example.com/api.json",
                         "https://www.example.com/feed"]  # fmt: skip
    assert len(found) <= 8


def test_enable_clears_the_disabled_reason_and_poll_now_refuses_a_disabled_feed() -> None:
    feeds = MemoryFeeds()
    registry = FeedRegistry(feeds, allow_private=False, resolver=public)
    registry.save({"feedId": "desk", "url": "https://desk.example.com/rss"})
    registry.disable("desk", "HTTP 410 Gone")
    with pytest.raises(RegistryError) as refused:
        registry.poll_now("desk")
    assert refused.value.status == 409
    enabled = registry.enable("desk")
    assert enabled.enabled
    assert enabled.disabled_reason is None
    assert enabled.next_poll_at is not None
    assert registry.poll_now("desk").next_poll_at is not None


def test_poll_now_queues_a_request_for_the_due_moment_it_wrote() -> None:
    from newsflow.feeds.scheduler import FetchRequest, due_sort_key

    queued: list[FetchRequest] = []
    feeds = MemoryFeeds()
    registry = FeedRegistry(feeds, allow_private=False, resolver=public, enqueue=queued.append)
    registry.save({"feedId": "desk", "url": "https://Desk.Example.com:8443/rss"})
    requested = registry.request_poll("desk")
    assert requested.fetch_queued is True
    # The request is claimable exactly while the feed is due as poll-now left it
    saved = feeds.feeds["desk"]
    assert [(q.feed_id, q.due, q.host, q.polite) for q in queued] == [
        ("desk", due_sort_key(saved.next_poll_at, "desk"), "desk.example.com:8443", True)
    ]
    # A disabled feed queues nothing
    registry.disable("desk")
    with pytest.raises(RegistryError):
        registry.request_poll("desk")
    assert len(queued) == 1


def test_poll_now_whose_queue_refuses_leaves_the_feed_due_for_the_next_tick() -> None:
    def refuse(request: object) -> None:
        raise ConnectionError("queue down")

    feeds = MemoryFeeds()
    registry = FeedRegistry(feeds, allow_private=False, resolver=public, enqueue=refuse)
    registry.save({"feedId": "desk", "url": "https://desk.example.com/rss"})
    requested = registry.request_poll("desk")
    assert requested.fetch_queued is False
    assert feeds.feeds["desk"].next_poll_at == requested.feed.next_poll_at is not None
    # Without a fetch queue (an older stack), poll-now only makes the feed due
    plain = FeedRegistry(feeds, allow_private=False, resolver=public)
    assert plain.request_poll("desk").fetch_queued is False


def test_a_changed_url_forgets_the_old_documents_validators() -> None:
    feeds = MemoryFeeds()
    registry = FeedRegistry(feeds, allow_private=False, resolver=public)
    registry.save({"feedId": "desk", "url": "https://desk.example.com/rss"})
    feeds.feeds["desk"] = feeds.feeds["desk"].model_copy(update={"etag": '"v9"', "consecutive_failures": 3})
    _, moved = registry.save({"feedId": "desk", "url": "https://desk.example.com/feed.xml"})
    assert moved.etag is None
    assert moved.consecutive_failures == 0
