"""The operator's path, as separate processes: `newsflow dev`, then `newsflow ingest`, then HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, SAMPLES

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
NEWSFLOW = [sys.executable, "-m", "newsflow.cli"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def dev_stack(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = _free_port()
    data_dir = tmp_path / "state"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "functions")}
    process = subprocess.Popen(
        [*NEWSFLOW, "--data-dir", str(data_dir), "dev", "--port", str(port), "--poll-interval", "0"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    api = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (data_dir / "dev.json").exists():
            break
        if process.poll() is not None:
            pytest.fail(f"newsflow dev exited: {process.stdout.read() if process.stdout else ''}")
        time.sleep(0.2)
    try:
        yield api, data_dir
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert not (data_dir / "dev.json").exists(), "a clean stop removes the state file"


def test_dev_then_ingest_then_query(dev_stack: tuple[str, Path]) -> None:
    api, data_dir = dev_stack
    # When an operator ingests the sample feeds into the running stack from another process
    result = subprocess.run(
        [
            *NEWSFLOW,
            "--data-dir",
            str(data_dir),
            "ingest",
            "--quiet",
            str(SAMPLES / "feeds"),
            str(SAMPLES / "bad-messages.jsonl"),
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "functions")},
        capture_output=True,
        text=True,
        timeout=180,
    )
    # Then it reports what happened, including the malformed feed
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sending to the running local stack" in result.stderr
    assert "stored" in result.stdout
    assert "broken-feed.xml" in result.stdout
    # And the running stack's API serves the articles
    with urllib.request.urlopen(f"{api}/v1/articles?pageSize=5", timeout=10) as response:
        page = json.loads(response.read())
    assert len(page["articles"]) == 5

    # And the operator tools read the same running stack: the DLQ with reasons, and a story explanation
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "functions")}
    dlq = subprocess.run(
        [*NEWSFLOW, "--data-dir", str(data_dir), "dlq"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert dlq.returncode == 0, dlq.stderr
    assert dlq.stdout.count("- schema_violation") == 2
    assert dlq.stdout.count("- invalid_json") == 1
    first, second = (a["id"] for a in page["articles"][:2])
    explained = subprocess.run(
        [*NEWSFLOW, "--data-dir", str(data_dir), "stories", "explain", first, second],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert explained.returncode == 0, explained.stderr
    assert "verdict: different stories" in explained.stdout
