"""What only the embedded adapter has: a directory on disk, a schema version, one writer, threads."""

from __future__ import annotations

import json
import random
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tantivy
from newsflow.search.port import SearchDocument, SearchFilters, SearchQuery
from newsflow.search.tantivy_index import (
    SCHEMA_MARKER,
    SCHEMA_VERSION,
    IndexSchemaMismatch,
    TantivyIndex,
    build_analyzer,
)

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_doc(doc_id: str, title: str, body: str = "", hours_ago: float = 0) -> SearchDocument:
    return SearchDocument(
        id=doc_id, title=title, body=body, category="economy", sort_at=T0 - timedelta(hours=hours_ago)
    )


def test_an_index_reopens_after_a_restart(tmp_path: Path) -> None:
    # Given an index with documents, closed like a process that stops
    with TantivyIndex(tmp_path) as first:
        first.upsert([make_doc("a", "Wheat harvest"), make_doc("b", "Corn prices")])
    # When the directory is opened again
    with TantivyIndex(tmp_path) as again:
        # Then the documents are there, searchable and writable
        assert again.count() == 2
        assert [h.id for h in again.search(SearchQuery(text="wheat")).hits] == ["a"]
        assert again.upsert([make_doc("c", "Soy exports")]) == []
        assert again.count() == 3


def test_an_older_schema_version_fails_with_a_rebuild_hint(tmp_path: Path) -> None:
    # Given an index written by an older schema version
    with TantivyIndex(tmp_path) as index:
        index.upsert([make_doc("a", "Wheat")])
    (tmp_path / SCHEMA_MARKER).write_text(json.dumps({"schema_version": 0}))
    # When it is opened, Then the error says what to do
    with pytest.raises(IndexSchemaMismatch, match="reindex"):
        TantivyIndex(tmp_path)
    # And rebuild=True starts over with an empty index
    with TantivyIndex(tmp_path, rebuild=True) as rebuilt:
        assert rebuilt.count() == 0
        assert json.loads((tmp_path / SCHEMA_MARKER).read_text()) == {"schema_version": SCHEMA_VERSION}


def test_a_foreign_tantivy_schema_fails_with_a_rebuild_hint(tmp_path: Path) -> None:
    # Given a directory holding a tantivy index with another schema (and a current marker)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("something_else", stored=True)
    tantivy.Index(builder.build(), path=str(tmp_path))
    (tmp_path / SCHEMA_MARKER).write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
    # Then opening it fails clearly, and rebuild=True replaces it
    with pytest.raises(IndexSchemaMismatch, match="rebuild"):
        TantivyIndex(tmp_path)
    with TantivyIndex(tmp_path, rebuild=True) as rebuilt:
        assert rebuilt.upsert([make_doc("a", "Wheat")]) == []


def test_a_second_writer_reports_failures_instead_of_raising(tmp_path: Path) -> None:
    # Given one instance that holds the writer
    with TantivyIndex(tmp_path) as owner:
        owner.upsert([make_doc("a", "Wheat")])
        other = TantivyIndex(tmp_path)
        # When another instance tries to write, Then every document is reported as failed
        failures = other.upsert([make_doc("b", "Corn")])
        assert [f.id for f in failures] == ["b"]
        assert "writer" in failures[0].reason
        # And it can still read what the owner committed
        assert other.count() == 1
    # When the owner closes, Then the other can write
    assert other.upsert([make_doc("b", "Corn")]) == []


def test_one_bad_document_does_not_sink_the_batch(tmp_path: Path) -> None:
    # Given a batch where one document cannot be encoded (a lone surrogate slipped past validation)
    bad = make_doc("bad", "placeholder").model_copy(update={"title": "x\ud800y"})
    with TantivyIndex(tmp_path) as index:
        failures = index.upsert([bad, make_doc("good", "Fine")])
        # Then only that document fails
        assert [f.id for f in failures] == ["bad"]
        assert index.count() == 1


def test_readers_see_each_batch_once_upsert_returns(tmp_path: Path) -> None:
    # Given one shared instance, a writer thread and four reader threads
    index = TantivyIndex(tmp_path)
    errors: list[BaseException] = []
    written = threading.Event()
    stop = threading.Event()

    def write() -> None:
        try:
            for batch in range(15):
                docs = [make_doc(f"{batch}-{i}", f"Batch{batch} story {i}", hours_ago=i) for i in range(20)]
                assert index.upsert(docs) == []
                # read-after-write, from the writing thread's point of view
                assert index.search(SearchQuery(text=f"batch{batch}")).total == 20
        except BaseException as exc:
            errors.append(exc)
        finally:
            written.set()
            stop.set()

    def read() -> None:
        try:
            while not stop.is_set():
                result = index.search(SearchQuery(text="story", facets=["category"], size=5))
                assert result.total % 20 == 0
                assert result.facets["category"].get("economy", 0) == result.total
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)] + [threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    index.close()
    # Then nothing failed, and every batch was visible
    assert written.is_set()
    assert errors == []
    assert index.count() == 15 * 20


def test_query_analysis_matches_the_indexed_en_stem_tokens(tmp_path: Path) -> None:
    # Given a document with awkward text
    text = "The U.S. banks' earnings: Straße, naïve café, İstanbul, ΟΔΟΣ, running, companies, 5.5%"
    with TantivyIndex(tmp_path) as index:
        index.upsert([make_doc("t", "Title", body=text)])
        searcher = index._index.searcher()
        # Then every token the query analyzer produces exists in the index
        for token in build_analyzer().analyze(text):
            assert searcher.doc_freq("body", token) == 1, token


def test_words_in_scripts_with_combining_marks_are_found(tmp_path: Path) -> None:
    with TantivyIndex(tmp_path) as index:
        index.upsert([make_doc("hi", "हिन्दी समाचार"), make_doc("he", "חֲדָשׁוֹת היום")])
        assert [h.id for h in index.search(SearchQuery(text="हिन्दी")).hits] == ["hi"]
        assert [h.id for h in index.search(SearchQuery(text="חֲדָשׁוֹת")).hits] == ["he"]


def test_ping_reports_a_usable_index(tmp_path: Path) -> None:
    with TantivyIndex(tmp_path / "nested" / "dir") as index:
        assert index.ping() is True


def test_microsecond_timestamps_sort_and_filter_exactly(tmp_path: Path) -> None:
    # tantivy date fast fields keep seconds; the adapter's sort key keeps microseconds
    base = T0.replace(microsecond=0)
    docs = [
        SearchDocument(id=f"m{i}", title="Tick", category="economy", sort_at=base + timedelta(microseconds=i))
        for i in range(3)
    ]
    with TantivyIndex(tmp_path) as index:
        index.upsert(docs)
        assert [h.id for h in index.search(SearchQuery(sort_by="publishedAt")).hits] == ["m2", "m1", "m0"]
        window = SearchFilters(
            published_from=base + timedelta(microseconds=1), published_to=base + timedelta(microseconds=2)
        )
        assert [h.id for h in index.search(SearchQuery(filters=window)).hits] == ["m1"]


@pytest.mark.parametrize("timestamps", [2, 40])  # tie groups larger and smaller than TIES_READ_MAX
def test_date_order_with_ties_of_any_size_matches_a_plain_sort_both_ways(tmp_path: Path, timestamps: int) -> None:
    # Given 180 documents over few or many distinct timestamps, ids in random order, in several segments
    rng = random.Random(timestamps)
    docs = [
        make_doc(f"id-{rng.randrange(10**6):06d}-{i}", "Story", hours_ago=rng.randrange(timestamps)) for i in range(180)
    ]
    newest_first = [d.id for d in sorted(docs, key=lambda d: (-d.sort_at.timestamp(), d.id))]
    with TantivyIndex(tmp_path) as index:
        for start in range(0, 180, 50):
            index.upsert(docs[start : start + 50])
        # When pages are requested newest first and oldest first (the exact inverse)
        for reverse in (False, True):
            expected = newest_first[::-1] if reverse else newest_first
            for _ in range(40):
                offset, size = rng.randrange(0, 190), rng.randrange(1, 120)
                query = SearchQuery(sort_by="publishedAt", offset=offset, size=size, reverse=reverse)
                # Then each page is that slice of the one order
                assert [h.id for h in index.search(query).hits] == expected[offset : offset + size], (offset, size)


def test_a_story_key_filter_finds_exactly_the_documents_filed_under_any_of_the_keys(tmp_path: Path) -> None:
    # Given documents filed under overlapping story keys
    docs = [make_doc(f"k{i}", "Story", hours_ago=i).model_copy(update={"story_keys": [f"b{i % 5}", f"l{i % 3}"]})
            for i in range(30)]  # fmt: skip
    with TantivyIndex(tmp_path) as index:
        index.upsert(docs)
        for keys in (
            ["b1"],
            ["b1", "l2"],
            ["nothing"],
            [f"b{i}" for i in range(5)],
            [f"x{i}" for i in range(70)] + ["l0"],
        ):
            # When the index is filtered by the keys (a few: term queries; many: one term-set query)
            found = index.search(SearchQuery(filters=SearchFilters(story_keys=keys), sort_by="publishedAt", size=100))
            # Then exactly the documents carrying any of them come back, newest first
            expected = [d.id for d in docs if set(d.story_keys) & set(keys)]
            assert [h.id for h in found.hits] == expected, keys


def test_date_order_with_many_ties_matches_a_plain_sort_for_any_page(tmp_path: Path) -> None:
    # Given 150 documents over only 7 distinct timestamps, ids in random order
    rng = random.Random(3)
    docs = [make_doc(f"id-{rng.randrange(10**6):06d}-{i}", "Story", hours_ago=rng.randrange(7)) for i in range(150)]
    expected = [d.id for d in sorted(docs, key=lambda d: (-d.sort_at.timestamp(), d.id))]
    with TantivyIndex(tmp_path) as index:
        for start in range(0, 150, 40):  # several segments
            index.upsert(docs[start : start + 40])
        # When any page is requested, Then it is that slice of (sort_at desc, id asc)
        for _ in range(60):
            offset, size = rng.randrange(0, 160), rng.randrange(1, 40)
            page = index.search(SearchQuery(sort_by="publishedAt", offset=offset, size=size))
            assert [h.id for h in page.hits] == expected[offset : offset + size], (offset, size)


def test_without_ties_by_id_a_page_is_the_newest_in_any_order_among_equals(tmp_path: Path) -> None:
    # Given 150 documents over only 7 distinct timestamps, in several segments
    rng = random.Random(4)
    docs = [make_doc(f"id-{rng.randrange(10**6):06d}-{i}", "Story", hours_ago=rng.randrange(7)) for i in range(150)]
    with TantivyIndex(tmp_path) as index:
        for start in range(0, 150, 40):
            index.upsert(docs[start : start + 40])
        for size in (1, 20, 37, 100, 150):
            # When the newest `size` are asked for without the order among equals (and without a total)
            query = SearchQuery(sort_by="publishedAt", size=size, ties_by_id=False, count=False)
            page = index.search(query).hits
            # Then they are `size` documents, newest first, none older than any left out
            assert len(page) == size == len({h.id for h in page})
            moments = [h.document.sort_at for h in page]
            assert moments == sorted(moments, reverse=True)
            left_out = [d.sort_at for d in docs if d.id not in {h.id for h in page}]
            assert not left_out or max(left_out) <= moments[-1]


def test_facets_aggregate_beside_the_search_and_their_failure_is_the_search_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an index whose facet aggregation runs on another thread
    with TantivyIndex(tmp_path) as index:
        assert index.upsert([make_doc(f"d{i}", f"Oil note {i}", hours_ago=i) for i in range(5)]) == []
        threads: list[str] = []
        real = TantivyIndex._facets

        def spy(self: TantivyIndex, *args: object, **kwargs: object) -> object:
            threads.append(threading.current_thread().name)
            return real(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(TantivyIndex, "_facets", spy)
        result = index.search(SearchQuery(text="oil", facets=["category"]))
        # Then the counts are those of the search's matches, computed off the request's thread
        assert result.facets == {"category": {"economy": 5}}
        assert result.total == 5
        assert threads
        assert threads[0] != threading.current_thread().name

        # And when the aggregation fails, the search fails with its error (never facets silently missing)
        def broken(self: TantivyIndex, *args: object, **kwargs: object) -> object:
            raise RuntimeError("aggregation failed")

        monkeypatch.setattr(TantivyIndex, "_facets", broken)
        with pytest.raises(RuntimeError, match="aggregation failed"):
            index.search(SearchQuery(text="oil", facets=["category"]))
