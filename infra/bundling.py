"""Lambda asset bundling without Docker.

`pip install --platform manylinux2014_aarch64 --only-binary=:all:` fetches the Linux/arm64 wheels of
functions/requirements.txt for the Lambda Python version, whatever the host is, then the `newsflow`
package is copied beside them, minus the dev-only parts (local stack, CLI) and caches.

--only-binary is what makes a foreign-platform install safe: pip never builds an sdist on the host
(which would produce host-platform binaries). A dependency that ships no wheel therefore fails the
bundle loudly instead of slipping into the asset for the wrong platform.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import jsii
from aws_cdk import BundlingOptions, DockerImage, ILocalBundling

_log = logging.getLogger(__name__)

PACKAGE_NAME = "newsflow"
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

Runner = Callable[[Sequence[str]], None]


class BundlingError(RuntimeError):
    """pip failed or the asset source is incomplete."""


@dataclass(frozen=True)
class LambdaTarget:
    """The interpreter and platform the wheels must match (Lambda arm64, newest Python)."""

    platform: str = "manylinux2014_aarch64"
    python_version: str = "3.14"
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


@dataclass(frozen=True)
class PythonFunctionBundler:
    """Builds the Lambda asset directory: dependencies for `target`, then the package."""

    source_root: Path
    target: LambdaTarget = field(default_factory=LambdaTarget)
    python: str = sys.executable
    runner: Runner = _run

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
            "--no-compile",  # .pyc built by the host interpreter would be useless on the Lambda runtime
            "--no-input", "--quiet", "--disable-pip-version-check",
        ]  # fmt: skip

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

    def bundle(self, output_dir: Path) -> None:
        if not self.requirements.is_file():
            raise BundlingError(f"missing {self.requirements}")
        output_dir.mkdir(parents=True, exist_ok=True)
        self.runner(self.pip_install_command(output_dir))
        # Console scripts are useless in a Lambda asset.
        shutil.rmtree(output_dir / "bin", ignore_errors=True)
        self.copy_package(output_dir)


@jsii.implements(ILocalBundling)
class LocalPipBundling:
    """ILocalBundling: CDK calls try_bundle before it would ever start a Docker container."""

    def __init__(self, bundler: PythonFunctionBundler) -> None:
        self._bundler = bundler

    def try_bundle(self, output_dir: str, options: Any) -> bool:
        if self._bundler.python == sys.executable and importlib.util.find_spec("pip") is None:
            _log.warning("pip is not importable by %s: falling back to Docker bundling", sys.executable)
            return False
        self._bundler.bundle(Path(output_dir))
        return True


def bundling_options(source_root: Path, image: DockerImage) -> BundlingOptions:
    """Local pip bundling; the Docker command is only a fallback for hosts without pip."""
    bundler = PythonFunctionBundler(source_root=source_root)
    docker_command = (
        f"pip install --no-compile -r {REQUIREMENTS_FILE} -t /asset-output && "
        f"cp -r {PACKAGE_NAME} /asset-output/ && "
        f"rm -rf /asset-output/{PACKAGE_NAME}/local /asset-output/{PACKAGE_NAME}/cli "
        f"/asset-output/{PACKAGE_NAME}/data/training /asset-output/bin && "
        "find /asset-output -name __pycache__ -type d -prune -exec rm -rf {} +"
    )
    return BundlingOptions(
        image=image,
        command=["bash", "-c", docker_command],
        local=cast(ILocalBundling, LocalPipBundling(bundler)),
    )
