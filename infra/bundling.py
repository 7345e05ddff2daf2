"""Lambda assets without Docker: one asset per function, holding what its handler imports, with bytecode.

For each function:
1. `pip install --platform manylinux2014_aarch64 --only-binary=:all: --python-version X.Y` fetches the
   Linux/arm64 wheels of functions/requirements.txt into a staging directory shared by the functions of
   one synth (installed once per requirements and target). --only-binary means pip never builds an sdist
   on the host, so a dependency without a wheel fails loudly instead of shipping host binaries.
2. The handler's import closure (infra/closure.py) decides which distributions and which newsflow
   modules go into the asset; botocore keeps the models of the services newsflow calls only.
3. `python X.Y -m compileall --invalidation-mode unchecked-hash` writes the bytecode. It must be the
   runtime's own Python version (bytecode is version-specific): the bundler uses the running interpreter
   when it matches, else `pythonX.Y` from PATH, and fails with instructions when there is none.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import jsii
from aws_cdk import BundlingOptions, DockerImage, ILocalBundling

from infra.closure import PACKAGE, compile_command, copy_closure, import_closure, prune_package, top_level_names

_log = logging.getLogger(__name__)

PACKAGE_NAME = PACKAGE
REQUIREMENTS_FILE = "requirements.txt"
# Relative to the package: shipped in the repo for developers, never in the Lambda asset.
# data/training: the default categoriser's training examples, rebuilt by the CLI, never read at run time.
EXCLUDED_FROM_PACKAGE = ("local", "cli", "data/training")
IGNORED_NAMES = ("__pycache__", "*.pyc", "*.pyo", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".DS_Store")
# Fingerprint exclusions for Code.from_asset: what never reaches the bundle must not change its hash.
ASSET_EXCLUDES = (
    f"{PACKAGE_NAME}/local",
    f"{PACKAGE_NAME}/cli",
    f"{PACKAGE_NAME}/data/training",
    "*.egg-info",
    "**/__pycache__",
    "**/*.pyc",
    ".pytest_cache",
    ".mypy_cache",
)
# The AWS services newsflow.aws makes clients for (plus STS for credential providers). botocore ships
# ~400 service models (about 30 MB); the others are never loaded. test_bundling checks the source.
BOTOCORE_SERVICES = ("dynamodb", "dynamodbstreams", "sqs", "ssm", "sts")  # ssm: per-feed secret headers
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13", "3.14")

Runner = Callable[[Sequence[str]], None]


class BundlingError(RuntimeError):
    """pip failed, the asset source is incomplete, or no interpreter can compile the bytecode."""


@dataclass(frozen=True)
class LambdaTarget:
    """The interpreter and platform the wheels and the bytecode must match."""

    python_version: str = "3.11"
    platform: str = "manylinux2014_aarch64"
    implementation: str = "cp"


def _run(command: Sequence[str]) -> None:
    completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
        list(command), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise BundlingError(
            f"command failed ({completed.returncode}): {' '.join(command)}\n"
            f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
        )


def bytecode_python(version: str) -> str:
    """An interpreter of exactly `version` (bytecode is version-specific)."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    found = shutil.which(f"python{version}")
    if found:
        return found
    raise BundlingError(
        f"the Lambda runtime is Python {version}, and its bytecode can only be compiled by Python {version}, "
        f"which is not on PATH. Install python{version}, or set the CDK context key lambdaPython to the "
        f"version that builds the asset (here {sys.version_info.major}.{sys.version_info.minor})."
    )


@dataclass(frozen=True)
class PythonFunctionBundler:
    """Builds one function's asset directory: its dependencies for `target`, its modules, bytecode."""

    source_root: Path
    handler_module: str = "newsflow.handlers.ingest"
    target: LambdaTarget = field(default_factory=LambdaTarget)
    python: str = sys.executable
    runner: Runner = _run
    staging_root: Path | None = None  # where the shared pip install lives (default: the system temp dir)
    botocore_services: tuple[str, ...] = BOTOCORE_SERVICES

    @property
    def requirements(self) -> Path:
        return self.source_root / REQUIREMENTS_FILE

    def pip_install_command(self, output_dir: Path) -> list[str]:
        return [
            self.python, "-m", "pip", "install",
            "--platform", self.target.platform,
            "--only-binary=:all:",
            "--python-version", self.target.python_version,
            "--implementation", self.target.implementation,
            "-r", str(self.requirements),
            "-t", str(output_dir),
            "--no-compile",  # bytecode is compiled at the end, by the runtime's Python version
            "--no-input", "--quiet", "--disable-pip-version-check",
        ]  # fmt: skip

    def staging_dir(self) -> Path:
        """Dependencies installed once per requirements and target, reused by every function's bundle."""
        key = hashlib.sha256(
            "\n".join([self.requirements.read_text(encoding="utf-8"), repr(self.target)]).encode()
        ).hexdigest()[:16]
        root = self.staging_root or Path(tempfile.gettempdir()) / "newsflow-bundles"
        staging = root / f"deps-{key}"
        if not (staging / ".complete").is_file():
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            self.runner(self.pip_install_command(staging))
            shutil.rmtree(staging / "bin", ignore_errors=True)  # console scripts are useless in Lambda
            (staging / ".complete").write_text("ok\n")
        return staging

    def copy_package(self, output_dir: Path) -> Path:
        """Copy the runtime package into `output_dir`, leaving out dev-only modules and caches."""
        source = self.source_root / PACKAGE_NAME
        if not (source / "__init__.py").is_file():
            raise BundlingError(f"{source} is not a Python package")
        destination = output_dir / PACKAGE_NAME
        if destination.exists():
            shutil.rmtree(destination)
        ignore_names = shutil.ignore_patterns(*IGNORED_NAMES)
        excluded = {(source / name).resolve() for name in EXCLUDED_FROM_PACKAGE}

        def ignore(directory: str, names: list[str]) -> set[str]:
            skipped = set(ignore_names(directory, names))
            skipped.update(name for name in names if (Path(directory) / name).resolve() in excluded)
            return skipped

        shutil.copytree(source, destination, ignore=ignore)
        return destination

    def prune_botocore(self, output_dir: Path) -> None:
        data = output_dir / "botocore" / "data"
        if not data.is_dir():
            return
        for entry in data.iterdir():
            if entry.is_dir() and entry.name not in self.botocore_services:
                shutil.rmtree(entry)

    def bundle(self, output_dir: Path) -> list[str]:
        """Build the asset; returns the distributions left out (for the synth log)."""
        if not self.requirements.is_file():
            raise BundlingError(f"missing {self.requirements}")
        compiler = bytecode_python(self.target.python_version)
        return self.assemble(self.staging_dir(), output_dir, compiler)

    def assemble(self, site_packages: Path, output_dir: Path, compiler: str | None) -> list[str]:
        """The asset from installed distributions: closure, pruning, bytecode (unless `compiler` is None).
        The benchmarks and tests also build host-platform assets from the virtualenv with it."""
        output_dir.mkdir(parents=True, exist_ok=True)
        package = self.copy_package(output_dir)
        modules = import_closure([self.handler_module], [output_dir, site_packages])
        left_out = copy_closure(site_packages, top_level_names(modules), output_dir)
        prune_package(package, modules)
        self.prune_botocore(output_dir)
        if compiler is not None:
            self.runner(compile_command(compiler, output_dir))
        return left_out


@jsii.implements(ILocalBundling)
class LocalPipBundling:
    """ILocalBundling: CDK calls try_bundle before it would ever start a Docker container."""

    def __init__(self, bundler: PythonFunctionBundler) -> None:
        self._bundler = bundler

    def try_bundle(self, output_dir: str, options: Any) -> bool:
        if self._bundler.python == sys.executable and importlib.util.find_spec("pip") is None:
            _log.warning("pip is not importable by %s: falling back to Docker bundling", sys.executable)
            return False
        left_out = self._bundler.bundle(Path(output_dir))
        _log.info("%s: left out %s", self._bundler.handler_module, ", ".join(left_out) or "nothing")
        return True


def bundling_options(
    source_root: Path, image: DockerImage, handler_module: str, python_version: str
) -> BundlingOptions:
    """Local pip bundling; the Docker command is only a fallback for hosts without pip (it ships the
    whole requirements closure, compiled by the image's own Python, which matches the runtime)."""
    bundler = PythonFunctionBundler(
        source_root=source_root, handler_module=handler_module, target=LambdaTarget(python_version=python_version)
    )
    docker_command = (
        f"pip install --no-compile -r {REQUIREMENTS_FILE} -t /asset-output && "
        f"cp -r {PACKAGE_NAME} /asset-output/ && "
        f"rm -rf /asset-output/{PACKAGE_NAME}/local /asset-output/{PACKAGE_NAME}/cli "
        f"/asset-output/{PACKAGE_NAME}/data/training /asset-output/bin && "
        "find /asset-output -name __pycache__ -type d -prune -exec rm -rf {} + && "
        "python -m compileall -q --invalidation-mode unchecked-hash /asset-output"
    )
    return BundlingOptions(
        image=image,
        command=["bash", "-c", docker_command],
        local=cast(ILocalBundling, LocalPipBundling(bundler)),
    )
