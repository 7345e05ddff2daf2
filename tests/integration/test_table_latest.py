"""The table fallback's "latest" listing: a k-way merge of the category partitions of gsi1 (no latest GSI).

What it must return is fixed by the month-sharded index it replaced: every article, newest first by
`<sort_at>#<id>` (ties by id, descending), each exactly once across the pages.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from newsflow import aws
from newsflow.models import Article
from newsflow.store import keys
from newsflow.store.codec import article_to_item
from newsflow.store.dynamo import DynamoArticleRepository, encode_cursor, serialize
from newsflow.store.ports import CursorError, WriteOutcome

T0 = datetime(2026, 9, 28, 23, 0, tzinfo=UTC)


def _article(n: int, category: str, sort_at: datetime) -> Article:
    article_id = hashlib.sha256(f"latest-{n}".encode()).hexdigest()[:32]
    return Article.model_validate(
        {
            "id": article_id,
            "url": f"https://news.example.com/{category}/{n}",
            "title": f"Article number {n} in {category}",
            "summary": "A summary.",
            "body_text": f"Body of article {n}.",
            "body_html": f"<p>Body of article {n}.</p>",
            "source_name": "Example News",
            "source_domain": "news.example.com",
            "category": category,
            "content_hash": hashlib.sha256(f"body-{n}".encode()).hexdigest(),
            "published_at": sort_at,
            "sort_at": sort_at,
            "first_seen_at": sort_at,
            "last_seen_at": sort_at,
        }
    )


@pytest.fixture
def stored(stack_env: Any) -> tuple[DynamoArticleRepository, list[Article]]:
    """40 articles in 5 categories (one outside the taxonomy), over three months, with tied sort times."""
    repository = DynamoArticleRepository(aws.dynamodb(), stack_env.table_name)
    categories = ["economy", "sport", "information-technology", "general", "retired-section"]
    articles = []
    for n in range(40):
        # Every third article shares its time with the one before (ties are broken by id); months change.
        step = n - n // 3
        moment = T0 + timedelta(hours=17 * step)
        article = _article(n, categories[(n * 7) % len(categories)], moment)
        assert repository.save(article).outcome is WriteOutcome.CREATED
        articles.append(article)
    return repository, articles


def _newest_first(articles: list[Article]) -> list[str]:
    return [a.id for a in sorted(articles, key=lambda a: keys.time_sort_key(a.sort_at, a.id), reverse=True)]


def _walk(repository: DynamoArticleRepository, size: int, cursor: str | None = None) -> list[list[str]]:
    pages = []
    while True:
        page = repository.list_latest(size, cursor)
        pages.append([a.id for a in page.articles])
        cursor = page.next_cursor
        if cursor is None:
            return pages


@pytest.mark.parametrize("size", [1, 3, 7, 40, 100])
def test_pages_of_latest_are_every_article_newest_first_once(
    stored: tuple[DynamoArticleRepository, list[Article]], size: int
) -> None:
    repository, articles = stored
    # When the latest listing is paged to its end
    pages = _walk(repository, size)
    # Then the pages hold every article once, newest first across categories and months, ties by id
    assert [i for page in pages for i in page] == _newest_first(articles)
    # And every page is full but the last, which is not empty (no trailing empty page)
    assert all(len(page) == size for page in pages[:-1])
    assert 0 < len(pages[-1]) <= size


def test_a_category_outside_the_taxonomy_is_listed_through_its_marker(
    stored: tuple[DynamoArticleRepository, list[Article]],
) -> None:
    repository, articles = stored
    # Given articles filed under a category the taxonomy does not have (a retired section)
    retired = [a.id for a in articles if a.category == "retired-section"]
    assert retired
    # Then its marker was written when the first of them was stored, and the listing includes them
    markers = aws.dynamodb().query(
        TableName=repository._table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.CATEGORIES_PK}},
    )["Items"]
    assert {m["sk"]["S"] for m in markers} == {a.category for a in articles}
    listed = [i for page in _walk(repository, 10) for i in page]
    assert set(retired) <= set(listed)


def test_articles_stored_before_the_markers_are_listed_by_their_taxonomy_category(stack_env: Any) -> None:
    # Given articles written with no category marker (stored before markers existed), in taxonomy categories
    client = aws.dynamodb()
    old = [_article(n, "economy" if n % 2 else "general", T0 - timedelta(days=n)) for n in range(4)]
    for article in old:
        client.put_item(TableName=stack_env.table_name, Item=serialize(article_to_item(article)))
    repository = DynamoArticleRepository(client, stack_env.table_name)
    # Then the latest listing finds them
    assert [i for page in _walk(repository, 3) for i in page] == _newest_first(old)


def test_a_cursor_of_the_month_sharded_index_continues_where_it_stopped(
    stored: tuple[DynamoArticleRepository, list[Article]],
) -> None:
    repository, articles = stored
    expected = _newest_first(articles)
    by_id = {a.id: a for a in articles}
    # Given a cursor the replaced index handed out after the 5th article (its last key)
    fifth = by_id[expected[4]]
    sort_key = keys.time_sort_key(fifth.sort_at, fifth.id)
    old_key = {"pk": f"ART#{fifth.id}", "sk": "ARTICLE", "gsi2pk": f"LATEST#{sort_key[:7]}", "gsi2sk": sort_key}
    pages = _walk(repository, 6, encode_cursor({"m": sort_key[:7], "k": old_key}))
    # Then the listing continues after it
    assert [i for page in pages for i in page] == expected[5:]
    # And a month cursor (the top of a month) continues with that month's newest article
    oldest_month = keys.time_sort_key(by_id[expected[-1]].sort_at, "x")[:7]
    pages = _walk(repository, 50, encode_cursor({"m": oldest_month, "k": None}))
    assert [i for page in pages for i in page] == [
        i for i in expected if keys.time_sort_key(by_id[i].sort_at, i)[:7] <= oldest_month
    ]


@pytest.mark.parametrize(
    "payload",
    [
        {"s": "not a sort key"},
        {"s": 5},
        {"s": "2026-11-20T12:00:00.000000Z#abc", "extra": 1},
        {"m": "2026-11"},
        {"m": "November", "k": None},
        {"m": "2026-11", "k": {"gsi2sk": "bad"}},
        {"k": {"pk": "CAT#economy", "sk": "x", "gsi1pk": "CAT#economy", "gsi1sk": "y"}},
    ],
)
def test_a_cursor_that_is_not_a_latest_position_is_refused(
    stored: tuple[DynamoArticleRepository, list[Article]], payload: dict[str, Any]
) -> None:
    repository, _ = stored
    with pytest.raises(CursorError):
        repository.list_latest(5, encode_cursor(payload))
    with pytest.raises(CursorError):
        repository.list_latest(5, "%%%not-base64")


def test_category_listing_is_unchanged(stored: tuple[DynamoArticleRepository, list[Article]]) -> None:
    repository, articles = stored
    pages = []
    cursor = None
    while True:
        page = repository.list_by_category("economy", 2, cursor)
        pages.extend(a.id for a in page.articles)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == _newest_first([a for a in articles if a.category == "economy"])
