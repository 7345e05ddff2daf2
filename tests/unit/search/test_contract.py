"""One contract for every `SearchIndex` adapter.

tantivy always runs (on tmp_path). OpenSearch runs when OPENSEARCH_URL points at a cluster
(e.g. OPENSEARCH_URL=http://localhost:9200); each test gets its own throw-away index.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from newsflow.search.port import SearchDocument, SearchFilters, SearchIndex, SearchQuery

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_doc(doc_id: str, title: str, *, hours_ago: float = 0, **fields: Any) -> SearchDocument:
    fields.setdefault("category", "economy")
    return SearchDocument(id=doc_id, title=title, sort_at=T0 - timedelta(hours=hours_ago), **fields)


@pytest.fixture(params=["tantivy", "opensearch"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    if request.param == "tantivy":
        from newsflow.search.tantivy_index import TantivyIndex

        with TantivyIndex(tmp_path / "index") as tantivy_index:
            yield tantivy_index
        return
    url = os.environ.get("OPENSEARCH_URL")
    if not url:
        pytest.skip("OpenSearch contract: set OPENSEARCH_URL (e.g. http://localhost:9200) to run it")
    from newsflow.search.opensearch_index import OpenSearchIndex

    os_index = OpenSearchIndex(url, f"newsflow-contract-{uuid.uuid4().hex[:12]}", refresh="true")
    os_index.ensure_index()
    try:
        yield os_index
    finally:
        os_index.delete_index()


def ids(index: SearchIndex, text: str = "", **kwargs: Any) -> list[str]:
    return [hit.id for hit in index.search(SearchQuery(text=text, **kwargs)).hits]


CORPUS = [
    make_doc(
        "bank-1",
        "Banking crisis deepens in Europe",
        summary="Regional lenders under pressure",
        body="Several banks saw deposits flee as the interest rates climbed.",
        category="banking-finance",
        categories=["banking-finance", "economy"],
        source_domain="reuters.com",
        language="en",
        hours_ago=5,
    ),
    make_doc(
        "tesla-1",
        "Tesla earnings beat expectations",
        summary="Revenue rose on strong deliveries",
        body="The carmaker reported quarterly earnings above forecasts.",
        category="automotive-transportation",
        source_domain="cnbc.com",
        language="en",
        hours_ago=1,
    ),
    make_doc(
        "crypto-1",
        "Crypto exchange banks on growth",
        body="The exchange expects the bitcoin market to recover.",
        category="banking-finance",
        source_domain="coindesk.com",
        language="en",
        hours_ago=2,
    ),
    make_doc(
        "chip-1",
        "Neuer Chip für Rechenzentren",
        summary="Halbleiter",
        body="Der Hersteller stellt einen neuen Prozessor vor.",
        category="electronics-semiconductor",
        categories=["electronics-semiconductor", "information-technology"],
        source_domain="heise.de",
        language="de",
        hours_ago=30,
    ),
    make_doc(
        "opec-1",
        "OPEC agrees to cut oil output",
        summary="Interest in crude prices grows",
        body="Ministers agreed on a production cut; interest rates were not discussed.",
        category="energy-resources",
        categories=["energy-resources", "economy"],
        source_domain="reuters.com",
        language="en",
        hours_ago=3,
    ),
]


@pytest.fixture
def corpus(index: SearchIndex) -> SearchIndex:
    assert index.upsert(CORPUS) == []
    return index


# ----------------------------------------------------------------------------------- writes


def test_upsert_then_get_returns_the_whole_document(index: SearchIndex) -> None:
    # Given a document with every field set
    doc = SearchDocument(
        id="full-1",
        url="https://example.com/a",
        title="Full document",
        summary="A summary",
        body="A body with words",
        category="economy",
        categories=["economy", "political"],
        tags=["g20", "Trade"],
        source_name="Example News",
        source_domain="example.com",
        language="en",
        image_url="https://example.com/a.jpg",
        published_at=T0 - timedelta(days=1),
        sort_at=T0 - timedelta(days=1),
        reading_time_minutes=4,
        word_count=812,
        version=3,
    )
    # When it is upserted
    assert index.upsert([doc]) == []
    # Then get returns it unchanged
    assert index.get("full-1") == doc
    assert index.get("missing") is None


def test_upsert_is_idempotent(index: SearchIndex) -> None:
    doc = make_doc("same", "Same document twice")
    assert index.upsert([doc]) == []
    assert index.upsert([doc]) == []
    assert index.count() == 1
    assert ids(index, "same document") == ["same"]


def test_upsert_replaces_the_previous_version(index: SearchIndex) -> None:
    # Given an indexed document
    index.upsert([make_doc("a1", "Old headline about wheat")])
    # When a new version with the same id is upserted
    index.upsert([make_doc("a1", "New headline about corn", version=2)])
    # Then only the new version exists and is searchable
    assert index.count() == 1
    assert ids(index, "wheat") == []
    assert ids(index, "corn") == ["a1"]
    got = index.get("a1")
    assert got is not None
    assert got.version == 2


def test_duplicate_ids_in_one_batch_keep_the_last(index: SearchIndex) -> None:
    index.upsert([make_doc("d", "first wheat"), make_doc("d", "second corn")])
    assert index.count() == 1
    assert ids(index, "corn") == ["d"]


def test_delete_removes_and_missing_ids_are_not_failures(corpus: SearchIndex) -> None:
    assert corpus.delete(["tesla-1", "never-existed"]) == []
    assert corpus.get("tesla-1") is None
    assert corpus.count() == len(CORPUS) - 1
    assert ids(corpus, "tesla") == []


def test_empty_batches_are_no_ops(index: SearchIndex) -> None:
    assert index.upsert([]) == []
    assert index.delete([]) == []
    assert index.count() == 0
    assert index.ping() is True


# ---------------------------------------------------------------------------------- matching


def test_search_by_word(corpus: SearchIndex) -> None:
    assert ids(corpus, "tesla") == ["tesla-1"]
    assert ids(corpus, "TESLA") == ["tesla-1"]


def test_all_bare_words_must_match(corpus: SearchIndex) -> None:
    assert ids(corpus, "tesla revenue") == ["tesla-1"]  # title + summary: words may sit in any field
    assert ids(corpus, "tesla bitcoin") == []


def test_stemming_matches_inflected_forms(corpus: SearchIndex) -> None:
    # Both analyzers reduce banks / banking / bank to "bank"
    assert sorted(ids(corpus, "bank")) == ["bank-1", "crypto-1"]
    assert sorted(ids(corpus, "banking")) == ["bank-1", "crypto-1"]
    assert ids(corpus, "earning") == ["tesla-1"]


def test_exact_phrase(corpus: SearchIndex) -> None:
    # "interest rates" appears as a phrase in bank-1 and opec-1; opec-1 also has "Interest in crude"
    assert sorted(ids(corpus, '"interest rates"')) == ["bank-1", "opec-1"]
    assert ids(corpus, '"rates interest"') == []
    assert ids(corpus, '"oil output"') == ["opec-1"]


def test_exclusion(corpus: SearchIndex) -> None:
    assert ids(corpus, "banks -crypto") == ["bank-1"]
    assert ids(corpus, 'banks -"crypto exchange"') == ["bank-1"]
    assert "crypto-1" not in ids(corpus, "-crypto", size=100)
    assert len(ids(corpus, "-crypto", size=100)) == len(CORPUS) - 1


def test_or(corpus: SearchIndex) -> None:
    assert sorted(ids(corpus, "tesla OR opec")) == ["opec-1", "tesla-1"]
    assert sorted(ids(corpus, "(tesla OR opec) -oil")) == ["tesla-1"]


def test_title_matches_rank_above_body_matches(index: SearchIndex) -> None:
    # Given the same word once in a title and once in a body of the same length
    index.upsert(
        [
            make_doc("in-body", "Markets today", body="Analysts expect a merger soon."),
            make_doc("in-title", "Merger expected soon", body="Analysts see markets today."),
        ]
    )
    # Then the title match ranks first
    assert ids(index, "merger") == ["in-title", "in-body"]


def test_words_close_together_rank_first(index: SearchIndex) -> None:
    index.upsert(
        [
            make_doc("apart", "Prices", summary="oil is mentioned here and much later come prices of gold"),
            make_doc("together", "Prices", summary="gold is mentioned here and much later oil prices follow"),
        ]
    )
    assert ids(index, "oil prices") == ["together", "apart"]


def test_hits_carry_scores_when_ranked_by_relevance(corpus: SearchIndex) -> None:
    result = corpus.search(SearchQuery(text="banks"))
    assert all(hit.score > 0 for hit in result.hits)
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)


# ------------------------------------------------------------------------------------ filters


def test_category_filter_matches_secondary_categories(corpus: SearchIndex) -> None:
    assert sorted(ids(corpus, filters=SearchFilters(category="economy"))) == ["bank-1", "opec-1"]
    assert sorted(ids(corpus, filters=SearchFilters(category="banking-finance"))) == ["bank-1", "crypto-1"]
    assert ids(corpus, "crisis", filters=SearchFilters(category="political")) == []


def test_source_domain_filter_is_any_of_and_case_insensitive(corpus: SearchIndex) -> None:
    filters = SearchFilters(source_domains=["Reuters.com", "heise.de"])
    assert sorted(ids(corpus, filters=filters)) == ["bank-1", "chip-1", "opec-1"]


def test_language_filter(corpus: SearchIndex) -> None:
    assert ids(corpus, filters=SearchFilters(language="de")) == ["chip-1"]


def test_date_range_is_inclusive_from_and_exclusive_to(corpus: SearchIndex) -> None:
    # opec-1 is exactly 3 h old, tesla-1 exactly 1 h old
    filters = SearchFilters(published_from=T0 - timedelta(hours=3), published_to=T0 - timedelta(hours=1))
    assert ids(corpus, filters=filters) == ["crypto-1", "opec-1"]
    assert ids(corpus, filters=SearchFilters(published_from=T0 - timedelta(hours=2))) == ["tesla-1", "crypto-1"]
    assert ids(corpus, filters=SearchFilters(published_to=T0 - timedelta(hours=5))) == ["chip-1"]


def test_filters_combine_with_text(corpus: SearchIndex) -> None:
    filters = SearchFilters(category="banking-finance", source_domains=["reuters.com"], language="en")
    assert ids(corpus, "banks", filters=filters) == ["bank-1"]


# ------------------------------------------------------------------------- sorting and paging


def test_empty_query_returns_everything_newest_first(corpus: SearchIndex) -> None:
    result = corpus.search(SearchQuery())
    assert result.total == len(CORPUS)
    assert [h.id for h in result.hits] == ["tesla-1", "crypto-1", "opec-1", "bank-1", "chip-1"]


def test_sort_by_published_at_orders_matches_newest_first(corpus: SearchIndex) -> None:
    assert ids(corpus, "interest", sort_by="publishedAt") == ["opec-1", "bank-1"]


def test_equal_timestamps_are_ordered_by_id(index: SearchIndex) -> None:
    index.upsert([make_doc(i, f"Story {i}") for i in ("c", "a", "d", "b")])
    assert ids(index, sort_by="publishedAt") == ["a", "b", "c", "d"]


@pytest.mark.parametrize("sort_by", ["publishedAt", "relevancy"])
def test_pages_tile_the_full_result_list(index: SearchIndex, sort_by: str) -> None:
    # Given 23 documents, many sharing a timestamp (ties must not shift across page edges)
    docs = [
        make_doc(f"doc-{i:02d}", f"Market update {i}", body="market " * (i % 4 + 1), hours_ago=i // 4)
        for i in range(23)
    ]
    index.upsert(docs)
    text = "market"
    everything = ids(index, text, sort_by=sort_by, size=100)
    assert len(everything) == 23
    # When it is read in pages of 5
    pages: list[str] = []
    for offset in range(0, 30, 5):
        result = index.search(SearchQuery(text=text, sort_by=sort_by, offset=offset, size=5))
        assert result.total == 23
        pages += [h.id for h in result.hits]
    # Then the pages, in order, are exactly the full list
    assert pages == everything


def test_offset_past_the_end_is_empty(corpus: SearchIndex) -> None:
    result = corpus.search(SearchQuery(offset=10_000, size=100))
    assert result.total == len(CORPUS)
    assert result.hits == []


# ------------------------------------------------------------------------------------- facets


def test_facets_count_matches_including_secondary_categories(corpus: SearchIndex) -> None:
    result = corpus.search(SearchQuery(facets=["category", "source", "language"], size=1))
    assert result.facets["category"] == {
        "banking-finance": 2,
        "economy": 2,
        "automotive-transportation": 1,
        "electronics-semiconductor": 1,
        "information-technology": 1,
        "energy-resources": 1,
    }
    assert result.facets["source"] == {"reuters.com": 2, "cnbc.com": 1, "coindesk.com": 1, "heise.de": 1}
    assert result.facets["language"] == {"en": 4, "de": 1}


def test_facets_follow_the_query_and_filters(corpus: SearchIndex) -> None:
    result = corpus.search(SearchQuery(text="banks", facets=["source"], filters=SearchFilters(language="en")))
    assert result.facets == {"source": {"reuters.com": 1, "coindesk.com": 1}}


def test_no_facets_requested_means_none_returned(corpus: SearchIndex) -> None:
    assert corpus.search(SearchQuery(text="banks")).facets == {}


# ---------------------------------------------------------------------------- hostile queries

HOSTILE = [
    '"unclosed',
    "((((",
    "))))",
    "AND OR NOT",
    "-",
    "+",
    "***",
    "title:oil OR body:[* TO *]",
    "oil^1000000",
    "\x00\x01\x02",
    "\ufffe\uffff\u202e",
    "\U0001d573\U0001d58a\U0001d591\U0001d591\U0001d594 \U0001f44d\U0001f3fd",  # fraktur "Hello", emoji
    "'; DROP TABLE articles; --",
    '{"query": {"match_all": {}}}',
    "a" * 500,
    "(" * 250 + ")" * 250,
    " OR ".join(["oil"] * 100),
    "-" * 500,
    "the",
    "-the",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_raise(corpus: SearchIndex, text: str) -> None:
    result = corpus.search(SearchQuery(text=text[:500], facets=["category"]))
    assert result.total >= 0
    assert len(result.hits) <= 20


# ------------------------------------------------------------------------------ keyset paging


def _walk(index: SearchIndex, size: int, **kwargs: Any) -> list[str]:
    seen: list[str] = []
    after = None
    snapshot = None
    offset = 0
    while True:
        result = index.search(SearchQuery(size=size, search_after=after, snapshot=snapshot, offset=offset, **kwargs))
        seen += [h.id for h in result.hits]
        offset += len(result.hits)
        snapshot = result.snapshot or snapshot
        if len(result.hits) < size:
            return seen
        after = result.hits[-1].sort


@pytest.mark.parametrize("reverse", [False, True])
def test_search_after_tiles_the_date_order_exactly(index: SearchIndex, reverse: bool) -> None:
    # Given 40 documents over 9 timestamps (many ties)
    docs = [make_doc(f"k{i:02d}", f"Market note {i}", hours_ago=i % 9) for i in range(40)]
    index.upsert(docs)
    expected = [d.id for d in sorted(docs, key=lambda d: (-d.sort_at.timestamp(), d.id))]
    if reverse:
        expected.reverse()
    # When read with search_after in pages of 6
    # Then the pages are exactly the full ordering
    assert _walk(index, 6, sort_by="publishedAt", reverse=reverse) == expected


def test_search_after_is_not_disturbed_by_new_documents(index: SearchIndex) -> None:
    index.upsert([make_doc(f"p{i}", "Note", hours_ago=i + 1) for i in range(10)])
    first = index.search(SearchQuery(size=4, sort_by="publishedAt"))
    # new documents arrive, newer and older than the cursor
    index.upsert([make_doc("newest", "Note", hours_ago=0), make_doc("p-between", "Note", hours_ago=9.5)])
    rest = index.search(SearchQuery(size=100, sort_by="publishedAt", search_after=first.hits[-1].sort))
    assert [h.id for h in first.hits] == ["p0", "p1", "p2", "p3"]
    assert [h.id for h in rest.hits] == ["p4", "p5", "p6", "p7", "p8", "p-between", "p9"]
    assert rest.total == 12  # the total counts the whole query, not what is left


def test_hits_carry_their_sort_values(corpus: SearchIndex) -> None:
    by_date = corpus.search(SearchQuery(size=1, sort_by="publishedAt")).hits[0]
    assert by_date.sort[-1] == "tesla-1"
    assert isinstance(by_date.sort[-2], int)
    ranked = corpus.search(SearchQuery(text="banks", size=1)).hits[0]
    assert len(ranked.sort) == 3
    assert ranked.sort[-1] == ranked.id


def test_relevancy_paging_in_a_snapshot_ignores_new_documents(index: SearchIndex) -> None:
    index.upsert([make_doc(f"r{i:02d}", "Merger", body="merger " * (i % 4 + 1)) for i in range(12)])
    first = index.search(SearchQuery(text="merger", size=5, keep_snapshot=True))
    assert first.snapshot
    # a far better match arrives
    index.upsert([make_doc("best", "Merger merger merger", body="merger " * 30)])
    seen = [h.id for h in first.hits]
    after, offset = first.hits[-1].sort, 5
    while True:
        page = index.search(
            SearchQuery(text="merger", size=5, search_after=after, offset=offset, snapshot=first.snapshot)
        )
        seen += [h.id for h in page.hits]
        if len(page.hits) < 5:
            break
        after, offset = page.hits[-1].sort, offset + 5
    assert sorted(seen) == sorted(f"r{i:02d}" for i in range(12))
    assert index.search(SearchQuery(text="merger", size=1)).hits[0].id == "best"  # the live index has it


# ---------------------------------------------------------------------------- more filters


def test_exclude_domains_sources_and_ids(corpus: SearchIndex) -> None:
    assert sorted(ids(corpus, filters=SearchFilters(exclude_domains=["Reuters.com", "heise.de"]))) == [
        "crypto-1",
        "tesla-1",
    ]
    assert sorted(ids(corpus, filters=SearchFilters(source_ids=["reuters.com"]))) == ["bank-1", "opec-1"]
    assert "bank-1" not in ids(corpus, filters=SearchFilters(exclude_ids=["bank-1"]), size=100)


def test_primary_category_filter_ignores_secondary_categories(corpus: SearchIndex) -> None:
    assert ids(corpus, filters=SearchFilters(primary_category="economy")) == []
    assert ids(corpus, filters=SearchFilters(primary_category="energy-resources")) == ["opec-1"]


def test_story_filters(index: SearchIndex) -> None:
    index.upsert(
        [
            make_doc("a", "One", story_id="s1"),
            make_doc("b", "Two", story_id="s1", hours_ago=1),
            make_doc("c", "Three", story_id="s2", hours_ago=2),
            make_doc("d", "Four", hours_ago=3),
        ]
    )
    assert ids(index, filters=SearchFilters(story_ids=["s1"])) == ["a", "b"]
    assert ids(index, filters=SearchFilters(exclude_story_id="s1")) == ["c", "d"]


def test_search_in_restricts_the_text_fields(corpus: SearchIndex) -> None:
    assert ids(corpus, "deposits") == ["bank-1"]
    assert ids(corpus, "deposits", search_in=["title", "summary"]) == []
    assert ids(corpus, "lenders", search_in=["summary"]) == ["bank-1"]


# ------------------------------------------------------------------------ facets, highlights


def test_month_facets_are_calendar_months_newest_first(index: SearchIndex) -> None:
    index.upsert(
        [
            make_doc("n1", "A", hours_ago=0),
            make_doc("n2", "B", hours_ago=24 * 19 + 11),  # 2026-11-01 01:00
            make_doc("o1", "C", hours_ago=24 * 19 + 13),  # 2026-10-31 23:00
            make_doc("s1", "D", hours_ago=24 * 70),
        ]
    )
    result = index.search(SearchQuery(size=1, facets=["month"]))
    assert list(result.facets["month"].items()) == [("2026-11", 2), ("2026-10", 1), ("2026-09", 1)]


def test_facet_latest_reports_the_newest_of_each_bucket(corpus: SearchIndex) -> None:
    result = corpus.search(SearchQuery(size=1, facets=["category", "source"], facet_latest=True))
    assert result.facet_latest["category"]["banking-finance"] == T0 - timedelta(hours=2)
    assert result.facet_latest["source"]["reuters.com"] == T0 - timedelta(hours=3)


def test_publisher_facet_names_each_source(index: SearchIndex) -> None:
    index.upsert([make_doc("x", "A", source_name="Reuters", source_domain="Reuters.com")])
    result = index.search(SearchQuery(size=1, facets=["publisher"]))
    assert result.facets["publisher"] == {"reuters\x1fReuters\x1freuters.com": 1}


def test_highlights_mark_matches_and_escape_html(index: SearchIndex) -> None:
    index.upsert([make_doc("h", "Oil <b>prices</b> & oil", summary="Nothing", body="Crude oil rose.")])
    hit = index.search(SearchQuery(text="oil", highlight=True)).hits[0]
    assert hit.highlights["title"] == "<mark>Oil</mark> &lt;b&gt;prices&lt;/b&gt; &amp; <mark>oil</mark>"
    assert hit.highlights["body"] == "Crude <mark>oil</mark> rose."
    assert "summary" not in hit.highlights
    assert index.search(SearchQuery(text="oil")).hits[0].highlights == {}


# ----------------------------------------------------------------------------------- stories


def test_story_sources_reports_first_article_per_source(index: SearchIndex) -> None:
    index.upsert(
        [
            make_doc("a", "One", story_id="s1", source_domain="a.com", hours_ago=1),
            make_doc("b", "Two", story_id="s1", source_domain="b.com", hours_ago=2),
            make_doc("b2", "Two again", story_id="s1", source_domain="b.com", hours_ago=3),
            make_doc("c", "Alone", story_id="s2", source_domain="a.com", hours_ago=1),
            make_doc("d", "No story", source_domain="a.com"),
        ]
    )
    [story] = index.story_sources(SearchQuery())
    assert story.story_id == "s1"
    assert story.articles == 3
    assert story.first_by_source == {"a.com": T0 - timedelta(hours=1), "b.com": T0 - timedelta(hours=3)}
    window = SearchQuery(filters=SearchFilters(published_from=T0 - timedelta(hours=2.5)))
    [recent] = index.story_sources(window)
    assert recent.first_by_source["b.com"] == T0 - timedelta(hours=2)


def test_story_keys_filter_finds_documents_filed_under_any_of_the_keys(index: SearchIndex) -> None:
    # Given documents filed under story-candidate keys (with their sketches, stored only)
    docs = [
        make_doc("k-1", "First", hours_ago=3, story_keys=["b0#aa", "b1#bb"], story_sketch="c2tldGNo"),
        make_doc("k-2", "Second", hours_ago=2, story_keys=["b1#bb"]),
        make_doc("k-3", "Third", hours_ago=1, story_keys=["b2#cc"]),
        make_doc("k-4", "Fourth", hours_ago=0),
    ]
    assert index.upsert(docs) == []
    # When the index is asked for the documents under two of the keys, newest first
    found = index.search(
        SearchQuery(filters=SearchFilters(story_keys=["b1#bb", "b2#cc"]), sort_by="publishedAt", count=False)
    )
    # Then exactly the documents under either key come back, with their keys and sketch
    assert [hit.id for hit in found.hits] == ["k-3", "k-2", "k-1"]
    assert found.hits[-1].document.story_keys == ["b0#aa", "b1#bb"]
    assert found.hits[-1].document.story_sketch == "c2tldGNo"
    # And a key nothing is filed under finds nothing (keys are exact terms, never analysed text)
    assert ids(index, filters=SearchFilters(story_keys=["b0"])) == []
