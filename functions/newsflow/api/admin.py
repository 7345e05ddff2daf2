"""Operator endpoints (IAM-authorised in AWS): push items onto the queue, edit the feeds registry.

The registry's rules (URL checks, discovery, enable/poll-now, OPML) live in `newsflow.feeds.registry`,
shared with `newsflow feeds`; this module maps them to HTTP. `FeedInput` is re-exported for OpenAPI.

Items are checked exactly as ingest checks a queue message (`newsflow.messages.parse_message`):
an item the pipeline would park in the DLQ is refused here, with the same reason, and never sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from newsflow.api.errors import ApiError, bad_request
from newsflow.feeds.registry import FeedInput, FeedRegistry, FeedRepository, ImportReport, RegistryError
from newsflow.feeds.scheduler import FetchRequest
from newsflow.feeds.settings_model import FeedSettings
from newsflow.models import FeedConfig
from newsflow.store.ports import ItemQueue

MAX_ITEMS = 100


class _View(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ItemsRequest(BaseModel):
    """POST /v1/admin/items: up to 100 FeedItems (the queue message schema: `newsflow schema feed-item`)."""

    model_config = ConfigDict(extra="forbid")

    items: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_ITEMS)


class AcceptedItem(_View):
    index: int
    url: str | None
    guid: str | None


class RejectedItem(_View):
    index: int
    reason: str = Field(description="invalid_json, schema_violation, oversize or enqueue_failed.")
    detail: str


class ItemsResponse(_View):
    status: Literal["ok"] = "ok"
    accepted: list[AcceptedItem]
    rejected: list[RejectedItem]


class FeedView(_View):
    """A feed with its settings and health (validators and fingerprints are internal)."""

    feed_id: str
    url: str
    name: str | None
    enabled: bool
    interval_minutes: int
    timezone: str | None
    settings: FeedSettings
    next_poll_at: datetime | None
    last_polled_at: datetime | None
    last_status: int | None
    last_error: str | None
    consecutive_failures: int
    failing_since: datetime | None
    disabled_reason: str | None
    disabled_at: datetime | None
    redirected_from: str | None
    discovered_from: str | None
    entries_per_week: float | None
    items_sent: int
    health: Literal["ok", "failing", "disabled", "new"]

    @classmethod
    def of(cls, feed: FeedConfig) -> FeedView:
        data = feed.model_dump(exclude={"etag", "last_modified", "body_hash", "version"})
        if not feed.enabled:
            health = "disabled"
        elif feed.consecutive_failures:
            health = "failing"
        elif feed.last_polled_at is None:
            health = "new"
        else:
            health = "ok"
        return cls.model_validate(data | {"health": health, "settings": feed.settings})


class FeedsSummary(_View):
    total: int
    enabled: int
    disabled: int
    failing: int


class FeedResponse(_View):
    status: Literal["ok"] = "ok"
    feed: FeedView
    fetch_queued: bool | None = Field(
        default=None,
        description="poll-now only: true when a fetch request for the feed is on the fetch queue (a worker polls "
        "it within seconds); false when it waits for the next scheduler tick.",
    )


class FeedsResponse(_View):
    status: Literal["ok"] = "ok"
    summary: FeedsSummary
    feeds: list[FeedView]


class OpmlImportResponse(_View):
    status: Literal["ok"] = "ok"
    report: ImportReport


class DeletedResponse(_View):
    status: Literal["ok"] = "ok"
    deleted: str


def _items_of(body: Any) -> list[Any]:
    if isinstance(body, list):
        body = {"items": body}
    if not isinstance(body, dict):
        raise bad_request('the body must be {"items": [FeedItem, ...]} or a JSON array', "items")
    try:
        return ItemsRequest.model_validate(body).items
    except ValidationError as exc:
        first = exc.errors()[0]
        raise bad_request(f"items: {first['msg']}", "items") from exc


class AdminService:
    def __init__(
        self,
        queue: ItemQueue | None,
        feeds: FeedRepository,
        *,
        allow_private: bool = False,
        fetch_queue: ItemQueue | None = None,
    ) -> None:
        self._queue = queue
        enqueue = None
        if fetch_queue is not None:
            queue_of_fetches = fetch_queue

            def enqueue(request: FetchRequest) -> None:
                if queue_of_fetches.send_raw([request.model_dump_json(exclude_none=True)]):
                    raise RuntimeError("the fetch queue refused the request")

        self._registry = FeedRegistry(feeds, allow_private=allow_private, enqueue=enqueue)

    def submit_items(self, body: Any) -> ItemsResponse:
        from newsflow.errors import PermanentItemError
        from newsflow.messages import parse_message

        if self._queue is None:
            raise ApiError(503, "queueUnavailable", "no items queue is configured")
        accepted: list[AcceptedItem] = []
        rejected: list[RejectedItem] = []
        bodies: list[str] = []
        for position, raw in enumerate(_items_of(body)):
            message = json.dumps(raw, ensure_ascii=False)
            try:
                item = parse_message(message)
            except PermanentItemError as exc:
                rejected.append(RejectedItem(index=position, reason=exc.reason, detail=exc.detail[:500]))
                continue
            accepted.append(AcceptedItem(index=position, url=item.url, guid=item.guid))
            bodies.append(message)
        failed = set(self._queue.send_raw(bodies)) if bodies else set()
        if failed:
            for slot in sorted(failed):
                item_ref = accepted[slot]
                rejected.append(RejectedItem(index=item_ref.index, reason="enqueue_failed", detail="SQS refused it"))
            accepted = [a for slot, a in enumerate(accepted) if slot not in failed]
        rejected.sort(key=lambda r: r.index)
        return ItemsResponse(accepted=accepted, rejected=rejected)

    def list_feeds(self) -> FeedsResponse:
        feeds = self._registry.all()
        summary = FeedsSummary(
            total=len(feeds),
            enabled=sum(1 for f in feeds if f.enabled),
            disabled=sum(1 for f in feeds if not f.enabled),
            failing=sum(1 for f in feeds if f.enabled and f.consecutive_failures),
        )
        return FeedsResponse(summary=summary, feeds=[FeedView.of(f) for f in feeds])

    def get_feed(self, feed_id: str) -> FeedResponse:
        return FeedResponse(feed=FeedView.of(_mapped(lambda: self._registry.get(feed_id))))

    def save_feed(self, body: Any) -> tuple[bool, FeedResponse]:
        """Create or replace a feed's settings (its polling state is kept). True when it was created."""
        created, feed = _mapped(lambda: self._registry.save(body))
        return created, FeedResponse(feed=FeedView.of(feed))

    def feed_action(self, feed_id: str, action: str) -> FeedResponse:
        if action in {"poll", "poll-now"}:
            requested = _mapped(lambda: self._registry.request_poll(feed_id))
            return FeedResponse(feed=FeedView.of(requested.feed), fetch_queued=requested.fetch_queued)
        actions = {"enable": self._registry.enable, "disable": self._registry.disable, "reset": self._registry.reset}
        return FeedResponse(feed=FeedView.of(_mapped(lambda: actions[action](feed_id))))

    def delete_feed(self, feed_id: str) -> DeletedResponse:
        _mapped(lambda: self._registry.delete(feed_id))
        return DeletedResponse(deleted=feed_id)

    def import_opml(self, body: bytes) -> OpmlImportResponse:
        if not body:
            raise bad_request("an OPML document is required", "body", code="bodyInvalid")
        return OpmlImportResponse(report=_mapped(lambda: self._registry.import_opml(body)))

    def export_opml(self) -> str:
        return self._registry.export_opml()


T = TypeVar("T")


def _mapped(call: Callable[[], T]) -> T:
    try:
        return call()
    except RegistryError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.param) from exc


__all__ = ["AdminService", "FeedInput", "FeedView", "FeedsResponse", "ImportReport", "OpmlImportResponse"]
