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
    assert per_million(simulated) > per_million(None) - 0.1


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
    assert per_million(longer) < per_million(short) < per_million(None) + 1e6 * origin_cost()
