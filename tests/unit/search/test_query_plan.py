"""The query plan: one pure function turns a SearchQuery into what both adapters execute."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import newsflow.search.opensearch_body as opensearch_body
import newsflow.search.plan as plan_module
import newsflow.search.tantivy_index as tantivy_index
import newsflow.search.tantivy_query as tantivy_query
from newsflow.search.opensearch_body import render_clause, render_search
from newsflow.search.plan import AnyOf, Range, Term, Terms, plan_query
from newsflow.search.port import SearchDocument, SearchFilters, SearchQuery
from newsflow.search.query import MONTH_FACET_SIZE, And, Phrase, Word
from newsflow.search.tantivy_index import TantivyIndex

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_filters_become_clauses_in_one_fixed_order() -> None:
    # Given every filter at once
    filters = SearchFilters(
        category="economy",
        primary_category="markets",
        source_ids=["reuters"],
        source_domains=["Reuters.COM"],
        exclude_domains=["Spam.example"],
        language="en",
        published_from=datetime(2026, 1, 1),  # naive: taken as UTC
        published_to=datetime(2026, 2, 1, tzinfo=UTC),
        story_ids=["s1", "s2"],
        exclude_ids=["a1"],
        exclude_story_id="s9",
        story_keys=["k1"],
        tags=["oil", "opec"],
        min_sources=2,
    )
    # When planned
    plan = plan_query(SearchQuery(filters=filters))
    # Then each becomes one clause on an index field both adapters define; domains are lower-cased and the
    # time window is the exact microsecond sort key, [from, to)
    assert plan.filters == (
        AnyOf((Term("categories", "economy"), Term("category", "economy"))),
        Term("category", "markets"),
        Terms("source_id", ("reuters",)),
        Terms("source_domain", ("reuters.com",)),
        Term("language", "en"),
        Range("sort_at_us", 1_767_225_600_000_000, 1_769_904_000_000_000),
        Terms("story_id", ("s1", "s2")),
        Terms("story_keys", ("k1",)),
        Range("source_total", 2, None),
        Term("tags", "oil"),
        Term("tags", "opec"),
    )
    assert plan.excluded == (
        Terms("source_domain", ("spam.example",)),
        Terms("id", ("a1",)),
        Term("story_id", "s9"),
    )


def test_the_text_reaches_the_plan_only_as_a_parsed_tree() -> None:
    plan = plan_query(SearchQuery(text='title:oil "interest rates"'))
    # a field prefix is not syntax: "title:oil" is the phrase of its two words
    assert plan.parsed.root == And(
        (Phrase("title:oil", ("title", "oil")), Phrase("interest rates", ("interest", "rates")))
    )
    plan = plan_query(SearchQuery(text="oil prices"))
    assert plan.parsed.root == And((Word("oil"), Word("prices")))
    assert plan.near_words == ("oil", "prices")
    assert plan.near_fields == (("title", 3.0), ("summary", 1.5))


def test_fields_boosts_proximity_and_highlights_follow_search_in() -> None:
    plan = plan_query(SearchQuery(text="oil prices", search_in=["body"], highlight=True))
    assert plan.fields == (("body", 1.0),)
    assert plan.near_words == ()
    assert plan.near_fields == ()
    assert plan.highlights == (("body", 200),)
    assert plan_query(SearchQuery(text="oil", highlight=True)).highlights == (
        ("title", 300),
        ("summary", 240),
        ("body", 200),
    )
    assert plan_query(SearchQuery(text="", highlight=True)).highlights == ()  # nothing to mark


def test_ordering_paging_and_snapshots() -> None:
    scored = plan_query(SearchQuery(text="oil", keep_snapshot=True, snapshot="e.1", reverse=True))
    assert (scored.by_date, scored.ascending, scored.pinned, scored.snapshot) == (False, False, True, "e.1")
    by_date = plan_query(SearchQuery(text="oil", sort_by="publishedAt", reverse=True, snapshot="e.1"))
    assert (by_date.by_date, by_date.ascending, by_date.pinned, by_date.snapshot) == (True, True, False, None)
    only_exclusions = plan_query(SearchQuery(text="-crypto", keep_snapshot=True))
    assert only_exclusions.by_date
    assert not only_exclusions.pinned
    after = plan_query(SearchQuery(text="oil", search_after=[1.5, 9, "a"], offset=40, size=5))
    assert (after.search_after, after.offset, after.size) == ((1.5, 9, "a"), 40, 5)


def test_facet_sizes() -> None:
    plan = plan_query(SearchQuery(facets=["category", "publisher", "month"], facet_size=7, facet_latest=True))
    assert [(f.name, f.field, f.size) for f in plan.facets] == [
        ("category", "categories", 7),
        ("publisher", "publisher", 70),
        ("month", "month", MONTH_FACET_SIZE),
    ]
    assert plan.facet_latest


def test_the_opensearch_body_is_the_rendered_plan() -> None:
    query = SearchQuery(
        text="oil prices",
        filters=SearchFilters(category="economy", exclude_ids=["a1"], min_sources=2),
        facets=["month"],
        highlight=True,
    )
    plan = plan_query(query)
    body = render_search(plan)
    assert body == opensearch_body.build_search_body(query)
    assert body["query"]["bool"]["filter"] == [render_clause(c) for c in plan.filters]
    assert body["query"]["bool"]["must_not"] == [{"ids": {"values": ["a1"]}}]
    assert body["query"]["bool"]["filter"][1] == {"range": {"source_total": {"gte": 2}}}


def test_tantivy_executes_the_same_plan(tmp_path: Path) -> None:
    # Given articles where a category is primary for one and secondary for another
    docs = [
        SearchDocument(id="p", title="Oil prices rise", category="economy", sort_at=T0),
        SearchDocument(id="s", title="Oil prices fall", category="tech", categories=["tech", "economy"], sort_at=T0),
        SearchDocument(id="o", title="Oil prices flat", category="tech", sort_at=T0),
    ]
    with TantivyIndex(tmp_path) as index:
        assert index.upsert(docs) == []
        result = index.search(SearchQuery(text="oil prices", filters=SearchFilters(category="economy")))
        # Then the AnyOf(categories, category) clause finds both, as OpenSearch's bool/should does
        assert sorted(h.id for h in result.hits) == ["p", "s"]


def test_tantivy_never_hands_user_text_to_its_query_parser(tmp_path: Path) -> None:
    # Given a document with "secret" in its title and one with the words "title secret" in its body
    docs = [
        SearchDocument(id="t", title="Secret", category="economy", sort_at=T0),
        SearchDocument(id="b", title="Notes", body="the title secret is out", category="economy", sort_at=T0),
        SearchDocument(id="x", title="Other", body="nothing here", category="economy", sort_at=T0),
    ]
    with TantivyIndex(tmp_path) as index:
        assert index.upsert(docs) == []
        # When searched with tantivy query syntax
        # Then it is words: a field prefix is no field, a range matches nothing, a boost is the word "100"
        assert [h.id for h in index.search(SearchQuery(text="title:secret")).hits] == ["b"]
        assert index.search(SearchQuery(text="body:[* TO *]")).hits == []
        assert index.search(SearchQuery(text="secret^100")).hits == []  # the phrase "secret 100" is nowhere
        assert sorted(h.id for h in index.search(SearchQuery(text="secret")).hits) == ["b", "t"]
    # And no module that builds queries calls a query-language parser at all
    for module in (tantivy_index, tantivy_query, plan_module, opensearch_body):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        called = {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
        assert not called & {"parse_query", "parse_query_lenient"}, module.__name__
