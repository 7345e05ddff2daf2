"""The story window where stories are read: a story stored before ingest enforced it (members months apart)
does not lend its old sources to late articles, nor take theirs, in cards, the article page or What's Hot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from newsflow.api.params import FilterParams, RelatedParams, TopHeadlinesParams
from newsflow.api.service import QueryService

from tests.unit.search.test_query_service import NOW, Site, article

OLD = "s-old"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    built = Site(tmp_path)
    # A story begun 20 days ago (two members a day apart) that three late articles of the last hours joined
    built.add(
        article("o1" + "0" * 30, "Dam project approved", hours_ago=20 * 24, source="Old Times", story_id=OLD),
        article("o2" + "0" * 30, "Dam project gets approval", hours_ago=19 * 24, source="Archive Daily", story_id=OLD),
        *[
            article(f"l{i}" + "0" * 30, f"Dam news {i}", hours_ago=1 + i, source=f"Late {i}", story_id=OLD)
            for i in range(3)
        ],
        # and a story of two sources an hour ago, and a fresh single
        article("p1" + "0" * 30, "Port strike ends", hours_ago=1.5, source="Harbour News", story_id="s-port"),
        article("p2" + "0" * 30, "Port strike is over", hours_ago=1.5, source="Dock Daily", story_id="s-port"),
        article("f" * 32, "Local bakery opens", hours_ago=0.2, source="Town Crier"),
    )
    yield built
    built.index.close()


def test_what_s_hot_ranks_late_members_of_an_old_story_as_articles_of_their_own(site: Site) -> None:
    body = site.service.top_headlines(TopHeadlinesParams.model_validate({"pageSize": 10}))
    by_id = {a.id: a for a in body.articles}
    # The old story does not rank as one story of three fresh sources (3 x 2^(-2/6) would put it first)
    assert body.articles[0].id in {"p1" + "0" * 30, "p2" + "0" * 30}
    assert body.articles[0].source_count == 2
    for i in range(3):
        late = by_id[f"l{i}" + "0" * 30]
        assert late.source_count == 1
        assert late.also_from == []
    # and the total counts them one by one: the port story, the single, three late articles
    assert body.total_results == 5
    assert body.total_relation == "eq"
    assert len(body.articles) == 5


def test_cards_show_only_members_within_the_story_window(site: Site) -> None:
    cards = {c.id: c for c in site.service.list_articles(FilterParams.model_validate({"pageSize": 50})).articles}
    assert cards["o2" + "0" * 30].also_from == ["Old Times"]
    assert cards["o1" + "0" * 30].also_from == ["Archive Daily"]
    for i in range(3):
        assert cards[f"l{i}" + "0" * 30].also_from == []


def test_the_article_page_of_a_late_member_names_no_old_sources(site: Site) -> None:
    detail = site.service.article_pages.detail("l0" + "0" * 30)
    assert detail.also_from == []
    assert site.service.article_pages.detail("o1" + "0" * 30).also_from == ["Archive Daily"]


def test_the_window_is_the_service_setting(site: Site) -> None:
    # With a 30-day window the late articles are members again: the story of three sources in the 24 h window
    # ranks first, its earliest article there standing for it
    wide = QueryService(site.store, site.index, now=lambda: NOW, story_span=timedelta(days=30))  # type: ignore[arg-type]
    body = wide.top_headlines(TopHeadlinesParams.model_validate({"pageSize": 3}))
    assert body.articles[0].id == "l2" + "0" * 30
    assert body.articles[0].source_count == 3
    assert set(body.articles[0].also_from) == {"Late 0", "Late 1"}
    assert body.total_results == 3


def test_collapse_by_story_keeps_late_members_as_articles_of_their_own(site: Site) -> None:
    # When the latest articles are listed one per story
    page = site.service.list_articles(FilterParams.model_validate({"pageSize": 50, "collapse": "story"}))
    ids = [a.id for a in page.articles]
    # Then each late member of the old story stands alone (the first of them hides no other), the old story's
    # window is one entry (its newer member), and the port story one
    assert ids[:2] == ["f" * 32, "l0" + "0" * 30]
    assert ids[2] in {"p1" + "0" * 30, "p2" + "0" * 30}
    assert ids[3:] == ["l1" + "0" * 30, "l2" + "0" * 30, "o2" + "0" * 30]
    # And paged one by one, the walk shows the same entries
    seen = []
    cursor = None
    while True:
        query = {"pageSize": 1, "collapse": "story", **({"cursor": cursor} if cursor else {})}
        one = site.service.list_articles(FilterParams.model_validate(query))
        seen += [a.id for a in one.articles]
        cursor = one.next_cursor
        if not cursor:
            break
    assert seen == ids


def test_related_leaves_out_only_the_story_window_of_the_article(site: Site) -> None:
    # A late member stands alone: the other late members and the old story (one entry for its window) are related
    related = [a.id for a in site.service.related("l0" + "0" * 30, RelatedParams(page_size=10)).articles]
    assert "l0" + "0" * 30 not in related
    assert {"l1" + "0" * 30, "l2" + "0" * 30} <= set(related)
    assert len({"o1" + "0" * 30, "o2" + "0" * 30} & set(related)) == 1
    # The old story's first article: its window's other member is its story (left out), the late ones are not
    related = [a.id for a in site.service.related("o1" + "0" * 30, RelatedParams(page_size=10)).articles]
    assert "o2" + "0" * 30 not in related
    assert {"l0" + "0" * 30, "l1" + "0" * 30, "l2" + "0" * 30} <= set(related)
