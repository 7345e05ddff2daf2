"""The route table: every route's method, path, parameters, responses, cache policy and auth, declared once.

`newsflow.api.router` matches requests and validates parameters from it; `newsflow.api.openapi` builds the
OpenAPI document from it; the API Gateway construct's tests check its auth against it. Paths use OpenAPI's
`{name}` placeholders, named as the path model's fields (their aliases) are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from pydantic import BaseModel

from newsflow.api import admin, endpoints, params, views
from newsflow.api.errors import ErrorBody
from newsflow.api.http import Reply
from newsflow.api.newsapi import params as newsapi_params
from newsflow.api.newsapi import views as newsapi_views
from newsflow.api.newsapi.errors import NewsApiErrorBody

Auth = Literal["key", "iam"]

# Browsers keep max-age; CloudFront keeps s-maxage (README "Cost": lists up to 5 min behind at the edge).
READS: Final = "public, max-age=30, s-maxage=300, stale-while-revalidate=30"
SEARCH: Final = "public, max-age=30, s-maxage=60, stale-while-revalidate=30"  # its cursors hold a 5 min snapshot
ARTICLE: Final = "public, max-age=60, s-maxage=900, stale-while-revalidate=60"
STRUCTURE: Final = "public, max-age=120, s-maxage=1800, stale-while-revalidate=120"
PAGES: Final = "public, max-age=30, s-maxage=300, stale-while-revalidate=30"
DOCUMENT: Final = "public, max-age=300"
NO_STORE: Final = "no-store"

TOP_HEADLINES_DESCRIPTION: Final = (
    '"What\'s Hot": stories ranked by how many distinct sources carried them, with recency decay. '
    "score(story) = Σ over its distinct sources s of 2^(-age_s / halfLife), where the sources are those of the "
    "story's articles and of the verbatim copies folded into them (alsoFrom), age_s is the age in hours of the "
    "first article of s in the story (a copy: of the article it copied) and halfLife is 6 h for window=24h and "
    "36 h for window=7d. A story of two fresh sources scores ~2, a six-hour-old single article 0.5 (24h). One "
    "article per story is returned: its earliest, with `alsoFrom` listing the other sources. Articles with no "
    "story are stories of one. `nextCursor` pages the ranking as computed for the first page."
)
NEWSAPI_DESCRIPTION: Final = (
    "NewsAPI.org-compatible (README, 'NewsAPI compatibility'): NewsAPI's parameters, response shape and error "
    "codes, so the newsapi-python and npm newsapi clients work with only their base URL changed. The API key may "
    "be given as the apiKey parameter, the X-Api-Key header or `Authorization: Bearer KEY`."
)
PAGE_DESCRIPTION: Final = (
    "One request renders one page of a news site: the site-wide blocks (section menu with counts, What's Hot, "
    "Latest Posts, monthly archives) and the page's own content, composed server-side from the same queries as "
    "the single-purpose routes; one cacheable answer (ETag, compressed)."
)
_NEWSAPI_ERRORS: Final = (400, 401, 500)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    operation_id: str
    summary: str
    response: type[BaseModel] | None  # None: served, but not an operation of the document (the document itself)
    endpoint: Callable[[endpoints.Call], Reply]
    query: type[BaseModel] | None = None
    path_model: type[BaseModel] | None = None
    errors: tuple[int, ...] = (400,)
    tag: str = "articles"
    description: str = ""
    body: type[BaseModel] | None = None
    status: int = 200
    also: tuple[int, ...] = ()  # other success statuses (saveFeed: 201)
    auth: Auth = "key"
    cache: str = READS
    error_body: type[BaseModel] = ErrorBody
    media_type: str | None = None  # a non-JSON answer (GET) or body (POST), e.g. OPML: documented as text


def _newsapi(path: str, operation_id: str, summary: str, response: type[BaseModel], query: type[BaseModel],
             endpoint: Callable[[endpoints.Call], Reply]) -> Route:  # fmt: skip
    return Route(
        "GET", path, operation_id, summary, response, endpoint, query, errors=_NEWSAPI_ERRORS, tag="newsapi",
        description=NEWSAPI_DESCRIPTION, error_body=NewsApiErrorBody,
    )  # fmt: skip


ROUTES: Final[tuple[Route, ...]] = (
    Route("GET", "/v1/articles", "listArticles", "Articles, newest first (category pages, Latest Posts)",
          views.ListResponse, endpoints.list_articles, params.ArticlesParams),
    Route("GET", "/v1/search", "search", "Full-text search with filters, facets and highlights",
          views.SearchResponse, endpoints.search, params.SearchParams, errors=(400, 410), tag="search", cache=SEARCH),
    Route("GET", "/v1/articles/{id}", "getArticle",
          "One article with body, reading time, source and previous/next in its category",
          views.ArticleResponse, endpoints.get_article, params.ArticleParams, params.ArticleIdParam, (400, 404),
          cache=ARTICLE),
    Route("GET", "/v1/articles/{id}/related", "relatedArticles",
          "Similar articles, never the article itself nor its own story", views.ListResponse, endpoints.related,
          params.RelatedParams, params.ArticleIdParam, (400, 404)),
    Route("GET", "/v1/top-headlines", "topHeadlines",
          "What's Hot: stories ranked by distinct sources with recency decay", views.TopHeadlinesResponse,
          endpoints.top_headlines, params.TopHeadlinesParams, description=TOP_HEADLINES_DESCRIPTION),
    Route("GET", "/v1/categories", "listCategories", "Categories with counts", views.CategoriesResponse,
          endpoints.categories, params.NoParams, tag="site", cache=STRUCTURE),
    Route("GET", "/v1/archives", "listArchives", "Monthly archive counts", views.ArchivesResponse,
          endpoints.archives, params.ArchivesParams, tag="site", cache=STRUCTURE),
    Route("GET", "/v1/archives/{year}/{month}", "archiveMonth", "Articles of one calendar month (UTC), newest first",
          views.ListResponse, endpoints.archive_month, params.FilterParams, params.ArchiveMonthPath, tag="site"),
    Route("GET", "/v1/sources", "listSources", "Sources with counts", views.SourcesResponse, endpoints.sources,
          params.SourcesParams, tag="site", cache=STRUCTURE),
    Route("GET", "/v1/pages/home", "pageHome", "The front page in one request", views.HomePage,
          endpoints.page_home, params.PageParams, tag="pages", description=PAGE_DESCRIPTION, cache=PAGES),
    Route("GET", "/v1/pages/category/{slug}", "pageCategory", "A section page in one request", views.CategoryPage,
          endpoints.page_category, params.PageParams, params.CategorySlugParam, tag="pages",
          description=PAGE_DESCRIPTION, cache=PAGES),
    Route("GET", "/v1/pages/article/{id}", "pageArticle",
          "An article page in one request: the article, previous/next, related, and the site blocks",
          views.ArticlePage, endpoints.page_article, params.ArticlePageParams, params.ArticleIdParam, (400, 404),
          tag="pages", description=PAGE_DESCRIPTION, cache=PAGES),
    Route("GET", "/v1/pages/search", "pageSearch", "A search results page in one request", views.SearchPage,
          endpoints.page_search, params.SearchParams, errors=(400, 410), tag="pages", description=PAGE_DESCRIPTION,
          cache=PAGES),
    Route("GET", "/v1/health", "health", "Table and index reachability", views.HealthResponse, endpoints.health,
          params.NoParams, errors=(400, 503), tag="ops", cache=NO_STORE),
    Route("GET", "/v1/openapi.json", "openapi", "This document", None, endpoints.openapi, params.NoParams,
          tag="ops", cache=DOCUMENT),
    Route("GET", "/v1/docs", "docs", "Swagger UI for this document", None, endpoints.docs, params.NoParams,
          tag="ops", cache=DOCUMENT),
    Route("POST", "/v1/admin/items", "submitItems", "Validate and enqueue up to 100 FeedItems",
          admin.ItemsResponse, endpoints.submit_items, body=admin.ItemsRequest, errors=(400, 403, 503), tag="admin",
          status=202, auth="iam", cache=NO_STORE),
    Route("GET", "/v1/admin/feeds", "listFeeds", "The feeds registry", admin.FeedsResponse, endpoints.list_feeds,
          params.NoParams, errors=(400, 403), tag="admin", auth="iam", cache=NO_STORE),
    Route("POST", "/v1/admin/feeds", "saveFeed", "Create (201) or update (200) a feed", admin.FeedResponse,
          endpoints.save_feed, body=admin.FeedInput, errors=(400, 403), tag="admin", also=(201,), auth="iam",
          cache=NO_STORE),
    Route("POST", "/v1/admin/feeds/opml", "importOpml",
          "Register the feeds of an OPML document (body: the OPML XML); existing URLs are kept",
          admin.OpmlImportResponse, endpoints.import_opml, params.NoParams, errors=(400, 403), tag="admin",
          auth="iam", cache=NO_STORE, media_type="text/x-opml"),
    Route("GET", "/v1/admin/feeds/opml", "exportOpml", "The registry as OPML 2.0 (text/x-opml)",
          admin.OpmlImportResponse, endpoints.export_opml, params.NoParams, errors=(400, 403), tag="admin",
          auth="iam", cache=NO_STORE, media_type="text/x-opml"),
    Route("POST", "/v1/admin/feeds/{feedId}/{action}", "feedAction",
          "enable (clears the disabled reason, due now), disable, poll-now (fetch queued at once) or reset",
          admin.FeedResponse, endpoints.feed_action, params.NoParams, params.FeedActionPath, (400, 403, 404, 409),
          tag="admin", auth="iam", cache=NO_STORE),
    Route("GET", "/v1/admin/feeds/{feedId}", "getFeed", "One feed", admin.FeedResponse, endpoints.get_feed,
          params.NoParams, params.FeedIdParam, (400, 403, 404), tag="admin", auth="iam", cache=NO_STORE),
    Route("DELETE", "/v1/admin/feeds/{feedId}", "deleteFeed", "Remove a feed", admin.DeletedResponse,
          endpoints.delete_feed, params.NoParams, params.FeedIdParam, (400, 403, 404), tag="admin", auth="iam",
          cache=NO_STORE),
    _newsapi("/v2/everything", "newsapiEverything",
             "NewsAPI /v2/everything: search every article (page-based paging to a maximum depth)",
             newsapi_views.ArticlesResponse, newsapi_params.EverythingParams, endpoints.newsapi_everything),
    _newsapi("/v2/top-headlines", "newsapiTopHeadlines",
             "NewsAPI /v2/top-headlines: What's Hot, with NewsAPI's filters",
             newsapi_views.ArticlesResponse, newsapi_params.TopHeadlinesParams, endpoints.newsapi_top_headlines),
    _newsapi("/v2/top-headlines/sources", "newsapiSources",
             "NewsAPI /v2/top-headlines/sources: the sources of the index",
             newsapi_views.SourcesResponse, newsapi_params.SourcesParams, endpoints.newsapi_sources),
    _newsapi("/v2/sources", "newsapiSourcesLegacy",
             "NewsAPI /v2/sources (the older path of /v2/top-headlines/sources)",
             newsapi_views.SourcesResponse, newsapi_params.SourcesParams, endpoints.newsapi_sources),
)  # fmt: skip
