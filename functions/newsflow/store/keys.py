"""The single-table key layout. Every key newsflow writes is built here and nowhere else.

| item            | pk                  | sk             | gsi1 (category) |
|-----------------|---------------------|----------------|-----------------|
| article         | ART#<id>            | ARTICLE        | CAT#<primary>   |
| body-hash key   | HASH#<content_hash> | HASH           |                 |
| guid key        | GUID#<hash>         | GUID           |                 |
| URL key         | URL#<hash>          | URL            |                 |
| contender       | ALT#<id>            | CONTENDER      |                 |
| category marker | CATEGORIES          | <slug>         |                 |
| feed            | FEEDS               | FEED#<feed_id> |                 |

The GSI sort key is `<sort_at ISO-8601 UTC>#<id>`, so "newest first" is a descending query and ties are
broken by id (stable paging). "Latest across all" is a k-way merge of the category partitions (the same sort
key in every partition, each article in one): the CATEGORIES partition lists the categories ever stored. A
month-sharded "latest" GSI did this before at one more index write per article. The GSI projects keys only
(`constants.GSI_PROJECTION`): its one reader, the listings' table fallback, reads the page's articles from
the table with BatchGetItem. There is no by-source index: nothing queried it (the search index filters by
source), and it cost a GSI write per article.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

ARTICLE_SK = "ARTICLE"
HASH_SK = "HASH"
GUID_SK = "GUID"
URL_SK = "URL"
CONTENDER_SK = "CONTENDER"
CATEGORIES_PK = "CATEGORIES"
FEEDS_PK = "FEEDS"


def article_pk(article_id: str) -> str:
    return f"ART#{article_id}"


def hash_pk(content_hash: str) -> str:
    return f"HASH#{content_hash}"


def guid_pk(source: str, guid: str) -> str:
    # Hashed: guids can be long URLs, and only equality matters.
    return "GUID#" + hashlib.sha256(f"{source}\n{guid}".encode()).hexdigest()[:32]


def url_pk(url: str) -> str:
    # A guid-less item's URL recorded on another source's article (the publisher's original sighted on a
    # syndicator's copy stored before it): its later versions at that URL find the article by it.
    return "URL#" + hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def contender_pk(article_id: str) -> str:
    # The copy of an article that lost to its stored version on sighting time alone (store/ordering.py): not
    # under ART#, so neither the stream's index filter nor the table scans see it as an article.
    return f"ALT#{article_id}"


def feed_sk(feed_id: str) -> str:
    return f"FEED#{feed_id}"


def category_pk(slug: str) -> str:
    return f"CAT#{slug}"


def month_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def time_sort_key(moment: datetime, article_id: str) -> str:
    # Fixed-width ISO format (microseconds, 'Z') so lexical order is time order.
    return f"{moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{article_id}"
