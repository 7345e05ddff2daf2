"""The scheduled reconciliation finds every kind of drift between index and table, month by month, and repairs it."""

from __future__ import annotations

from newsflow.handlers import index, ingest, ops
from newsflow.local.resources import LocalResources
from newsflow.search.port import SearchDocument, SearchQuery

from tests.integration.helpers import body, context, receive_event, send_items, stream_event_from_moto
from tests.integration.ops_helpers import ops_context

ITEMS = [
    body(url=f"https://news.example.com/r{n}", guid=f"r{n}", title=f"Story {n}", content_html=f"<p>Body {n}.</p>")
    for n in range(4)
] + [
    body(
        url="https://news.example.com/old",
        guid="old",
        title="An October story",
        content_html="<p>Older body.</p>",
        published="Mon, 12 Oct 2026 09:00:00 GMT",
    )
]


def reconcile(**options: object) -> dict[str, object]:
    return ops.lambda_handler({"action": "reconcile", **options}, ops_context())


def test_missing_stale_and_orphaned_documents_are_found_and_repaired(stack_env: LocalResources) -> None:
    # Given five indexed articles over two months
    send_items(stack_env, ITEMS)
    ingest.lambda_handler(receive_event(stack_env), context("ingest"))
    index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    search = index.search_index()
    assert search.count() == 5
    assert reconcile()["drift"] == 0
    # And then drift: one document lost, one indexed at an old version, one that the table never held
    ids = sorted(h.id for h in search.search(SearchQuery(size=10)).hits)
    search.delete([ids[0]])
    stale = search.get(ids[1])
    assert stale is not None
    search.upsert([stale.model_copy(update={"version": 7, "title": "Wrong"})])
    orphan = SearchDocument.model_validate({**stale.model_dump(), "id": "orphan-1", "version": 1})
    search.upsert([orphan])

    # When the reconciliation runs (dry run first: it reports and touches nothing)
    dry = reconcile(dry_run=True)
    assert dry["drift"] == 3
    assert search.get(ids[0]) is None
    report = reconcile()

    # Then each kind was counted in its month and repaired from the table
    assert report["drift"] == 3
    assert report["repaired"] == 3
    (month,) = report["months"]  # type: ignore[misc]
    assert (month["missing"], month["stale"], month["orphans"]) == (1, 1, 1)
    assert search.get(ids[0]) is not None
    repaired = search.get(ids[1])
    assert repaired is not None
    assert repaired.version == 1
    assert repaired.title != "Wrong"
    assert search.get("orphan-1") is None
    assert search.count() == 5
    # and the next run finds nothing
    again = reconcile()
    assert again["drift"] == 0
    assert again["months_checked"] == 2


def test_bad_reconcile_requests_are_answered_not_raised(stack_env: LocalResources) -> None:
    answer = reconcile(months=-1)
    assert answer["status"] == "error"
