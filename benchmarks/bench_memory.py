"""Memory bound of parsing: every shape of 10 MB feed or page through `parse_feed` / `extract_page`.

Each case runs in a fresh interpreter: the input is built first, then the peak resident set size is read
before and after the parse (`ru_maxrss`), so the figure is what parsing added on top of the input itself.
C allocations (libxml2, expat) count, which tracemalloc would miss.

`python -m benchmarks memory` (add `--size-mb=N` for another input size).
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.common import REPO_ROOT, table

# The stated bound (README): what parsing may add to the input, at any shape up to the size caps.
BOUND_MB = 150

SHAPES = [
    "feed-deep",
    "feed-wide",
    "feed-entities",
    "feed-entities-at-limit",
    "feed-long-entries",
    "json-deep",
    "json-wide",
    "page-deep",
    "page-wide",
    "page-entities",
    "page-article",
]


def measure(shape: str, size_mb: int) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory_shapes", shape, str(size_mb)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        return {"input_mb": 0.0, "added_mb": float("nan"), "seconds": 0.0, "outcome": result.stderr[-120:]}
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def run(shapes: list[str] | None = None) -> str:
    size_mb = 10
    for arg in sys.argv[1:]:
        if arg.startswith("--size-mb="):
            size_mb = int(arg.split("=", 1)[1])
    rows: list[list[object]] = []
    worst = 0.0
    for shape in shapes or SHAPES:
        got = measure(shape, size_mb)
        added = float(str(got["added_mb"]))
        worst = max(worst, added)
        rows.append(
            [
                shape,
                f"{float(str(got['input_mb'])):.1f}",
                f"{added:.0f}",
                f"{float(str(got['seconds'])):.2f}",
                got["outcome"],
            ]
        )
    verdict = "within" if worst <= BOUND_MB else "OVER"
    return (
        f"## memory: parsing {size_mb} MB inputs of every shape (peak RSS added by the parse)\n\n"
        + table(["shape", "input MB", "added MB", "seconds", "outcome"], rows)
        + f"\n\nworst: {worst:.0f} MB added, {verdict} the stated bound of {BOUND_MB} MB"
        + " (before the guards: 698 MB and 185 s for feed-deep, issue 13)\n"
    )
