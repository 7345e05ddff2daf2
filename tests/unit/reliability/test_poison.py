"""Poison is recognised: every message no retry can fix is a permanent error with a reason that says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from newsflow.errors import UNPROCESSABLE, PermanentItemError, unprocessable_reason
from newsflow.messages import parse_message
from newsflow.normalise import normalise_item

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _item(**fields: object) -> str:
    base: dict[str, object] = {"url": "https://news.example.com/a", "title": "Fed holds rates"}
    base.update(fields)
    return json.dumps(base)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"title": "x", "url": "https://e.com/a", "extra": {"k": ' + "[" * 5000 + "]" * 5000 + "}}", "too_deep"),
        ("[" * 100_000 + "]" * 100_000, "too_deep"),
        ('{"title": "x", "url": "https://e.com/a", "extra": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}", "too_deep"),
        ('{"title": "x", "url": "https://e.com/a", "extra": {"n": ' + "9" * 5000 + "}}", "number_too_long"),
        ('{"title": "x", "url": "https://e.com/a", "extra": {"n": -' + "1" * 4301 + "}}", "number_too_long"),
        ('{"title": "x\\ud800y", "url": "https://e.com/a"}', "invalid_encoding"),
        ('{"title": "x", "url": "https://e.com/a", "extra": {"\\udfff": 1}}', "invalid_encoding"),
        ('{"title": "x", "url": ', "invalid_json"),
    ],
)
def test_unfixable_messages_are_permanent_with_their_reason(body: str, reason: str) -> None:
    with pytest.raises(PermanentItemError) as caught:
        parse_message(body)
    assert caught.value.reason == reason
    assert caught.value.detail


def test_digits_inside_strings_and_modest_nesting_are_fine() -> None:
    # A long number written as a string, and `extra` a few levels deep, are ordinary items
    item = parse_message(_item(extra={"isbn": "9" * 5000, "a": {"b": {"c": [1, [2, [3]]]}}}))
    assert item.extra["a"]["b"]["c"] == [1, [2, [3]]]


def test_a_control_character_in_a_short_title_is_stripped_not_rejected() -> None:
    # Given "Fed holds\x0b rates" (a vertical tab) and a NUL in the summary
    item = parse_message(_item(title="Fed holds\x0b rates", summary="Rates \x00unchanged\x07 today."))
    # When it is normalised
    normalised = normalise_item(item, now=NOW)
    # Then the control characters are gone and the item stands
    assert normalised.title == "Fed holds rates"
    assert "\x00" not in normalised.summary
    assert "\x07" not in normalised.summary


def test_binary_content_is_still_rejected() -> None:
    binary = bytes(range(256)).decode("latin-1") * 8
    with pytest.raises(PermanentItemError) as caught:
        normalise_item(parse_message(_item(content_text=binary)), now=NOW)
    assert caught.value.reason == "binary_content"


def test_errors_raised_deep_inside_are_classified_as_unprocessable() -> None:
    assert issubclass(RecursionError, UNPROCESSABLE)
    assert unprocessable_reason(RecursionError("maximum recursion depth exceeded"))[0] == "too_deep"
    assert unprocessable_reason(UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"))[0] == (
        "invalid_encoding"
    )
