"""Local (Docker-free) Lambda bundling: the pip command it builds and the package copy it makes."""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

import pytest

from infra.bundling import (
    ASSET_EXCLUDES,
    BOTOCORE_SERVICES,
    BundlingError,
    LambdaTarget,
    LocalPipBundling,
    PythonFunctionBundler,
    bytecode_python,
)
from infra.lambdas import ARCHITECTURE, FunctionAssets

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
    """Stands in for pip and compileall: records the commands; "pip" leaves two distributions (one the
    handler imports, one it never does) and a bin/ dir, as pip would."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, command: Sequence[str]) -> None:
        self.commands.append(list(command))
        if "pip" not in command:
            return
        target = Path(command[command.index("-t") + 1])
        for name in ("pydantic", "grpc"):
            (target / name).mkdir(parents=True)
            (target / name / "__init__.py").write_text("")
            info = target / f"{name}-1.0.dist-info"
            info.mkdir()
            (info / "RECORD").write_text(f"{name}/__init__.py,,\n")
        (target / "bin").mkdir()
        (target / "bin" / "some-console-script").write_text("#!/bin/sh\n")


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _bundler(tmp_path: Path, runner: RecordingRunner | None = None, **kwargs: object) -> PythonFunctionBundler:
    source = _source_tree(tmp_path / "functions")
    (source / "newsflow" / "handlers" / "ingest.py").write_text(
        "import pydantic\nfrom newsflow import constants\n\n\ndef lambda_handler(event, context):\n    return {}\n"
    )
    return PythonFunctionBundler(
        source_root=source,
        handler_module="newsflow.handlers.ingest",
        runner=runner or RecordingRunner(),
        staging_root=tmp_path / "staging",
        **kwargs,  # type: ignore[arg-type]
    )


def test_pip_command_targets_lambda_arm64_wheels_of_the_runtime_python(tmp_path: Path) -> None:
    # Given a bundler for the functions/ source root
    bundler = PythonFunctionBundler(
        source_root=tmp_path / "functions", python="/venv/bin/python", target=LambdaTarget(python_version="3.13")
    )
    # When it builds its pip command line
    command = bundler.pip_install_command(tmp_path / "out")
    # Then pip installs binary wheels for manylinux arm64 / that CPython from requirements.txt into out/
    assert command[:4] == ["/venv/bin/python", "-m", "pip", "install"]
    text = " ".join(command)
    assert "--platform manylinux2014_aarch64" in text
    assert "--only-binary=:all:" in command
    assert "--python-version 3.13" in text
    assert "--implementation cp" in text
    assert f"-r {tmp_path / 'functions' / 'requirements.txt'}" in text
    assert f"-t {tmp_path / 'out'}" in text


def test_the_runtime_follows_the_configured_python_and_is_arm64() -> None:
    for version in ("3.11", "3.14"):
        assets = FunctionAssets(source_root=REPO_ROOT / "functions", python_version=version)
        assert assets.runtime.name == f"python{version}"
    assert ARCHITECTURE.name == "arm64"
    assert LambdaTarget().platform.endswith("_aarch64")


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


def test_a_function_asset_holds_its_import_closure_only_and_ships_bytecode(tmp_path: Path) -> None:
    runner = RecordingRunner()
    bundler = _bundler(tmp_path, runner)
    out = tmp_path / "asset"
    # When CDK asks the local bundler for the ingest function's asset
    bundled = LocalPipBundling(bundler).try_bundle(str(out), options=None)
    # Then it reports success (so Docker is never used), ran pip once into the shared staging dir ...
    assert bundled is True
    pip = [c for c in runner.commands if "pip" in c]
    assert len(pip) == 1
    files = _files(out)
    # ... and the asset holds what the handler imports: pydantic (with its metadata), not grpc
    assert {"pydantic/__init__.py", "pydantic-1.0.dist-info/RECORD"} <= files
    assert not [f for f in files if f.startswith(("grpc", "bin/", "newsflow/local/", "newsflow/cli/"))]
    # ... and of newsflow, the modules the handler reaches (package data always stays)
    assert {"newsflow/__init__.py", "newsflow/handlers/ingest.py", "newsflow/constants.py"} <= files
    assert "newsflow/handlers/cli.py" not in files
    assert "newsflow/data/taxonomy.json" in files
    # ... compiled by the runtime's Python with hashes that zip timestamps cannot invalidate
    compile_step = runner.commands[-1]
    assert compile_step[1:3] == ["-m", "compileall"]
    assert compile_step[compile_step.index("--invalidation-mode") + 1] == "unchecked-hash"
    assert compile_step[-1] == str(out)


def test_a_second_function_reuses_the_staged_dependencies(tmp_path: Path) -> None:
    runner = RecordingRunner()
    _bundler(tmp_path, runner).bundle(tmp_path / "one")
    _bundler(tmp_path, runner).bundle(tmp_path / "two")
    assert len([c for c in runner.commands if "pip" in c]) == 1


def test_bytecode_needs_the_runtime_python_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a runtime version that is neither the running interpreter nor on PATH
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BundlingError, match="lambdaPython"):
        bytecode_python("3.99")
    # The running interpreter always qualifies for its own version
    assert bytecode_python(f"{sys.version_info.major}.{sys.version_info.minor}") == sys.executable


def test_botocore_keeps_only_the_models_of_the_services_newsflow_calls(tmp_path: Path) -> None:
    data = tmp_path / "asset" / "botocore" / "data"
    for service in ("dynamodb", "sqs", "s3", "ec2"):
        (data / service).mkdir(parents=True)
    (data / "endpoints.json").write_text("{}")
    PythonFunctionBundler(source_root=tmp_path).prune_botocore(tmp_path / "asset")
    assert sorted(p.name for p in data.iterdir()) == ["dynamodb", "endpoints.json", "sqs"]


def test_every_boto3_client_newsflow_creates_keeps_its_model() -> None:
    # A client for a service whose model was pruned would fail at run time (UnknownServiceError)
    runtime = REPO_ROOT / "functions" / "newsflow"
    created: set[str] = set()
    for source in runtime.rglob("*.py"):
        if {"local", "cli"} & set(source.relative_to(runtime).parts):
            continue
        created |= set(re.findall(r"""\bclient\(\s*["']([a-z0-9-]+)["']""", source.read_text(encoding="utf-8")))
    assert created
    assert created <= set(BOTOCORE_SERVICES)


def test_bundle_fails_loudly_without_requirements(tmp_path: Path) -> None:
    bundler = _bundler(tmp_path)
    (bundler.source_root / "requirements.txt").unlink()
    with pytest.raises(BundlingError, match=r"requirements\.txt"):
        bundler.bundle(tmp_path / "out")


def test_a_failing_pip_surfaces_its_output(tmp_path: Path) -> None:
    bundler = PythonFunctionBundler(
        source_root=_source_tree(tmp_path / "functions"), python="/bin/false", staging_root=tmp_path / "staging"
    )
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
