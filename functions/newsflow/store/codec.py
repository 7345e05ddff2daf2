"""Article <-> DynamoDB item.

The full article travels as one zlib-compressed JSON attribute (`doc`), which keeps even long bodies far
below DynamoDB's 400 KB item limit and avoids float/Decimal conversions. The attributes that queries,
GSIs and operators need are also written in the clear.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from newsflow.models import Article
from newsflow.store import keys

# Compressed documents above this are refused before DynamoDB would (400 KB item limit, minus headroom).
MAX_DOC_BYTES = 350 * 1024


class DocumentTooLarge(ValueError):
    pass


def article_to_item(article: Article) -> dict[str, Any]:
    """Plain-Python item (str / int / bytes values) ready for the DynamoDB serializer."""
    doc = zlib.compress(article.model_dump_json().encode("utf-8"), level=6)
    if len(doc) > MAX_DOC_BYTES:
        raise DocumentTooLarge(f"compressed article is {len(doc)} bytes (limit {MAX_DOC_BYTES})")
    sort_key = keys.time_sort_key(article.sort_at, article.id)
    item: dict[str, Any] = {
        "pk": keys.article_pk(article.id),
        "sk": keys.ARTICLE_SK,
        "id": article.id,
        "title": article.title[:1000],
        "category": article.category,
        "version": article.version,
        "content_hash": article.content_hash,
        "sort_at": article.sort_at.isoformat(),
        "first_seen_at": article.first_seen_at.isoformat(),
        "doc": doc,
        "gsi1pk": keys.category_pk(article.category),
        "gsi1sk": sort_key,
        "gsi2pk": keys.latest_pk(keys.month_of(article.sort_at)),
        "gsi2sk": sort_key,
    }
    if article.url:
        item["url"] = article.url
    if article.published_at:
        item["published_at"] = article.published_at.isoformat()
    if article.source_domain:
        item["source_domain"] = article.source_domain
    return item


def as_bytes(value: Any) -> bytes:
    # boto3's deserializer gives Binary objects; Powertools' stream records give base64 str or bytes.
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if hasattr(value, "value"):
        return bytes(value.value)
    if isinstance(value, str):
        return base64.b64decode(value)
    raise TypeError(f"unexpected doc attribute type {type(value).__name__}")


def item_to_article(item: dict[str, Any]) -> Article:
    raw = json.loads(zlib.decompress(as_bytes(item["doc"])))
    return Article.model_validate(raw)
