"""Builds the CDK app exactly as `app.py` (and the infra tests) use it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import App

from infra.config import StageConfig
from infra.nag import apply_checks
from infra.stack import NewsflowStack

REPO_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = REPO_ROOT / "functions"
CDK_JSON = REPO_ROOT / "cdk.json"


def cdk_json_context(path: Path = CDK_JSON) -> dict[str, Any]:
    """The "context" block of cdk.json (the CDK CLI passes it itself; direct runs and tests read it here)."""
    if not path.is_file():
        return {}
    context = json.loads(path.read_text(encoding="utf-8")).get("context", {})
    return dict(context) if isinstance(context, dict) else {}


def build_app(
    context: Mapping[str, Any] | None = None, *, outdir: str | None = None, nag: bool = True
) -> tuple[App, NewsflowStack]:
    app = App(context=dict(context or {}), outdir=outdir)
    config = StageConfig.from_context(app.node.try_get_context)
    stack = NewsflowStack(
        app,
        config.stack_name,
        config=config,
        source_root=FUNCTIONS_DIR,
        description=f"newsflow ({config.stage}): serverless news ingestion, search and API",
        termination_protection=config.is_production,
    )
    if nag:
        apply_checks(app)
    return app, stack
