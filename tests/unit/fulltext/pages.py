"""Article pages as news sites serve them: navigation, header, the article, related links, footer."""

from __future__ import annotations

PARAGRAPHS = [
    "Container volumes at the port of Harbourton rose four percent in October from a year earlier, the port "
    "authority said on Monday, as shipping lines added calls to cope with congestion further south.",
    "The authority handled 412,000 twenty-foot equivalent units in the month, its highest October total on "
    "record, helped by a rebound in exports of machinery and chemicals to Asian markets.",
    "Imports were flat, reflecting weaker consumer demand for furniture and clothing, while empty containers "
    "made up a larger share of outbound traffic than at any time since the pandemic.",
    "Port officials said a new automated crane system commissioned in the summer had cut average vessel "
    "turnaround times by nine hours, allowing larger ships to be handled without delays at the berths.",
    "Analysts at several banks said the figures pointed to a modest recovery in regional trade, although "
    "they warned that freight rates remained volatile and could weigh on margins into next year.",
    "The port plans to open a second rail terminal in 2027 to move more boxes inland by train, reducing "
    "truck traffic on the coastal highway that has been a source of complaints from local residents.",
]


def article_page(title: str = "Harbourton port volumes rise 4% in October", paragraphs: int = 6,
                 charset: str = "utf-8", extra_text: str = "") -> str:  # fmt: skip
    body = "\n".join(f"<p>{p}</p>" for p in (PARAGRAPHS * 3)[:paragraphs])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}"><title>{title} | Harbour News</title>
<meta property="og:image" content="https://cdn.example.com/img/port.jpg">
<meta property="article:published_time" content="2026-11-02T09:00:00Z"></head>
<body><header><nav><a href="/">Home</a> <a href="/markets">Markets</a> <a href="/world">World</a></nav></header>
<main><article><h1>{title}</h1><p class="byline">By Jane Roe</p>
{body}{extra_text}
</article>
<aside class="related"><h2>Related</h2><ul><li><a href="/a">Rail freight slows</a></li>
<li><a href="/b">Crane makers see orders</a></li></ul></aside></main>
<footer><p>© 2026 Harbour News. All rights reserved.</p><a href="/privacy">Privacy</a></footer></body></html>"""
