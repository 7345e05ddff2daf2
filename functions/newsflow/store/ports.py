"""Storage interfaces used by the plain-Python services (ingest, API, poller).

The DynamoDB implementations live beside this module; services and tests depend only on these shapes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, Field

from newsflow.models import Article, FeedConfig


class WriteOutcome(StrEnum):
    CREATED = "created"  # a new article
    UPDATED = "updated"  # the same article with changed content: version bumped
    UNCHANGED = "unchanged"  # a redelivery or re-poll of an item we already hold as is
    DUPLICATE = "duplicate"  # the same body under another URL: recorded on the first article
    STALE = "stale"  # an older copy than the stored one (by the item's own clock): a sighting, not content


class ConcurrentUpdateError(RuntimeError):
    """Another writer changed the article between our read and our conditional write (transient)."""


class WriteResult(BaseModel):
    outcome: WriteOutcome
    article_id: str = Field(description="The stored article: for a duplicate, the one it duplicates.")
    version: int
    story_id: str | None = None
    superseded: bool = Field(
        default=False, description="A newer version than the delivered copy is stored: nothing of the copy is filed."
    )


class Page(BaseModel):
    articles: list[Article]
    next_cursor: str | None


class CursorError(ValueError):
    """A pagination cursor that this store did not issue (or that was tampered with)."""


class ArticleRepository(Protocol):
    def save(self, article: Article, delivery: str | None = None, *, fresh: bool = False) -> WriteResult:
        """Idempotent conditional write; see DynamoArticleRepository.save for the rules. `fresh`: the stored copy
        must be read as of now (after a conflict), not as an eventually consistent read may return it."""
        ...

    def get(self, article_id: str) -> Article | None: ...

    def list_by_category(self, slug: str, limit: int, cursor: str | None) -> Page: ...

    def list_latest(self, limit: int, cursor: str | None) -> Page: ...

    def ping(self) -> bool: ...


class FeedRepository(Protocol):
    def list_feeds(self) -> list[FeedConfig]: ...

    def get_feed(self, feed_id: str) -> FeedConfig | None: ...

    def save_feed(self, feed: FeedConfig) -> None: ...

    def delete_feed(self, feed_id: str) -> bool: ...


class DeadLetter(BaseModel):
    body: str
    reason: str
    detail: str = ""
    message_id: str | None = None


class ItemQueue(Protocol):
    def send_raw(self, bodies: Sequence[str], attributes: Mapping[str, str] | None = None) -> list[int]:
        """Send message bodies in batches of 10 (each with the string message `attributes`); returns the indexes
        that could not be sent."""
        ...


class DeadLetterQueue(Protocol):
    def park(self, letter: DeadLetter) -> None:
        """Send one message to the DLQ with its reason as message attributes. Raises on failure."""
        ...
