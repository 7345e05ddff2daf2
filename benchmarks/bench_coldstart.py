"""Cold start as Lambda pays it: import of each handler from its own asset, with and without bytecode.

Each function's asset is built the way infra/bundling.py builds it (import closure, pruning), here from
this virtualenv's distributions so it runs on the host. It is measured twice in fresh isolated
interpreters (`python -I -S -B -X importtime`; -B because -I ignores PYTHONDONTWRITEBYTECODE), so nothing
is cached between runs:
- "no .pyc": what the first version shipped (Lambda's /var/task is read-only, so every cold start compiles),
- ".pyc (unchecked-hash)": what the asset ships now.
With NEWSFLOW_BENCH_LAMBDA_ASSETS=1 it also builds the real Linux/arm64 assets (pip from PyPI) and reports
their sizes, unzipped and zipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

from benchmarks.common import REPO_ROOT, table
from infra.bundling import PythonFunctionBundler
from infra.closure import compile_command

HANDLERS = ["ingest", "index", "api", "poll", "ops", "authorizer"]
RUNS = 5


def _import_ms(asset: Path, module: str) -> tuple[float, float]:
    """(importtime cumulative ms, wall ms) of `module` from `asset` alone, best of RUNS."""
    code = (
        f"import sys, time; sys.path.insert(0, {str(asset)!r}); t = time.perf_counter(); import {module}; "
        "print('WALL', (time.perf_counter() - t) * 1000)"
    )
    best = (float("inf"), float("inf"))
    for _ in range(RUNS):
        result = subprocess.run(
            [sys.executable, "-I", "-S", "-B", "-X", "importtime", "-c", code],  # -B: -I ignores PYTHON* env
            capture_output=True, text=True, check=True,
            env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        cumulative = 0.0
        for line in result.stderr.splitlines():
            match = re.match(r"import time:\s+\d+\s+\|\s+(\d+)\s+\|\s*(\S+)$", line)
            if match and match.group(2) == module:
                cumulative = int(match.group(1)) / 1000
        wall = float(result.stdout.split("WALL")[-1])
        best = min(best, (cumulative, wall))
    return best


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def _zipped_mb(path: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "asset.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for file in path.rglob("*"):
                if file.is_file():
                    zf.write(file, file.relative_to(path))
        return archive.stat().st_size / 1e6


def run() -> str:
    site_packages = Path(sysconfig.get_paths()["purelib"])
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in HANDLERS:
            module = f"newsflow.handlers.{name}"
            bundler = PythonFunctionBundler(source_root=REPO_ROOT / "functions", handler_module=module)
            source_only = Path(tmp) / f"{name}-source"
            bundler.assemble(site_packages, source_only, compiler=None)
            compiled = Path(tmp) / f"{name}-pyc"
            shutil.copytree(source_only, compiled)
            subprocess.run(compile_command(sys.executable, compiled), check=True, capture_output=True)
            before = _import_ms(source_only, module)
            after = _import_ms(compiled, module)
            rows.append([
                module, f"{before[0]:.0f}", f"{after[0]:.0f}", f"{before[0] / max(after[0], 0.1):.1f}x",
                f"{before[1]:.0f}", f"{after[1]:.0f}",
            ])  # fmt: skip
    out = "## Cold start: handler import from its own asset (best of 5 fresh isolated interpreters)\n\n" + table(
        ["handler", "no .pyc ms", ".pyc ms", "speed-up", "wall no .pyc ms", "wall .pyc ms"],
        rows,
    )
    if os.environ.get("NEWSFLOW_BENCH_LAMBDA_ASSETS") == "1":
        out += "\n\n" + _lambda_assets()
    return out


def _lambda_assets() -> str:
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in HANDLERS:
            bundler = PythonFunctionBundler(
                source_root=REPO_ROOT / "functions", handler_module=f"newsflow.handlers.{name}",
                staging_root=Path(tmp) / "staging",
            )  # fmt: skip
            out = Path(tmp) / name
            left_out = bundler.bundle(out)
            rows.append([name, f"{_size_mb(out):.1f}", f"{_zipped_mb(out):.1f}",
                         ", ".join(n for n in left_out if not n.endswith(".libs"))])  # fmt: skip
    return "## Lambda assets (linux/arm64, bytecode included)\n\n" + table(
        ["function", "unzipped MB", "zipped MB", "left out of this asset"], rows
    )
