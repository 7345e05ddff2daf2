"""The ingest pipeline for one queue message: parse -> normalise -> categorise -> store.

Plain Python: no AWS imports. The ingest handler wires it to SQS and DynamoDB; the CLI and tests reuse it.
"""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel, ValidationError

from newsflow.categorise import categorise
from newsflow.errors import PermanentItemError
from newsflow.models import MAX_ITEM_BYTES, Article, FeedItem, NormalisedItem
from newsflow.normalise import normalise_item
from newsflow.store.codec import DocumentTooLarge
from newsflow.store.ports import ArticleRepository, WriteResult


class IngestResult(BaseModel):
    write: WriteResult
    category: str


def parse_message(body: str) -> FeedItem:
    """Turn an SQS message body into a FeedItem, or raise PermanentItemError saying exactly why not."""
    size = len(body.encode("utf-8", errors="surrogatepass"))
    if size > MAX_ITEM_BYTES:
        raise PermanentItemError("oversize", f"message is {size} bytes; the limit is {MAX_ITEM_BYTES}")
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PermanentItemError("invalid_json", str(exc)) from exc
    if not isinstance(payload, dict):
        raise PermanentItemError("schema_violation", "message body must be a JSON object")
    try:
        return FeedItem.model_validate(payload)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, err['loc'])) or 'item'}: {err['msg']}" for err in exc.errors()[:10])
        raise PermanentItemError("schema_violation", problems) from exc


def build_article(normalised: NormalisedItem, now: datetime) -> Article:
    verdict = categorise(normalised)
    fields = normalised.model_dump(exclude={"feed_tags"})
    return Article(
        **fields,
        first_seen_at=now,
        last_seen_at=now,
        sort_at=normalised.published_at or now,
        category=verdict.primary,
        categories=verdict.scores,
        tags=verdict.tags,
    )


def ingest_item(item: FeedItem, repository: ArticleRepository, now: datetime) -> IngestResult:
    article = build_article(normalise_item(item, now=now), now)
    try:
        write = repository.save(article)
    except DocumentTooLarge as exc:
        raise PermanentItemError("oversize", str(exc)) from exc
    return IngestResult(write=write, category=article.category)
