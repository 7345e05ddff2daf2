"""A syndicator's copy, the publisher's original and its correction, in every delivery order (with redeliveries),
with and without feed guids on either side, end as one article: the correction's content, the copy recorded on
it as a sighting (`also_from`, `duplicate_urls`), every claim (body, feed guids, URL keys) naming it. Also: a
fold that stops half way is finished by the redelivery, the stream/index side sees the folded copy removed, and
a stale copy of the original sent again later (a re-poll) does not take back a correction without a clock."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from newsflow import aws
from newsflow.local.resources import LocalResources
from newsflow.messages import parse_message
from newsflow.pipeline import ingest_item
from newsflow.store import keys
from newsflow.store.codec import item_to_article
from newsflow.store.dynamo import FOLD_ATTR, DynamoArticleRepository, deserialize
from newsflow.store.ports import WriteOutcome

from tests.integration.helpers import feed_item

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PUBLISHED = "Thu, 19 Nov 2026 14:30:00 GMT"


GUIDS = {"both": (True, True), "publisher only": (True, False), "copy only": (False, True), "none": (False, False)}


def _messages(n: int, corrected_by_clock: bool = True, guids: str = "both") -> dict[str, str]:
    """The publisher's original, a syndicator's verbatim copy of it, and the publisher's correction (`guids`:
    which of the two feeds give their items a guid)."""
    url = f"https://wire.example.com/news/{n}"
    html = f"<p>The port of Rotterdam reopened after the storm (story {n}).</p><p>Freight resumed at noon.</p>"
    original = {
        "url": url,
        "guid": f"wire-{n}",
        "title": f"Rotterdam port reopens {n}",
        "content_html": html,
        "published": PUBLISHED,
        "source": {"name": "Wire", "feed_url": "https://wire.example.com/rss"},
    }
    correction = dict(
        original,
        title=f"Rotterdam port reopens {n} (corrected)",
        content_html=html + "<p>Correction: freight resumed at 2 pm, not noon.</p>",
    )
    if corrected_by_clock:
        correction["updated"] = "Thu, 19 Nov 2026 16:00:00 GMT"
    copy = dict(
        original,
        url=f"https://syndicator.example.net/{n}",
        guid=f"syn-{n}",
        source={"name": "Syndicator", "feed_url": "https://syndicator.example.net/rss"},
    )
    publisher_guid, copy_guid = GUIDS[guids]
    built = {"original": feed_item(**original), "copy": feed_item(**copy), "correction": feed_item(**correction)}
    for name, keep in (("original", publisher_guid), ("correction", publisher_guid), ("copy", copy_guid)):
        if not keep:
            del built[name]["guid"]
    return {name: json.dumps(item) for name, item in built.items()}


# When each copy was queued (its sighting time, kept by every redelivery): the publisher's original first.
SEEN = {"copy": NOW - timedelta(minutes=30), "original": NOW - timedelta(minutes=20), "correction": NOW}


@pytest.fixture
def repository(stack_env: LocalResources) -> DynamoArticleRepository:
    return DynamoArticleRepository(aws.dynamodb(), stack_env.table_name)


def _deliver(repository: DynamoArticleRepository, messages: dict[str, str], name: str) -> WriteOutcome:
    item = parse_message(messages[name])
    return ingest_item(item, repository, now=NOW, seen=SEEN[name], delivery=f"m-{name}").write.outcome


def _table(repository: DynamoArticleRepository) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": repository._table}
    while True:
        page = aws.dynamodb().scan(**kwargs)
        items.extend(deserialize(i) for i in page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _articles_of(repository: DynamoArticleRepository, n: int) -> list[Any]:
    urls = {f"https://wire.example.com/news/{n}", f"https://syndicator.example.net/{n}"}
    articles = [item_to_article(i) for i in _table(repository) if i["sk"] == keys.ARTICLE_SK]
    return [a for a in articles if a.url in urls or urls & set(a.duplicate_urls)]


def _claim_owner(repository: DynamoArticleRepository, pk: str, sk: str) -> str | None:
    found = [i for i in _table(repository) if i["pk"] == pk and i["sk"] == sk]
    return str(found[0]["article_id"]) if found else None


def _assert_one_corrected_article(repository: DynamoArticleRepository, n: int, messages: dict[str, str]) -> Any:
    articles = _articles_of(repository, n)
    assert len(articles) == 1, [(a.url, a.title) for a in articles]
    article = articles[0]
    assert article.title.endswith("(corrected)")
    assert article.url == f"https://wire.example.com/news/{n}"
    assert article.source_name == "Wire"
    assert "Syndicator" in article.also_from
    assert f"https://syndicator.example.net/{n}" in article.duplicate_urls
    # and every claim (bodies, feed guids, URL keys) that named the copy or the original names it now
    ids = {_article_of(messages["copy"]).id, _article_of(messages["original"]).id}
    kinds = (keys.HASH_SK, keys.GUID_SK, keys.URL_SK)
    claims = [i for i in _table(repository) if i["sk"] in kinds and i["article_id"] in ids]
    assert claims
    assert all(c["article_id"] == article.id for c in claims), [(c["pk"], c["article_id"]) for c in claims]
    for name in ("copy", "correction"):
        owner = _claim_owner(repository, keys.hash_pk(_article_of(messages[name]).content_hash), keys.HASH_SK)
        assert owner == article.id, name
    # and a fold marker, where one is left, names a copy that is gone
    folded = {str(i[FOLD_ATTR]) for i in _table(repository) if i["sk"] == keys.ARTICLE_SK and i.get(FOLD_ATTR)}
    assert not folded & {a.id for a in _articles_of(repository, n)}
    return article


class _Null:
    """Keeps the article the pipeline built (its id and body hash) instead of storing it."""

    last: Any = None

    def save(self, article: Any, delivery: str | None = None, *, fresh: bool = False) -> Any:
        from newsflow.store.ports import WriteResult

        _Null.last = article
        return WriteResult(outcome=WriteOutcome.CREATED, article_id=article.id, version=1)


def _article_of(message: str) -> Any:
    ingest_item(parse_message(message), _Null(), now=NOW)
    return _Null.last


def _orders() -> list[tuple[str, ...]]:
    return sorted(set(itertools.permutations(["copy", "copy", "original", "original", "correction"])))


def test_every_order_of_copy_original_correction_and_redeliveries_ends_as_one_corrected_article(
    repository: DynamoArticleRepository,
) -> None:
    orders = _orders()
    assert len(orders) == 30
    for n, order in enumerate(orders):
        messages = _messages(n)
        # When the syndicator's copy, the original and the correction arrive in this order (two of them twice)
        outcomes = [_deliver(repository, messages, name) for name in order]
        # Then there is one article, the correction's, with the copy as a sighting
        article = _assert_one_corrected_article(repository, n, messages)
        assert WriteOutcome.CREATED in outcomes, (order, outcomes)
        assert article.version >= 1


@pytest.mark.parametrize("guids", ["publisher only", "copy only", "none"])
def test_every_order_ends_as_one_corrected_article_without_guids(
    repository: DynamoArticleRepository, guids: str
) -> None:
    # Given feeds that give their items no guid (the publisher's, the syndicator's, or both): the publisher's
    # original sighted on a copy stored before it is found by its URL when its correction comes
    for n, order in enumerate(_orders(), start=1000 * (1 + list(GUIDS).index(guids))):
        messages = _messages(n, guids=guids)
        outcomes = [_deliver(repository, messages, name) for name in order]
        _assert_one_corrected_article(repository, n, messages)
        assert WriteOutcome.CREATED in outcomes, (order, outcomes)


@pytest.mark.parametrize("guids", ["publisher only", "copy only", "none"])
def test_without_guids_a_correction_without_a_clock_is_ordered_by_its_sighting_time(
    repository: DynamoArticleRepository, guids: str
) -> None:
    for n, order in enumerate(_orders(), start=5000 + 1000 * list(GUIDS).index(guids)):
        messages = _messages(n, corrected_by_clock=False, guids=guids)
        for name in order:
            _deliver(repository, messages, name)
        _assert_one_corrected_article(repository, n, messages)


def test_a_guidless_original_recorded_on_the_copy_is_found_by_its_url(repository: DynamoArticleRepository) -> None:
    # Given the syndicator's copy stored first, then the publisher's original (no guids anywhere) recorded on it
    messages = _messages(600, guids="none")
    assert _deliver(repository, messages, "copy") is WriteOutcome.CREATED
    assert _deliver(repository, messages, "original") is WriteOutcome.DUPLICATE
    copy = _articles_of(repository, 600)[0]
    # Then the original's URL key names the copy, written after the sighting that lists the URL
    url = "https://wire.example.com/news/600"
    assert url in copy.duplicate_urls
    assert _claim_owner(repository, keys.url_pk(url), keys.URL_SK) == copy.id
    # When the correction comes, it folds the copy in (one article, the correction's) and the keys follow
    assert _deliver(repository, messages, "correction") is WriteOutcome.UPDATED
    article = _assert_one_corrected_article(repository, 600, messages)
    for key_url in (url, "https://syndicator.example.net/600"):
        assert _claim_owner(repository, keys.url_pk(key_url), keys.URL_SK) == article.id


def test_a_same_source_copy_at_a_second_url_keeps_its_own_later_version(repository: DynamoArticleRepository) -> None:
    # Given (no guids) the copy first, the original recorded on it, and the publisher's same text at a second URL
    messages = _messages(700, guids="none")
    second = json.loads(messages["original"])
    second["url"] = "https://wire.example.com/news/700-b"
    for name in ("copy", "original"):
        _deliver(repository, messages, name)
    item = parse_message(json.dumps(second))
    assert ingest_item(item, repository, now=NOW, seen=SEEN["original"], delivery="m-b").write.outcome is (
        WriteOutcome.DUPLICATE
    )
    _deliver(repository, messages, "correction")  # folds the copy (and the key of the second URL) in
    # When the publisher later changes the text at the second URL
    later = dict(second, title="Rotterdam port reopens 700-b, a new story", content_html="<p>Other text.</p>")
    later["updated"] = "Thu, 19 Nov 2026 18:00:00 GMT"
    outcome = ingest_item(parse_message(json.dumps(later)), repository, now=NOW, seen=NOW, delivery="m-b2")
    # Then that is its own article (as when the copies came in order), and the corrected article stands
    assert outcome.write.outcome is WriteOutcome.CREATED
    stored = [a for a in _articles_of(repository, 700)]
    assert any(a.title.endswith("(corrected)") for a in stored)
    assert repository.get(outcome.write.article_id) is not None


@pytest.mark.parametrize("guids", ["both", "none"])
def test_a_stale_original_re_polled_after_a_correction_without_a_clock_stays_stale(
    repository: DynamoArticleRepository, guids: str
) -> None:
    # Given the original, then its correction (no newer `updated`/`published`: it wins by its sighting time)
    n = 800 + list(GUIDS).index(guids)
    messages = _messages(n, corrected_by_clock=False, guids=guids)
    assert _deliver(repository, messages, "original") is WriteOutcome.CREATED
    assert _deliver(repository, messages, "correction") is WriteOutcome.UPDATED
    # When a stale feed copy of the original is queued again as a new message (seen after the correction)
    later = NOW + timedelta(hours=1)
    item = parse_message(messages["original"])
    outcome = ingest_item(item, repository, now=later, seen=later, delivery="m-repoll").write.outcome
    # Then it is an earlier version seen again: a sighting, the correction stands
    assert outcome is WriteOutcome.STALE
    (article,) = _articles_of(repository, n)
    assert article.title.endswith("(corrected)")
    # while a real second correction without a clock, seen later still, is an update
    newer = json.loads(messages["correction"])
    newer.update(title=newer["title"] + " again", content_html=newer["content_html"] + "<p>And again.</p>")
    again = ingest_item(parse_message(json.dumps(newer)), repository, now=later, seen=later, delivery="m-k2")
    assert again.write.outcome is WriteOutcome.UPDATED
    assert repository.get(article.id).title.endswith("again")  # type: ignore[union-attr]


def test_a_re_poll_of_the_original_after_a_title_only_correction_without_a_clock_stays_stale(
    repository: DynamoArticleRepository,
) -> None:
    # Given an original and a correction of its title alone, without a newer clock (the same body hash)
    messages = _messages(900, corrected_by_clock=False)
    title_only = json.loads(messages["original"])
    title_only["title"] += " (corrected)"
    messages["correction"] = json.dumps(title_only)
    assert _deliver(repository, messages, "original") is WriteOutcome.CREATED
    assert _deliver(repository, messages, "correction") is WriteOutcome.UPDATED
    # When the original's old text is queued again, seen after the correction
    later = NOW + timedelta(hours=1)
    outcome = ingest_item(parse_message(messages["original"]), repository, now=later, seen=later, delivery="m-r")
    # Then it is the version the correction replaced (the article's contender), not a newer one
    assert outcome.write.outcome is WriteOutcome.STALE
    (article,) = _articles_of(repository, 900)
    assert article.title.endswith("(corrected)")
    assert article.version == 2


def _repoll_orders() -> list[tuple[str, ...]]:
    return sorted(set(itertools.permutations(["original", "original", "correction", "repoll"])))


@pytest.mark.parametrize("guids", ["both", "none"])
def test_every_order_of_original_correction_and_a_later_re_poll_of_the_original_ends_corrected(
    repository: DynamoArticleRepository, guids: str
) -> None:
    # Given an original, its correction without a clock (it wins by its sighting time) and a stale feed copy
    # of the original queued again after the correction (a new message: a later sighting time), with the
    # original's own message also delivered twice
    later = NOW + timedelta(hours=1)
    seen = {"original": SEEN["original"], "correction": SEEN["correction"], "repoll": later}
    for n, order in enumerate(_repoll_orders(), start=1000 + 100 * list(GUIDS).index(guids)):
        messages = _messages(n, corrected_by_clock=False, guids=guids)
        messages["repoll"] = messages["original"]
        # When they are processed in any order (the original's first delivery failing until after the
        # correction and the re-poll, say)
        for name in order:
            ingest_item(parse_message(messages[name]), repository, now=later, seen=seen[name], delivery=f"m-{name}")
        # Then one article holds the correction: the body the re-poll sent again was first seen before it
        stored = [a for a in _articles_of(repository, n)]
        assert len(stored) == 1, order
        assert stored[0].title.endswith("(corrected)"), order
        # and a further re-poll of the original, later still, stays a sighting
        again = ingest_item(
            parse_message(messages["original"]), repository, now=later, seen=later + timedelta(hours=1), delivery="m-3"
        )
        assert again.write.outcome is WriteOutcome.STALE, order
        assert repository.get(stored[0].id).title.endswith("(corrected)"), order  # type: ignore[union-attr]


def test_a_correction_without_a_newer_clock_is_ordered_by_its_sighting_time(
    repository: DynamoArticleRepository,
) -> None:
    # Given a correction with the original's publication time and no `updated`, queued after the original
    for n, order in enumerate(_orders(), start=100):
        messages = _messages(n, corrected_by_clock=False)
        # When the copies arrive in any order (a redelivered original keeps its own, earlier, sighting time)
        for name in order:
            _deliver(repository, messages, name)
        # Then the correction stands, as if it had carried a newer `updated`
        _assert_one_corrected_article(repository, n, messages)


def test_redelivered_original_after_a_correction_without_a_clock_stays_stale(
    repository: DynamoArticleRepository,
) -> None:
    messages = _messages(200, corrected_by_clock=False)
    assert _deliver(repository, messages, "correction") is WriteOutcome.CREATED
    # A retry of the original's message (queued before the correction) processed after it
    assert _deliver(repository, messages, "original") is WriteOutcome.STALE
    stored = _articles_of(repository, 200)
    assert len(stored) == 1
    assert stored[0].title.endswith("(corrected)")


def _deliver_crashing_after_the_write(
    repository: DynamoArticleRepository, messages: dict[str, str], name: str, operation: str
) -> None:
    """Deliver `name`, its invocation failing at the first `operation` after the article was written."""
    failing = _fail_after_article_write(operation)
    next(failing)
    with pytest.raises(ClientError):
        _deliver(repository, messages, name)
    failing.close()


def _fail_after_article_write(operation: str) -> Iterator[None]:
    """Fail the first `operation` call made after an article item was written (what survives the SDK)."""
    state = {"written": False, "armed": True}

    def watch(params: dict[str, Any], **_: Any) -> None:
        if str(params.get("Item", {}).get("pk", {}).get("S", "")).startswith("ART#"):
            state["written"] = True

    def hook(**_: Any) -> None:
        if state["written"] and state["armed"]:
            state["armed"] = False
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}}, operation)

    client = aws.dynamodb()
    client.meta.events.register("before-parameter-build.dynamodb.PutItem", watch, unique_id="watch-article")
    client.meta.events.register(f"before-call.dynamodb.{operation}", hook, unique_id="fail-after")
    try:
        yield
    finally:
        client.meta.events.unregister("before-parameter-build.dynamodb.PutItem", unique_id="watch-article")
        client.meta.events.unregister(f"before-call.dynamodb.{operation}", unique_id="fail-after")


@pytest.mark.parametrize("guids", ["both", "none"])
@pytest.mark.parametrize("operation", ["GetItem", "PutItem", "DeleteItem"])
def test_a_fold_that_stops_half_way_is_finished_by_the_redelivery(
    repository: DynamoArticleRepository, operation: str, guids: str
) -> None:
    messages = _messages(300, guids=guids)
    # Given the syndicator's copy stored first, then the original recorded on it
    assert _deliver(repository, messages, "copy") is WriteOutcome.CREATED
    assert _deliver(repository, messages, "original") is WriteOutcome.DUPLICATE
    # When the correction folds the copy in, but the process fails after writing the corrected article
    _deliver_crashing_after_the_write(repository, messages, "correction", operation)
    # Then the redelivery finishes the fold and reports what the first attempt did
    assert _deliver(repository, messages, "correction") is WriteOutcome.UPDATED
    _assert_one_corrected_article(repository, 300, messages)


def test_a_crash_after_the_write_is_still_reported_created_after_a_sighting_in_between(
    repository: DynamoArticleRepository,
) -> None:
    # Given the original's article written, then its invocation failing (before it could answer)
    messages = _messages(320)
    _deliver_crashing_after_the_write(repository, messages, "original", "GetItem")
    # and a syndicator's copy recorded on it as a sighting before the original is redelivered
    assert _deliver(repository, messages, "copy") is WriteOutcome.DUPLICATE
    # When the original is redelivered, then it reports what its first attempt did
    assert _deliver(repository, messages, "original") is WriteOutcome.CREATED
    # and a later delivery of the same copy is what it is
    assert _deliver(repository, messages, "copy") is WriteOutcome.DUPLICATE


def test_a_crash_after_the_write_is_still_reported_created_after_a_correction_in_between(
    repository: DynamoArticleRepository,
) -> None:
    # Given the original's article written, then its invocation failing, and its correction stored before the
    # original is redelivered
    messages = _messages(330)
    _deliver_crashing_after_the_write(repository, messages, "original", "GetItem")
    assert _deliver(repository, messages, "correction") is WriteOutcome.UPDATED
    # When the original is redelivered, then it reports the creation its first attempt made, and the
    # correction stands
    assert _deliver(repository, messages, "original") is WriteOutcome.CREATED
    (article,) = [a for a in _articles_of(repository, 330)]
    assert article.title.endswith("(corrected)")
    assert article.version == 2
    # while another message with the original's text is what it is: stale
    later = NOW + timedelta(hours=1)
    again = ingest_item(parse_message(messages["original"]), repository, now=later, seen=later, delivery="m-other")
    assert again.write.outcome is WriteOutcome.STALE


def test_a_crash_between_the_sighting_and_the_url_key_is_repaired_by_the_redelivery(
    repository: DynamoArticleRepository,
) -> None:
    # Given (no guids) the copy stored first, and the original's sighting written but the URL key write failing
    messages = _messages(310, guids="none")
    assert _deliver(repository, messages, "copy") is WriteOutcome.CREATED
    _deliver_crashing_after_the_write(repository, messages, "original", "PutItem")
    url = "https://wire.example.com/news/310"
    assert _claim_owner(repository, keys.url_pk(url), keys.URL_SK) is None
    # When the original is redelivered, then the correction comes
    assert _deliver(repository, messages, "original") is WriteOutcome.DUPLICATE
    assert _claim_owner(repository, keys.url_pk(url), keys.URL_SK) is not None
    assert _deliver(repository, messages, "correction") is WriteOutcome.UPDATED
    # Then it is one corrected article
    _assert_one_corrected_article(repository, 310, messages)


def test_the_folded_copy_leaves_the_index(repository: DynamoArticleRepository, stack_env: LocalResources) -> None:
    from newsflow.handlers import index
    from newsflow.search import shared_search_index

    from tests.integration.helpers import context, stream_event_from_moto, stream_records

    messages = _messages(400)
    _deliver(repository, messages, "copy")
    _deliver(repository, messages, "original")
    seen = len(stream_records(stack_env))
    index.lambda_handler(stream_event_from_moto(stack_env), context("index"))
    search = shared_search_index()
    copy_id = _articles_of(repository, 400)[0].id
    assert search.get(copy_id) is not None
    _deliver(repository, messages, "correction")
    index.lambda_handler(stream_event_from_moto(stack_env, since=seen), context("index"))
    article = _assert_one_corrected_article(repository, 400, messages)
    assert search.get(copy_id) is None
    document = search.get(article.id)
    assert document is not None
    assert document.version == article.version


def test_a_folded_copy_sent_again_later_does_not_take_the_article_back(repository: DynamoArticleRepository) -> None:
    # Given a correction without a newer clock that folded the syndicator's copy (copy, original, correction)
    messages = _messages(500, corrected_by_clock=False)
    for name in ("copy", "original", "correction"):
        _deliver(repository, messages, name)
    _assert_one_corrected_article(repository, 500, messages)
    # When the syndicator's feed sends its copy again as a new message, seen after the correction
    item = parse_message(messages["copy"])
    later = NOW + timedelta(hours=1)
    outcome = ingest_item(item, repository, now=later, seen=later, delivery="m-copy-again").write.outcome
    # Then it is a sighting of the corrected article, which stands
    assert outcome is WriteOutcome.DUPLICATE
    _assert_one_corrected_article(repository, 500, messages)


@pytest.mark.parametrize("guids", ["both", "none"])
def test_a_syndicators_newer_edit_of_its_copy_stays_one_article_with_the_newest_text(
    repository: DynamoArticleRepository, guids: str
) -> None:
    # Given the original, and the syndicator's verbatim copy recorded on it
    n = 900 + list(GUIDS).index(guids)
    messages = _messages(n, guids=guids)
    assert _deliver(repository, messages, "original") is WriteOutcome.CREATED
    assert _deliver(repository, messages, "copy") is WriteOutcome.DUPLICATE
    # When the syndicator later sends an edit of its copy, newer by its clock, at the same URL (same guid if any)
    edit = json.loads(messages["copy"])
    edit.update(
        title=f"Rotterdam port reopens {n} (syndicator's edit)",
        content_html=edit["content_html"] + "<p>Added by the syndicator.</p>",
        updated="Thu, 19 Nov 2026 17:00:00 GMT",
    )
    outcome = ingest_item(parse_message(json.dumps(edit)), repository, now=NOW, seen=NOW, delivery="m-edit")
    # Then there is one article, with the newest text, under the syndicator's URL, the publisher's recorded on it
    assert outcome.write.outcome is WriteOutcome.UPDATED
    (article,) = _articles_of(repository, n)
    assert article.title.endswith("(syndicator's edit)")
    assert article.url == f"https://syndicator.example.net/{n}"
    assert f"https://wire.example.com/news/{n}" in article.duplicate_urls
    assert "Wire" in article.also_from
