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


CRANE_PARAGRAPHS = [
    "Three ship-to-shore cranes built in Finland arrived at the Harbourton container terminal on Sunday after a "
    "six-week voyage, completing the second phase of a modernisation programme begun two years ago.",
    "Each crane stands 95 metres tall and can lift two forty-foot containers at once, the terminal operator said, "
    "which should raise the number of moves per hour by roughly a fifth once the cranes enter service.",
    "Engineers will spend about two months testing the electrical systems and the remote-control cabins before "
    "the cranes handle their first commercial vessel, expected in the middle of January.",
    "The operator said the new equipment would allow it to serve the largest container ships now in service, "
    "which carry more than 24,000 boxes and had previously been diverted to deeper ports to the south.",
    "Union representatives welcomed the investment but asked for guarantees that remote operation would not cut "
    "jobs, and talks with management on training and staffing levels are due to resume next week.",
    "The programme, which also includes a new gate system and extra storage yards, has cost about 310 million "
    "euros and was financed partly by a loan from a European development bank.",
]


def article_page(title: str = "Harbourton port volumes rise 4% in October", paragraphs: int = 6,
                 charset: str = "utf-8", extra_text: str = "", texts: list[str] | None = None) -> str:  # fmt: skip
    body = "\n".join(f"<p>{p}</p>" for p in ((texts or PARAGRAPHS) * 3)[:paragraphs])
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
