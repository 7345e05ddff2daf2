"""The query service over a real tantivy index and an in-memory article store: paging, stories, pages."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from newsflow.api.errors import ApiError
from newsflow.api.params import (
    ArchivesParams,
    ArticleParams,
    ArticlesParams,
    FilterParams,
    RelatedParams,
    SearchParams,
    SourcesParams,
    TopHeadlinesParams,
)
from newsflow.api.service import QueryService
from newsflow.models import Article, CategoryScore
from newsflow.search.port import SearchDocument
from newsflow.search.tantivy_index import TantivyIndex

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def article(
    article_id: str,
    title: str,
    *,
    hours_ago: float = 0,
    category: str = "economy",
    source: str = "Example News",
    domain: str = "example.com",
    story_id: str | None = None,
    body: str = "",
    **extra: Any,
) -> Article:
    at = NOW - timedelta(hours=hours_ago)
    return Article(
        id=article_id,
        url=f"https://{domain}/{article_id}",
        title=title,
        summary=f"Summary of {title}",
        body_text=body or f"{title}. More text about {title.lower()}.",
        source_name=source,
        source_domain=domain,
        language="en",
        published_at=at,
        first_seen_at=at,
        last_seen_at=at,
        sort_at=at,
        category=category,
        categories=[CategoryScore(slug=category, score=0.9)],
        word_count=400,
        reading_time_minutes=2,
        content_hash=f"h-{article_id}",
        story_id=story_id,
        **extra,
    )


class MemoryArticles:
    def __init__(self) -> None:
        self.items: dict[str, Article] = {}

    def get(self, article_id: str) -> Article | None:
        return self.items.get(article_id)

    def ping(self) -> bool:
        return True


class Site:
    def __init__(self, tmp: Path) -> None:
        self.index = TantivyIndex(tmp / "index")
        self.store = MemoryArticles()
        self.service = QueryService(self.store, self.index, now=lambda: NOW)  # type: ignore[arg-type]

    def add(self, *articles: Article) -> None:
        for a in articles:
            self.store.items[a.id] = a
        assert self.index.upsert([SearchDocument.from_article(a) for a in articles]) == []


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    built = Site(tmp_path)
    yield built
    built.index.close()


def walk(fetch: Any, params: dict[str, Any], model: type[FilterParams], *, between: Any = None) -> list[str]:
    seen: list[str] = []
    cursor = None
    for page in range(200):
        response = fetch(model.model_validate({**params, **({"cursor": cursor} if cursor else {})}))
        seen += [a.id for a in response.articles]
        cursor = response.next_cursor
        if not cursor:
            return seen
        if between:
            between(page)
    raise AssertionError("paging did not end")


# ------------------------------------------------------------------------------------- paging


def test_date_paging_neither_skips_nor_repeats_while_articles_arrive(site: Site) -> None:
    # Given 60 articles, some sharing a timestamp
    site.add(*[article(f"a{i:03d}", f"Market note {i}", hours_ago=i // 3) for i in range(60)])
    expected = walk(site.service.list_articles, {"pageSize": 7}, ArticlesParams)
    assert len(expected) == len(set(expected)) == 60

    # When newer articles (and a back-dated one) arrive between every page
    def arrive(page: int) -> None:
        site.add(article(f"new{page:02d}", f"Breaking {page}", hours_ago=-1 - page))

    seen = walk(site.service.list_articles, {"pageSize": 7}, ArticlesParams, between=arrive)
    # Then the reader sees every original article once, in the same order
    assert [i for i in seen if i.startswith("a")] == expected
    assert len(seen) == len(set(seen))


def test_relevancy_paging_uses_a_snapshot(site: Site) -> None:
    site.add(*[article(f"m{i:02d}", f"Merger talk {i}", body="merger " * (i % 5 + 1)) for i in range(30)])
    expected = walk(site.service.search, {"q": "merger", "pageSize": 4}, SearchParams)
    assert len(set(expected)) == 30

    def arrive(page: int) -> None:  # strong new matches would jump to the top of a live ranking
        site.add(article(f"z{page:02d}", "Merger merger merger", body="merger " * 20))

    seen = walk(site.service.search, {"q": "merger", "pageSize": 4}, SearchParams, between=arrive)
    assert seen == expected


def test_totals_are_exact_and_deep_pages_cost_no_more(site: Site) -> None:
    site.add(*[article(f"d{i:03d}", f"Note {i}", hours_ago=i) for i in range(45)])
    first = site.service.list_articles(ArticlesParams.model_validate({"pageSize": 10}))
    assert (first.total_results, first.total_relation) == (45, "eq")
    assert first.next_cursor


def test_a_cursor_only_continues_its_own_query(site: Site) -> None:
    site.add(*[article(f"c{i}", f"Note {i}", hours_ago=i) for i in range(5)])
    page = site.service.list_articles(ArticlesParams.model_validate({"pageSize": 2}))
    assert page.next_cursor
    with pytest.raises(ApiError) as raised:
        site.service.list_articles(
            ArticlesParams.model_validate({"pageSize": 2, "language": "de", "cursor": page.next_cursor})
        )
    assert (raised.value.status_code, raised.value.code, raised.value.param) == (400, "cursorInvalid", "cursor")
    # pageSize may change between pages
    more = site.service.list_articles(ArticlesParams.model_validate({"pageSize": 3, "cursor": page.next_cursor}))
    assert [a.id for a in more.articles] == ["c2", "c3", "c4"]


# ------------------------------------------------------------------------------------- stories


def story_site(site: Site) -> None:
    site.add(
        article(
            "s1a", "Chip export rules tighten", hours_ago=1, story_id="chips", source="Reuters", domain="reuters.com"
        ),
        article("s1b", "US tightens chip exports", hours_ago=2, story_id="chips", source="CNBC", domain="cnbc.com"),
        article("s1c", "Chip curbs widen", hours_ago=3, story_id="chips", source="FT", domain="ft.com"),
        article("solo", "Wheat harvest record", hours_ago=1.5),
        article("s2a", "Fed cuts rates", hours_ago=4, story_id="fed", source="Reuters", domain="reuters.com"),
        article("s2b", "Rate cut by the Fed", hours_ago=5, story_id="fed", source="AP", domain="apnews.com"),
    )


def test_collapse_returns_one_article_per_story_across_pages(site: Site) -> None:
    story_site(site)
    seen = walk(site.service.list_articles, {"pageSize": 1, "collapse": "story"}, ArticlesParams)
    assert seen == ["s1a", "solo", "s2a"]


def test_cards_carry_story_and_other_sources(site: Site) -> None:
    story_site(site)
    page = site.service.list_articles(ArticlesParams.model_validate({"pageSize": 10, "collapse": "story"}))
    first = page.articles[0]
    assert first.story_id == "chips"
    assert first.also_from == ["FT", "CNBC"]  # earliest publisher first
    assert page.articles[1].also_from == []


def test_top_headlines_rank_stories_by_sources_with_decay(site: Site) -> None:
    story_site(site)
    hot = site.service.top_headlines(TopHeadlinesParams.model_validate({"pageSize": 3}))
    assert [a.id for a in hot.articles] == ["s1c", "s2b", "solo"]  # the earliest article stands for its story
    chips = hot.articles[0]
    assert chips.source_count == 3
    assert chips.score == pytest.approx(sum(math.pow(2, -h / 6) for h in (1, 2, 3)), rel=1e-6)
    assert sorted(chips.also_from) == ["CNBC", "Reuters"]
    assert hot.half_life_hours == 6


def test_related_never_lists_the_article_or_its_story(site: Site) -> None:
    story_site(site)
    site.add(article("other", "Chip stocks rally on export news", hours_ago=8))
    related = site.service.related("s1a", RelatedParams())
    ids = [a.id for a in related.articles]
    assert ids
    assert ids[0] == "other"
    assert not {"s1a", "s1b", "s1c"} & set(ids)


# ------------------------------------------------------------------------------- article page


def test_article_has_previous_and_next_in_its_primary_category(site: Site) -> None:
    site.add(
        article("old", "Older economy", hours_ago=3),
        article("mid", "Middle economy", hours_ago=2),
        article("new", "Newer economy", hours_ago=1),
        article("else", "Energy in between", hours_ago=1.5, category="energy-resources"),
    )
    body = site.service.get_article("mid").article
    assert body["previous"]["id"] == "old"
    assert body["next"]["id"] == "new"
    assert body["readingTimeMinutes"] == 2
    assert body["source"] == {
        "id": "example-news",
        "name": "Example News",
        "domain": "example.com",
        "homepage": "https://example.com/",
    }
    only = site.service.get_article("mid", ArticleParams(fields="title,next")).article
    assert set(only) == {"id", "title", "next"}


def test_unknown_article_is_404(site: Site) -> None:
    with pytest.raises(ApiError) as raised:
        site.service.get_article("0" * 32)
    assert raised.value.status_code == 404


# ------------------------------------------------------------------------- search and site pages


def test_search_filters_facets_and_highlights(site: Site) -> None:
    story_site(site)
    site.add(article("ft2", "Chip makers <b>brace</b>", hours_ago=30, source="FT", domain="ft.com"))
    result = site.service.search(
        SearchParams.model_validate(
            {"q": "chip", "highlight": "true", "facets": "source,month,category", "excludeDomains": "reuters.com"}
        )
    )
    assert {a.id for a in result.articles} == {"s1b", "s1c", "ft2"}
    assert result.facets is not None
    assert result.facets["source"] == {"cnbc": 1, "ft": 2}
    assert result.facets["month"] == {"2026-11": 3}
    marked = next(a for a in result.articles if a.id == "ft2").highlights
    assert marked is not None
    assert marked["title"] == "<mark>Chip</mark> makers &lt;b&gt;brace&lt;/b&gt;"
    only_titles = site.service.search(SearchParams.model_validate({"q": "chip", "searchIn": "description"}))
    assert only_titles.total_results == 4  # summaries repeat the title
    assert site.service.search(SearchParams.model_validate({"q": "more", "searchIn": "title"})).total_results == 0


def test_archives_sources_and_categories(site: Site) -> None:
    site.add(
        article("oct", "October news", hours_ago=24 * 40),
        article("nov1", "November news", hours_ago=5, source="Reuters", domain="reuters.com"),
        article("nov2", "November energy", hours_ago=6, category="energy-resources"),
    )
    months = site.service.archives(ArchivesParams()).months
    assert [(m.month, m.article_count) for m in months] == [("2026-11", 2), ("2026-10", 1)]
    october = site.service.archive_month(2026, 10, FilterParams())
    assert [a.id for a in october.articles] == ["oct"]
    sources = site.service.sources(SourcesParams()).sources
    assert [(s.id, s.name, s.domain, s.article_count) for s in sources] == [
        ("example-news", "Example News", "example.com", 2),
        ("reuters", "Reuters", "reuters.com", 1),
    ]
    assert sources[0].latest_at == NOW - timedelta(hours=6)
    counts = {c.slug: c for c in site.service.categories().categories}
    assert counts["economy"].article_count == 2
    assert counts["economy"].latest_at == NOW - timedelta(hours=5)
    assert counts["agriculture"].latest_at is None


def test_collapse_pages_relevancy_results_in_several_rounds(site: Site) -> None:
    # Given one big story (40 members) that would fill whole batches, and a few single articles
    site.add(*[article(f"big{i:02d}", "Merger merger news", story_id="big", hours_ago=i) for i in range(40)])
    site.add(*[article(f"one{i}", "Merger talk", hours_ago=50 + i) for i in range(3)])
    # When searching by relevancy, one per story, in pages of 2
    seen = walk(site.service.search, {"q": "merger", "pageSize": 2, "collapse": "story"}, SearchParams)
    # Then the story shows once and every single article once
    assert len([s for s in seen if s.startswith("big")]) == 1
    assert sorted(s for s in seen if s.startswith("one")) == ["one0", "one1", "one2"]
