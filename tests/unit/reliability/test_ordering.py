"""The item's own clock: updated, else published, else the sighting time; equal moments ordered by the sighting
time (when the message was queued, kept by every redelivery), then by content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from newsflow.constants import SIGHTING_ATTRIBUTE
from newsflow.handlers.ingest import sighting_time
from newsflow.models import Article
from newsflow.store.ordering import clock_key, decided_by_sighting, is_newer, keeps_page_body

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PUBLISHED = datetime(2026, 11, 19, 14, 30, tzinfo=UTC)


def _article(**fields: Any) -> Article:
    base: dict[str, Any] = {
        "id": "a1",
        "url": "https://news.example.com/a",
        "title": "Title",
        "body_text": "Body text.",
        "content_hash": "h1",
        "published_at": PUBLISHED,
        "first_seen_at": NOW,
        "last_seen_at": NOW,
        "sort_at": PUBLISHED,
        "category": "business",
    }
    base.update(fields)
    return Article(**base)


def test_an_update_time_beats_any_sighting_time() -> None:
    corrected = _article(title="Corrected", updated_at=PUBLISHED + timedelta(hours=1), last_seen_at=NOW)
    original_seen_later = _article(last_seen_at=NOW + timedelta(hours=5))
    assert is_newer(corrected, original_seen_later)
    assert not is_newer(original_seen_later, corrected)


def test_equal_moments_are_ordered_by_when_each_copy_was_seen() -> None:
    original = _article(last_seen_at=NOW)
    correction = _article(title="Corrected", content_hash="h2", last_seen_at=NOW + timedelta(minutes=3))
    assert is_newer(correction, original)
    assert not is_newer(original, correction)


def test_equal_moments_and_sightings_are_ordered_by_content_either_way() -> None:
    one, other = _article(title="One way"), _article(title="Other way")
    assert is_newer(one, other) != is_newer(other, one)


@pytest.mark.parametrize(
    ("stored", "incoming", "kept"),
    [
        ({"body_source": "page"}, {"body_source": "feed"}, True),
        ({"body_source": "page"}, {"body_source": "feed", "last_seen_at": NOW + timedelta(days=1)}, True),
        ({"body_source": "page"}, {"body_source": "feed", "updated_at": PUBLISHED + timedelta(hours=1)}, False),
        ({"body_source": "page", "published_at": None}, {"body_source": "feed", "published_at": None}, True),
        ({"body_source": "feed"}, {"body_source": "feed"}, False),
        ({"body_source": "page"}, {"body_source": "page"}, False),
    ],
)
def test_a_page_text_stands_against_a_teaser_of_the_same_version(
    stored: dict[str, Any], incoming: dict[str, Any], kept: bool
) -> None:
    assert keeps_page_body(_article(**stored), _article(**incoming)) is kept


def _record(sent: Any) -> SQSRecord:
    attributes = {"ApproximateReceiveCount": "1"}
    if sent is not None:
        attributes["SentTimestamp"] = str(sent)
    return SQSRecord({"messageId": "m", "body": "{}", "attributes": attributes})


def test_the_sighting_time_is_when_the_message_was_queued() -> None:
    sent = NOW - timedelta(minutes=7)
    assert sighting_time(_record(int(sent.timestamp() * 1000)), NOW) == sent


@pytest.mark.parametrize("sent", [None, "0", "not-a-number", "-5", "99999999999999999999", str(10**30)])
def test_a_missing_or_implausible_sent_time_falls_back_to_now(sent: Any) -> None:
    assert sighting_time(_record(sent), NOW) == NOW


def test_a_sent_time_older_than_the_queue_keeps_messages_is_not_trusted() -> None:
    old = NOW - timedelta(days=15)
    assert sighting_time(_record(int(old.timestamp() * 1000)), NOW) == NOW


def _record_with(passed: Any, sent: int) -> SQSRecord:
    return SQSRecord(
        {
            "messageId": "m",
            "body": "{}",
            "attributes": {"SentTimestamp": str(sent)},
            "messageAttributes": {SIGHTING_ATTRIBUTE: passed},
        }
    )


def test_the_sighting_time_passed_on_by_the_full_text_stage_comes_first() -> None:
    polled, requeued = NOW - timedelta(minutes=9), NOW - timedelta(minutes=1)
    passed = {"stringValue": str(int(polled.timestamp() * 1000)), "dataType": "String"}
    assert sighting_time(_record_with(passed, int(requeued.timestamp() * 1000)), NOW) == polled


@pytest.mark.parametrize(
    "passed", [{"stringValue": "x"}, {"stringValue": str(10**30)}, {"stringValue": "0"}, "not-a-dict", None, {}]
)
def test_an_unusable_passed_sighting_time_falls_back_to_the_queue_time(passed: Any) -> None:
    requeued = NOW - timedelta(minutes=1)
    assert sighting_time(_record_with(passed, int(requeued.timestamp() * 1000)), NOW) == requeued


def test_the_clock_key_sorts_as_the_clock_compares() -> None:
    copies = [
        _article(),
        _article(title="Corrected", content_hash="h2", last_seen_at=NOW + timedelta(minutes=3)),
        _article(title="Updated", updated_at=PUBLISHED + timedelta(hours=1)),
        _article(title="Undated", published_at=None, last_seen_at=NOW - timedelta(days=400)),
        _article(title="Other way"),
    ]
    for one in copies:
        for other in copies:
            assert (clock_key(one) > clock_key(other)) == is_newer(one, other), (one.title, other.title)


def test_only_copies_no_own_clock_tells_apart_are_decided_by_sighting() -> None:
    original = _article()
    assert decided_by_sighting(original, _article(title="Corrected", last_seen_at=NOW + timedelta(minutes=3)))
    assert decided_by_sighting(original, _article(published_at=None))
    assert not decided_by_sighting(original, _article(updated_at=PUBLISHED + timedelta(hours=1)))
