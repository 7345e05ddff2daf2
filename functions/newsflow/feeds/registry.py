"""The feeds registry as operators edit it (admin API and `newsflow feeds`): no AWS, a repository port.

- A feed URL is checked at registration with the fetcher's own address rules (http/https, no credentials,
  every resolved address public unless private fetches are allowed): a registry entry can never point the
  fetchers at the metadata service or the VPC. A host that does not resolve yet is accepted (the fetcher
  checks the addresses of every hop at every fetch).
- A site or article page URL is accepted: the first fetch discovers the page's feed and stores its URL
  (feeds/discovery.py), keeping the page URL as `discovered_from`.
- Re-enabling clears the disabled reason and the failure count and makes the feed due at once; poll-now
  makes it due at once and, when the registry has the fetch queue (`enqueue`), puts a fetch request for it
  on that queue at once: a fetch worker polls it within seconds, not at the next scheduler tick. The request
  is claimed like the scheduler's (only while the feed is due as it says), so a tick that enqueues the same
  feed meanwhile, or a second poll-now, never fetches it twice.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from newsflow.feeds.fetch import FetchError, Resolver, _split_url, address_block_reason, is_allowed_address
from newsflow.feeds.opml import OpmlError, feed_id_for, parse_opml, to_opml
from newsflow.feeds.scheduler import FetchRequest, poll_now_request
from newsflow.feeds.settings_model import FeedSettings
from newsflow.models import FeedConfig

logger = logging.getLogger(__name__)
RESERVED_IDS = frozenset({"opml"})  # /v1/admin/feeds/opml is a route, not a feed
MAX_PARALLEL_CHECKS = 16
# A changed URL is a new document: its validators, fingerprints' base and failure history no longer apply.
_URL_STATE_RESET = {
    "etag": None, "last_modified": None, "body_hash": None, "consecutive_failures": 0, "failing_since": None,
    "last_error": None, "next_poll_at": None, "redirected_from": None, "discovered_from": None,
}  # fmt: skip


class RegistryError(Exception):
    def __init__(self, status: int, code: str, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.param = param


class FeedRepository(Protocol):
    def list_feeds(self) -> list[FeedConfig]: ...

    def get_feed(self, feed_id: str) -> FeedConfig | None: ...

    def save_feed(self, feed: FeedConfig) -> None: ...

    def delete_feed(self, feed_id: str) -> bool: ...


class FeedInput(BaseModel):
    """A feed as an operator writes it (the fetch workers own the polling state). `feedId` may be omitted:
    it is derived from the name or the URL."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    feed_id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    url: str = Field(max_length=2048, pattern=r"^[hH][tT][tT][pP][sS]?://\S+$")
    name: str | None = Field(default=None, max_length=300)
    enabled: bool = True
    interval_minutes: int = Field(default=15, ge=1, le=24 * 60)
    timezone: str | None = Field(default=None, max_length=64)
    settings: FeedSettings | None = None


class PollRequested(BaseModel):
    feed: FeedConfig
    fetch_queued: bool = Field(description="A fetch request is on the fetch queue (else: the next scheduler tick).")


class ImportReport(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    created: list[str] = Field(default_factory=list)
    existing: list[str] = Field(default_factory=list, description="Feeds whose URL was already registered.")
    rejected: list[dict[str, str]] = Field(default_factory=list, description="{url, reason} of refused outlines.")


def url_problem(url: str, *, allow_private: bool, resolver: Resolver | None = None) -> str | None:
    """Why the fetchers must not be pointed at `url` (None when it is acceptable)."""
    from newsflow.feeds.fetch import system_resolver

    try:
        _, host, port, _, _ = _split_url(url)
    except FetchError as exc:
        return str(exc)
    try:
        addresses = [str(ipaddress.ip_address(host))]  # a literal address is checked as written
    except ValueError:
        addresses = []
    try:
        addresses = addresses or (resolver or system_resolver)(host, port)
    except FetchError:
        # Not resolvable now (a new domain, or DNS down): accepted; the fetcher checks every hop's addresses
        # at every fetch, and a feed that keeps failing is disabled with the reason.
        return None
    for address in addresses:
        if not is_allowed_address(address, allow_private=allow_private):
            return f"address {address} of {host} is not allowed ({address_block_reason(address)})"
    return None


class FeedRegistry:
    def __init__(
        self,
        feeds: FeedRepository,
        *,
        allow_private: bool,
        resolver: Resolver | None = None,
        clock: Callable[[], datetime] | None = None,
        enqueue: Callable[[FetchRequest], None] | None = None,
    ) -> None:
        from datetime import UTC

        self._enqueue = enqueue
        self._feeds = feeds
        self._allow_private = allow_private
        self._resolver = resolver
        self._clock = clock or (lambda: datetime.now(UTC))

    def all(self) -> list[FeedConfig]:
        return sorted(self._feeds.list_feeds(), key=lambda f: f.feed_id)

    def get(self, feed_id: str) -> FeedConfig:
        feed = self._feeds.get_feed(feed_id)
        if feed is None:
            raise RegistryError(404, "notFound", f"no feed '{feed_id}'", "feedId")
        return feed

    def save(self, body: object) -> tuple[bool, FeedConfig]:
        """Create or update a feed's settings (its polling state is kept). True when it was created."""
        if not isinstance(body, dict):
            raise RegistryError(400, "parameterInvalid", "the body must be a feed object", "feedId")
        try:
            wanted = FeedInput.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            param = ".".join(str(p) for p in first["loc"]) or None
            raise RegistryError(400, "parameterInvalid", f"{param}: {first['msg']}", param) from exc
        problem = url_problem(wanted.url, allow_private=self._allow_private, resolver=self._resolver)
        if problem:
            raise RegistryError(400, "urlRefused", f"url: {problem}", "url")
        feed_id = wanted.feed_id or feed_id_for(wanted.url, wanted.name, {f.feed_id for f in self._feeds.list_feeds()})
        if feed_id in RESERVED_IDS:
            raise RegistryError(400, "parameterInvalid", f"feedId: '{feed_id}' is reserved", "feedId")
        existing = self._feeds.get_feed(feed_id)
        settings = wanted.model_dump(exclude={"feed_id", "settings"}) | {"feed_id": feed_id}
        if wanted.settings is not None:
            settings["settings"] = wanted.settings
        if existing is None:
            feed = FeedConfig.model_validate(settings)
        else:
            update = dict(settings)
            if existing.url != wanted.url:
                update |= _URL_STATE_RESET
            if wanted.enabled and not existing.enabled:
                update |= {"disabled_reason": None, "disabled_at": None, "consecutive_failures": 0,
                           "failing_since": None, "next_poll_at": None}  # fmt: skip
            feed = existing.model_copy(update=update)
        self._feeds.save_feed(feed)
        return existing is None, feed

    def enable(self, feed_id: str) -> FeedConfig:
        feed = self.get(feed_id).model_copy(
            update={"enabled": True, "disabled_reason": None, "disabled_at": None, "consecutive_failures": 0,
                    "failing_since": None, "next_poll_at": self._clock()}
        )  # fmt: skip
        self._feeds.save_feed(feed)
        return feed

    def disable(self, feed_id: str, reason: str = "disabled by an operator") -> FeedConfig:
        feed = self.get(feed_id).model_copy(
            update={"enabled": False, "disabled_reason": reason[:600], "disabled_at": self._clock()}
        )
        self._feeds.save_feed(feed)
        return feed

    def poll_now(self, feed_id: str) -> FeedConfig:
        return self.request_poll(feed_id).feed

    def request_poll(self, feed_id: str) -> PollRequested:
        """Make the feed due now and queue its fetch at once (when the registry has the fetch queue)."""
        feed = self.get(feed_id)
        if not feed.enabled:
            raise RegistryError(409, "feedDisabled", f"feed '{feed_id}' is disabled: enable it first", "feedId")
        now = self._clock()
        feed = feed.model_copy(update={"next_poll_at": now})
        self._feeds.save_feed(feed)
        if self._enqueue is None:
            return PollRequested(feed=feed, fetch_queued=False)
        try:
            self._enqueue(poll_now_request(feed.feed_id, feed.url, feed.next_poll_at, now))
        except Exception as exc:  # the feed is due now all the same: the next scheduler tick enqueues it
            logger.warning("poll-now of %s: the fetch request was not queued (%r); due at the next tick", feed_id, exc)
            return PollRequested(feed=feed, fetch_queued=False)
        return PollRequested(feed=feed, fetch_queued=True)

    def reset(self, feed_id: str) -> FeedConfig:
        """Forget validators and failures (the next poll is a full fetch, due now); fingerprints are kept."""
        feed = self.get(feed_id).model_copy(
            update={"etag": None, "last_modified": None, "body_hash": None, "consecutive_failures": 0,
                    "failing_since": None, "last_error": None, "next_poll_at": self._clock()}
        )  # fmt: skip
        self._feeds.save_feed(feed)
        return feed

    def delete(self, feed_id: str) -> None:
        if not self._feeds.delete_feed(feed_id):
            raise RegistryError(404, "notFound", f"no feed '{feed_id}'", "feedId")

    def import_opml(self, data: bytes) -> ImportReport:
        try:
            outlines = parse_opml(data)
        except OpmlError as exc:
            raise RegistryError(400, "opmlInvalid", str(exc), "body") from exc
        current = self._feeds.list_feeds()
        by_url = {f.url: f.feed_id for f in current} | {
            f.discovered_from: f.feed_id for f in current if f.discovered_from
        }
        taken = {f.feed_id for f in current} | set(RESERVED_IDS)
        report = ImportReport()
        fresh: list[FeedConfig] = []
        unique = list({o.url: o for o in outlines}.values())
        problems = self._check_all([o.url for o in unique])
        for outline, problem in zip(unique, problems, strict=True):
            if outline.url in by_url:
                report.existing.append(by_url[outline.url])
                continue
            if problem:
                report.rejected.append({"url": outline.url[:300], "reason": problem})
                continue
            try:
                feed = FeedConfig(
                    feed_id=feed_id_for(outline.url, outline.title, taken), url=outline.url, name=outline.title,
                    settings=FeedSettings(category_hint=outline.category[:64] if outline.category else None),
                )  # fmt: skip
            except ValidationError as exc:
                report.rejected.append({"url": outline.url[:300], "reason": exc.errors()[0]["msg"]})
                continue
            fresh.append(feed)
            report.created.append(feed.feed_id)
        with ThreadPoolExecutor(MAX_PARALLEL_CHECKS) as pool:
            list(pool.map(self._feeds.save_feed, fresh))
        return report

    def export_opml(self) -> str:
        return to_opml(self.all(), now=self._clock())

    def _check_all(self, urls: Sequence[str]) -> list[str | None]:
        def check(url: str) -> str | None:
            return url_problem(url, allow_private=self._allow_private, resolver=self._resolver)

        with ThreadPoolExecutor(MAX_PARALLEL_CHECKS) as pool:
            return list(pool.map(check, urls))
