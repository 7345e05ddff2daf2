"""Normalisation + categorisation throughput on one core, and the import cost of both packages.

Items are generated (seeded) to look like feed items of a business-news site: an HTML body of 4-10
paragraphs (~300-900 words) with links, an image and some inline markup, an HTML summary, tags,
authors and a date in one of the formats feeds use. When ../shared/data is present, a sanity check of
the lexicon on public labelled news is added (labels that map onto our taxonomy only).
"""

from __future__ import annotations

import contextlib
import csv
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime

from benchmarks.common import REPO_ROOT, SHARED_DATA, import_profile, percentile, table

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TIME_BUDGET_S = 4.0

_TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "aerospace-defense": (
        ["Lockheed Martin", "Airbus", "Boeing", "Rheinmetall", "Northrop Grumman"],
        ["fighter jet", "missile defense", "defense budget", "satellite launch", "ammunition", "the Pentagon"],
    ),
    "agriculture": (
        ["Deere", "Corteva", "Nutrien", "Bunge", "the USDA"],
        ["wheat harvest", "soybean exports", "fertilizer prices", "cattle herds", "crop yields", "farmers"],
    ),
    "automation-process-control": (
        ["Rockwell Automation", "Fanuc", "ABB", "Siemens", "Emerson Electric"],
        ["industrial robots", "factory automation", "PLCs", "machine vision", "process control", "cobots"],
    ),
    "automotive-transportation": (
        ["Toyota", "Volkswagen", "General Motors", "Stellantis", "Union Pacific"],
        ["electric vehicles", "car sales", "hybrid models", "freight rail", "trucking rates", "dealers"],
    ),
    "banking-finance": (
        ["JPMorgan", "Goldman Sachs", "HSBC", "BlackRock", "Morgan Stanley"],
        ["investment banking fees", "loan growth", "deposits", "hedge funds", "bond trading", "the stock market"],
    ),
    "chemicals-materials": (
        ["BASF", "Dow Chemical", "LyondellBasell", "Nucor", "Covestro"],
        ["polymers", "specialty chemicals", "steel prices", "coatings", "petrochemical margins", "plastics"],
    ),
    "consumer-goods-services": (
        ["Walmart", "Nike", "LVMH", "Unilever", "Costco"],
        ["shoppers", "retail sales", "luxury goods", "e-commerce", "apparel", "household products"],
    ),
    "economy": (
        ["the Federal Reserve", "the European Central Bank", "the IMF", "the OECD", "the Bank of England"],
        ["inflation", "GDP growth", "unemployment", "interest rates", "consumer prices", "the labor market"],
    ),
    "electronics-semiconductor": (
        ["TSMC", "Nvidia", "Intel", "Samsung Electronics", "ASML"],
        ["chip demand", "foundry capacity", "memory chips", "wafers", "AI chips", "semiconductor equipment"],
    ),
    "energy-resources": (
        ["Exxon Mobil", "Shell", "BP", "Orsted", "Rio Tinto"],
        ["oil prices", "natural gas", "offshore wind", "crude output", "copper mining", "refinery margins"],
    ),
    "food-beverage": (
        ["Nestle", "PepsiCo", "McDonald's", "Heineken", "Starbucks"],
        ["food prices", "snacks", "beer volumes", "restaurant traffic", "soft drinks", "menu prices"],
    ),
    "hospitality-tourism": (
        ["Marriott", "Hilton", "Airbnb", "Booking Holdings", "Royal Caribbean"],
        ["hotel occupancy", "tourists", "travel demand", "cruise bookings", "resorts", "vacation rentals"],
    ),
    "information-technology": (
        ["Microsoft", "Google", "Salesforce", "Oracle", "CrowdStrike"],
        ["cloud computing", "software sales", "generative AI", "cybersecurity", "data centers", "developers"],
    ),
    "political": (
        ["the White House", "the Senate", "Parliament", "the Kremlin", "the prime minister"],
        ["the election", "lawmakers", "sanctions", "diplomatic talks", "the opposition", "voters"],
    ),
}
_FILLER = [
    "Executives said the outlook for the rest of the year remained uncertain.",
    "The company will publish full results later this month.",
    "Analysts had expected a weaker figure, according to a survey compiled before the announcement.",
    "Officials declined to comment on the timing of the next steps.",
    "The figures were released on Tuesday in a statement to investors.",
    "People familiar with the matter said talks were continuing.",
    "Shares moved little in early trading in New York and London.",
]
_DATES = [
    "Tue, 03 Nov 2026 10:00:00 GMT",
    "2026-11-03T10:00:00Z",
    "2026-11-03T10:00:00.123+01:00",
    "November 3, 2026 10:00 AM",
    "Tue, 3 Nov 26 10:00:00 EST",
    "1793700000",
]


def generate_items(count: int, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    slugs = list(_TOPICS)
    items: list[dict[str, object]] = []
    for i in range(count):
        slug = slugs[i % len(slugs)]
        companies, topics = _TOPICS[slug]
        company, topic = rng.choice(companies), rng.choice(topics)
        paragraphs = []
        for _ in range(rng.randint(4, 10)):
            sentences = [
                f"{rng.choice(companies)} said {rng.choice(topics)} had changed sharply in the {rng.choice(['first', 'second', 'third'])} quarter.",  # noqa: E501
                f"Demand for {rng.choice(topics)} rose {rng.randint(2, 40)}% from a year earlier, data showed.",
                rng.choice(_FILLER),
                f"The move follows months of pressure over {rng.choice(topics)} and {rng.choice(topics)}.",
                rng.choice(_FILLER),
                f'"We see a long runway," said a spokesperson for <a href="/companies/{i}">{company}</a>.',
            ]
            rng.shuffle(sentences)
            paragraphs.append("<p>" + " ".join(sentences) + "</p>")
        paragraphs.insert(
            1, f'<figure><img src="/img/{i}.jpg" alt="{company}"><figcaption>{company}</figcaption></figure>'
        )
        items.append(
            {
                "url": f"https://www.example-news.com/{slug}/2026/11/03/story-{i}?utm_source=rss&id={i}",
                "guid": f"urn:example:{i}",
                "title": f"{company} says {topic} &amp; outlook shift as <em>markets</em> react",
                "summary": f"<p>{company} reported changes in {topic}. {rng.choice(_FILLER)}</p>",
                "content_html": "\n".join(paragraphs) + "<script>track()</script>",
                "published": rng.choice(_DATES),
                "authors": ["By Jane Doe", "jane@example.com (Jane Doe)"],
                "tags": rng.sample(["Business", "Markets", "World", "Companies", "Earnings"], 2),
                "language": "en-US",
                "source": {"name": "Example News", "feed_url": "https://www.example-news.com/feed"},
            }
        )
    return items


def _throughput() -> list[list[object]]:
    from newsflow.categorise import categorise
    from newsflow.models import FeedItem
    from newsflow.normalise import normalise_item

    raw = generate_items(700)
    items = [FeedItem.model_validate(item) for item in raw]
    words = 0
    rows: list[list[object]] = []

    def rate(label: str, func: object) -> None:
        done = 0
        started = time.perf_counter()
        while time.perf_counter() - started < TIME_BUDGET_S / 3:
            for item in items:
                func(item)  # type: ignore[operator]
            done += len(items)
        elapsed = time.perf_counter() - started
        rows.append([label, f"{done / elapsed:,.0f}", f"{elapsed / done * 1e6:,.0f}"])

    normalised = [normalise_item(item, now=NOW) for item in items]
    words = sum(n.word_count for n in normalised) // len(normalised)
    rate("normalise_item", lambda item: normalise_item(item, now=NOW))
    by_id = {id(item): n for item, n in zip(items, normalised, strict=True)}
    rate("categorise", lambda item: categorise(by_id[id(item)]))
    rate("normalise_item + categorise", lambda item: categorise(normalise_item(item, now=NOW)))
    right = sum(
        categorise(n).primary == str(raw_item["url"]).split("/")[3] for n, raw_item in zip(normalised, raw, strict=True)
    )
    rows.append(["(generated items: avg words / primary = topic)", words, f"{right}/{len(raw)}"])
    return rows


def _real_feed_items() -> list[object]:
    """FeedItems parsed from the real-world feeds in ../shared/data/feeds and the repo's samples/feeds."""
    from newsflow.errors import FeedError
    from newsflow.feeds.parse import parse_feed

    items: list[object] = []
    paths = sorted((SHARED_DATA / "feeds").glob("*")) + sorted((REPO_ROOT / "samples" / "feeds").glob("*"))
    for path in paths:
        if not path.is_file():
            continue
        try:
            parsed = parse_feed(path.read_bytes(), feed_url=f"https://feeds.example.org/{path.name}")
        except FeedError:
            continue
        items.extend(parsed.items)
    return items


def _feed_fragments() -> list[list[object]]:
    """normalise_item alone (the light path) on every entry of the real feeds, one core."""
    from newsflow.errors import PermanentItemError
    from newsflow.normalise import normalise_item

    items = _real_feed_items()
    if not items:
        return [["(no feeds found)", "", "", "", ""]]
    rejected = 0
    for item in items:
        try:
            normalise_item(item, now=NOW)  # type: ignore[arg-type]
        except PermanentItemError:
            rejected += 1
    times: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < TIME_BUDGET_S / 2:
        for item in items:
            t0 = time.perf_counter()
            with contextlib.suppress(PermanentItemError):
                normalise_item(item, now=NOW)  # type: ignore[arg-type]
            times.append(time.perf_counter() - t0)
    total = sum(times)
    return [
        [
            f"real feed entries ({len(items)}, {rejected} rejected)",
            f"{len(times) / total:,.0f}",
            f"{total / len(times) * 1e6:,.0f}",
            f"{percentile(times, 95) * 1e6:,.0f}",
            f"{percentile(times, 99) * 1e6:,.0f}",
        ]
    ]


def _whole_page_first_call() -> list[list[object]]:
    """The cost the first whole page pays in a fresh interpreter (lazy trafilatura import included)."""
    code = (
        "import time; from newsflow.normalise.page import extract_page; "
        "html='<html><head><title>T</title></head><body><article>' + '<p>Some article words here.</p>'*40 + "
        "'</article></body></html>'; t=time.perf_counter(); extract_page(html, 'https://example.com/a'); "
        "a=time.perf_counter(); extract_page(html, 'https://example.com/a'); b=time.perf_counter(); "
        "print((a-t)*1000, (b-a)*1000)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=True,
        env={"PYTHONPATH": str(REPO_ROOT / "functions"), "PATH": "/usr/bin:/bin"},
    )
    first, second = (float(v) for v in result.stdout.split())
    return [["first whole page in a fresh process (imports trafilatura)", f"{first:.0f}", f"{second:.1f}"]]


def _import_costs(module: str, runs: int = 3) -> tuple[float, float, float]:
    """(cumulative ms of `module`, of it the ms spent in newsflow.models/pydantic, wall ms): best of runs."""
    cumulative, wall = import_profile(module, runs)
    return cumulative.get(module, 0.0), cumulative.get("newsflow.models", 0.0), wall


def _imports() -> list[list[object]]:
    rows: list[list[object]] = []
    for module in ("newsflow.normalise", "newsflow.categorise", "trafilatura", "ftfy", "charset_normalizer"):
        total, models, wall = _import_costs(module)
        rows.append([module, f"{total:.1f}", f"{models:.1f}", f"{total - models:.1f}", f"{wall:.1f}"])
    return rows


def _sanity_on_public_data() -> str:
    """Share of public labelled items whose label maps onto our taxonomy that land there (no training)."""
    from newsflow.categorise import categorise
    from newsflow.models import FeedItem
    from newsflow.normalise import normalise_item

    def primary(title: str, body: str) -> str:
        item = FeedItem(url="https://news.example.org/a", title=title or "untitled", content_text=body or None)
        return categorise(normalise_item(item, now=NOW)).primary

    rows: list[list[object]] = []
    bbc = SHARED_DATA / "categories" / "bbc"
    for label, expected in (("politics", "political"), ("tech", "information-technology"), ("business", None)):
        files = sorted((bbc / label).glob("*.txt"))[:200]
        if not files:
            continue
        counts: Counter[str] = Counter()
        for path in files:
            title, _, body = path.read_text(errors="replace").partition("\n")
            counts[primary(title, body)] += 1
        hit = counts[expected] if expected else len(files) - counts["general"]
        target = expected or "any category but general"
        rows.append(
            [f"BBC {label}", target, f"{hit}/{len(files)}", ", ".join(f"{k} {v}" for k, v in counts.most_common(3))]
        )
    ag = SHARED_DATA / "categories" / "ag_news_csv" / "test.csv"
    if ag.exists():
        mapping = {"1": ("World", "political"), "4": ("Sci/Tech", "information-technology")}
        counts_by: dict[str, Counter[str]] = {}
        with ag.open(newline="") as handle:
            for index, (cls, title, description) in enumerate(csv.reader(handle)):
                if index >= 4000:
                    break
                if cls in mapping:
                    counts_by.setdefault(cls, Counter())[primary(title, description.replace("\\", " "))] += 1
        for cls, counts in counts_by.items():
            name, expected_slug = mapping[cls]
            total = sum(counts.values())
            top = ", ".join(f"{k} {v}" for k, v in counts.most_common(3))
            rows.append(
                [f"AG News {name} (title + 1 sentence)", expected_slug, f"{counts[expected_slug]}/{total}", top]
            )
    if not rows:
        return f"(public labelled data not found under {SHARED_DATA}: sanity check skipped)"
    return table(["set", "expected", "hits", "top verdicts"], rows)


def run() -> str:
    started = time.perf_counter()
    parts = ["## Normalise + categorise (1 core)\n"]
    parts.append(table(["step", "items/s", "µs/item"], _throughput()))
    parts.append("\n### Feed fragments: normalise_item only, real feeds (light path, 1 core)\n")
    parts.append(table(["items", "items/s", "mean µs", "p95 µs", "p99 µs"], _feed_fragments()))
    parts.append("\n### Whole-page path: first call vs warm call (ms)\n")
    parts.append(table(["case", "first ms", "second ms"], _whole_page_first_call()))
    parts.append("\n### Import cost (python -X importtime, fresh interpreter, best of 3)\n")
    parts.append(
        "(newsflow.normalise imports none of trafilatura, ftfy or charset_normalizer: they load on first use.)\n"
    )
    parts.append(
        table(
            ["module", "cumulative ms", "of which newsflow.models (pydantic) ms", "own ms", "wall ms"],
            _imports(),
        )
    )
    parts.append("\n### Lexicon sanity check on public labelled news (not a benchmark of record)\n")
    parts.append(_sanity_on_public_data())
    parts.append(f"\n(took {time.perf_counter() - started:.1f} s)")
    return "\n".join(parts)


if __name__ == "__main__":
    print(run())
    sys.exit(0)
