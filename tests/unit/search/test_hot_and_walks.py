"""What's Hot counts verbatim copies; relevancy walks read one snapshot, whatever else happens meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from newsflow.api.errors import ApiError
from newsflow.api.params import SearchParams, TopHeadlinesParams
from newsflow.search import tantivy_index
from newsflow.search.port import SearchDocument

from tests.unit.search.test_query_service import Site, article


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    built = Site(tmp_path)
    yield built
    built.index.close()


def _hot(site: Site, **params: object) -> list[dict[str, object]]:
    body = site.service.top_headlines(TopHeadlinesParams.model_validate(params))
    return [a.model_dump(by_alias=True) for a in body.articles]


def test_a_wire_story_carried_verbatim_by_five_outlets_ranks_first(site: Site) -> None:
    # Given a wire story published 2 h ago and carried verbatim by four more outlets (folded into alsoFrom),
    wire = article(
        "w" * 32,
        "Central bank holds rates",
        hours_ago=2,
        source="Wire Service",
        domain="wire.example",
        also_from=["Daily Bugle", "Morning Post", "gazette.example", "Evening Star"],
    )
    # a fresh single article, and a two-source story of 1 h ago
    fresh = article("f" * 32, "Local bakery opens", hours_ago=10 / 60, source="Town Crier", domain="crier.example")
    pair = [
        article("p1" + "0" * 30, "Port strike ends", hours_ago=1, source="Harbour News", story_id="s-port"),
        article("p2" + "0" * 30, "Port strike is over", hours_ago=1, source="Dock Daily", story_id="s-port"),
    ]
    others = [article(f"{i:032x}", f"Other news {i}", hours_ago=3 + i / 10, source=f"Outlet {i}") for i in range(30)]
    site.add(wire, fresh, *pair, *others)
    # When What's Hot is read
    body = site.service.top_headlines(TopHeadlinesParams.model_validate({"pageSize": 3}))
    # Then the wire story is first: five distinct sources at 2 h (5 x 2^(-2/6) = 3.97)
    first = body.articles[0]
    assert first.id == wire.id
    assert first.source_count == 5
    assert first.score == pytest.approx(5 * 2 ** (-2 / 6), rel=1e-4)
    assert set(first.also_from) == {"Daily Bugle", "Morning Post", "gazette.example", "Evening Star"}
    assert body.articles[1].id in {pair[0].id, pair[1].id}  # the pair: 2 x 2^(-1/6) = 1.78 ...
    assert body.articles[1].source_count == 2
    assert body.articles[2].id == fresh.id  # ... before the fresh single: 2^(-1/36) = 0.98
    # and the total counts stories (the pair is one), whatever the page size
    assert body.total_results == 33
    assert body.total_relation == "eq"
    bigger = site.service.top_headlines(TopHeadlinesParams.model_validate({"pageSize": 50}))
    assert bigger.total_results == 33


def test_what_s_hot_pages_with_a_cursor_without_repeats(site: Site) -> None:
    site.add(*[article(f"{i:032x}", f"Story {i}", hours_ago=i / 4, source=f"Outlet {i}") for i in range(23)])
    seen: list[str] = []
    params: dict[str, object] = {"pageSize": 5}
    for _ in range(10):
        body = site.service.top_headlines(TopHeadlinesParams.model_validate(params))
        seen += [a.id for a in body.articles]
        if not body.next_cursor:
            break
        # an article arriving between pages does not shift the ranking the walk reads
        site.add(article("a" * 31 + str(len(seen) % 10), "Late arrival", hours_ago=-0.1, source="Late"))
        params = {"pageSize": 5, "cursor": body.next_cursor}
    assert len(seen) == len(set(seen)) == 23
    assert seen == [f"{i:032x}" for i in range(23)]  # newest first: equal source counts, decay decides
    with pytest.raises(ApiError) as error:
        site.service.top_headlines(
            TopHeadlinesParams.model_validate({"window": "7d", "cursor": body.next_cursor or "x"})
        )
    assert error.value.status_code == 400


def _walk(site: Site, q: str, size: int, between: object = None) -> list[str]:
    seen: list[str] = []
    params: dict[str, object] = {"q": q, "pageSize": size}
    for page in range(500):
        body = site.service.search(SearchParams.model_validate(params))
        seen += [a.id for a in body.articles]
        if not body.next_cursor:
            return seen
        if callable(between):
            between(page)
        params = {"q": q, "pageSize": size, "cursor": body.next_cursor}
    raise AssertionError("the walk did not end")


def test_relevancy_walk_after_300_other_searches_while_matching_items_arrive(site: Site) -> None:
    # Given 200 articles about oil (varied wording, so scores differ and tie)
    site.add(
        *[
            article(
                f"{i:032x}", f"Oil {'prices oil ' * (i % 7)}report {i}", hours_ago=i / 10, body="oil " * (i % 5 + 1)
            )
            for i in range(200)
        ]
    )
    expected = _walk(site, "oil", 10)
    assert len(expected) == len(set(expected)) == 200
    # When the walk starts, 300 other searches run (each opening its own walk), and 40 new matching
    # articles (some scoring higher than everything seen) arrive between pages
    first = site.service.search(SearchParams.model_validate({"q": "oil", "pageSize": 10}))
    for n in range(300):
        site.service.search(SearchParams.model_validate({"q": f"oil report {n}", "pageSize": 5}))
    seen = [a.id for a in first.articles]
    cursor = first.next_cursor
    arrived = 0
    while cursor:
        if arrived < 40:
            site.add(article(f"{1000 + arrived:032x}", "Oil oil oil oil", hours_ago=0, body="oil oil oil oil oil"))
            arrived += 1
        body = site.service.search(SearchParams.model_validate({"q": "oil", "pageSize": 10, "cursor": cursor}))
        seen += [a.id for a in body.articles]
        cursor = body.next_cursor
    # Then the walk shows exactly what matched at its first page: 0 duplicates, 0 skipped
    assert arrived == 19
    assert len(seen) == len(set(seen))
    assert set(seen) == set(expected)
    assert seen == expected  # and in the same order


def test_an_expired_snapshot_is_a_clear_410(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    site.add(*[article(f"{i:032x}", f"Gas prices {i}", body="gas " * (i % 4 + 1)) for i in range(30)])
    first = site.service.search(SearchParams.model_validate({"q": "gas", "pageSize": 10}))
    assert first.next_cursor
    monkeypatch.setattr(tantivy_index, "SNAPSHOT_TTL_SECONDS", -1.0)  # every pin is past its keep-alive
    site.index._snapshots.clear()
    with pytest.raises(ApiError) as error:
        site.service.search(SearchParams.model_validate({"q": "gas", "pageSize": 10, "cursor": first.next_cursor}))
    assert (error.value.status_code, error.value.code) == (410, "cursorExpired")


def test_walks_share_one_pin_per_index_generation(site: Site) -> None:
    site.add(*[article(f"{i:032x}", f"Coal output {i}", body="coal " * (i % 3 + 1)) for i in range(30)])
    for n in range(50):
        site.service.search(SearchParams.model_validate({"q": f"coal {n}", "pageSize": 5}))
    assert len(site.index._snapshots) == 1  # fifty walks, one generation: one pinned searcher
    site.add(article("e" * 32, "Coal mine", body="coal"))
    site.service.search(SearchParams.model_validate({"q": "coal", "pageSize": 5}))
    assert len(site.index._snapshots) == 2


def test_prefix_wildcards_are_a_400_that_says_so(site: Site) -> None:
    with pytest.raises(ApiError) as error:
        site.service.search(SearchParams.model_validate({"q": "energ*"}))
    assert error.value.status_code == 400
    assert "wildcard" in error.value.message


def test_facet_size_truncated_flag_and_other_count(site: Site) -> None:
    site.add(
        *[article(f"{i:032x}", f"Steel {i}", source=f"Mill {i % 5}", domain=f"m{i % 5}.example") for i in range(20)]
    )
    body = site.service.search(SearchParams.model_validate({"q": "steel", "facets": "source", "facetSize": 2}))
    assert len(body.facets["source"]) == 2
    assert body.facets_truncated == {"source": True}
    assert body.facets_other == {"source": 12}
    full = site.service.search(SearchParams.model_validate({"q": "steel", "facets": "source", "facetSize": 10}))
    assert full.facets_truncated == {"source": False}
    assert full.facets_other == {"source": 0}


def test_tags_filter_and_fields_on_lists(site: Site) -> None:
    site.add(
        article("a" * 32, "Tesla recalls cars", tags=["tesla", "recall"]),
        article("b" * 32, "Tesla opens plant", tags=["tesla"]),
        article("c" * 32, "Ford recalls cars", tags=["ford", "recall"]),
    )
    body = site.service.search(SearchParams.model_validate({"tags": "tesla,recall", "fields": "title"}))
    assert [a.id for a in body.articles] == ["a" * 32]
    import json

    dumped = json.loads(body.to_json())
    assert dumped["articles"] == [{"id": "a" * 32, "title": "Tesla recalls cars"}]


def test_verbatim_copies_become_indexed_source_keys() -> None:
    doc = SearchDocument(
        id="x", title="t", category="economy", sort_at="2026-11-20T00:00:00Z", source_name="Wire Service",
        also_from=["Daily Bugle", "gazette.example", "Wire Service"],
    )  # fmt: skip
    assert doc.copy_keys == ["daily-bugle", "gazette.example"]
    assert doc.source_total == 3
