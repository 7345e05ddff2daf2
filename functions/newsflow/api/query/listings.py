"""Article lists, search and month archives, with keyset paging (see `newsflow.api.cursor`).

Relevancy walks read one snapshot of the index from the first page to the last (a shared tantivy pin, an
OpenSearch point in time): `search_after` on (score, sortAt, id) within it, so a walk can neither repeat nor
skip what matched at its first page, whatever else is searched or indexed meanwhile. The snapshot is released
when the walk ends (the page without `nextCursor`); an abandoned walk's snapshot expires after its keep-alive,
and a cursor that outlived it is answered 410 `cursorExpired` (never silently the live index).
"""

from __future__ import annotations

import re
from typing import Any, Final

from newsflow.api.cursor import CursorState, decode_cursor, encode_cursor, query_hash
from newsflow.api.errors import ApiError, bad_request
from newsflow.api.params import FilterParams, SearchParams
from newsflow.api.query.cards import MEMBERS_LIMIT, Cards
from newsflow.api.views import ArticleCard, ListResponse, SearchResponse
from newsflow.observability import logger
from newsflow.search.port import SearchDocument, SearchFilters, SearchHit, SearchIndex, SearchQuery, SnapshotExpired
from newsflow.store.ports import ArticleRepository, CursorError

COLLAPSE_BATCH: Final = 3  # collapse=story reads this many candidates per article shown ...
COLLAPSE_ROUNDS: Final = 4  # ... for at most this many rounds, then returns a shorter page with a cursor
# Cursors of the degraded table listing start with this, so the next page goes back to the table.
TABLE_CURSOR_PREFIX: Final = "t."
_PREFIX_WILDCARD: Final = re.compile(r"\w\*")


def cursor_expired() -> ApiError:
    return ApiError(
        410,
        "cursorExpired",
        "this search's snapshot has expired (5 minutes without a page, or the service restarted): "
        "run the search again without cursor",
        "cursor",
    )


def _table_servable(params: FilterParams) -> bool:
    """The table's GSIs serve newest-first listings filtered by (primary) category only."""
    others = params.model_dump(exclude={"category", "page_size", "cursor", "fields"}, exclude_defaults=True)
    return not others


def search_filters(params: FilterParams) -> SearchFilters:
    if params.from_ is not None and params.to is not None and params.from_ >= params.to:
        raise bad_request("'from' must be before 'to'", "from")
    return SearchFilters(
        category=params.category,
        source_ids=params.source_list(),
        source_domains=params.domain_list(),
        exclude_domains=params.excluded_domain_list(),
        language=params.language,
        published_from=params.from_,
        published_to=params.to,
        tags=params.tag_list(),
    )


class Listings:
    def __init__(self, articles: ArticleRepository, index: SearchIndex, cards: Cards) -> None:
        self._articles = articles
        self._index = index
        self._cards = cards

    def list_articles(self, params: FilterParams, extra: dict[str, Any] | None = None) -> ListResponse:
        """Newest first, any filters; `extra` adds fixed filters (archives) to the query and its cursor.

        When the search index fails, the plain "latest" and section pages (no filter but `category`) are
        served from the table's GSIs instead: a news site's front and section pages stay up.
        """
        if params.cursor and params.cursor.startswith(TABLE_CURSOR_PREFIX):
            return self._from_table(params)
        try:
            return self._list_from_index(params, extra)
        except ApiError:
            raise
        except Exception:
            if extra or not _table_servable(params):
                raise
            logger.exception("search index failed: serving the listing from the table")
            return self._from_table(params)

    def _from_table(self, params: FilterParams) -> ListResponse:
        """Degraded listing from DynamoDB: newest first by *primary* category, or across all (month shards)."""
        if not _table_servable(params):
            raise bad_request("this cursor only continues a plain latest/category listing", "cursor", "cursorInvalid")
        cursor = params.cursor.removeprefix(TABLE_CURSOR_PREFIX) if params.cursor else None
        try:
            if params.category:
                page = self._articles.list_by_category(params.category, params.page_size, cursor)
            else:
                page = self._articles.list_latest(params.page_size, cursor)
        except CursorError as error:
            raise bad_request(str(error), "cursor", code="cursorInvalid") from error
        cards = [ArticleCard.of_document(SearchDocument.from_article(a), list(a.also_from)) for a in page.articles]
        return _only_fields(
            ListResponse(
                total_results=len(cards),
                total_relation="gte",  # the table has no cheap count: at least what is shown
                articles=cards,
                next_cursor=TABLE_CURSOR_PREFIX + page.next_cursor if page.next_cursor else None,
            ),
            params,
        )

    def _list_from_index(self, params: FilterParams, extra: dict[str, Any] | None) -> ListResponse:
        filters = search_filters(params)
        if extra:
            filters = filters.model_copy(update=extra)
        query = SearchQuery(filters=filters, sort_by="publishedAt", facets=[])
        kind = "articles"
        digest = query_hash(kind, {**_hashable(params), **{k: str(v) for k, v in (extra or {}).items()}})
        return _only_fields(self._page(query, params, kind, digest, ListResponse), params)

    def search(self, params: SearchParams) -> SearchResponse:
        if _PREFIX_WILDCARD.search(params.q):
            raise bad_request(
                "prefix wildcards (such as energ*) are not supported: search whole words; "
                "words are stemmed, so energy also finds energies",
                "q",
            )
        query = SearchQuery(
            text=params.q,
            search_in=params.search_fields(),
            filters=search_filters(params),
            sort_by=params.sort_by,
            highlight=params.highlight,
            facets=params.facet_list(),
            facet_size=params.facet_size,
        )
        digest = query_hash("search", _hashable(params))
        response: SearchResponse = self._page(query, params, "search", digest, SearchResponse)
        return _only_fields(response, params)

    def _page(
        self,
        query: SearchQuery,
        params: FilterParams,
        kind: str,
        digest: str,
        response: type[ListResponse],
    ) -> Any:
        state = decode_cursor(params.cursor, kind, digest) if params.cursor else None
        relevancy = query.sort_by == "relevancy" and bool(query.text.strip())
        size = params.page_size
        fetch = min(size * COLLAPSE_BATCH, 300) if params.collapse == "story" else size
        query = query.model_copy(
            update={
                "size": fetch,
                "search_after": state.sort if state else None,
                "offset": state.offset if state else 0,
                "snapshot": state.snapshot if state else None,
                "keep_snapshot": relevancy,
            }
        )
        members: dict[str, list[SearchDocument]] = {}  # stories' window members, read once for the page
        try:
            result = self._index.search(query)
            passed = state.offset if state else 0
            if params.collapse == "story":
                hits, examined, last, exhausted = self._collapsed(
                    query, result.hits, size, fetch, result.snapshot, members
                )
            else:
                hits = result.hits[:size]
                examined = len(hits)
                last = hits[-1] if hits else None
                exhausted = len(result.hits) < fetch or passed + examined >= result.total
        except SnapshotExpired as error:
            raise cursor_expired() from error
        snapshot = result.snapshot if relevancy else None
        next_cursor = None
        if last is not None and not exhausted:
            next_cursor = encode_cursor(
                kind, digest, CursorState(sort=last.sort, offset=passed + examined, snapshot=snapshot)
            )
        elif snapshot:
            self._index.release_snapshot(snapshot)  # the walk is over
        body: dict[str, Any] = {
            "total_results": result.total,
            "total_relation": result.total_relation,
            "articles": self._cards.of_hits(hits, members),
            "next_cursor": next_cursor,
        }
        if response is SearchResponse:
            body["facets"] = result.facets or None
            if query.facets:
                body["facets_other"] = {name: result.facet_other.get(name, 0) for name in query.facets}
                body["facets_truncated"] = {name: result.facet_other.get(name, 0) > 0 for name in query.facets}
        return response(**body)

    def _collapsed(
        self,
        query: SearchQuery,
        first: list[SearchHit],
        size: int,
        fetch: int,
        snapshot: str | None,
        members: dict[str, list[SearchDocument]],
    ) -> tuple[list[SearchHit], int, SearchHit | None, bool]:
        """One article per story: an article is shown when it is its story's first in this ordering. With the
        story window: only the members within their story's window count as the story; one past it stands alone
        (shown, and hiding nothing). `members` collects the stories' window members read on the way.

        Returns (hits to show, candidates examined, last candidate examined, no more candidates).
        """
        kept: list[SearchHit] = []
        examined = 0
        last: SearchHit | None = None
        batch = first
        for _ in range(COLLAPSE_ROUNDS):
            self._cards.with_members((h.document for h in batch), members)
            stories = {h.document.story_id for h in batch if h.document.story_id and self._in_story(h, members)}
            firsts = self._story_firsts(query, stories, snapshot, members)
            for hit in batch:
                examined += 1
                last = hit
                story = hit.document.story_id
                if story is None or not self._in_story(hit, members) or firsts.get(story, hit.id) == hit.id:
                    kept.append(hit)
                if len(kept) == size:
                    return kept, examined, last, False
            if len(batch) < fetch or last is None:
                return kept, examined, last, True
            batch = self._index.search(
                query.model_copy(
                    update={
                        "search_after": last.sort,
                        "offset": query.offset + examined,  # tantivy pages a relevancy snapshot by offset
                        "snapshot": snapshot,
                        "keep_snapshot": False,
                        "count": False,
                    }
                )
            ).hits
        return kept, examined, last, not batch

    def _in_story(self, hit: SearchHit, members: dict[str, list[SearchDocument]]) -> bool:
        return bool(self._cards.members_of(hit.document, members))

    def _story_firsts(
        self, query: SearchQuery, stories: set[str], snapshot: str | None, members: dict[str, list[SearchDocument]]
    ) -> dict[str, str]:
        """story id -> id of its first article (within the story's window) in the query's ordering."""
        if not stories:
            return {}
        restricted = query.model_copy(
            update={
                "filters": query.filters.model_copy(update={"story_ids": sorted(stories)}),
                "size": MEMBERS_LIMIT,
                "search_after": None,
                "offset": 0,
                "snapshot": snapshot,
                "keep_snapshot": False,
                "count": False,
                "facets": [],
                "highlight": False,
            }
        )
        firsts: dict[str, str] = {}
        for hit in self._index.search(restricted).hits:
            story = hit.document.story_id
            if story and story not in firsts and self._in_story(hit, members):
                firsts[story] = hit.id
        return firsts


def _hashable(params: FilterParams) -> dict[str, Any]:
    return params.model_dump(exclude={"cursor", "page_size", "highlight", "facets", "facet_size", "fields"})


def _only_fields(response: Any, params: FilterParams) -> Any:
    """`fields=`: the cards keep only the chosen fields (and `id`)."""
    response.choose_fields(params.card_field_set())
    return response
