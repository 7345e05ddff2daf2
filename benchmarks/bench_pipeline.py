"""End-to-end throughput of the local stack: items through queue -> ingest -> table -> stream -> index.

This measures the emulated pipeline (moto over HTTP on loopback dominates), not AWS; it is here to catch
regressions in the handlers' per-item cost and in the event-source emulation.
"""

from __future__ import annotations

import json
import random
import string
import tempfile
import time

from benchmarks.common import table

CATEGORY_WORDS = [
    ("Boeing wins Pentagon contract for missile defense radar", "aerospace"),
    ("Wheat harvest falls as drought hits farmers and grain exports", "agriculture"),
    ("Bank lenders tighten credit as interest margins narrow", "banking"),
    ("Chipmaker expands semiconductor fab to meet AI demand", "chips"),
    ("Oil prices climb after OPEC output cut", "energy"),
]


def _items(count: int) -> list[str]:
    """Distinct articles: a topic headline plus paragraphs drawn from a large random vocabulary."""
    rng = random.Random(7)
    vocabulary = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9))) for _ in range(5000)]
    bodies = []
    for n in range(count):
        title, section = CATEGORY_WORDS[n % len(CATEGORY_WORDS)]
        paragraphs = "".join(f"<p>{title}. {' '.join(rng.choices(vocabulary, k=60))}.</p>" for _ in range(6))
        bodies.append(
            json.dumps(
                {
                    "url": f"https://bench.example.com/{section}/story-{n}",
                    "title": f"{title} ({n})",
                    "summary": f"{title}: what it means for the market.",
                    "content_html": paragraphs,
                    "published": f"2026-11-{1 + n % 28:02d}T{n % 24:02d}:00:00Z",
                    "source": {"name": "Bench Wire"},
                }
            )
        )
    return bodies


def run(count: int = 300) -> str:
    from newsflow.local.ingest_run import queue_for_stack, run_ingest
    from newsflow.local.sources import CollectedMessages
    from newsflow.local.stack import LocalStack

    bodies = _items(count)
    with tempfile.TemporaryDirectory() as data_dir, LocalStack(data_dir=data_dir, api_port=None) as stack:
        started = time.perf_counter()
        summary = run_ingest(
            CollectedMessages(bodies=bodies, origins=["bench"] * count),
            queue_for_stack(stack),
            stack.status,
            timeout_seconds=600,
            progress=False,
        )
        seconds = time.perf_counter() - started
    rows = [
        ["items sent", count],
        ["stored / failed", f"{summary.stored} / {summary.failed}"],
        ["wall time (s)", f"{seconds:.1f}"],
        ["items/s, queue to searchable", f"{count / seconds:.0f}"],
    ]
    return "## Local stack end to end (moto server + tantivy)\n\n" + table(["measure", "value"], rows)
