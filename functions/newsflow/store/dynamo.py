"""DynamoDB implementation of ArticleRepository (single table, see keys.py)."""

from __future__ import annotations

import base64
import binascii
import heapq
import json
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from newsflow.constants import GSI_CATEGORY
from newsflow.models import GENERAL_CATEGORY, Article
from newsflow.store import delivery_marker, keys
from newsflow.store.codec import article_to_item, as_bytes, contender_to_item, item_to_article
from newsflow.store.ordering import (
    clock_key,
    decided_by_sighting,
    is_newer,
    keeps_page_body,
    newer_by_own_clock,
    same_material,
)
from newsflow.store.ports import ConcurrentUpdateError, CursorError, Page, WriteOutcome, WriteResult

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

BATCH_GET_LIMIT = 100
EARLIER_WRITES_ATTR = "earlier_writes"  # "<delivery>=<outcome>" of the content writes before the last one
EARLIER_WRITES_KEPT = 3
# A fresh random stamp on every rewrite of a stored article (absent: never rewritten). A rewrite decided on an item
# read is conditional on that item's stamp, so one decided on an item that changed since (a concurrent writer, or
# an eventually consistent read that missed a recent write) fails instead of replacing it: the version alone does
# not change with a sighting. Random, not a count: a rewrite that has no item at hand still changes it (no ABA).
REWRITE_STAMP_ATTR = "rev"
REWRITE_STAMP_BYTES = 6
FOLD_ATTR = "folding"  # the id of a copy folded into this article (kept until the article's next content write)
MAX_BATCH_ATTEMPTS = 5
MAX_PARTITION_QUERIES = 8  # the latest listing's category Queries in flight at once
# A latest cursor: the last sort key returned (`<sort_at>#<id>`, keys.time_sort_key), or a month (old cursors).
_SORT_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z#[A-Za-z0-9_-]{1,64}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class UnprocessedReadsError(RuntimeError):
    """DynamoDB kept some BatchGetItem keys unprocessed after every retry (throttling): transient."""


def serialize(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items()}


def deserialize(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def is_conditional_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def encode_cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise CursorError("cursor is not valid") from exc
    if not isinstance(payload, dict):
        raise CursorError("cursor is not valid")
    return payload


def _checked_key(raw: Any, expected_keys: set[str], partition_attr: str, partition: str) -> dict[str, str]:
    """Validate a LastEvaluatedKey that came back from a client, so it can only continue the same query."""
    if (
        not isinstance(raw, dict)
        or set(raw) != expected_keys
        or not all(isinstance(v, str) and len(v) < 1100 for v in raw.values())
        or raw.get(partition_attr) != partition
    ):
        raise CursorError("cursor does not belong to this query")
    return raw


class DynamoArticleRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name
        self._known_categories: set[str] = set()

    # -- writes ---------------------------------------------------------------------------------

    def save(self, article: Article, delivery: str | None = None, *, fresh: bool = False) -> WriteResult:
        """Store an article idempotently, never going back in time.

        - new id and a body nobody else has -> CREATED (conditional put: attribute_not_exists)
        - new id but the same feed guid or the same body as an existing article -> DUPLICATE (URL and source
          recorded on that article); the copy's feed guid is then claimed for that article too, so the
          publisher's later versions of it find it; a copy without a guid from another source has its URL
          claimed for that article instead (the URL key), for the same reason
        - new id whose feed guid (or, without one, its URL key) names an article stored under another source's
          URL (a syndicator's copy came first), with a newer version than that copy -> UPDATED: the copy is
          folded into this article (`_fold_into_new`)
        - known id, same material content -> UNCHANGED (no article write: redeliveries are cheap), with the
          side records (category marker, body claim) re-asserted; when the stored copy was written by this same
          delivery (`delivery`, the queue message id: a write whose response was lost, a crash after the write)
          the outcome of that write is reported (CREATED/UPDATED), so counts stay truthful
        - known id from another source (syndication) -> DUPLICATE (the source is recorded on the article), unless
          its body is much fuller (a teaser came first): then UPDATED with the fuller body
        - known id from the same source, changed content: UPDATED (version + 1, conditional on the version read)
          only when the copy is newer by the item's own clock (store/ordering.py); an older or equal copy, a
          feed teaser of the item version whose page text is stored, or an earlier version of this article seen
          again with no newer `updated`/`published` (a re-poll of a stale feed copy after a correction that
          carried no clock: only its sighting time is later), is STALE: a sighting, never content. Its
          body is claimed for the stored article; a syndicator's copy of it stored as its own article (it came
          before the original) is folded into this one.

        The size limit is checked before anything is claimed (an oversize item leaves no guid or body claim).

        The stored copy is first read eventually consistently (half the read units): every write decided on it is
        conditional (on its absence, its version, or a claim), so a read that missed a recent write is caught like
        a concurrent writer is, by a failed condition (ConcurrentUpdateError); the caller then saves again with
        `fresh`, which reads consistently.
        """
        built = article_to_item(article)  # raises DocumentTooLarge before any claim is made
        existing = self._get_item(keys.article_pk(article.id), consistent=fresh)
        if existing is None:
            owner, linked = self._owner_of_new(article)
            stored_item = self._owner_item(owner) if owner != article.id else None
            stored = item_to_article(stored_item) if stored_item is not None else None
            if stored is not None and linked and not article.guid and _source_key(stored) == _source_key(article):
                # A URL key re-pointed by a fold at an article of this same source: this URL was that source's
                # own copy at a second URL, not an earlier version of the item. Decided as without the key.
                owner, linked = self._owner_of_new(article, by_url=False)
                stored_item = self._owner_item(owner) if owner != article.id else None
                stored = item_to_article(stored_item) if stored_item is not None else None
            if stored is not None and stored_item is not None:
                if linked and _newer_version_of_copy(article, stored) and not self._holds_body(stored, article):
                    return self._fold_into_new(article, stored, delivery)
                sighted = self._add_sighting(stored, article, stored_item)
                if not linked and not article.guid and article.url and _source_key(stored) != _source_key(article):
                    # After the sighting (a URL key always names an article that lists the URL): the
                    # publisher's later versions at this URL, which have no guid to find it by, find it by this.
                    self._point(keys.url_pk(article.url), keys.URL_SK, stored.id, instead_of=article.id)
                return _result(WriteOutcome.DUPLICATE, sighted)
            try:
                self._put(
                    article,
                    condition="attribute_not_exists(pk)",
                    values=None,
                    delivery=delivery,
                    outcome=WriteOutcome.CREATED,
                    built=built,  # compressing the document again would cost as much as the first time
                )
            except ClientError as error:
                if not is_conditional_failure(error):
                    raise
                existing = self._get_item(keys.article_pk(article.id))
                if existing is None:
                    raise ConcurrentUpdateError(article.id) from error
            else:
                self._mark_category(article, check_first=True)
                return _result(WriteOutcome.CREATED, article)

        current = item_to_article(existing)
        if existing.get(FOLD_ATTR):  # a fold that stopped half way (a crash, a lost response): finish it
            self._finish_fold(current, str(existing[FOLD_ATTR]))
        if same_material(current, article):
            if article.last_seen_at < current.last_seen_at:
                return self._seen_earlier(existing, current, article, delivery)
            self._reassert_side_records(current)
            return _result(_replayed_outcome(existing, delivery) or WriteOutcome.UNCHANGED, current)
        if _source_key(current) != _source_key(article) and not _much_richer(article, current):
            # The same URL syndicated by another feed: the first version stands, the sighting is kept.
            return _result(WriteOutcome.DUPLICATE, self._add_sighting(current, article, existing))
        if _source_key(current) == _source_key(article) and (
            not is_newer(article, current)
            or keeps_page_body(current, article)
            or self._is_past_version(current, article)
        ):
            # An older copy (a redelivery of the original after its correction, a retry that lost the race, a
            # re-poll of the original after a correction without a clock), or the teaser of the stored page
            # text: the stored copy stands; the stale one is a sighting, never
            # content. Its body is still a version of this article: claimed for it, so a copy of that version at
            # another URL is a duplicate, as it would have been had the copies come in order; a copy stored
            # before this version was seen is folded in now.
            if (
                not is_newer(article, current)
                and decided_by_sighting(article, current)
                and not keeps_page_body(current, article)
            ):
                self._keep_contender(article)  # it lost on sighting time alone: kept in case that turns
            self._reassert_side_records(current)
            owner = self._claim_body_hash(article.content_hash, current.id)
            if owner != current.id:
                current = self._fold_copy(current, owner, article.content_hash, existing)
                return _result(WriteOutcome.STALE, self._add_sighting(current, article))
            replayed = _replayed_outcome(existing, delivery)  # this delivery wrote an earlier version
            stale = _result(replayed or WriteOutcome.STALE, self._add_sighting(current, article, existing))
            return stale.model_copy(update={"superseded": True})
        if _source_key(current) == _source_key(article) and decided_by_sighting(article, current):
            self._keep_contender(current)  # replaced on sighting time alone: kept in case that turns
        if _source_key(current) != _source_key(article):
            # A syndicator's teaser came first and the full text arrives now: keep the fuller body (an
            # update), and remember the first source as a sighting.
            article = article.model_copy(
                update={"also_from": sorted({*current.also_from, _source_label(current)} - {_source_label(article)})}
            )
            current = current.model_copy(update={"also_from": article.also_from})
        updated = _next_version(current, article, first_seen_at=current.first_seen_at)
        self._put_if_version(updated, current.version, delivery=delivery, previous=existing)
        self._reassert_side_records(updated)
        return _result(WriteOutcome.UPDATED, updated)

    # -- a version seen earlier than its stored sighting time ------------------------------------

    def _seen_earlier(
        self, existing: dict[str, Any], current: Article, article: Article, delivery: str | None
    ) -> WriteResult:
        """A message with the stored body, queued before the one it was stored from (the earlier message's
        deliveries failed until now): the version's sighting time moves back to its first sighting. If the
        contender (the copy that lost to this version, or that it replaced, on sighting time alone) is newer
        than the version at its first sighting, the contender stands: the stored body was a stale copy seen
        again (a re-poll of the original processed before the original, after its correction)."""
        earlier = current.model_copy(
            update={
                "last_seen_at": article.last_seen_at,
                "first_seen_at": min(current.first_seen_at, article.last_seen_at),
            }
        )
        contender = self._contender(current.id)
        if (
            contender is not None
            and _source_key(contender) == _source_key(current)
            and not same_material(contender, current)
            and not keeps_page_body(current, contender)
            and is_newer(contender, earlier)
        ):
            first_seen_at = min(earlier.first_seen_at, contender.first_seen_at)
            promoted = _next_version(current, contender, first_seen_at=first_seen_at)
            self._put_if_version(promoted, current.version, delivery=delivery, previous=existing)
            self._reassert_side_records(promoted)
            # After the article (a crash between leaves the promoted copy as its own contender: harmless).
            self._keep_contender(earlier, replace=True)
            return _result(WriteOutcome.UPDATED, promoted)
        self._put_if_version(earlier, current.version, keep=existing)
        self._reassert_side_records(earlier)
        return _result(_replayed_outcome(existing, delivery) or WriteOutcome.UNCHANGED, earlier)

    def _keep_contender(self, copy: Article, replace: bool = False) -> None:
        """Keep `copy` as the article's contender unless the one kept is newer (one record per article)."""
        clock = clock_key(copy)
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "Item": serialize(contender_to_item(copy, clock)),
        }
        if not replace:
            kwargs["ConditionExpression"] = "attribute_not_exists(pk) OR clock < :clock"
            kwargs["ExpressionAttributeValues"] = {":clock": {"S": clock}}
        try:
            self._client.put_item(**kwargs)
        except ClientError as error:
            if not is_conditional_failure(error):
                raise

    def _contender(self, article_id: str) -> Article | None:
        item = self._get_item(keys.contender_pk(article_id), sk=keys.CONTENDER_SK)
        return item_to_article(item) if item else None

    def _owner_item(self, owner: str) -> dict[str, Any]:
        owner_item = self._get_item(keys.article_pk(owner))
        if owner_item is None:  # folded away since its claim was read: decide again on the redelivery
            raise ConcurrentUpdateError(owner)
        return owner_item

    def _owner_of_new(self, article: Article, by_url: bool = True) -> tuple[str, bool]:
        """(the article a new id's copy belongs to, whether its identity said so: its feed guid or, without one,
        its URL key). The guid is read first (a guid already claimed names the article), or without a guid the
        URL key; then the body is claimed; a copy of another article's body claims its guid *for that
        article*, so that the publisher's later versions of it (a correction under the same guid) find it even
        when a syndicator's copy of it was stored first (without a guid, save() claims its URL key instead)."""
        if by_url and not article.guid and article.url:
            # Read consistently: unlike a guid, a URL key has no conditional claim behind it to catch a stale read.
            known_url = self._get_item(keys.url_pk(article.url), sk=keys.URL_SK)
            if known_url is not None and str(known_url["article_id"]) != article.id:
                return str(known_url["article_id"]), True
        guid_pk = keys.guid_pk(_source_key(article), article.guid) if article.guid else None
        if guid_pk is not None:
            known = self._get_item(guid_pk, sk=keys.GUID_SK, consistent=False)
            if known is not None and str(known["article_id"]) != article.id:
                return str(known["article_id"]), True
        body_owner = self._claim_body_hash(article.content_hash, article.id)
        if body_owner != article.id:
            if guid_pk is not None:
                self._point(guid_pk, keys.GUID_SK, body_owner, instead_of=article.id)
            return body_owner, False
        if guid_pk is not None:
            guid_owner = self._claim(guid_pk, keys.GUID_SK, article.id, read_first=False)
            if guid_owner != article.id:
                return guid_owner, True
        return article.id, False

    # -- folding a syndicator's copy that was stored before the publisher's own article -----------------

    def _is_past_version(self, current: Article, incoming: Article) -> bool:
        """`incoming` is newer than `current` only by its sighting time, and it is a version `current` had
        before: its body is claimed for it, or it is the article's contender (the version replaced on sighting
        time alone, so a change of the title alone is told apart too): an earlier version sent again (a stale
        feed copy re-polled after a correction that carried no clock), not a new one."""
        if newer_by_own_clock(incoming, current):
            return False
        if incoming.content_hash != current.content_hash and self._holds_body(current, incoming):
            return True
        contender = self._contender(current.id)
        return contender is not None and same_material(contender, incoming)

    def _holds_body(self, stored: Article, incoming: Article) -> bool:
        """Is `incoming`'s body a version `stored` already holds (a copy folded into it, sent again later)? Then
        it is no newer version of the article, whatever its sighting time."""
        known = self._get_item(keys.hash_pk(incoming.content_hash), sk=keys.HASH_SK, consistent=False)
        return known is not None and str(known["article_id"]) == stored.id

    def _fold_into_new(self, article: Article, copy: Article, delivery: str | None) -> WriteResult:
        """The publisher's newer version of an article stored so far under a syndicator's URL: stored under its
        own id, with the copy's sightings, story and first sighting; then the copy is removed (`_finish_fold`)."""
        merged = _with_sightings_of(article, copy, story_id=copy.story_id or article.story_id).model_copy(
            update={"version": copy.version + 1}
        )
        try:
            self._put(
                merged,
                condition="attribute_not_exists(pk)",
                values=None,
                delivery=delivery,
                outcome=WriteOutcome.UPDATED,
                folding=copy.id,
            )
        except ClientError as error:
            if is_conditional_failure(error):
                raise ConcurrentUpdateError(article.id) from error  # stored meanwhile: decide again on it
            raise
        self._finish_fold(merged, copy.id)
        self._reassert_side_records(merged)
        return _result(WriteOutcome.UPDATED, merged)

    def _fold_copy(
        self, current: Article, copy_id: str, body_hash: str, current_item: dict[str, Any] | None = None
    ) -> Article:
        """A syndicator's verbatim copy of an older version of `current`, stored as its own article because it
        came before that version: record it as a sighting of `current` and remove it. Anything else that holds
        the body (the same publisher at two URLs, a copy edited since) is left alone."""
        copy_item = self._get_item(keys.article_pk(copy_id))
        if copy_item is None:  # removed already (a fold that stopped before re-pointing its claims)
            self._point(keys.hash_pk(body_hash), keys.HASH_SK, current.id, instead_of=copy_id)
            return current
        copy = item_to_article(copy_item)
        if _source_key(copy) == _source_key(current) or copy.content_hash != body_hash:
            return current
        merged = _with_sightings_of(current, copy, story_id=current.story_id or copy.story_id)
        condition, values = _unchanged_since(current.version, current_item)
        try:
            self._put(merged, condition=condition, values=values, folding=copy.id, rewrite=True)
        except ClientError as error:
            if is_conditional_failure(error):
                raise ConcurrentUpdateError(current.id) from error
            raise
        self._finish_fold(merged, copy.id)
        return merged

    def _finish_fold(self, into: Article, copy_id: str) -> None:
        """Point the folded copy's claims (body, feed guids, URL keys) at `into`, then remove the copy. Each step is
        idempotent, and the marker written with `into` (FOLD_ATTR) stays until its next content write, so a
        retry after a crash or a lost response finishes the fold (one read when there is nothing left to do)."""
        copy_item = self._get_item(keys.article_pk(copy_id))
        if copy_item is None:
            return
        copy = item_to_article(copy_item)
        self._point(keys.hash_pk(copy.content_hash), keys.HASH_SK, into.id, instead_of=copy_id)
        if copy.guid:
            self._point(keys.guid_pk(_source_key(copy), copy.guid), keys.GUID_SK, into.id, instead_of=copy_id)
        if into.guid:  # the publisher's guid named the copy (its original was recorded on it)
            self._point(keys.guid_pk(_source_key(into), into.guid), keys.GUID_SK, into.id, instead_of=copy_id)
        # The URL keys: the copy's own URL now names `into` (its source's later versions find it), and every key
        # that named the copy names `into` (the URLs sighted on it; none is created for them).
        if copy.url:
            self._point(keys.url_pk(copy.url), keys.URL_SK, into.id, instead_of=copy_id)
        for url in sorted(set(copy.duplicate_urls) - {copy.url, ""}):
            self._point(keys.url_pk(url), keys.URL_SK, into.id, instead_of=copy_id, create=False)
        self._client.delete_item(
            TableName=self._table, Key=serialize({"pk": keys.article_pk(copy_id), "sk": keys.ARTICLE_SK})
        )

    def _point(self, pk: str, sk: str, article_id: str, instead_of: str, create: bool = True) -> None:
        """Make a claim name `article_id` if it is free (unless `create` is false) or names `instead_of` (never
        takes another's claim)."""
        condition = "article_id = :old OR article_id = :id"
        try:
            self._client.put_item(
                TableName=self._table,
                Item=serialize({"pk": pk, "sk": sk, "article_id": article_id}),
                ConditionExpression=f"attribute_not_exists(pk) OR {condition}" if create else condition,
                ExpressionAttributeValues={":old": {"S": instead_of}, ":id": {"S": article_id}},
            )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise

    def _reassert_side_records(self, article: Article) -> None:
        """The category marker and the body claim of a stored article, written again if an earlier attempt
        stopped before them (idempotent; a claim already there costs one eventually consistent read)."""
        self._claim_body_hash(article.content_hash, article.id)
        self._mark_category(article, check_first=True)

    def _add_sighting(self, owner: Article, sighting: Article, owner_item: dict[str, Any] | None = None) -> Article:
        """Record another source / URL on the stored article (search and the API show it); no version bump.
        The stored item's markers (`owner_item`: which delivery wrote this version, a fold to finish) stay."""
        label = _source_label(sighting)
        also_from = set(owner.also_from)
        if label and label != _source_label(owner):
            also_from.add(label)
        urls = set(owner.duplicate_urls)
        if sighting.url and sighting.url != owner.url:
            urls.add(sighting.url)
        if also_from == set(owner.also_from) and urls == set(owner.duplicate_urls):
            return owner  # a redelivered sighting changes nothing
        updated = owner.model_copy(update={"also_from": sorted(also_from), "duplicate_urls": sorted(urls)})
        self._put_if_version(updated, owner.version, keep=owner_item)
        return updated

    def _put_if_version(
        self,
        article: Article,
        expected_version: int,
        delivery: str | None = None,
        keep: dict[str, Any] | None = None,
        previous: dict[str, Any] | None = None,
    ) -> None:
        """Replace the stored article only if nobody changed it since we read `expected_version` (`keep`: the
        stored item, whose markers a write of the same version carries on; `previous`: the stored item a new
        version replaces, whose write markers go on as earlier writes). With the item read (`keep` or
        `previous`), only if it is still exactly that item: its rewrite stamp (REWRITE_STAMP_ATTR) is unchanged."""
        base = keep if keep is not None else previous
        condition, values = _unchanged_since(expected_version, base)
        try:
            self._put(
                article,
                condition=condition,
                values=values,
                rewrite=True,
                delivery=delivery,
                outcome=WriteOutcome.UPDATED if delivery else None,
                keep=keep,
                previous=previous,
            )
        except ClientError as error:
            if is_conditional_failure(error):
                raise ConcurrentUpdateError(article.id) from error
            raise

    def _put(
        self,
        article: Article,
        condition: str,
        values: dict[str, Any] | None,
        delivery: str | None = None,
        outcome: WriteOutcome | None = None,
        folding: str | None = None,
        keep: dict[str, Any] | None = None,
        previous: dict[str, Any] | None = None,
        built: dict[str, Any] | None = None,
        rewrite: bool = False,
    ) -> None:
        """`rewrite`: this replaces a stored article (conditionally), so it carries a fresh rewrite stamp."""
        item = dict(built) if built is not None else article_to_item(article)
        if keep:
            # A write of the same version (a sighting, an earlier sighting time): the delivery that wrote this
            # content is still the one to report it, and a fold left half way is still to finish.
            markers = (delivery_marker.MARKER_ATTR, *delivery_marker.LEGACY_ATTRS, EARLIER_WRITES_ATTR, FOLD_ATTR)
            item.update({k: keep[k] for k in markers if k in keep})
        elif previous:
            # A new version: the deliveries that wrote the versions before it can still be redelivered (their
            # invocation failed after the write) and must report what they did, not what they find.
            earlier = _writes_of(previous)[-EARLIER_WRITES_KEPT:]
            if earlier:
                item[EARLIER_WRITES_ATTR] = earlier
        if rewrite:
            item[REWRITE_STAMP_ATTR] = os.urandom(REWRITE_STAMP_BYTES)
        if delivery and outcome:
            # Which delivery wrote this content, and as what: its retry (a lost response, a crash after the
            # write) reports the same outcome instead of "unchanged".
            item[delivery_marker.MARKER_ATTR] = delivery_marker.encode(delivery, outcome.value)
            for legacy in delivery_marker.LEGACY_ATTRS:
                item.pop(legacy, None)
        if folding:
            item[FOLD_ATTR] = folding
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "Item": serialize(item),
            "ConditionExpression": condition,
        }
        if values:
            kwargs["ExpressionAttributeValues"] = values
        self._client.put_item(**kwargs)

    def _claim_body_hash(self, content_hash: str, article_id: str) -> str:
        """Returns the id of the article that owns this body (ours if we claimed it, now or on a retry)."""
        return self._claim(keys.hash_pk(content_hash), keys.HASH_SK, article_id)

    def _claim(self, pk: str, sk: str, article_id: str, read_first: bool = True) -> str:
        # A claim changes owner only when a copy is folded into the article it copied, so even an eventually
        # consistent read that finds one is the answer: a duplicate (or its redelivery) then costs half a read
        # unit instead of a failed conditional write. (`read_first=False`: the caller has just read it.)
        known = self._get_item(pk, sk=sk, consistent=False) if read_first else None
        if known is not None:
            return str(known["article_id"])
        try:
            self._client.put_item(
                TableName=self._table,
                Item=serialize({"pk": pk, "sk": sk, "article_id": article_id}),
                ConditionExpression="attribute_not_exists(pk) OR article_id = :id",
                ExpressionAttributeValues={":id": {"S": article_id}},
            )
            return article_id
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
        owner = self._get_item(pk, sk=sk)
        if owner is None:  # the owner was deleted between the two calls: try once more next delivery
            raise ConcurrentUpdateError(article_id)
        return str(owner["article_id"])

    def _mark_category(self, article: Article, check_first: bool = False) -> None:
        """The CATEGORIES marker of the article's primary category: the latest listing merges one gsi1 partition
        per marked category (`list_latest`). Once per category and container: a read where the marker usually
        exists already (a category's first article ever is rare), else the idempotent write."""
        slug = article.category
        if slug in self._known_categories:
            return
        if check_first and self._get_item(keys.CATEGORIES_PK, sk=slug, consistent=False) is not None:
            self._known_categories.add(slug)  # a read is cheaper than a write
            return
        self._client.put_item(
            TableName=self._table, Item=serialize({"pk": keys.CATEGORIES_PK, "sk": slug})
        )  # idempotent: same item every time
        self._known_categories.add(slug)

    # -- reads ----------------------------------------------------------------------------------

    def _get_item(self, pk: str, sk: str = keys.ARTICLE_SK, consistent: bool = True) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table, Key=serialize({"pk": pk, "sk": sk}), ConsistentRead=consistent
        )
        item = response.get("Item")
        return deserialize(item) if item else None

    def get(self, article_id: str) -> Article | None:
        item = self._get_item(keys.article_pk(article_id))
        return item_to_article(item) if item else None

    def list_by_category(self, slug: str, limit: int, cursor: str | None) -> Page:
        partition = keys.category_pk(slug)
        start = None
        if cursor:
            payload = decode_cursor(cursor)
            start = _checked_key(payload.get("k"), {"pk", "sk", "gsi1pk", "gsi1sk"}, "gsi1pk", partition)
        items, last = self._query_index(GSI_CATEGORY, "gsi1pk", partition, limit, start)
        next_cursor = encode_cursor({"k": last}) if last else None
        return Page(articles=self._articles_of(items), next_cursor=next_cursor)

    def list_latest(self, limit: int, cursor: str | None) -> Page:
        """Newest first across every category: a k-way merge of the category partitions of gsi1.

        Each partition is newest first on the same sort key (`<sort_at>#<id>`, unique) and an article is in
        exactly one (its primary category), so the page is the `limit` largest keys below the cursor over all
        partitions: `limit + 1` from each tells whether anything is left. The cursor is the page's last key.
        Cursors of the month-sharded index this replaced (`{"m", "k"}`) continue where they stopped.
        """
        below = _latest_position(decode_cursor(cursor)) if cursor else None
        partitions = [keys.category_pk(slug) for slug in self._categories()]
        with ThreadPoolExecutor(max_workers=max(1, min(MAX_PARTITION_QUERIES, len(partitions)))) as pool:
            heads = list(pool.map(lambda partition: self._newest_below(partition, below, limit + 1), partitions))
        merged = heapq.nlargest(limit + 1, (item for head in heads for item in head), key=lambda i: str(i["gsi1sk"]))
        page = merged[:limit]
        next_cursor = encode_cursor({"s": str(page[-1]["gsi1sk"])}) if len(merged) > limit else None
        return Page(articles=self._articles_of(page), next_cursor=next_cursor)

    def _categories(self) -> list[str]:
        """Every category an article may be filed under: the marked ones (each category ever stored), the
        taxonomy's and the general one (articles stored before the markers existed carry those)."""
        from newsflow.taxonomy import CATEGORY_SLUGS

        found = {GENERAL_CATEGORY, *CATEGORY_SLUGS}
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.CATEGORIES_PK}},
            "ProjectionExpression": "sk",
        }
        while True:
            response = self._client.query(**kwargs)
            found.update(item["sk"]["S"] for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return sorted(found)
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _newest_below(self, partition: str, below: str | None, count: int) -> list[dict[str, Any]]:
        """Up to `count` index entries of one category partition, newest first, with a sort key below `below`."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": GSI_CATEGORY,
            "KeyConditionExpression": "gsi1pk = :p" + (" AND gsi1sk < :below" if below else ""),
            "ExpressionAttributeValues": {":p": {"S": partition}, **({":below": {"S": below}} if below else {})},
            "ScanIndexForward": False,
        }
        found: list[dict[str, Any]] = []
        while len(found) < count:
            response = self._client.query(**kwargs, Limit=count - len(found))
            found.extend(deserialize(i) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return found

    def _articles_of(self, index_items: list[dict[str, Any]]) -> list[Article]:
        """The articles behind a page of KEYS_ONLY index entries, in the index's order (BatchGetItem, eventually
        consistent like the index itself; an article deleted since the query is left out)."""
        wanted = [{"pk": i["pk"], "sk": i["sk"]} for i in index_items]
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            pending: list[dict[str, Any]] = [serialize(k) for k in wanted[start : start + BATCH_GET_LIMIT]]
            for attempt in range(MAX_BATCH_ATTEMPTS):
                response = self._client.batch_get_item(RequestItems={self._table: {"Keys": pending}})
                for raw in response.get("Responses", {}).get(self._table, []):
                    item = deserialize(raw)
                    found[item["pk"]] = item
                unprocessed: dict[str, Any] = dict(response.get("UnprocessedKeys", {}))
                pending = list(unprocessed.get(self._table, {}).get("Keys", []))
                if not pending:
                    break
                time.sleep(0.05 * 2**attempt)  # throttled: back off, then ask only for what was left
            else:
                raise UnprocessedReadsError(f"{len(pending)} articles left unread by BatchGetItem")
        return [item_to_article(found[k["pk"]]) for k in wanted if k["pk"] in found]

    def _query_index(
        self, index: str, partition_attr: str, partition: str, limit: int, start: dict[str, str] | None
    ) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": f"{partition_attr} = :p",
            "ExpressionAttributeValues": {":p": {"S": partition}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start:
            kwargs["ExclusiveStartKey"] = serialize(start)
        response = self._client.query(**kwargs)
        items = [deserialize(i) for i in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return items, ({k: v["S"] for k, v in last.items()} if last else None)

    def ping(self) -> bool:
        try:
            self._client.get_item(TableName=self._table, Key=serialize({"pk": "HEALTH", "sk": "HEALTH"}))
        except ClientError:
            return False
        return True


def _latest_position(payload: dict[str, Any]) -> str:
    """The sort key a latest cursor continues below (a month-sharded cursor: its key, or its month's top)."""
    if set(payload) == {"s"} and isinstance(payload["s"], str) and _SORT_KEY.match(payload["s"]):
        return payload["s"]
    if set(payload) == {"m", "k"} and isinstance(payload["m"], str) and _MONTH.match(payload["m"]):
        if payload["k"] is None:
            return payload["m"] + "~"  # above every key of that month ("~" sorts after the time's digits)
        key = payload["k"]
        if isinstance(key, dict) and isinstance(key.get("gsi2sk"), str) and _SORT_KEY.match(key["gsi2sk"]):
            return str(key["gsi2sk"])
    raise CursorError("cursor does not belong to this query")


def _next_version(current: Article, content: Article, first_seen_at: datetime) -> Article:
    """`content` stored as the version after `current`."""
    return content.model_copy(
        update={
            "version": current.version + 1,
            "first_seen_at": first_seen_at,
            # An undated article keeps its place in "newest first" instead of jumping to the top.
            "sort_at": content.published_at or current.sort_at,
            "extra": {**current.extra, **content.extra},
            # An article keeps its story and its recorded sightings across updates.
            "story_id": current.story_id or content.story_id,
            "also_from": current.also_from,
            "duplicate_urls": current.duplicate_urls,
        }
    )


def _replayed_outcome(item: dict[str, Any], delivery: str | None) -> WriteOutcome | None:
    """The outcome of a stored write this delivery made (its response was lost, or we crashed after it): the
    last content write, or one of the few before it (a newer version was written since)."""
    if not delivery:
        return None
    for written in reversed(_writes_of(item)):
        by, _, outcome = written.rpartition("=")
        if by == delivery:
            return WriteOutcome(outcome)
    return None


def _unchanged_since(expected_version: int, base: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The condition of a rewrite decided on a stored item: still at `expected_version` and, with the item read
    (`base`), still that item (its rewrite stamp unchanged: a sighting changes the item, not its version)."""
    values: dict[str, Any] = {":expected": {"N": str(expected_version)}}
    if base is None:
        return "version = :expected", values
    stamp = base.get(REWRITE_STAMP_ATTR)
    if stamp is None:
        return f"version = :expected AND attribute_not_exists({REWRITE_STAMP_ATTR})", values
    values[":stamp"] = {"B": as_bytes(stamp)}
    return f"version = :expected AND {REWRITE_STAMP_ATTR} = :stamp", values


def _writes_of(item: dict[str, Any]) -> list[str]:
    """ "<delivery>=<outcome>" of the stored item's content writes, oldest first."""
    writes = [str(w) for w in item.get(EARLIER_WRITES_ATTR) or []]
    last = delivery_marker.decode(item)
    if last is not None:
        writes.append(f"{last[0]}={last[1]}")
    return writes


def _result(outcome: WriteOutcome, stored: Article) -> WriteResult:
    return WriteResult(outcome=outcome, article_id=stored.id, version=stored.version, story_id=stored.story_id)


def _newer_version_of_copy(incoming: Article, stored: Article) -> bool:
    """`stored` holds a syndicator's copy of an older version of `incoming` (their guid says they are one)."""
    return (
        _source_key(stored) != _source_key(incoming)
        and stored.content_hash != incoming.content_hash
        and is_newer(incoming, stored)
    )


def _with_sightings_of(base: Article, copy: Article, story_id: str | None) -> Article:
    """`base` with the folded copy (its URL, its source, and the sightings it had collected) as sightings."""
    also_from = {*base.also_from, *copy.also_from, _source_label(copy)} - {_source_label(base), ""}
    urls = {*base.duplicate_urls, *copy.duplicate_urls, copy.url} - {base.url, ""}
    return base.model_copy(
        update={
            "also_from": sorted(also_from),
            "duplicate_urls": sorted(urls),
            "story_id": story_id,
            "first_seen_at": min(base.first_seen_at, copy.first_seen_at),
        }
    )


def _much_richer(incoming: Article, current: Article) -> bool:
    return incoming.word_count >= max(2 * current.word_count, current.word_count + 50)


def _source_label(article: Article) -> str:
    return article.source_name or article.source_domain or ""


def _source_key(article: Article) -> str:
    """Who published this copy: a change from the same source is an update, from another a sighting."""
    return article.feed_id or article.source_name or article.source_domain or "unknown"
