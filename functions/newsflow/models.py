"""The data that crosses newsflow's boundaries.

`FeedItem` is what producers (and the poller) put on the items queue.
`Article` is what ingest stores in DynamoDB and the index function publishes to search.
Both are pydantic v2 models; their JSON schemas are exported by `newsflow schema`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from newsflow.feeds.settings_model import FeedSettings

# SQS accepts messages up to 1 MiB, but a news item that large is a mistake or an attack;
# anything above this is parked in the DLQ with reason "oversize".
MAX_ITEM_BYTES = 256 * 1024
MAX_TITLE_CHARS = 5_000
GENERAL_CATEGORY = "general"


class SourceInfo(BaseModel):
    """Where an item came from: the publisher, and the feed it was read from (if any)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    name: str | None = Field(default=None, max_length=300, description="Publisher name, e.g. 'Reuters'.")
    feed_url: str | None = Field(default=None, max_length=2048, description="URL of the feed the item came from.")
    site_url: str | None = Field(default=None, max_length=2048, description="Home page of the publisher.")
    feed_id: str | None = Field(default=None, max_length=128, description="Id of the feed in the feeds registry.")
    timezone: str | None = Field(
        default=None,
        max_length=64,
        description="IANA zone used for naive dates from this source (default UTC).",
    )


MAX_MEDIA = 20
FullTextMode = Literal["auto", "always", "never"]
BodySource = Literal["feed", "page"]


class MediaEnclosure(BaseModel):
    """An enclosure of a feed entry: audio, video, an image or a document (RSS <enclosure>, Atom
    rel="enclosure", Media RSS, JSON Feed attachments)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    url: str = Field(max_length=4096, description="Absolute http(s) URL of the file.")
    type: str | None = Field(default=None, max_length=200, description="MIME type as the feed gave it.")
    length: int | None = Field(default=None, ge=0, description="Size in bytes, when the feed gave it.")
    medium: Literal["audio", "video", "image", "document"] | None = Field(
        default=None, description="What it is (from the MIME type or Media RSS medium)."
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("must be an absolute http(s) URL")
        return value


class FeedItem(BaseModel):
    """One raw news item as a producer puts it on the queue (JSON, one item per SQS message).

    Only `title` and one of `url` / `guid` are required. Fields newsflow does not know are kept,
    untouched, in `extra` (never silently dropped) and stored with the article.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    schema_version: Literal[1] = Field(default=1, description="Version of this message schema.")
    url: str | None = Field(default=None, max_length=4096, description="Link to the article (http/https).")
    guid: str | None = Field(default=None, max_length=2048, description="The feed's stable id for the entry.")
    title: str = Field(min_length=1, max_length=20_000, description="Headline; may contain HTML or entities.")
    summary: str | None = Field(default=None, description="Teaser/description; plain text or HTML.")
    content_html: str | None = Field(
        default=None, description="Full body as HTML: a feed fragment (content:encoded) or a whole page."
    )
    content_text: str | None = Field(default=None, description="Full body as plain text, if that is all there is.")
    published: str | None = Field(
        default=None,
        max_length=200,
        description="Publication time as the source wrote it (RFC 822, ISO 8601, epoch seconds ...).",
    )
    updated: str | None = Field(default=None, max_length=200, description="Last update time, as written.")
    authors: list[str] = Field(default_factory=list, max_length=50)
    tags: list[str] = Field(
        default_factory=list, max_length=100, description="The feed's own categories/keywords for the entry."
    )
    language: str | None = Field(default=None, max_length=35, description="Declared language (BCP 47).")
    image_url: str | None = Field(default=None, max_length=4096)
    media: list[MediaEnclosure] = Field(
        default_factory=list,
        max_length=MAX_MEDIA,
        description="Enclosures: audio, video, images (tracking pixels dropped).",
    )
    source: SourceInfo = Field(default_factory=SourceInfo)
    full_text: FullTextMode | None = Field(
        default=None,
        description="Fetch the article page for the full text: auto (when the body is a teaser), always, never. "
        "None: the feed's setting, else auto.",
    )
    body_source: BodySource | None = Field(
        default=None, description="Set by the full-text stage: the body is the feed's (feed) or the page's (page)."
    )
    body_source_reason: str | None = Field(
        default=None, max_length=500, description="Why the body is the feed's when a page was tried (or not tried)."
    )
    extra: dict[str, Any] = Field(default_factory=dict, description="Producer fields newsflow does not model.")

    @model_validator(mode="before")
    @classmethod
    def _keep_unknown_fields(cls, data: Any) -> Any:
        # Unknown producer fields are moved into `extra` instead of being dropped or rejected.
        if not isinstance(data, dict):
            return data
        known = set(cls.model_fields)
        unknown = {k: v for k, v in data.items() if k not in known}
        if not unknown:
            return data
        kept = {k: v for k, v in data.items() if k in known}
        extra = dict(kept.get("extra") or {})
        extra.update(unknown)
        kept["extra"] = extra
        return kept

    @field_validator("url", "image_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        lowered = value.lower()
        if not (lowered.startswith("http://") or lowered.startswith("https://")):
            raise ValueError("must be an absolute http(s) URL")
        return value

    @field_validator("authors", "tags")
    @classmethod
    def _no_blank_entries(cls, values: list[str]) -> list[str]:
        return [v.strip() for v in values if v and v.strip()]

    @model_validator(mode="after")
    def _needs_identity(self) -> FeedItem:
        if not self.url and not self.guid:
            raise ValueError("an item needs a url or a guid")
        return self


class CategoryScore(BaseModel):
    slug: str
    score: float = Field(ge=0.0, le=1.0)


class Article(BaseModel):
    """A normalised, categorised news article: the stored and indexed form."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Deterministic id: hash of the canonical URL, else of source + guid.")
    url: str | None = Field(description="Canonical URL.")
    original_url: str | None = None
    guid: str | None = None
    title: str
    summary: str = ""
    body_text: str = ""
    body_html: str = ""
    authors: list[str] = Field(default_factory=list)
    language: str | None = None
    image_url: str | None = None
    media: list[MediaEnclosure] = Field(default_factory=list)
    body_source: BodySource = Field(default="feed", description="Where the body came from: feed, or the article page.")
    body_source_reason: str | None = None
    source_name: str | None = None
    source_domain: str | None = None
    feed_id: str | None = None
    published_at: datetime | None = Field(default=None, description="UTC; None when the source gave none.")
    updated_at: datetime | None = None
    first_seen_at: datetime
    last_seen_at: datetime
    sort_at: datetime = Field(description="published_at if known, else first_seen_at: the 'newest first' key.")
    category: str = Field(description="Primary category slug (or 'general' when nothing is confident).")
    categories: list[CategoryScore] = Field(default_factory=list, description="All categories with scores.")
    tags: list[str] = Field(default_factory=list)
    word_count: int = 0
    reading_time_minutes: int = 0
    content_hash: str = Field(description="Fingerprint of the normalised body (exact-duplicate key).")
    story_id: str | None = Field(
        default=None, description="The story (cluster of near-duplicate articles) this article belongs to."
    )
    also_from: list[str] = Field(
        default_factory=list, description="Other sources (names or domains) that published this same article."
    )
    duplicate_urls: list[str] = Field(
        default_factory=list, description="Other URLs under which the same body was seen."
    )
    version: int = 1
    extra: dict[str, Any] = Field(default_factory=dict)

    @property
    def category_slugs(self) -> list[str]:
        slugs = [self.category]
        slugs.extend(c.slug for c in self.categories if c.slug != self.category)
        return slugs


class NormalisedItem(BaseModel):
    """What normalisation produces from a FeedItem, before categorisation."""

    model_config = ConfigDict(extra="forbid")

    id: str
    url: str | None
    original_url: str | None
    guid: str | None
    title: str
    summary: str
    body_text: str
    body_html: str
    authors: list[str]
    language: str | None
    image_url: str | None
    media: list[MediaEnclosure] = Field(default_factory=list)
    body_source: BodySource = "feed"
    body_source_reason: str | None = None
    source_name: str | None
    source_domain: str | None
    feed_id: str | None
    published_at: datetime | None
    updated_at: datetime | None
    feed_tags: list[str]
    word_count: int
    reading_time_minutes: int
    content_hash: str
    extra: dict[str, Any]


class Categorisation(BaseModel):
    """The categoriser's verdict for one item."""

    model_config = ConfigDict(extra="forbid")

    primary: str
    scores: list[CategoryScore] = Field(description="Ranked, best first; includes the primary.")
    tags: list[str] = Field(default_factory=list)


class FeedConfig(BaseModel):
    """One entry of the feeds registry: the operator's settings and the state the fetch workers keep."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    feed_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    url: str = Field(max_length=2048)
    name: str | None = Field(default=None, max_length=300)
    enabled: bool = True
    interval_minutes: int = Field(default=15, ge=1, le=24 * 60)
    timezone: str | None = None
    settings: FeedSettings = Field(default_factory=FeedSettings)
    # Conditional-GET and scheduling state, written back by the fetch worker.
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    next_poll_at: datetime | None = None
    last_polled_at: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    items_sent: int = 0
    # Health: when failures began, why a feed was disabled, where a permanent redirect came from.
    failing_since: datetime | None = None
    disabled_reason: str | None = Field(default=None, max_length=600)
    disabled_at: datetime | None = None
    redirected_from: str | None = Field(default=None, max_length=2048)
    discovered_from: str | None = Field(default=None, max_length=2048, description="The page URL registered.")
    entries_per_week: float | None = Field(default=None, ge=0)
    # Optimistic concurrency: every state write is conditional on the version it read.
    version: int = Field(default=0, ge=0)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("feed url must be http(s)")
        return value
