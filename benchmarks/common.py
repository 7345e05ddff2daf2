"""Helpers shared by the benchmarks: timing, percentiles, the evaluation data location, import cost."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [headers, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines.extend("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells[1:])
    return "\n".join(lines)


def import_time_ms(module: str, runs: int = 3) -> tuple[float, float]:
    """(cumulative import µs of `module` as python -X importtime reports it, in ms; wall ms), best of runs."""
    best_cumulative = float("inf")
    best_wall = float("inf")
    code = f"import time; t=time.perf_counter(); import {module}; print('WALL', (time.perf_counter()-t)*1000)"
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            check=True,
            env={"PYTHONPATH": str(REPO_ROOT / "functions"), "PATH": "/usr/bin:/bin"},
        )
        cumulative = 0.0
        for line in result.stderr.splitlines():
            match = re.match(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|\s?(\s*)(\S+)", line)
            if match and match.group(3) == module and not match.group(2):
                cumulative = int(match.group(1)) / 1000
        wall = float(result.stdout.split("WALL")[-1])
        best_cumulative = min(best_cumulative, cumulative)
        best_wall = min(best_wall, wall)
    return best_cumulative, best_wall
