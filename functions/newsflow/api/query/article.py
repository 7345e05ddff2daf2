"""The article page's own read model: one article by id (the table is authoritative), its previous/next in
its primary category, and related posts from the index."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Final

from newsflow.api.errors import not_found
from newsflow.api.params import ArticleParams, RelatedParams
from newsflow.api.query.cards import Cards, also_from
from newsflow.api.views import ArticleDetail, ArticleResponse, ListResponse, Neighbour
from newsflow.search.port import SearchDocument, SearchFilters, SearchIndex, SearchQuery
from newsflow.search.query import STOP_WORDS, words_of
from newsflow.store.ports import ArticleRepository

RELATED_WORDS: Final = 12


def micros(value: datetime) -> int:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return (value - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


class ArticlePages:
    def __init__(self, articles: ArticleRepository, index: SearchIndex, cards: Cards) -> None:
        self._articles = articles
        self._index = index
        self._cards = cards

    def detail(self, article_id: str) -> ArticleDetail:
        article = self._articles.get(article_id)
        if article is None:
            raise not_found(f"no article with id '{article_id}'", "id")
        doc = SearchDocument.from_article(article)
        members = self._cards.story_members({doc.story_id} if doc.story_id else set())
        return ArticleDetail.of_article(
            article,
            also_from(doc, self._cards.members_of(doc, members)),
            previous=self.neighbour(doc, newer=False),
            following=self.neighbour(doc, newer=True),
        )

    def get_article(self, article_id: str, params: ArticleParams | None = None) -> ArticleResponse:
        body = self.detail(article_id).model_dump(mode="json", by_alias=True)
        chosen = params.field_set() if params else None
        if chosen is not None:
            body = {k: v for k, v in body.items() if k in chosen}
        return ArticleResponse(article=body)

    def neighbour(self, doc: SearchDocument, *, newer: bool) -> Neighbour | None:
        result = self._index.search(
            SearchQuery(
                filters=SearchFilters(primary_category=doc.category),
                sort_by="publishedAt",
                reverse=newer,
                search_after=[micros(doc.sort_at), doc.id],
                size=1,
                count=False,
            )
        )
        if not result.hits:
            return None
        found = result.hits[0].document
        return Neighbour(id=found.id, title=found.title, published_at=found.published_at)

    def related(self, article_id: str, params: RelatedParams, doc: SearchDocument | None = None) -> ListResponse:
        doc = doc or self._index.get(article_id)
        if doc is None:
            article = self._articles.get(article_id)
            if article is None:
                raise not_found(f"no article with id '{article_id}'", "id")
            doc = SearchDocument.from_article(article)
        words = [w for w in words_of(" ".join([doc.title, *doc.tags])) if w not in STOP_WORDS and len(w) > 2]
        words = list(dict.fromkeys(words))[:RELATED_WORDS]
        # Not its own story: the members within the story's window (one past the window stands alone, and so
        # does this article when it lies past its story's window: then only it is left out).
        members = self._cards.with_members([doc], {})
        own = [m.id for m in self._cards.members_of(doc, members) if m.id != doc.id]
        filters = SearchFilters(exclude_ids=[doc.id, *own])
        size = params.page_size
        fetch = min(size * 4, 100)
        if words:
            text = " OR ".join(words)
            # Titles first: the words come from the title and tags, and matching them in titles is cheap (short
            # postings) where every body holds some of them (an OR of 12 words over every body cost ~15 ms at
            # 100k articles). Only when titles give too few, the other text fields are searched as well.
            queries = [
                SearchQuery(text=text, search_in=["title"], filters=filters, size=fetch, count=False),
                SearchQuery(text=text, filters=filters, size=fetch, count=False),
            ]
        else:
            queries = [
                SearchQuery(
                    filters=filters.model_copy(update={"category": doc.category}),
                    sort_by="publishedAt",
                    size=fetch,
                    count=False,
                )
            ]
        seen: set[str] = set()
        hits = []
        for query in queries:
            found = self._index.search(query).hits
            # The window decides only between hits of one story id: read the members of those stories alone.
            counts = Counter(h.document.story_id for h in found)
            self._cards.with_members((h.document for h in found if counts[h.document.story_id] > 1), members)
            for hit in found:  # one per story: the best match stands for its story
                key = self._cards.window_key(hit.document, members)
                if key not in seen:
                    seen.add(key)
                    hits.append(hit)
                if len(hits) == size:
                    break
            if len(hits) == size:
                break
        return ListResponse(
            total_results=len(hits),
            total_relation="eq",
            articles=self._cards.of_hits(hits, members),
            next_cursor=None,
        )
