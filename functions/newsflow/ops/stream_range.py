"""Re-read the records of a discarded stream batch: from its start to its end sequence number."""

from __future__ import annotations

from pydantic import BaseModel, Field

from newsflow.ops.models import StreamBatchInfo, StreamChangeKey
from newsflow.ops.ports import IteratorExpired, ShardReader

# Records per GetRecords call. A batch's range also holds the records the event source filtered out (dedupe
# keys, category markers...), and reading starts exactly at the batch: small pages waste little past its end.
PAGE_LIMIT = 200
# An open shard at its tip answers empty pages; records inside the range exist already, so a few empties
# in a row mean the range cannot be completed (not worth waiting for).
MAX_EMPTY_PAGES = 5
MAX_ITERATOR_RENEWALS = 5


class RangeRead(BaseModel):
    records: list[StreamChangeKey] = Field(default_factory=list)
    complete: bool = Field(description="The end sequence number (or the end of a closed shard) was reached.")


def _plain_keys(raw: dict[str, dict[str, object]]) -> dict[str, str]:
    """Stream keys in DynamoDB JSON ({"pk": {"S": "ART#1"}}) as plain strings; newsflow's keys are strings."""
    keys: dict[str, str] = {}
    for name, value in raw.items():
        if isinstance(value, dict) and isinstance(value.get("S"), str):
            keys[name] = str(value["S"])
    return keys


def read_range(reader: ShardReader, batch: StreamBatchInfo) -> RangeRead:
    """Every record with start <= sequence number <= end, in stream order. Raises StreamExpired."""
    start, end = int(batch.start_sequence_number), int(batch.end_sequence_number)
    iterator = reader.iterator(batch.stream_arn, batch.shard_id, "AT", batch.start_sequence_number)
    found: list[StreamChangeKey] = []
    empty = renewals = 0
    while True:
        try:
            page, next_iterator = reader.records(iterator, PAGE_LIMIT)
        except IteratorExpired:
            renewals += 1
            if renewals > MAX_ITERATOR_RENEWALS:
                raise
            last = found[-1].sequence_number if found else None
            iterator = (
                reader.iterator(batch.stream_arn, batch.shard_id, "AFTER", last)
                if last
                else reader.iterator(batch.stream_arn, batch.shard_id, "AT", batch.start_sequence_number)
            )
            continue
        for record in page:
            change = record.get("dynamodb", {})
            sequence = str(change.get("SequenceNumber", ""))
            if not sequence.isdigit() or int(sequence) < start:
                continue
            if int(sequence) > end:
                return RangeRead(records=found, complete=True)
            found.append(
                StreamChangeKey(
                    sequence_number=sequence,
                    event_name=str(record.get("eventName", "")),
                    keys=_plain_keys(change.get("Keys", {})),
                )
            )
        if found and int(found[-1].sequence_number) >= end:
            return RangeRead(records=found, complete=True)
        if next_iterator is None:  # a closed shard ends here
            return RangeRead(records=found, complete=True)
        empty = 0 if page else empty + 1
        if empty >= MAX_EMPTY_PAGES:
            return RangeRead(records=found, complete=False)
        iterator = next_iterator
