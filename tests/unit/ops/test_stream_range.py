"""Re-reading a discarded batch's range from a shard: end of range, expired iterators, trimmed data."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from newsflow.ops.models import StreamBatchInfo
from newsflow.ops.ports import IteratorExpired, StreamExpired
from newsflow.ops.stream_range import MAX_EMPTY_PAGES, read_range

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-11-20T10:00:00.000"


def batch(start: int, end: int) -> StreamBatchInfo:
    return StreamBatchInfo.model_validate(
        {
            "streamArn": ARN,
            "shardId": "shard-1",
            "startSequenceNumber": str(start),
            "endSequenceNumber": str(end),
            "batchSize": end - start + 1,
        }
    )


def rec(seq: int, pk: str = "ART#a") -> dict[str, Any]:
    return {
        "eventName": "MODIFY",
        "dynamodb": {"SequenceNumber": str(seq), "Keys": {"pk": {"S": pk}, "sk": {"S": "ARTICLE"}}},
    }


class FakeShard:
    """A shard of records with sequence numbers; pages of `page` records; scripted failures."""

    def __init__(self, seqs: list[int], page: int = 2, closed: bool = True) -> None:
        self.seqs = seqs
        self.page = page
        self.closed = closed
        self.expire_next: int = 0  # the next N records() calls raise IteratorExpired
        self.trimmed = False
        self.iterators: list[tuple[str, str]] = []

    def iterator(self, stream_arn: str, shard_id: str, kind: Literal["AT", "AFTER"], sequence_number: str) -> str:
        if self.trimmed:
            raise StreamExpired("TrimmedDataAccessException: gone")
        self.iterators.append((kind, sequence_number))
        n = int(sequence_number)
        position = next((i for i, s in enumerate(self.seqs) if (s >= n if kind == "AT" else s > n)), len(self.seqs))
        return str(position)

    def records(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        if self.expire_next:
            self.expire_next -= 1
            raise IteratorExpired("iterator expired")
        position = int(iterator)
        chunk = self.seqs[position : position + min(self.page, limit)]
        at_end = position + len(chunk) >= len(self.seqs)
        return [rec(s) for s in chunk], (None if at_end and self.closed else str(position + len(chunk)))


def test_it_reads_from_start_to_end_inclusive_and_stops_there() -> None:
    shard = FakeShard([10, 20, 30, 40, 50, 60], page=2)

    found = read_range(shard, batch(20, 40))

    assert [r.sequence_number for r in found.records] == ["20", "30", "40"]
    assert found.complete
    assert found.records[0].keys == {"pk": "ART#a", "sk": "ARTICLE"}


def test_an_expired_iterator_is_renewed_after_the_last_record_read() -> None:
    shard = FakeShard([10, 20, 30, 40, 50], page=2)
    original = shard.records
    calls = {"n": 0}

    def flaky(iterator: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        calls["n"] += 1
        if calls["n"] == 2:  # after the first page
            raise IteratorExpired("ExpiredIteratorException")
        return original(iterator, limit)

    shard.records = flaky  # type: ignore[method-assign]

    found = read_range(shard, batch(10, 50))

    assert [r.sequence_number for r in found.records] == ["10", "20", "30", "40", "50"]
    assert shard.iterators == [("AT", "10"), ("AFTER", "20")]


def test_iterators_that_keep_expiring_give_up() -> None:
    shard = FakeShard([10, 20])
    shard.expire_next = 100

    with pytest.raises(IteratorExpired):
        read_range(shard, batch(10, 20))


def test_trimmed_records_raise_stream_expired() -> None:
    shard = FakeShard([10, 20])
    shard.trimmed = True

    with pytest.raises(StreamExpired):
        read_range(shard, batch(10, 20))


def test_an_open_shard_that_never_reaches_the_end_is_incomplete() -> None:
    shard = FakeShard([10, 20], page=5, closed=False)

    found = read_range(shard, batch(10, 99))

    assert [r.sequence_number for r in found.records] == ["10", "20"]
    assert not found.complete
    assert MAX_EMPTY_PAGES >= 1


def test_a_closed_shard_ends_the_range() -> None:
    found = read_range(FakeShard([10, 20], page=5, closed=True), batch(10, 99))

    assert found.complete
    assert len(found.records) == 2
