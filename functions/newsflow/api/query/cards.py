"""Article cards: what every list shows of an article, with the other sources of its story (`alsoFrom`).

The story window: a story's members are the articles within `span` (the `span_days` story setting, 7 days by
default) of its first article. Ingest no longer joins a story outside it; stories joined before that (one
spanned 18 months) are cut here, so a late article neither lends its source to the old story nor shows the
old story's sources: outside the window it stands alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Final

from newsflow.api.views import ArticleCard
from newsflow.search.port import SearchDocument, SearchFilters, SearchHit, SearchIndex, SearchQuery

MEMBERS_LIMIT: Final = 1000
ALSO_FROM_MAX: Final = 20
HIGHLIGHT_NAMES: Final = {"summary": "description", "body": "content"}
DEFAULT_SPAN: Final = timedelta(days=7)


def label(doc: SearchDocument) -> str | None:
    return doc.source_name or doc.source_domain


def also_from(doc: SearchDocument, members: Sequence[SearchDocument]) -> list[str]:
    """The other sources of the article's story (earliest first), then those of its verbatim copies."""
    own = {doc.source_id, doc.source_name, doc.source_domain} - {None}
    names = [n for m in members if m.id != doc.id and m.source_id != doc.source_id and (n := label(m)) is not None]
    names += doc.also_from
    return [n for n in dict.fromkeys(names) if n not in own][:ALSO_FROM_MAX]


def in_window(doc: SearchDocument, members: Sequence[SearchDocument], span: timedelta) -> bool:
    """Is `doc` within its story's window? `members` (oldest first) start with the story's first article."""
    return bool(members) and doc.sort_at - members[0].sort_at <= span


class Cards:
    def __init__(self, index: SearchIndex, span: timedelta = DEFAULT_SPAN) -> None:
        self._index = index
        self.span = span

    def story_members(
        self,
        stories: Iterable[str],
        filters: SearchFilters | None = None,
        starts: Mapping[str, datetime] | None = None,
    ) -> dict[str, list[SearchDocument]]:
        """The articles of these stories (within `filters`) that lie in the story window, oldest first: a
        story's first member is its earliest. `starts` gives stories' first-article times when `filters` may
        leave the first article out (a time window); otherwise the earliest member found is the start."""
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
            doc = hit.document
            if doc.story_id:
                group = members.setdefault(doc.story_id, [])
                start = (starts or {}).get(doc.story_id) or (group[0].sort_at if group else doc.sort_at)
                if doc.sort_at - start <= self.span:
                    group.append(doc)
        return {story: group for story, group in members.items() if group}

    def members_of(self, doc: SearchDocument, members: Mapping[str, list[SearchDocument]]) -> list[SearchDocument]:
        """Its story's members when `doc` is in its story's window, else none (it stands alone)."""
        group = members.get(doc.story_id or "", [])
        return group if in_window(doc, group, self.span) else []

    def with_members(
        self, docs: Iterable[SearchDocument], known: dict[str, list[SearchDocument]]
    ) -> dict[str, list[SearchDocument]]:
        """`known` (story -> its window's members, as `story_members` reads them) completed with the stories of
        `docs` it lacks; updated in place and returned."""
        missing = {d.story_id for d in docs if d.story_id and d.story_id not in known}
        if missing:
            found = self.story_members(missing)
            known.update(found)
            known.update((story, []) for story in missing - found.keys())
        return known

    def window_key(self, doc: SearchDocument, members: Mapping[str, list[SearchDocument]]) -> str:
        """What collapses stories, with the window: the story, or the article itself when it stands alone (no
        story, or past its story's window). A story whose members `members` lacks counts as indexed."""
        if doc.story_id is None or doc.story_id not in members:  # not read: the story as indexed
            return doc.story_key
        return doc.story_key if self.members_of(doc, members) else f"a:{doc.id}"

    def of_hits(
        self, hits: Sequence[SearchHit], members: dict[str, list[SearchDocument]] | None = None
    ) -> list[ArticleCard]:
        """The cards of these hits; `members` holds stories' members already read (the rest are read here)."""
        members = self.with_members((h.document for h in hits), dict(members or {}))
        cards = []
        for hit in hits:
            doc = hit.document
            card = ArticleCard.of_document(doc, also_from(doc, self.members_of(doc, members)))
            if hit.highlights:
                card.highlights = {HIGHLIGHT_NAMES.get(k, k): v for k, v in hit.highlights.items()}
            cards.append(card)
        return cards
