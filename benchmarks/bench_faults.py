"""Fault injection at scale: `python -m benchmarks faults` (the harness: benchmarks/fault_harness.py).

5,000 distinct items plus corrections, syndications and 50 poison messages through the real ingest, index and
ops handlers on moto, with 20 % of DynamoDB calls failing, 20 % of index bulk calls failing wholly or partly,
10 % duplicate deliveries, stream batches bisected and replayed, and crash windows after article writes.
`--items=N` runs a smaller one. `make test` runs a small version (tests/integration/test_fault_injection.py).
"""

from __future__ import annotations

import sys

from benchmarks.common import table
from benchmarks.fault_harness import FaultConfig, run_faults


def run() -> str:
    config = FaultConfig()
    for arg in sys.argv[1:]:
        if arg.startswith("--items="):
            config.items = int(arg.split("=", 1)[1])
    report = run_faults(config)
    settings = (
        f"{config.items} items, {config.corrections:.0%} corrected, {config.syndications:.0%} syndicated,"
        f" {config.poison} poison, DynamoDB faults {config.dynamo_fault_rate:.0%}, index bulk faults"
        f" {config.index_fault_rate:.0%}, duplicates {config.duplicate_rate:.0%}, crash after"
        f" {config.crash_rate:.1%} of article writes, seed {config.seed}"
    )
    return f"## faults: {settings}\n\n" + table(["measure", "value"], report.rows()) + "\n"
