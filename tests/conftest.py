"""Shared fixtures. AWS is always moto (in-process `mock_aws`, or the local stack's moto server)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

# Never let a test reach a real AWS account, whatever the developer's shell has.
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        "POWERTOOLS_SERVICE_NAME": "newsflow",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
)

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = REPO_ROOT / "samples"


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def stack_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """moto (mock_aws) with the stack's table and queues created, and NEWSFLOW_* pointing at them."""
    from moto import mock_aws
    from newsflow import constants as c
    from newsflow.local.resources import create_resources
    from newsflow.local.stack import reset_process_caches as reset_all

    with mock_aws():
        reset_all()
        resources = create_resources()
        for name, value in resources.environment().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv(c.ENV_SEARCH_BACKEND, "tantivy")
        monkeypatch.setenv(c.ENV_TANTIVY_PATH, str(tmp_path / "index"))
        reset_all()
        yield resources
        reset_all()
