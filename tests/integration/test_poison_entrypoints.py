"""No bad input gives a 500 or a traceback: the admin route, the ingest handler and the CLI's file reader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from newsflow import constants as c
from newsflow.handlers import api, ingest
from newsflow.local.events import api_gateway_event
from newsflow.local.resources import LocalResources
from newsflow.local.sources import collect

from tests.integration.helpers import context, dlq_messages, receive_event, send_items

DEEP_EXTRA = '{"url": "https://e.com/deep", "title": "Deep", "extra": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}"
HUGE_NUMBER = '{"url": "https://e.com/n", "title": "Number", "extra": {"n": ' + "7" * 5000 + "}}"
NESTED_5000 = "[" * 5000 + "]" * 5000


def _post(raw: bytes) -> dict[str, Any]:
    event = api_gateway_event("POST", "/v1/admin/items", {"Host": "api.test"}, raw, "127.0.0.1")
    return api.lambda_handler(event, context("api"))


def test_admin_items_answer_400_or_a_reason_never_500(stack_env: LocalResources) -> None:
    # A body nested 5,000 deep is not JSON the API can read: 400
    assert _post(NESTED_5000.encode())["statusCode"] == 400
    # An integer of 5,000 digits: 400 too (the body does not decode)
    assert _post(b'{"items": [{"title": "x", "extra": {"n": ' + b"7" * 5000 + b"}}]}")["statusCode"] == 400
    # An item whose `extra` nests 900 deep is refused by name, beside a good one that is accepted
    good = {"url": "https://e.com/good", "title": "Good item"}
    raw = '{"items": [' + json.dumps(good) + ", " + DEEP_EXTRA + "]}"
    response = _post(raw.encode())
    assert response["statusCode"] == 202
    result = json.loads(response["body"])
    assert [a["index"] for a in result["accepted"]] == [0]
    assert [(r["index"], r["reason"]) for r in result["rejected"]] == [(1, "too_deep")]


def test_ingest_parks_unfixable_messages_at_once_with_their_reason(stack_env: LocalResources) -> None:
    # Given three poison messages on the queue
    send_items(stack_env, [DEEP_EXTRA, HUGE_NUMBER, NESTED_5000])
    # When ingest receives them the first time
    response = ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    # Then none is retried: each is in the DLQ with its reason
    assert response == {"batchItemFailures": []}
    reasons = sorted(m["MessageAttributes"][c.DLQ_REASON_ATTRIBUTE]["StringValue"] for m in dlq_messages(stack_env))
    assert reasons == ["number_too_long", "too_deep", "too_deep"]


def test_the_cli_reader_reports_a_deep_json_file_instead_of_crashing(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(NESTED_5000)
    collected = collect([str(deep)])
    assert collected.bodies == []
    assert [r.source for r in collected.rejected_sources] == [str(deep)]
    assert "invalid JSON" in collected.rejected_sources[0].reason


@pytest.mark.parametrize("command", ["normalise", "categorise"])
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("deep.json", NESTED_5000.encode()),
        ("number.json", HUGE_NUMBER.encode()),
        ("binary.json", b"\xff\xfe\x00\x01" * 100),
    ],
)
def test_the_file_commands_report_unreadable_json_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, name: str, content: bytes
) -> None:
    from newsflow.cli import main

    target = tmp_path / name
    target.write_bytes(content)
    # When the command reads a file no JSON decoder can turn into items
    code = main([command, str(target)])
    # Then it says so and exits with a usage error, no traceback
    err = capsys.readouterr().err
    assert code == 2
    assert "error:" in err
    assert "Traceback" not in err
