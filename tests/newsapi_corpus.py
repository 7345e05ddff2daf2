"""Feed items for the NewsAPI-compatibility tests: stories carried by several sources, single articles,
two languages, long bodies, dates relative to the moment the test runs (top headlines look 24 h back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

INFLATION = (
    "Consumer prices in the euro area rose 2.4 percent in November from a year earlier, the statistics office "
    "said on Tuesday, as energy costs climbed and services inflation stayed stubborn. Economists had expected "
    "a reading of 2.2 percent. The European Central Bank has kept interest rates on hold since the summer and "
    "policymakers have signalled that they want to see wage growth slow before they cut borrowing costs again. "
    "Core inflation, which strips out food and energy, held at 2.7 percent for a third month."
)
CLOUD = (
    "The cloud provider said its new artificial intelligence chips would be available to customers in three "
    "regions from January, undercutting rival accelerators on price. Software developers can rent the chips by "
    "the hour through its platform, and the company said large language model training would cost about a third "
    "less than on graphics processors. Analysts said the move raises pressure on data centre operators."
)


def _hours_ago(now: datetime, hours: float) -> str:
    return (now - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def newsapi_items(now: datetime | None = None) -> list[dict[str, Any]]:
    now = now or datetime.now(UTC)
    items: list[dict[str, Any]] = []
    # One economy story carried by three sources (near-duplicates: each adds its own closing sentence).
    for hours, source, domain, extra in [
        (5, "Reuters", "reuters.example.com", "Markets priced in a first rate cut by March."),
        (4, "Financial Wire", "finwire.example.net", "Bond yields fell after the release."),
        (3, "Euro Daily", "eurodaily.example.org", "The euro slipped against the dollar."),
    ]:
        items.append(
            {
                "url": f"https://{domain}/economy/euro-inflation-november",
                "title": f"Euro zone inflation rises to 2.4% in November ({source})",
                "summary": "Energy costs lifted consumer prices more than economists expected.",
                "content_text": f"{INFLATION} {extra}",
                "published": _hours_ago(now, hours),
                "authors": ["Anna Weber"],
                "tags": ["Economy", "Inflation"],
                "language": "en",
                "image_url": f"https://{domain}/img/inflation.jpg",
                "source": {"name": source, "site_url": f"https://{domain}/"},
            }
        )
    # One technology story carried by two sources.
    for hours, source, domain, extra in [
        (2, "Tech Ledger", "techledger.example.com", "Shares rose 3 percent in early trading."),
        (1, "Cloud Weekly", "cloudweekly.example.io", "Customers can sign up for a preview now."),
    ]:
        items.append(
            {
                "url": f"https://{domain}/cloud/ai-chips-launch",
                "title": f"Cloud provider launches cheaper AI chips for developers ({source})",
                "summary": "The chips undercut rival accelerators on price.",
                "content_text": f"{CLOUD} {extra}",
                "published": _hours_ago(now, hours),
                "tags": ["Technology", "Cloud computing"],
                "language": "en",
                "source": {"name": source, "site_url": f"https://{domain}/"},
            }
        )
    # Single articles: a fresh one, a German one, and an old one (outside the 24 h headline window).
    items += [
        {
            "url": "https://reuters.example.com/energy/opec-output",
            "title": "OPEC+ agrees to extend oil output cuts into next year",
            "summary": "Producers will keep 2 million barrels a day off the market.",
            "content_text": "OPEC+ ministers agreed on Sunday to extend crude oil production cuts, citing weak demand "
            "and rising inventories. Brent crude rose 2 percent after the decision on output quotas.",
            "published": _hours_ago(now, 0.5),
            "tags": ["Energy", "Oil"],
            "language": "en",
            "source": {"name": "Reuters", "site_url": "https://reuters.example.com/"},
        },
        {
            "url": "https://handel.example.de/wirtschaft/inflation",
            "title": "Inflation im Euroraum steigt auf 2,4 Prozent",
            "summary": "Die Energiepreise trieben die Verbraucherpreise stärker als erwartet.",
            "content_text": "Die Verbraucherpreise im Euroraum sind im November gestiegen, teilte das Statistikamt "
            "mit. Die Europäische Zentralbank hält die Zinsen seit dem Sommer stabil.",
            "published": _hours_ago(now, 6),
            "tags": ["Wirtschaft", "Economy"],
            "language": "de",
            "source": {"name": "Handel Heute", "site_url": "https://handel.example.de/"},
        },
        {
            "url": "https://finwire.example.net/economy/jobs-report-october",
            "title": "US employers added 150,000 jobs in October as unemployment held steady",
            "summary": "Wage growth slowed, easing pressure on the Federal Reserve.",
            "content_text": "Nonfarm payrolls rose by 150,000 last month, the Labor Department said, and the "
            "unemployment rate stayed at 4.1 percent. Average hourly earnings rose 0.2 percent.",
            "published": _hours_ago(now, 24 * 10),
            "tags": ["Economy", "Jobs"],
            "language": "en",
            "source": {"name": "Financial Wire", "site_url": "https://finwire.example.net/"},
        },
    ]
    return items
