"""The delivery marker: which delivery wrote an article's content, and as what, in 18 bytes."""

from __future__ import annotations

import uuid

import pytest
from newsflow.store import delivery_marker as marker


@pytest.mark.parametrize("outcome", ["created", "updated"])
def test_an_sqs_message_id_is_kept_in_its_16_bytes(outcome: str) -> None:
    delivery = str(uuid.uuid4())
    encoded = marker.encode(delivery, outcome)
    assert len(encoded) == 17
    assert marker.decode({marker.MARKER_ATTR: encoded}) == (delivery, outcome)


@pytest.mark.parametrize("delivery", ["m-small", "0F8FAD5B-D9CB-469F-A165-70867728950E", "ünïcode-delivery", "x" * 16])
def test_any_other_delivery_name_comes_back_as_it_was(delivery: str) -> None:
    # upper-case UUIDs and 16-character names too: only the canonical message id form is packed
    assert marker.decode({marker.MARKER_ATTR: marker.encode(delivery, "updated")}) == (delivery, "updated")


def test_items_written_before_are_read_from_the_old_pair() -> None:
    item = {"written_by": "0f8fad5b-d9cb-469f-a165-70867728950e", "write_outcome": "created"}
    assert marker.decode(item) == ("0f8fad5b-d9cb-469f-a165-70867728950e", "created")


def test_no_marker_or_an_unknown_code_is_none() -> None:
    assert marker.decode({}) is None
    assert marker.decode({"written_by": "m-1"}) is None
    assert marker.decode({marker.MARKER_ATTR: b"zsomething"}) is None


def test_only_content_outcomes_are_recorded() -> None:
    with pytest.raises(KeyError):
        marker.encode("m-1", "unchanged")
