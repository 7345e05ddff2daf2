"""What one Lambda function needs from a bundle: the import closure of its handler, and bytecode for it.

`import_closure` scans the code of the handler and of everything it can import, statically, with the
standard library's ModuleFinder: every `import` statement counts, also the lazy ones inside functions
(trafilatura on the page path, opensearchpy on the first search), so a path taken only at run time is
still shipped. A distribution no statement reaches (grpcio, which opensearch-py depends on but never
imports, or babel) is left out of that function's asset.

`compile_bytecode` writes `.pyc` files with unchecked-hash invalidation: Lambda's `/var/task` is
read-only, so bytecode must ship inside the asset, and CDK's zip normalises file times, so
timestamp-checked bytecode would be judged stale and recompiled on every cold start.
"""

from __future__ import annotations

import modulefinder
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

PACKAGE = "newsflow"
_EXTENSION_SUFFIXES = (".py", ".pyi")


class _Finder(modulefinder.ModuleFinder):
    """ModuleFinder that treats an implicit namespace package as absent instead of crashing on it (its
    spec has no loader). newsflow and its dependencies import none."""

    def find_module(self, name: str, path: Any, parent: Any = None) -> Any:
        try:
            return super().find_module(name, path, parent)
        except AttributeError as exc:
            raise ImportError(f"namespace package {name}") from exc


def import_closure(roots: Sequence[str], search_path: Sequence[Path]) -> set[str]:
    """Dotted names of every module reachable from `roots` within `search_path` (stdlib excluded)."""
    finder = _Finder(path=[str(p) for p in search_path])
    for root in roots:
        finder.import_hook(root)
    return {
        name
        for name, module in finder.modules.items()
        if getattr(module, "__file__", None) or getattr(module, "__path__", None)
    }


def top_level_names(modules: Iterable[str]) -> set[str]:
    return {name.split(".", 1)[0] for name in modules}


def _entry_name(path: Path) -> str | None:
    """The importable top-level name a site-packages entry provides (None for metadata and scripts)."""
    name = path.name
    if path.is_dir():
        if name.endswith((".dist-info", ".egg-info", ".data")) or name == "bin" or name == "__pycache__":
            return None
        return name.removesuffix(".libs") if name.endswith(".libs") else name
    if name.endswith(_EXTENSION_SUFFIXES):
        return name.rsplit(".", 1)[0]
    if name.endswith(".so"):
        return name.split(".", 1)[0]
    return None


def _distribution_tops(dist_info: Path) -> set[str]:
    record = dist_info / "RECORD"
    if not record.is_file():
        return set()
    tops = set()
    for line in record.read_text(encoding="utf-8").splitlines():
        first = line.split(",", 1)[0].split("/", 1)[0]
        if first and not first.endswith((".dist-info", ".data")) and first != "..":
            tops.add(first.rsplit(".", 1)[0] if first.endswith(_EXTENSION_SUFFIXES) else first.split(".", 1)[0])
    return tops


def copy_closure(site_packages: Path, keep: set[str], output_dir: Path) -> list[str]:
    """Copy the entries of `site_packages` whose top-level name is in `keep` (with their .libs and
    .dist-info); return the names left out."""
    left_out: list[str] = []
    output_dir.mkdir(parents=True, exist_ok=True)
    for entry in sorted(site_packages.iterdir()):
        name = _entry_name(entry)
        if entry.name.endswith(".dist-info"):
            if _distribution_tops(entry) & keep:
                shutil.copytree(entry, output_dir / entry.name, dirs_exist_ok=True)
            continue
        if name is None or name == PACKAGE:
            continue
        if name not in keep:
            left_out.append(entry.name)
            continue
        if entry.is_dir():
            shutil.copytree(
                entry, output_dir / entry.name, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(entry, output_dir / entry.name)
    return left_out


def prune_package(package_dir: Path, modules: set[str]) -> None:
    """Remove the package's own modules that the function never imports (data files stay)."""
    for source in sorted(package_dir.rglob("*.py")):
        relative = source.relative_to(package_dir.parent).with_suffix("")
        dotted = ".".join(relative.parts)
        if dotted.endswith(".__init__"):
            dotted = dotted.removesuffix(".__init__")
        if dotted not in modules:
            source.unlink()
    for directory in sorted((p for p in package_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()


def compile_command(python: str, directory: Path) -> list[str]:
    return [
        python, "-m", "compileall", "-q", "-j", "0",
        "--invalidation-mode", "unchecked-hash",
        str(directory),
    ]  # fmt: skip
