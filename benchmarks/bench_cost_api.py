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
- Response sizes are **measured** too: each route's body as the api handler sends it to a browser (it compresses
  with brotli, else gzip, and CloudFront keeps one copy per encoding), plus its response headers, over the
  articles of samples/ (stored and indexed first, so lists and searches are full pages); the bytes a request
  carries on average are weighted by how often the simulated site calls each route.
- Prices and the origin's Lambda time are assumptions, printed with the table.

The first version had no cache in front of the API: every request paid API Gateway, WAF and Lambda.
"""

from __future__ import annotations

import base64
import json
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
# CloudFront's always-free tier, per account and month (every distribution of the account shares it; Origin
# Shield requests are not in it).
FREE_CLOUDFRONT_REQUESTS = 10_000_000
FREE_CLOUDFRONT_GB = 1024
PRICE_ORIGIN_SHIELD_REQUEST = 0.0100 / 10_000  # each request a regional cache sends to the shield (modelled)
PRICE_APIGW_REQUEST = 3.50 / 1e6  # REST API, first 333 million
PRICE_WAF_REQUEST = 0.60 / 1e6  # regional web ACL on the stage (rules are fixed cost)
PRICE_APIGW_GB = 0.09  # data out from API Gateway to the internet (no CloudFront)
PRICE_LAMBDA_GB_SECOND = 0.0000133334  # arm64
PRICE_LAMBDA_REQUEST = 0.20 / 1e6
API_MEMORY_MB = 1024  # infra/api.py
ORIGIN_MS = 40.0  # modelled api Lambda duration per request: compute at 1 GB + one OpenSearch query
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br"  # what browsers send (the site's readers)
HEADER_OVERHEAD_BYTES = 350  # status line, CloudFront's own headers (Via, X-Cache, X-Amz-Cf-*), framing
# samples/ is a small corpus: lists that came back shorter than a live site's are scaled to these entries.
SOURCES_LISTED = 100  # feeds a site aggregates (/v1/sources lists each)
LIST_KEYS = ("articles", "sources", "months", "categories")

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


class Measured(NamedTuple):
    ttl: int  # seconds CloudFront keeps it
    control: str  # the Cache-Control sent
    status: int
    body_bytes: int  # as sent to a browser (compressed when >= 1 KiB)
    identity_bytes: int  # uncompressed
    header_bytes: int  # the api's response headers, as "name: value\r\n" lines
    entries: int  # cards, sources, months or categories in the body (an article: 1)


def live_entries(route: str) -> int | None:
    """How many entries the route lists on a live site: its pageSize, the sources and months a site has."""
    if route == "sources":
        return SOURCES_LISTED
    if route == "archives":
        return MONTHS
    size = re.search(r"pageSize=(\d+)", ROUTES[route])
    return int(size.group(1)) if size else None


def live_body_bytes(measured: dict[str, Measured]) -> dict[str, float]:
    """Each route's body as sent, scaled linearly to `live_entries` where samples/ gave fewer (a list with
    none borrows the per-card size of `recent`). A body too short to be compressed (under 1 KiB) is scaled
    uncompressed and then compressed at the mean ratio of the compressed ones. Compressed bytes grow a little
    less than linearly with the entries, so this errs high."""
    compressed = [m.body_bytes / m.identity_bytes for m in measured.values() if m.body_bytes < m.identity_bytes]
    ratio = sum(compressed) / len(compressed) if compressed else 1.0
    sized: dict[str, float] = {}
    for route, m in measured.items():
        want = live_entries(route)
        if want is None or m.entries >= want:
            sized[route] = m.body_bytes
            continue
        basis = m if m.entries else measured["recent"]
        per_entry = basis.body_bytes / max(1, basis.entries)
        if basis.body_bytes >= basis.identity_bytes:  # sent as it is: it would be compressed at full size
            per_entry = basis.identity_bytes * ratio / max(1, basis.entries)
        sized[route] = per_entry * want
    return sized


def measured_ttls() -> dict[str, Measured]:
    """route -> what the real api handler answers (TTL, Cache-Control, status, sizes)."""
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

    found: dict[str, Measured] = {}
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
        article_id = _store_sample_articles(resources)
        for name, template in ROUTES.items():
            path = template.replace(PLACEHOLDER_ID, article_id)
            sizes = []
            for encoding in (BROWSER_ACCEPT_ENCODING, "identity"):
                request_headers = {"accept": "application/json", "accept-encoding": encoding}
                event = api_gateway_event("GET", path, request_headers, b"", "127.0.0.1")
                response = api.lambda_handler(event, LocalLambdaContext("api"))
                raw = response.get("body") or ""
                sizes.append(len(base64.b64decode(raw)) if response.get("isBase64Encoded") else len(raw.encode()))
                if encoding == BROWSER_ACCEPT_ENCODING:
                    browser_response = response
                else:
                    payload = json.loads(raw) if raw else {}
                    lists = [payload[k] for k in LIST_KEYS if isinstance(payload.get(k), list)]
                    entries = len(lists[0]) if lists else 1
            response = browser_response
            headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
            headers |= {k.lower(): ", ".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()}
            header_bytes = sum(len(k) + len(str(v)) + 4 for k, v in headers.items())
            control = headers.get("cache-control", "")
            ttl = (
                0
                if ("no-store" in control or "private" in control)
                else int(m.group(1))
                if (m := S_MAXAGE.search(control) or MAX_AGE.search(control))
                else 0
            )
            found[name] = Measured(ttl, control, int(response["statusCode"]), sizes[0], sizes[1], header_bytes, entries)
        reset_process_caches()
    return found


def _store_sample_articles(resources: Any) -> str:
    """The items of samples/, stored and indexed, so lists, searches and article routes answer full pages (a
    404 is never cached); returns the first item's article id (the article routes ask for it)."""
    from datetime import UTC, datetime

    from newsflow import aws
    from newsflow.feeds.parse import parse_feed
    from newsflow.models import FeedItem
    from newsflow.pipeline import ingest_item
    from newsflow.search import shared_search_index
    from newsflow.store.dynamo import DynamoArticleRepository
    from newsflow.stories.indexed import indexed_document

    from benchmarks.common import REPO_ROOT

    samples = REPO_ROOT / "samples"
    items = [FeedItem.model_validate_json(line) for line in (samples / "items.jsonl").read_text().splitlines() if line]
    for path in sorted((samples / "feeds").iterdir()):
        if not path.name.startswith("broken"):
            items.extend(parse_feed(path.read_bytes(), feed_url=f"https://{path.stem}.example/feed").items)
    repository = DynamoArticleRepository(aws.dynamodb(), resources.table_name)
    ids: list[str] = []
    for item in items:
        try:
            result = ingest_item(item, repository, datetime.now(UTC))
        except Exception:
            continue
        if result.write.article_id not in ids:
            ids.append(result.write.article_id)
    documents = [indexed_document(a) for a in (repository.get(i) for i in ids) if a is not None]
    shared_search_index().upsert(documents)
    return ids[0]


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


def mean_response_bytes(measured: dict[str, Measured], simulated: Simulated) -> float:
    """The bytes CloudFront sends per request on average: each route's measured response (body as sent to a
    browser, headers, framing) weighted by how often the simulated site calls it."""
    total = sum(t for _, t in simulated.by_route.values())
    bodies = live_body_bytes(measured)
    sent = sum(
        t * (bodies[route] + measured[route].header_bytes + HEADER_OVERHEAD_BYTES)
        for route, (_, t) in simulated.by_route.items()
    )
    return sent / max(1, total)


def per_million(simulated: Simulated | None, response_bytes: float, free_tier_at: float | None = None) -> float:
    """$ per million API requests. `free_tier_at`: the month's request count, when CloudFront's always-free
    tier (FREE_CLOUDFRONT_REQUESTS, FREE_CLOUDFRONT_GB) is taken off the edge's requests and bytes."""
    gigabytes = response_bytes / (1024**3)
    if simulated is None:  # the first version: every request at the API's own URL
        return (origin_cost() + gigabytes * PRICE_APIGW_GB) * 1e6
    paid_requests = paid_bytes = 1.0
    if free_tier_at:
        paid_requests = max(0.0, free_tier_at - FREE_CLOUDFRONT_REQUESTS) / free_tier_at
        month_gb = gigabytes * free_tier_at
        paid_bytes = max(0.0, month_gb - FREE_CLOUDFRONT_GB) / month_gb if month_gb else 0.0
    edge = PRICE_CLOUDFRONT_REQUEST * paid_requests + gigabytes * PRICE_CLOUDFRONT_GB * paid_bytes
    shield = simulated.shield_ratio * PRICE_ORIGIN_SHIELD_REQUEST
    return (edge + shield + simulated.origin_ratio * origin_cost()) * 1e6


def run() -> str:
    measured = measured_ttls()
    ttls = {route: m.ttl for route, m in measured.items()}
    mix = simulate(RATES_PER_MONTH[0], ttls)
    response_bytes = mean_response_bytes(measured, mix)
    bodies = live_body_bytes(measured)
    route_rows = [
        [
            route,
            ROUTES[route],
            m.status,
            m.control or "(none)",
            f"{m.ttl} s",
            f"{m.identity_bytes:,} B",
            f"{m.entries}",
            f"{m.body_bytes:,} B",
            f"{bodies[route]:,.0f} B",
            f"{mix.by_route.get(route, (0, 0))[1] / max(1, sum(t for _, t in mix.by_route.values())):.1%}",
        ]
        for route, m in measured.items()
    ]
    first = per_million(None, response_bytes)
    rows: list[list[object]] = [["first version: no cache (API URL)", "all", "0.0%", f"${first:.2f}", "—"]]
    details = []
    what_if = {route: max(ttl, WHAT_IF_TTL) if ttl else 0 for route, ttl in ttls.items()}
    setups = (
        ("CloudFront, TTL from Cache-Control, no shield, next pages never shared (earlier model)", ttls, False, False),
        ("CloudFront, TTL from Cache-Control, no Origin Shield", ttls, False, True),
        ("+ Origin Shield: what infra/cdn.py deploys", ttls, True, True),
        (f"what if every read sent s-maxage={WHAT_IF_TTL}", what_if, False, True),
    )
    free_label = "+ CloudFront's always-free tier (10 M requests, 1 TB a month; the account's only distribution)"
    for label, route_ttls, shield, shared in (*setups, (free_label, ttls, True, True)):
        for rate in RATES_PER_MONTH:
            simulated = simulate(rate, route_ttls, shield, shared)
            cost = per_million(simulated, response_bytes, free_tier_at=rate if label == free_label else None)
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
    edge = PRICE_CLOUDFRONT_REQUEST * 1e6
    transfer = response_bytes / 1024**3 * PRICE_CLOUDFRONT_GB * 1e6
    return "\n".join(
        [
            "## Cost per million API requests (API Gateway REST + WAF + Lambda, CloudFront in front)",
            "",
            "Each route the site calls, from the real api handler on moto over the samples/ articles (sizes: the "
            f"body uncompressed and as sent to a browser asking for `{BROWSER_ACCEPT_ENCODING}`; live-size: scaled "
            f"to a live site's entries where samples/ had fewer: the pageSize, {SOURCES_LISTED} sources, {MONTHS} "
            "months, and a list with none at `recent`'s bytes per card; share: of the simulated site's API "
            "calls):",
            "",
            table(
                [
                    "route",
                    "request",
                    "status",
                    "Cache-Control",
                    "CloudFront TTL",
                    "body",
                    "entries",
                    "body sent",
                    "sent, live-size",
                    "share",
                ],
                route_rows,
            ),
            "",
            f"Bytes CloudFront sends per request, weighted by that share: {response_bytes:,.0f} B (live-size "
            f"bodies, the api's headers and {HEADER_OVERHEAD_BYTES} B of CloudFront's own headers and framing). Every "
            f"request, hit or miss, pays CloudFront ${edge:.2f} per million for itself and ${transfer:.2f} per "
            "million for its bytes.",
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
            f"{SIMULATED_SECONDS // 60} simulated minutes per rate. Prices (viewers in North America and Europe; "
            "other regions pay more per request and GB): CloudFront $0.0100 per 10,000 HTTPS "
            f"requests and ${PRICE_CLOUDFRONT_GB}/GB out (first 10 TB); Origin Shield $0.0100 per 10,000 (kept from "
            "before; public price pages quote a little less in the US); API Gateway REST $3.50 per million; WAF "
            "$0.60 per million "
            f"requests; Lambda arm64 {API_MEMORY_MB} MB, {ORIGIN_MS:.0f} ms per request (modelled), "
            "$0.0000133334 per GB-s and $0.20 per million "
            f"(API Gateway's own transfer out ${PRICE_APIGW_GB}/GB without CloudFront; origin fetches from AWS "
            "origins are free). CloudFront's always-free tier (10 M requests and 1 TB a month per account) only in its "
            "own rows; not counted: its flat-rate plans. OpenSearch is fixed cost (README, dev fixed cost).",
        ]
    )


if __name__ == "__main__":
    print(run())
