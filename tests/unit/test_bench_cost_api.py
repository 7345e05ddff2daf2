"""The API cost benchmark's cache model: what is never cacheable always reaches the origin, and a shared
cache in front of the regional ones only lowers the origin's share."""

from __future__ import annotations

from benchmarks.bench_cost_api import ROUTES, origin_cost, per_million, simulate


def test_no_ttl_means_every_request_reaches_the_origin() -> None:
    simulated = simulate(10e6, dict.fromkeys(ROUTES, 0))
    assert simulated.origin_ratio == 1.0
    assert simulated.shield_ratio == 0.0
    assert all(hits == 0 for hits, _ in simulated.by_route.values())
    # Then CloudFront only adds its own request and transfer price to the origin's
    assert per_million(simulated, 6144) > per_million(None, 6144) - 0.1


def test_longer_ttls_more_traffic_and_a_shield_each_offload_the_origin() -> None:
    short = simulate(10e6, dict.fromkeys(ROUTES, 30))
    longer = simulate(10e6, dict.fromkeys(ROUTES, 300))
    busier = simulate(100e6, dict.fromkeys(ROUTES, 30))
    shielded = simulate(10e6, dict.fromkeys(ROUTES, 30), shield=True)
    assert 0 < short.hit_ratio < longer.hit_ratio < 1
    assert short.hit_ratio < busier.hit_ratio
    assert short.hit_ratio < shielded.hit_ratio
    # Same stream: every regional miss goes to the shield, and a copy from the shield keeps only the shield's
    # remaining lifetime, so the regional caches miss at least as often as without it
    assert shielded.shield_ratio >= short.origin_ratio > shielded.origin_ratio
    # The sidebar's blocks (one URL each) are served from the cache far more often than unique searches
    hits, total = short.by_route["categories"]
    search_hits, searches = short.by_route["search"]
    assert hits / total > 0.5 > search_hits / searches
    assert per_million(longer, 6144) < per_million(short, 6144) < per_million(None, 6144) + 1e6 * origin_cost()


def test_response_bytes_are_scaled_to_a_live_site_and_weighted_by_calls() -> None:
    from benchmarks.bench_cost_api import HEADER_OVERHEAD_BYTES, Measured, Simulated, live_body_bytes
    from benchmarks.bench_cost_api import mean_response_bytes as mean

    def m(body: int, identity: int, entries: int) -> Measured:
        return Measured(300, "public, s-maxage=300", 200, body, identity, 100, entries)

    measured = {route: m(1000, 3000, 1) for route in ROUTES}
    measured["recent"] = m(1500, 4500, 5)  # a full page: 300 B a card as sent
    measured["hot"] = m(120, 120, 0)  # an empty list: borrows recent's bytes per card
    measured["sources"] = m(700, 700, 5)  # too short to be compressed: scaled, then compressed
    sized = live_body_bytes(measured)
    assert sized["recent"] == 1500
    assert sized["hot"] == 300 * 3  # pageSize=3
    ratio = sum(b.body_bytes / b.identity_bytes for b in measured.values() if b.body_bytes < b.identity_bytes)
    ratio /= sum(1 for b in measured.values() if b.body_bytes < b.identity_bytes)
    assert abs(sized["sources"] - 700 / 5 * ratio * 100) < 1e-6
    assert sized["article"] == 1000  # no list: as measured
    # Weighted by how often each route is called
    simulated = Simulated(0.5, 0.0, {"recent": (0, 3), "hot": (0, 1)})
    expected = (3 * 1500 + 900 + 4 * (100 + HEADER_OVERHEAD_BYTES)) / 4
    assert abs(mean(measured, simulated) - expected) < 1e-6


def test_the_free_tier_takes_the_first_10_million_edge_requests_and_terabyte_off() -> None:
    from benchmarks.bench_cost_api import PRICE_CLOUDFRONT_GB, PRICE_CLOUDFRONT_REQUEST

    simulated = simulate(10e6, dict.fromkeys(ROUTES, 30), shield=True)
    request_price = PRICE_CLOUDFRONT_REQUEST * 1e6

    def bytes_price(size: float) -> float:
        return size / 1024**3 * PRICE_CLOUDFRONT_GB * 1e6

    paid = per_million(simulated, 6144)
    # Within the tier, a request pays no edge price at all
    within = per_million(simulated, 6144, free_tier_at=5e6)
    assert abs(within - (paid - request_price - bytes_price(6144))) < 1e-9
    # At 20 M a month, half the requests pay (and 20 M x 6 KB is still under 1 TB)
    at_20m = per_million(simulated, 6144, free_tier_at=20e6)
    assert abs(at_20m - (paid - 0.5 * request_price - bytes_price(6144))) < 1e-9
    # 2 TB a month over 20 M requests: half the bytes pay again
    heavy = 2 * 1024**4 / 20e6
    at_2tb = per_million(simulated, heavy, free_tier_at=20e6)
    assert abs(at_2tb - (per_million(simulated, heavy) - 0.5 * request_price - 0.5 * bytes_price(heavy))) < 1e-6
