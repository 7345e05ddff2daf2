"""What a million API requests cost: API Gateway + WAF + Lambda, with and without CloudFront in front.

- TTLs are **measured**: every route the reference site calls is answered by the real api handler on moto
  (empty stack, tantivy), and its `Cache-Control` is what CloudFront's cache policy honours (infra/cdn.py:
  default TTL 0, max 1 h, key = path + every query string).
- The cache hit ratio is **simulated** from a request stream: page views of the reference site (web/js),
  each expanded into the API calls that page makes, over Zipf-popular articles, sections and searches,
  spread over several regional caches. A cursor is a function of the page it came from (keyset values, the
  query's hash, a relevancy walk's snapshot id): readers who got the same cached copy of a first page follow
  the same cursor URL, so "next page" is shared by them, and only by them (`shared_cursors`; the row with
  cursors never shared is the earlier, pessimistic model).
- Prices, response sizes and the origin's Lambda time are assumptions, printed with the table.

The first version had no cache in front of the API: every request paid API Gateway, WAF and Lambda.
"""

from __future__ import annotations

import math
import os
import random
import re
import tempfile
from collections.abc import Callable
from typing import Any, NamedTuple

from benchmarks.common import table

SEED = 20261201
SIMULATED_SECONDS = 1800  # half an hour of traffic per rate

# us-east-1 / North America + Europe list prices (as quoted by public pricing pages; check before budgeting).
PRICE_CLOUDFRONT_REQUEST = 0.0100 / 10_000  # HTTPS requests
PRICE_CLOUDFRONT_GB = 0.085  # data transfer out to the internet, first 10 TB
PRICE_ORIGIN_SHIELD_REQUEST = 0.0100 / 10_000  # each request a regional cache sends to the shield (modelled)
PRICE_APIGW_REQUEST = 3.50 / 1e6  # REST API, first 333 million
PRICE_WAF_REQUEST = 0.60 / 1e6  # regional web ACL on the stage (rules are fixed cost)
PRICE_APIGW_GB = 0.09  # data out from API Gateway to the internet (no CloudFront)
PRICE_LAMBDA_GB_SECOND = 0.0000133334  # arm64
PRICE_LAMBDA_REQUEST = 0.20 / 1e6
API_MEMORY_MB = 1024  # infra/api.py
ORIGIN_MS = 40.0  # modelled api Lambda duration per request: compute at 1 GB + one OpenSearch query
RESPONSE_KB = 6.0  # modelled compressed JSON response (a page of cards)

# A page view of the reference site -> the API calls it makes (web/js/pages.js and blocks.js). The sidebar
# blocks (categories, archives, sources, What's Hot, recent) are fetched once per visit (api.js `cached`).
PAGE_MIX = (("home", 0.30), ("article", 0.45), ("section", 0.15), ("search", 0.07), ("archive", 0.03))
PAGES_PER_VISIT = 3.0
NEXT_PAGE_SHARE = 0.15  # page views that follow a cursor (home, section, archive, search)
LIVE_ARTICLES = 3000  # articles readers open (a few days of news), Zipf-popular
ZIPF_S = 1.0
SECTIONS = 14
MONTHS = 12
POPULAR_QUERIES = 300  # searches: half from a popular head, half unique
REGIONAL_CACHES = 4  # CloudFront regional edge caches that PriceClass_100 traffic lands on
RATES_PER_MONTH = (1e6, 10e6, 100e6)  # API requests a month (at the origin, with no cache)
WHAT_IF_TTL = 300  # a CloudFront-only TTL (s-maxage) the reads could send, browsers keeping max-age=30

ROUTES = {
    "latest": "/v1/articles?pageSize=7&collapse=story",
    "section": "/v1/articles?category=economy&pageSize=6",
    "recent": "/v1/articles?pageSize=5",
    "hot": "/v1/top-headlines?window=24h&pageSize=3",
    "categories": "/v1/categories",
    "archives": "/v1/archives",
    "sources": "/v1/sources",
    "article": "/v1/articles/0123456789abcdef0123456789abcdef",
    "related": "/v1/articles/0123456789abcdef0123456789abcdef/related?pageSize=3",
    "month": "/v1/archives/2026/11?pageSize=6",
    "search": "/v1/search?q=oil&highlight=true&facets=category,source,month&pageSize=10",
}
PLACEHOLDER_ID = "0123456789abcdef0123456789abcdef"
MAX_AGE = re.compile(r"(?:^|,)\s*max-age=(\d+)")
S_MAXAGE = re.compile(r"(?:^|,)\s*s-maxage=(\d+)")  # what a shared cache (CloudFront) honours first


def measured_ttls() -> dict[str, tuple[int, str, int]]:
    """route -> (seconds CloudFront keeps it, the Cache-Control sent, status), from the real api handler."""
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
        }
    )
    from moto import mock_aws

    found: dict[str, tuple[int, str, int]] = {}
    with tempfile.TemporaryDirectory() as index_dir, mock_aws():
        from newsflow import constants as c
        from newsflow.handlers import api
        from newsflow.local.context import LocalLambdaContext
        from newsflow.local.events import api_gateway_event
        from newsflow.local.resources import create_resources
        from newsflow.local.stack import reset_process_caches

        reset_process_caches()
        resources = create_resources()
        os.environ.update(resources.environment())
        os.environ[c.ENV_SEARCH_BACKEND] = "tantivy"
        os.environ[c.ENV_TANTIVY_PATH] = index_dir
        reset_process_caches()
        article_id = _store_one_article(resources)
        for name, template in ROUTES.items():
            path = template.replace(PLACEHOLDER_ID, article_id)
            event = api_gateway_event("GET", path, {"accept": "application/json"}, b"", "127.0.0.1")
            response = api.lambda_handler(event, LocalLambdaContext("api"))
            headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
            headers |= {k.lower(): ", ".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()}
            control = headers.get("cache-control", "")
            ttl = (
                0
                if ("no-store" in control or "private" in control)
                else int(m.group(1))
                if (m := S_MAXAGE.search(control) or MAX_AGE.search(control))
                else 0
            )
            found[name] = (ttl, control, int(response["statusCode"]))
        reset_process_caches()
    return found


def _store_one_article(resources: Any) -> str:
    """One sample article, stored and indexed, so the article routes answer 200 (a 404 is never cached)."""
    from datetime import UTC, datetime

    from newsflow import aws
    from newsflow.models import FeedItem
    from newsflow.pipeline import ingest_item
    from newsflow.search import shared_search_index
    from newsflow.search.port import SearchDocument
    from newsflow.store.dynamo import DynamoArticleRepository

    from benchmarks.common import REPO_ROOT

    line = (REPO_ROOT / "samples" / "items.jsonl").read_text().splitlines()[0]
    repository = DynamoArticleRepository(aws.dynamodb(), resources.table_name)
    result = ingest_item(FeedItem.model_validate_json(line), repository, datetime.now(UTC))
    article = repository.get(result.write.article_id)
    if article is not None:
        shared_search_index().upsert([SearchDocument.from_article(article)])
    return result.write.article_id


def _zipf_sampler(n: int, rng: random.Random) -> Callable[[], int]:
    weights = [1 / (k + 1) ** ZIPF_S for k in range(n)]
    cumulative = list(_accumulate(weights))
    total = cumulative[-1]

    def draw() -> int:
        import bisect

        return bisect.bisect_left(cumulative, rng.random() * total)

    return draw


def _accumulate(values: list[float]) -> list[float]:
    out, running = [], 0.0
    for v in values:
        running += v
        out.append(running)
    return out


def page_requests(rng: random.Random, draws: dict[str, Callable[[], int]], new_visit: bool) -> list[tuple[str, str]]:
    """(route, cache key) for the API calls one page view makes."""
    page = rng.choices([p for p, _ in PAGE_MIX], [w for _, w in PAGE_MIX])[0]
    calls: list[tuple[str, str]] = []
    # A next page: its URL is the first page's cursor (which copy of the first page: decided in `simulate`).
    unique = "cursor=" if rng.random() < NEXT_PAGE_SHARE else ""
    if new_visit:  # the sidebar blocks, once per visit
        calls += [("categories", ""), ("archives", ""), ("sources", ""), ("hot", ""), ("recent", "")]
    if page == "home":
        calls.append(("latest", unique))
    elif page == "article":
        article = draws["article"]()
        calls += [("article", str(article)), ("related", str(article))]
        if not new_visit:
            calls.append(("sources", ""))
    elif page == "section":
        calls += [("categories", ""), ("section", f"{draws['section']()}{unique}")]
    elif page == "archive":
        calls.append(("month", f"{draws['month']()}{unique}"))
    else:
        query = draws["query"]() if rng.random() < 0.5 else f"tail-{rng.getrandbits(64):x}"
        calls += [("search", f"{query}{unique}"), ("categories", ""), ("sources", "")]
    return calls


class Simulated(NamedTuple):
    origin_ratio: float  # requests that reach API Gateway
    shield_ratio: float  # requests that reach Origin Shield (regional misses), 0 without it
    by_route: dict[str, tuple[int, int]]  # route -> (served from a cache, requests)

    @property
    def hit_ratio(self) -> float:
        return 1 - self.origin_ratio


def simulate(
    rate_per_month: float, ttls: dict[str, int], shield: bool = False, shared_cursors: bool = True
) -> Simulated:
    """CloudFront's caches for a Poisson stream at this many API requests a month. With Origin Shield, a
    regional cache's miss goes to the one shield cache, and only the shield's misses reach the origin.

    A next page (`cursor=` in its key) follows the first page's cursor: when that first page is in this
    regional cache, the reader got that copy, and its cursor is the one every reader of the copy follows (the
    copy is told apart by its expiry); otherwise the reader's first page came from the origin: a cursor of its
    own. With `shared_cursors=False` every next page is unique."""
    rng = random.Random(SEED)
    draws = {
        "article": _zipf_sampler(LIVE_ARTICLES, rng),
        "section": _zipf_sampler(SECTIONS, rng),
        "month": _zipf_sampler(MONTHS, rng),
        "query": _zipf_sampler(POPULAR_QUERIES, rng),
    }
    per_second = rate_per_month / (30 * 24 * 3600)
    page_rate = per_second / _mean_calls_per_page()
    expiry: dict[tuple[int, str, str], float] = {}
    shield_expiry: dict[tuple[str, str], float] = {}
    by_route: dict[str, list[int]] = {}
    origin = shielded = 0
    now = 0.0
    while now < SIMULATED_SECONDS:
        now += rng.expovariate(page_rate)
        cache = rng.randrange(REGIONAL_CACHES)
        for route, key in page_requests(rng, draws, rng.random() < 1 / PAGES_PER_VISIT):
            seen = by_route.setdefault(route, [0, 0])
            seen[1] += 1
            if "cursor=" in key:
                first = key.replace("cursor=", "")
                copy = expiry.get((cache, route, first), -1.0)
                key = f"{first}|next-of-{copy}" if shared_cursors and copy > now else f"{first}|{rng.getrandbits(64)}"
            cacheable = ttls[route] > 0
            if expiry.get((cache, route, key), -1.0) > now:
                seen[0] += 1
                continue
            if shield:
                shielded += 1
                if shield_expiry.get((route, key), -1.0) > now:
                    seen[0] += 1
                    expiry[(cache, route, key)] = shield_expiry[(route, key)]  # the shield's copy, as old as it is
                    continue
                if cacheable:
                    shield_expiry[(route, key)] = now + ttls[route]
            origin += 1
            if cacheable:
                expiry[(cache, route, key)] = now + ttls[route]
    total = max(1, sum(t for _, t in by_route.values()))
    return Simulated(origin / total, shielded / total, {route: (h, t) for route, (h, t) in by_route.items()})


def _mean_calls_per_page() -> float:
    rng = random.Random(SEED + 1)
    draws = {name: (lambda: 0) for name in ("article", "section", "month", "query")}
    views = 20_000
    return sum(len(page_requests(rng, draws, rng.random() < 1 / PAGES_PER_VISIT)) for _ in range(views)) / views


def origin_cost() -> float:
    """API Gateway + WAF + the api Lambda, per request that reaches the origin."""
    seconds = math.ceil(ORIGIN_MS) / 1000
    lambda_cost = seconds * API_MEMORY_MB / 1024 * PRICE_LAMBDA_GB_SECOND + PRICE_LAMBDA_REQUEST
    return PRICE_APIGW_REQUEST + PRICE_WAF_REQUEST + lambda_cost


def per_million(simulated: Simulated | None) -> float:
    gigabytes = RESPONSE_KB / (1024 * 1024)
    if simulated is None:  # the first version: every request at the API's own URL
        return (origin_cost() + gigabytes * PRICE_APIGW_GB) * 1e6
    edge = PRICE_CLOUDFRONT_REQUEST + gigabytes * PRICE_CLOUDFRONT_GB
    shield = simulated.shield_ratio * PRICE_ORIGIN_SHIELD_REQUEST
    return (edge + shield + simulated.origin_ratio * origin_cost()) * 1e6


def run() -> str:
    measured = measured_ttls()
    ttls = {route: ttl for route, (ttl, _, _) in measured.items()}
    route_rows = [
        [route, ROUTES[route], status, control or "(none)", f"{ttl} s"]
        for route, (ttl, control, status) in measured.items()
    ]
    rows: list[list[object]] = [["first version: no cache (API URL)", "all", "0.0%", f"${per_million(None):.2f}", "—"]]
    details = []
    what_if = {route: max(ttl, WHAT_IF_TTL) if ttl else 0 for route, ttl in ttls.items()}
    setups = (
        ("CloudFront, TTL from Cache-Control, no shield, next pages never shared (earlier model)", ttls, False, False),
        ("CloudFront, TTL from Cache-Control, no Origin Shield", ttls, False, True),
        ("+ Origin Shield: what infra/cdn.py deploys", ttls, True, True),
        (f"what if every read sent s-maxage={WHAT_IF_TTL}", what_if, False, True),
    )
    for label, route_ttls, shield, shared in setups:
        for rate in RATES_PER_MONTH:
            simulated = simulate(rate, route_ttls, shield, shared)
            cost = per_million(simulated)
            rows.append(
                [
                    label,
                    f"{rate / 1e6:g} M/month",
                    f"{simulated.hit_ratio:.1%}",
                    f"${cost:.2f}",
                    "met" if cost <= 2.0 else "NOT met",
                ]
            )
            if route_ttls is ttls and not shield and shared:
                details.append(
                    f"{rate / 1e6:g} M/month: "
                    + ", ".join(f"{route} {h / t:.0%}" for route, (h, t) in sorted(simulated.by_route.items()) if t)
                )
    return "\n".join(
        [
            "## Cost per million API requests (API Gateway REST + WAF + Lambda, CloudFront in front)",
            "",
            "Cache-Control of each route the site calls, from the real api handler on moto:",
            "",
            table(["route", "request", "status", "Cache-Control", "CloudFront TTL"], route_rows),
            "",
            table(["setup", "requests", "origin offload (simulated)", "$ / million requests", "goal ≤ $2"], rows),
            "",
            "Hit ratio per route (no Origin Shield): " + "; ".join(details),
            "",
            "Assumptions: page views "
            + ", ".join(f"{p} {w:.0%}" for p, w in PAGE_MIX)
            + f"; {PAGES_PER_VISIT:g} pages a visit (the sidebar's 5 calls once a visit); {NEXT_PAGE_SHARE:.0%} of "
            f"list and search views follow a cursor (shared by the readers of one cached first page); articles "
            f"Zipf(s={ZIPF_S:g}) over "
            f"{LIVE_ARTICLES:,}; searches half from {POPULAR_QUERIES} popular queries, half unique; requests "
            f"spread evenly over {REGIONAL_CACHES} regional edge caches (Origin Shield: one more cache behind them, "
            "each request to it at the HTTPS request rate); Poisson arrivals, "
            f"{SIMULATED_SECONDS // 60} simulated minutes per rate. Prices: CloudFront $0.0100 per 10,000 HTTPS "
            f"requests and ${PRICE_CLOUDFRONT_GB}/GB out; API Gateway REST $3.50 per million; WAF $0.60 per million "
            f"requests; Lambda arm64 {API_MEMORY_MB} MB, {ORIGIN_MS:.0f} ms per request (modelled), "
            f"$0.0000133334 per GB-s and $0.20 per million; {RESPONSE_KB:g} KB per compressed response "
            f"(API Gateway's own transfer out ${PRICE_APIGW_GB}/GB without CloudFront; origin fetches from AWS "
            "origins are free). OpenSearch is fixed cost (README, dev fixed cost).",
        ]
    )


if __name__ == "__main__":
    print(run())
