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


def import_profile(module: str, runs: int = 3) -> tuple[dict[str, float], float]:
    """Cumulative import ms of every module `python -X importtime` reports while importing `module`, and the
    wall ms, for the fastest of `runs` fresh interpreters."""
    best: tuple[dict[str, float], float] = ({}, float("inf"))
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
        cumulative: dict[str, float] = {}
        for line in result.stderr.splitlines():
            match = re.match(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
            if match:
                name = match.group(3)
                cumulative[name] = max(cumulative.get(name, 0.0), int(match.group(1)) / 1000)
        wall = float(result.stdout.split("WALL")[-1])
        if not best[0] or cumulative.get(module, 0.0) < best[0].get(module, 0.0):
            best = (cumulative, wall)
    return best


def import_time_ms(module: str, runs: int = 3) -> tuple[float, float]:
    """(cumulative import ms of `module` as python -X importtime reports it; wall ms), best of runs."""
    cumulative, wall = import_profile(module, runs)
    return cumulative.get(module, 0.0), wall


def baseline_functions(target: Path, commit: str) -> Path | None:
    """A baseline commit's functions/ from git, extracted under `target`; None when this checkout lacks it."""
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", commit, "functions"], capture_output=True, check=False
    )
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "functions"
