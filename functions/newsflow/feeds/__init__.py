"""Feeds: fetch safely (conditional GET), parse RSS/Atom/JSON Feed into FeedItems, poll the due feeds."""

from newsflow.feeds.fetch import (
    FeedFetcher,
    FetchError,
    FetchResult,
    address_block_reason,
    is_allowed_address,
)
from newsflow.feeds.parse import MAX_ENTRIES, MAX_FEED_BYTES, ParsedFeed, SkippedEntry, parse_feed
from newsflow.feeds.poller import (
    FeedOutcome,
    FeedRegistry,
    Fetcher,
    ItemSink,
    PollReport,
    SendFailure,
    backoff_delay,
    due_feeds,
    poll_due_feeds,
    poll_feed,
)

__all__ = [
    "MAX_ENTRIES",
    "MAX_FEED_BYTES",
    "FeedFetcher",
    "FeedOutcome",
    "FeedRegistry",
    "FetchError",
    "FetchResult",
    "Fetcher",
    "ItemSink",
    "ParsedFeed",
    "PollReport",
    "SendFailure",
    "SkippedEntry",
    "address_block_reason",
    "backoff_delay",
    "due_feeds",
    "is_allowed_address",
    "parse_feed",
    "poll_due_feeds",
    "poll_feed",
]
