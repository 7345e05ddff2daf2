"""The query plan: one pure function (`plan_query`) turns a `SearchQuery` into what both adapters execute.

Everything that decides *which* documents match, how they are ranked and ordered, how they are paged,
faceted and highlighted is decided here, once, from plain data: the parsed text (`query.parse_query`, the
only reader of user text), the text fields and their boosts, the proximity bonus, the non-scoring filter
clauses, the ordering, the paging keys, the facet aggregations and the highlighted fields. The adapters
only *render* a plan: `opensearch_body` into query DSL, `tantivy_index` into tantivy query objects. Neither
hands user text to a query-language parser (tantivy's `parse_query`, OpenSearch `query_string`): words and
phrases reach them as leaves of the parsed tree, each analysed by the adapter's own analyzer.

Filter clauses name index fields that both adapters define (keyword fields, and the integer fields
`sort_at_us` and `source_total`); they restrict, never score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from newsflow.search.port import SearchFilters, SearchQuery, SortValue
from newsflow.search.query import (
    FACET_FIELDS,
    HIGHLIGHT_CHARS,
    MONTH_FACET_SIZE,
    PROXIMITY_FIELDS,
    TEXT_FIELD_BOOSTS,
    ParsedQuery,
    parse_query,
)

PUBLISHER_FACET_FACTOR: Final = 10  # the publisher facet lists name/domain spellings: 10 per source asked
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND: Final = timedelta(microseconds=1)


# ----------------------------------------------------------------------------------- filter clauses


@dataclass(frozen=True, slots=True)
class Term:
    """The keyword field holds this value."""

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class Terms:
    """The keyword field holds any of these values."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Range:
    """The integer field lies in [gte, lt); a missing side is open."""

    field: str
    gte: int | None = None
    lt: int | None = None


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one of the clauses holds."""

    clauses: tuple[Clause, ...]


Clause = Term | Terms | Range | AnyOf


# ------------------------------------------------------------------------------------------ the plan


@dataclass(frozen=True, slots=True)
class Facet:
    name: str  # the facet as the API names it
    field: str  # the keyword field it counts
    size: int  # values asked for (month: every month)


@dataclass(frozen=True, slots=True)
class QueryPlan:
    parsed: ParsedQuery
    fields: tuple[tuple[str, float], ...]  # text fields searched, with their boosts
    near_words: tuple[str, ...]  # the proximity bonus: these words close together ...
    near_fields: tuple[tuple[str, float], ...]  # ... in these fields (empty: no bonus)
    filters: tuple[Clause, ...]  # every one must hold
    excluded: tuple[Clause, ...]  # none may hold
    by_date: bool  # ordered by (sort_at_us, id), not by score
    ascending: bool  # by date, oldest first (the exact inverse order)
    reverse: bool  # oldest first whenever an adapter orders by date
    size: int
    offset: int
    search_after: tuple[SortValue, ...] | None
    snapshot: str | None  # a snapshot to read (relevancy only)
    keep_snapshot: bool  # open (or extend) a snapshot (relevancy only)
    count: bool
    facets: tuple[Facet, ...]
    facet_latest: bool
    highlights: tuple[tuple[str, int], ...]  # field -> snippet characters (empty: no highlighting)

    @property
    def scored(self) -> bool:
        return not self.by_date

    @property
    def pinned(self) -> bool:
        """Does this search read (or open) a snapshot?"""
        return self.scored and (self.snapshot is not None or self.keep_snapshot)


def epoch_micros(value: datetime) -> int:
    """Microseconds since the epoch (a naive datetime is taken as UTC): the exact sort and range key."""
    return ((value.replace(tzinfo=UTC) if value.tzinfo is None else value) - _EPOCH) // _ONE_MICROSECOND


def text_fields(search_in: Sequence[str] = ()) -> tuple[tuple[str, float], ...]:
    """The text fields to match (all when none or none known is chosen), with their boosts."""
    chosen = tuple((name, boost) for name, boost in TEXT_FIELD_BOOSTS.items() if not search_in or name in search_in)
    return chosen or tuple(TEXT_FIELD_BOOSTS.items())


def filter_clauses(f: SearchFilters) -> tuple[tuple[Clause, ...], tuple[Clause, ...]]:
    """(clauses that must hold, clauses that must not), in one fixed order."""
    must: list[Clause] = []
    must_not: list[Clause] = []
    if f.category:  # the primary or a secondary category
        must.append(AnyOf((Term("categories", f.category), Term("category", f.category))))
    if f.primary_category:
        must.append(Term("category", f.primary_category))
    if f.source_ids:
        must.append(Terms("source_id", tuple(f.source_ids)))
    if f.source_domains:
        must.append(Terms("source_domain", tuple(d.lower() for d in f.source_domains)))
    if f.language:
        must.append(Term("language", f.language))
    if f.published_from is not None or f.published_to is not None:
        must.append(
            Range(
                "sort_at_us",
                epoch_micros(f.published_from) if f.published_from is not None else None,
                epoch_micros(f.published_to) if f.published_to is not None else None,
            )
        )
    if f.story_ids:
        must.append(Terms("story_id", tuple(f.story_ids)))
    if f.story_keys:
        must.append(Terms("story_keys", tuple(f.story_keys)))
    if f.min_sources is not None:
        must.append(Range("source_total", f.min_sources, None))
    must.extend(Term("tags", tag) for tag in f.tags)
    if f.exclude_domains:
        must_not.append(Terms("source_domain", tuple(d.lower() for d in f.exclude_domains)))
    if f.exclude_ids:
        must_not.append(Terms("id", tuple(f.exclude_ids)))
    if f.exclude_story_id:
        must_not.append(Term("story_id", f.exclude_story_id))
    return tuple(must), tuple(must_not)


def facet_plan(name: str, facet_size: int) -> Facet:
    if name == "month":
        return Facet(name, FACET_FIELDS[name], MONTH_FACET_SIZE)
    return Facet(name, FACET_FIELDS[name], facet_size * (PUBLISHER_FACET_FACTOR if name == "publisher" else 1))


def plan_query(query: SearchQuery, parsed: ParsedQuery | None = None) -> QueryPlan:
    """The plan of a search. `parsed` skips parsing `query.text` again when the caller already did."""
    parsed = parse_query(query.text) if parsed is None else parsed
    fields = text_fields(query.search_in)
    near_fields = tuple((name, boost) for name, boost in fields if name in PROXIMITY_FIELDS)
    near_words = parsed.proximity_words() if near_fields else ()
    must, must_not = filter_clauses(query.filters)
    by_date = query.sort_by == "publishedAt" or not parsed.scores
    highlights = (
        tuple((name, HIGHLIGHT_CHARS[name]) for name, _ in fields)
        if query.highlight and parsed.root is not None
        else ()
    )
    return QueryPlan(
        parsed=parsed,
        fields=fields,
        near_words=near_words,
        near_fields=near_fields if near_words else (),
        filters=must,
        excluded=must_not,
        by_date=by_date,
        ascending=by_date and query.reverse,
        reverse=query.reverse,
        size=query.size,
        offset=query.offset,
        search_after=tuple(query.search_after) if query.search_after else None,
        snapshot=None if by_date else query.snapshot,
        keep_snapshot=not by_date and query.keep_snapshot,
        count=query.count,
        facets=tuple(facet_plan(name, query.facet_size) for name in query.facets),
        facet_latest=query.facet_latest,
        highlights=highlights,
    )
