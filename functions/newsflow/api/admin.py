"""Operator endpoints (IAM-authorised in AWS): push items onto the queue, edit the feeds registry.

Items are checked exactly as ingest checks a queue message (`newsflow.messages.parse_message`):
an item the pipeline would park in the DLQ is refused here, with the same reason, and never sent.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from newsflow.api.errors import ApiError, bad_request, not_found
from newsflow.models import FeedConfig
from newsflow.store.ports import FeedRepository, ItemQueue

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


class FeedInput(BaseModel):
    """A feed of the registry as an operator writes it (the poller owns the polling state)."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    feed_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    url: str = Field(max_length=2048, pattern=r"^[hH][tT][tT][pP][sS]?://\S+$")
    name: str | None = Field(default=None, max_length=300)
    enabled: bool = True
    interval_minutes: int = Field(default=15, ge=1, le=24 * 60)
    timezone: str | None = Field(default=None, max_length=64)


class FeedView(_View):
    feed_id: str
    url: str
    name: str | None
    enabled: bool
    interval_minutes: int
    timezone: str | None
    next_poll_at: datetime | None
    last_polled_at: datetime | None
    last_status: int | None
    last_error: str | None
    consecutive_failures: int
    items_sent: int

    @classmethod
    def of(cls, feed: FeedConfig) -> FeedView:
        return cls.model_validate(feed.model_dump(exclude={"etag", "last_modified"}))


class FeedResponse(_View):
    status: Literal["ok"] = "ok"
    feed: FeedView


class FeedsResponse(_View):
    status: Literal["ok"] = "ok"
    feeds: list[FeedView]


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
    def __init__(self, queue: ItemQueue | None, feeds: FeedRepository) -> None:
        self._queue = queue
        self._feeds = feeds

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
        return FeedsResponse(feeds=[FeedView.of(f) for f in sorted(self._feeds.list_feeds(), key=lambda f: f.feed_id)])

    def get_feed(self, feed_id: str) -> FeedResponse:
        feed = self._feeds.get_feed(feed_id)
        if feed is None:
            raise not_found(f"no feed '{feed_id}'", "feedId")
        return FeedResponse(feed=FeedView.of(feed))

    def save_feed(self, body: Any) -> tuple[bool, FeedResponse]:
        """Create or replace a feed's settings (its polling state is kept). True when it was created."""
        if not isinstance(body, dict):
            raise bad_request("the body must be a feed object", "feedId")
        try:
            wanted = FeedInput.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            param = ".".join(str(p) for p in first["loc"]) or None
            raise bad_request(f"{param}: {first['msg']}", param) from exc
        existing = self._feeds.get_feed(wanted.feed_id)
        settings = wanted.model_dump()
        feed = existing.model_copy(update=settings) if existing else FeedConfig.model_validate(settings)
        self._feeds.save_feed(feed)
        return existing is None, FeedResponse(feed=FeedView.of(feed))

    def delete_feed(self, feed_id: str) -> DeletedResponse:
        if not self._feeds.delete_feed(feed_id):
            raise not_found(f"no feed '{feed_id}'", "feedId")
        return DeletedResponse(deleted=feed_id)
