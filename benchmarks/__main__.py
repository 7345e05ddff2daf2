"""Run every benchmark module and print its table. `python -m benchmarks [name ...]` runs a subset;
`--option=value` arguments are left to the modules (bench_extraction reads --limit=N, --split=...).

Each module exposes `run() -> str`. Benchmarks that need ../shared/data skip cleanly when it is absent.
"""

from __future__ import annotations

import importlib
import platform
import sys
import time
from pathlib import Path

MODULES = [
    "bench_coldstart",
    "bench_normalise",
    "bench_extraction",
    "bench_feeds",
    "bench_search",
    "bench_pipeline",
    "bench_categories",
    "bench_api",
    "bench_pages",
    "bench_dedupe",
    "bench_newsapi",
    "bench_cost",
    "bench_memory",
    "bench_faults",
    "bench_cost_api",
    "bench_fulltext",
    "bench_feedfarm",
    "bench_localrate",
]


def machine() -> str:
    import os

    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("--")]  # --option=value belongs to the benchmark modules
    selected = [m for m in MODULES if not names or any(a in m for a in names)]
    print(f"# newsflow benchmarks — {machine()}\n")
    for name in selected:
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as error:
            print(f"## {name}: not available ({error})\n")
            continue
        print(module.run())
        print(f"({name} took {time.perf_counter() - started:.1f} s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
