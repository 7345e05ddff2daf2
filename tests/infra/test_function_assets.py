"""Each function's pruned asset imports on its own: nothing its handler can reach was left out.

Given the asset the bundler would build for a handler (here from this virtualenv's own distributions,
host platform, same closure and pruning as the Lambda bundle). When a fresh isolated interpreter
(-I -S: no site-packages, no user paths) imports every newsflow module the asset kept, which pulls in
the lazy imports too (trafilatura on the page path, opensearchpy on the first search). Then no
ImportError: a module the static closure missed would fail here, not in a Lambda.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from newsflow import constants as c

from infra.bundling import PythonFunctionBundler

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("assets")]

REPO_ROOT = Path(__file__).resolve().parents[2]
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
# Kept by the closure but never selected in Lambda (the embedded backend is the local stack's).
LOCAL_ONLY = {"newsflow.search.tantivy_index"}


@pytest.mark.parametrize(
    "handler",
    [
        c.HANDLER_INGEST,
        c.HANDLER_INDEX,
        c.HANDLER_API,
        c.HANDLER_POLL,
        c.HANDLER_FETCH,
        c.HANDLER_OPS,
        c.HANDLER_AUTHORIZER,
    ],
)
def test_the_asset_imports_every_module_it_kept_in_isolation(handler: str, tmp_path: Path) -> None:
    module = handler.rsplit(".", 1)[0]
    bundler = PythonFunctionBundler(source_root=REPO_ROOT / "functions", handler_module=module)
    out = tmp_path / "asset"
    left_out = bundler.assemble(SITE_PACKAGES, out, compiler=None)
    kept = sorted(
        ".".join(p.relative_to(out).with_suffix("").parts).removesuffix(".__init__")
        for p in (out / "newsflow").rglob("*.py")
    )
    assert module in kept
    imports = [m for m in kept if m not in LOCAL_ONLY]
    code = f"import importlib, sys; sys.path.insert(0, {str(out)!r})\nfor m in {imports!r}: importlib.import_module(m)"
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "grpc" not in {name.split("-")[0] for name in map(str, out.iterdir())}
    assert left_out  # something was pruned: the closure is not the whole environment
