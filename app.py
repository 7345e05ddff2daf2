#!/usr/bin/env python3
"""CDK entry point: `npx cdk synth -c stage=dev`, or `.venv/bin/python app.py` (reads cdk.json itself)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# infra imports newsflow.constants (names only) from the Lambda asset root.
sys.path.insert(0, str(ROOT / "functions"))

from infra.application import build_app, cdk_json_context  # noqa: E402


def main() -> None:
    under_cli = "CDK_OUTDIR" in os.environ  # the CLI passes cdk.json context and the output dir itself
    app, _ = build_app(
        {} if under_cli else cdk_json_context(),
        outdir=None if under_cli else str(ROOT / "cdk.out"),
    )
    app.synth()


if __name__ == "__main__":
    main()
