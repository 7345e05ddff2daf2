"""Article cards: what every list shows of an article, with the other sources of its story (`alsoFrom`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from newsflow.api.views import ArticleCard
from newsflow.search.port import SearchDocument, SearchFilters, SearchHit, SearchIndex, SearchQuery

MEMBERS_LIMIT: Final = 1000
ALSO_FROM_MAX: Final = 20
HIGHLIGHT_NAMES: Final = {"summary": "description", "body": "content"}


def label(doc: SearchDocument) -> str | None:
    return doc.source_name or doc.source_domain


def also_from(doc: SearchDocument, members: Sequence[SearchDocument]) -> list[str]:
    """The other sources of the article's story (earliest first), then those of its verbatim copies."""
    own = {doc.source_id, doc.source_name, doc.source_domain} - {None}
    names = [n for m in members if m.id != doc.id and m.source_id != doc.source_id and (n := label(m)) is not None]
    names += doc.also_from
    return [n for n in dict.fromkeys(names) if n not in own][:ALSO_FROM_MAX]


class Cards:
    def __init__(self, index: SearchIndex) -> None:
        self._index = index

    def story_members(
        self, stories: Iterable[str], filters: SearchFilters | None = None
    ) -> dict[str, list[SearchDocument]]:
        """The articles of these stories (within `filters`), oldest first: a story's first member is its earliest."""
        wanted = sorted(set(stories))
        if not wanted:
            return {}
        result = self._index.search(
            SearchQuery(
                filters=(filters or SearchFilters()).model_copy(update={"story_ids": wanted}),
                sort_by="publishedAt",
                reverse=True,
                size=MEMBERS_LIMIT,
                count=False,
            )
        )
        members: dict[str, list[SearchDocument]] = {}
        for hit in result.hits:
            if hit.document.story_id:
                members.setdefault(hit.document.story_id, []).append(hit.document)
        return members

    def of_hits(self, hits: Sequence[SearchHit]) -> list[ArticleCard]:
        members = self.story_members(h.document.story_id for h in hits if h.document.story_id)
        cards = []
        for hit in hits:
            doc = hit.document
            card = ArticleCard.of_document(doc, also_from(doc, members.get(doc.story_id or "", [])))
            if hit.highlights:
                card.highlights = {HIGHLIGHT_NAMES.get(k, k): v for k, v in hit.highlights.items()}
            cards.append(card)
        return cards
