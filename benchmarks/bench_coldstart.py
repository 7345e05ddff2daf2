"""Cold-start import cost of each Lambda handler (python -X importtime), best of 3 fresh interpreters."""

from __future__ import annotations

from benchmarks.common import import_time_ms, table

HANDLERS = ["ingest", "index", "api", "poll"]


def run() -> str:
    rows: list[list[object]] = []
    for name in HANDLERS:
        module = f"newsflow.handlers.{name}"
        cumulative, wall = import_time_ms(module)
        rows.append([module, f"{cumulative:.0f}", f"{wall:.0f}"])
    for baseline in [
        "boto3",
        "pydantic",
        "aws_lambda_powertools.event_handler",
        "newsflow.normalise",
        "newsflow.search.opensearch_index",
    ]:
        cumulative, wall = import_time_ms(baseline)
        rows.append([f"(for scale) {baseline}", f"{cumulative:.0f}", f"{wall:.0f}"])
    return "## Cold start: handler import time\n\n" + table(["module", "importtime cumulative ms", "wall ms"], rows)
