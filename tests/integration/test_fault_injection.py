"""The fault-injection run, small: every guarantee holds under DynamoDB faults, index faults, duplicates, stream
replays and crash windows (the full run is `python -m benchmarks faults`; the harness is benchmarks/fault_harness.py).
"""

from __future__ import annotations

from benchmarks.fault_harness import FaultConfig, run_faults


def test_nothing_is_lost_duplicated_or_reverted_under_faults() -> None:
    # Given items (a quarter from feeds without guids), corrections (half of them without a newer clock),
    # syndications (some before their original), poison and duplicates (a stale original re-queued after its
    # clockless correction), with 20 % of DynamoDB calls and of index bulk calls failing, and crashes after 5 %
    # of article writes
    config = FaultConfig(items=60, syndications=0.15, poison=10, crash_rate=0.05, replay_every_batches=4, seed=7)
    # When they all go through ingest, the stream, the index and the scheduled repair
    report = run_faults(config)
    # Then every article is in the table once, at its newest copy, and the index equals the table
    assert report.expected_articles == 60
    assert report.lost == 0, report.rows()
    assert report.duplicated == 0, report.rows()
    assert report.reverted == 0, report.rows()
    # and every syndicated copy, some delivered before their original, is a sighting of it
    assert report.copies_first > 0, report.rows()
    assert report.guidless_stories > 0, report.rows()
    assert report.guidless_copies > 0, report.rows()
    assert report.clockless_corrections > 0, report.rows()
    assert report.repolled_after_clockless > 0, report.rows()
    assert report.sightings_missing == 0, report.rows()
    assert report.handler_errors == 0, report.rows()
    assert report.index_equals_table, report.rows()
    # and the scheduled replay could re-apply every on-failure record it read (none failed)
    assert report.replay_outcomes.get("failed", 0) == 0, report.rows()
    # and every poison message was parked at once with its reason, and no valid item was parked
    assert report.poison_deliveries == 10
    assert report.poison_parked == report.poison_deliveries, report.rows()
    assert "retries_exhausted" not in report.parked
    assert report.valid_parked == 0, report.rows()
    assert report.redriven_without_reason == 0, report.rows()
    # and the faults did happen
    assert report.injected["crash after write"] > 0
    assert report.injected["lost response"] > 0
    assert report.step_retries > 0
