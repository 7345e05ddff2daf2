"""The article item: what DynamoDB stores (and bills per started KB) for one article."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

from newsflow.models import Article
from newsflow.store.codec import article_keys, article_to_item, item_to_article
from newsflow.store.dynamo import serialize

from benchmarks.cost_meter import item_size

SEEN = datetime(2026, 11, 20, 8, 15, 30, 123456, tzinfo=UTC)


def _article(**fields: object) -> Article:
    values: dict[str, object] = {
        "id": "0123456789abcdef0123456789abcdef",
        "url": "https://news.example.com/energy/opec-output-cut",
        "title": "OPEC+ agrees deeper oil output cut as crude prices slide",
        "summary": "Oil producers agreed to cut crude production by 1 million barrels a day.",
        "body_text": "OPEC+ ministers agreed on Thursday to cut oil output.\n\nBrent crude rose 3% after the decision.",
        "body_html": "<p>OPEC+ ministers agreed on Thursday to cut oil output.</p><p>Brent crude rose 3%.</p>",
        "source_name": "Example News",
        "source_domain": "news.example.com",
        "category": "energy-resources",
        "content_hash": "ab" * 32,
        "published_at": SEEN,
        "sort_at": SEEN,
        "first_seen_at": SEEN,
        "last_seen_at": SEEN,
    }
    return Article.model_validate({**values, **fields})


def test_the_item_holds_keys_gsi_keys_version_and_the_document_only() -> None:
    article = _article()
    item = article_to_item(article)
    # Only what a key, a GSI or the conditional update reads is in the clear; the rest is in the document
    assert set(item) == {"pk", "sk", "version", "doc", "gsi1pk", "gsi1sk"}
    assert item_to_article(item) == article
    # And a short article stays under the 1 KB a write unit covers
    assert item_size(serialize(item)) < 1024


def test_the_dictionary_shrinks_the_document_and_older_documents_still_read() -> None:
    article = _article()
    raw = article.model_dump_json().encode()
    written = article_to_item(article)["doc"]
    assert len(written) < len(zlib.compress(raw, 9)) - 150  # the field names cost next to nothing
    # A document written before the dictionary (plain zlib) decodes as it is
    old_item = {**article_to_item(article), "doc": zlib.compress(raw, 6)}
    assert item_to_article(old_item) == article


def test_id_sort_time_and_version_come_from_the_keys() -> None:
    article = _article(version=3)
    assert article_keys(article_to_item(article)) == (article.id, SEEN, 3)
    # An item written before the slimming (id and sort time in the clear, no GSI key) reads the same
    legacy = {"pk": "ART#x", "sk": "ARTICLE", "sort_at": SEEN.isoformat(), "version": 1}
    assert article_keys(legacy) == ("x", SEEN, 1)
