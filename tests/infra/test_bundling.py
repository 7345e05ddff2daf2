"""Local (Docker-free) Lambda bundling: the pip command it builds and the package copy it makes."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path

import pytest

from infra.bundling import (
    ASSET_EXCLUDES,
    BundlingError,
    LambdaTarget,
    LocalPipBundling,
    PythonFunctionBundler,
)
from infra.lambdas import ARCHITECTURE, RUNTIME

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("cdk")]

REPO_ROOT = Path(__file__).resolve().parents[2]


def _source_tree(root: Path) -> Path:
    """A functions/ directory shaped like the real one, with every kind of file the copy must judge."""
    files = {
        "requirements.txt": "pydantic==2.14.3\n",
        "newsflow/__init__.py": "",
        "newsflow/constants.py": "X = 1\n",
        "newsflow/cli/__init__.py": "def main(): ...\n",
        "newsflow/cli/stack.py": "",
        "newsflow/local/__init__.py": "",
        "newsflow/local/server.py": "",
        "newsflow/local_time.py": "",  # similar name, not excluded
        "newsflow/handlers/__init__.py": "",
        "newsflow/handlers/cli.py": "",  # only the package-level cli/ is dev-only
        "newsflow/handlers/__pycache__/ingest.cpython-311.pyc": "",
        "newsflow/data/taxonomy.json": "{}",
        "newsflow/py.typed": "",
    }
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


class RecordingRunner:
    """Stands in for pip: records the command and leaves what pip would (a package and a bin/ dir)."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, command: Sequence[str]) -> None:
        self.commands.append(list(command))
        target = Path(command[command.index("-t") + 1])
        (target / "pydantic").mkdir(parents=True)
        (target / "pydantic" / "__init__.py").write_text("")
        (target / "bin").mkdir()
        (target / "bin" / "some-console-script").write_text("#!/bin/sh\n")


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_pip_command_targets_lambda_arm64_python_314_wheels_only(tmp_path: Path) -> None:
    # Given a bundler for the functions/ source root
    bundler = PythonFunctionBundler(source_root=tmp_path / "functions", python="/venv/bin/python")
    # When it builds its pip command line
    command = bundler.pip_install_command(tmp_path / "out")
    # Then pip installs binary wheels for manylinux arm64 / CPython 3.14 from requirements.txt into out/
    assert command[:4] == ["/venv/bin/python", "-m", "pip", "install"]
    text = " ".join(command)
    assert "--platform manylinux2014_aarch64" in text
    assert "--only-binary=:all:" in command
    assert "--python-version 3.14" in text
    assert "--implementation cp" in text
    assert f"-r {tmp_path / 'functions' / 'requirements.txt'}" in text
    assert f"-t {tmp_path / 'out'}" in text
    assert "--no-compile" in command


def test_bundle_target_matches_the_lambda_runtime_and_architecture() -> None:
    target = LambdaTarget()
    assert RUNTIME.name == f"python{target.python_version}"
    assert ARCHITECTURE.name == "arm64"
    assert target.platform.endswith("_aarch64")


def test_copy_keeps_runtime_code_and_drops_dev_tools_and_caches(tmp_path: Path) -> None:
    # Given a source tree with the local stack, the CLI and a __pycache__
    bundler = PythonFunctionBundler(source_root=_source_tree(tmp_path / "functions"))
    out = tmp_path / "out"
    # When the package is copied
    bundler.copy_package(out)
    # Then only runtime code (and package data) is in the asset
    assert _files(out) == {
        "newsflow/__init__.py",
        "newsflow/constants.py",
        "newsflow/local_time.py",
        "newsflow/handlers/__init__.py",
        "newsflow/handlers/cli.py",
        "newsflow/data/taxonomy.json",
        "newsflow/py.typed",
    }


def test_bundle_runs_pip_once_then_adds_the_package_without_console_scripts(tmp_path: Path) -> None:
    runner = RecordingRunner()
    bundler = PythonFunctionBundler(source_root=_source_tree(tmp_path / "functions"), runner=runner)
    out = tmp_path / "asset"
    # When CDK asks the local bundler for the asset
    bundled = LocalPipBundling(bundler).try_bundle(str(out), options=None)
    # Then it reports success (so Docker is never used), ran pip once, and the asset holds deps + package
    assert bundled is True
    assert runner.commands == [bundler.pip_install_command(out)]
    files = _files(out)
    assert "pydantic/__init__.py" in files
    assert "newsflow/constants.py" in files
    assert not [f for f in files if f.startswith("bin/") or f.startswith("newsflow/local/")]


def test_bundle_fails_loudly_without_requirements(tmp_path: Path) -> None:
    source = _source_tree(tmp_path / "functions")
    (source / "requirements.txt").unlink()
    bundler = PythonFunctionBundler(source_root=source, runner=RecordingRunner())
    with pytest.raises(BundlingError, match=r"requirements\.txt"):
        bundler.bundle(tmp_path / "out")


def test_a_failing_pip_surfaces_its_output(tmp_path: Path) -> None:
    bundler = PythonFunctionBundler(source_root=_source_tree(tmp_path / "functions"), python="/bin/false")
    with pytest.raises(BundlingError, match="command failed"):
        bundler.bundle(tmp_path / "out")


def test_lambda_requirements_pin_exactly_the_project_dependencies() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    declared = sorted(pyproject["project"]["dependencies"])
    lines = (REPO_ROOT / "functions" / "requirements.txt").read_text().splitlines()
    pinned = sorted(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    assert pinned == declared
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][A-Za-z0-9.]*", requirement) for requirement in pinned)


def test_asset_fingerprint_ignores_what_never_ships() -> None:
    assert {"newsflow/local", "newsflow/cli", "**/__pycache__"} <= set(ASSET_EXCLUDES)
