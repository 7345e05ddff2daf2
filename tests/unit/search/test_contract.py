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
            make_doc("apart", "Prices", body="oil is mentioned here and much later come prices of gold"),
            make_doc("together", "Prices", body="gold is mentioned here and much later oil prices follow"),
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
