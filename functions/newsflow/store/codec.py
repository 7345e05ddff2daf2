"""Article <-> DynamoDB item.

The full article travels as one zlib-compressed JSON attribute (`doc`), which keeps even long bodies far
below DynamoDB's 400 KB item limit and avoids float/Decimal conversions. Only what a key, a GSI or a
condition needs is written in the clear: the keys, the GSI keys and `version` (the conditional update's
check). DynamoDB bills a write per started 1 KB of the item, attribute names included, so every attribute
in the clear is paid for on every write: a median samples/ article was 1.6 KB (2 WRU) with the title, URL,
dates, category, hash and source repeated beside the document, and is < 1 KB (1 WRU) without them. The id and
sort time are readable from the keys (`article_keys`).

The document is compressed with a preset dictionary (`DOC_DICTIONARY`: an article's JSON field names in
dump order, with their usual values): on short documents zlib otherwise spends ~250 bytes spelling the field
names out once. The dictionary is part of the stored format and must never change: a stream names its
dictionary by checksum, so a future one is added beside it, and documents written without one (before)
decompress as they are.
"""

from __future__ import annotations

import base64
import json
import zlib
from datetime import UTC, datetime
from typing import Any

from newsflow.models import Article
from newsflow.store import keys

# Frozen: documents written with it can only be read with it (see the module docstring).
DOC_DICTIONARY = (
    b'{"id":"","url":"https://www.","original_url":"https://www.","guid":"","title":"","summary":"",'
    b'"body_text":"","body_html":"<p></p>","authors":[],"language":"en","image_url":null,"media":[],'
    b'"body_source":"feed","body_source_reason":null,"source_name":"","source_domain":"","feed_id":null,'
    b'"published_at":"2026-01-01T00:00:00Z","updated_at":null,"first_seen_at":"2026-01-01T00:00:00.000000Z",'
    b'"last_seen_at":"2026-01-01T00:00:00.000000Z","sort_at":"2026-01-01T00:00:00Z","category":"",'
    b'"categories":[{"slug":"","score":1.0}],"tags":[],"word_count":0,"reading_time_minutes":1,'
    b'"content_hash":"","story_id":null,"also_from":[],"duplicate_urls":[],"version":1,"extra":{}}'
)

# Compressed documents above this are refused before DynamoDB would (400 KB item limit, minus headroom).
MAX_DOC_BYTES = 350 * 1024


class DocumentTooLarge(ValueError):
    pass


def article_to_item(article: Article) -> dict[str, Any]:
    """Plain-Python item (str / int / bytes values) ready for the DynamoDB serializer."""
    doc = compress_doc(article.model_dump_json().encode("utf-8"))
    if len(doc) > MAX_DOC_BYTES:
        raise DocumentTooLarge(f"compressed article is {len(doc)} bytes (limit {MAX_DOC_BYTES})")
    sort_key = keys.time_sort_key(article.sort_at, article.id)
    item: dict[str, Any] = {
        "pk": keys.article_pk(article.id),
        "sk": keys.ARTICLE_SK,
        "version": article.version,
        "doc": doc,
        "gsi1pk": keys.category_pk(article.category),
        "gsi1sk": sort_key,
    }
    return item


def contender_to_item(article: Article, clock: str) -> dict[str, Any]:
    """The contender record of an article (keys.contender_pk): the copy, and its clock for the conditional write."""
    doc = compress_doc(article.model_dump_json().encode("utf-8"))
    return {"pk": keys.contender_pk(article.id), "sk": keys.CONTENDER_SK, "clock": clock, "doc": doc}


def compress_doc(raw: bytes) -> bytes:
    compressor = zlib.compressobj(level=9, zdict=DOC_DICTIONARY)
    return compressor.compress(raw) + compressor.flush()


def decompress_doc(doc: bytes) -> bytes:
    # A stream without a dictionary (written before DOC_DICTIONARY) ignores it.
    decompressor = zlib.decompressobj(zdict=DOC_DICTIONARY)
    return decompressor.decompress(doc) + decompressor.flush()


def article_keys(item: dict[str, Any]) -> tuple[str, datetime, int]:
    """An article item's id, sort time and version from its keys, without opening the document (the id and
    sort time were clear attributes before: read them when the keys do not carry them)."""
    article_id = str(item["pk"]).removeprefix("ART#")
    if "gsi1sk" in item:
        sort_at = datetime.strptime(str(item["gsi1sk"]).split("#", 1)[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    else:
        sort_at = datetime.fromisoformat(str(item["sort_at"]))
    return article_id, sort_at, int(item["version"])


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
    raw = json.loads(decompress_doc(as_bytes(item["doc"])))
    return Article.model_validate(raw)
