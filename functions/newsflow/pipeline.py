"""The ingest pipeline for one queue message: parse -> normalise -> categorise -> store.

Plain Python: no AWS imports. The ingest handler wires it to SQS and DynamoDB; the CLI and tests reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel

from newsflow.categorise import Categoriser, categorise
from newsflow.errors import UNPROCESSABLE, PermanentItemError, unprocessable_reason
from newsflow.messages import parse_message
from newsflow.models import Article, FeedItem, NormalisedItem
from newsflow.normalise import normalise_item
from newsflow.store.codec import DocumentTooLarge
from newsflow.store.ports import ArticleRepository, ConcurrentUpdateError, WriteOutcome, WriteResult
from newsflow.stories.assign import StoryMatch, find_story, lsh_keys
from newsflow.stories.gate import KeyGate
from newsflow.stories.match import StoryThresholds, screen
from newsflow.stories.ports import Candidate, CandidateIndex
from newsflow.stories.sketch import Sketch, sketch


class IngestResult(BaseModel):
    write: WriteResult
    category: str
    story_id: str | None = None


def build_article(
    normalised: NormalisedItem, now: datetime, categoriser: Categoriser | None = None, seen: datetime | None = None
) -> Article:
    """`seen`: when this copy was first seen (queued by the poller), `now` if unknown: its sighting time."""
    verdict = categoriser.categorise(normalised) if categoriser is not None else categorise(normalised)
    fields = normalised.model_dump(exclude={"feed_tags"})
    sighted = seen or now
    return Article(
        **fields,
        first_seen_at=sighted,
        last_seen_at=sighted,
        sort_at=normalised.published_at or sighted,
        category=verdict.primary,
        categories=verdict.scores,
        tags=verdict.tags,
    )


@dataclass(frozen=True)
class StoryServices:
    """Near-duplicate detection wiring: where candidates live, the thresholds, and the container's gate (items of
    one story are decided one at a time: stories/gate.py)."""

    candidates: CandidateIndex
    thresholds: StoryThresholds
    gate: KeyGate[Sketch] = field(default_factory=KeyGate)


class PreparedArticle(BaseModel):
    """What an item comes to before anything is read or written: the categorised article and its sketch
    (None when story detection is off). Pure work, so it can be done ahead, in another process (the local stack's
    prepare workers, local/prepare_pool.py); `store_article` does the rest."""

    article: Article
    sketch: Sketch | None = None


class PrepareFailure(BaseModel):
    """Why preparing an item ahead failed, carried back from a prepare worker: `permanent` failures (what no
    retry fixes) are parked with the reason, the others retried like any transient error."""

    reason: str
    detail: str = ""
    permanent: bool

    def error(self) -> Exception:
        if self.permanent:
            return PermanentItemError(self.reason, self.detail)
        return RuntimeError(f"{self.reason}: {self.detail}")


def prepare_article(
    item: FeedItem,
    now: datetime,
    categoriser: Categoriser | None = None,
    with_sketch: bool = True,
    seen: datetime | None = None,
) -> PreparedArticle:
    article = build_article(normalise_item(item, now=now), now, categoriser, seen=seen)
    return PreparedArticle(article=article, sketch=sketch(article.title, article.body_text) if with_sketch else None)


def prepare_or_failure(
    body: str, now: datetime, categoriser: Categoriser | None, with_sketch: bool, seen: datetime | None
) -> PreparedArticle | PrepareFailure:
    """One queue message prepared, or why not: what no retry fixes is a permanent failure (parked with its
    reason), anything else a transient one (retried)."""
    try:
        return prepare_article(parse_message(body), now, categoriser, with_sketch=with_sketch, seen=seen)
    except PermanentItemError as error:
        return PrepareFailure(reason=error.reason, detail=error.detail, permanent=True)
    except UNPROCESSABLE as error:
        reason, detail = unprocessable_reason(error)
        return PrepareFailure(reason=reason, detail=detail, permanent=True)
    except Exception as error:
        return PrepareFailure(reason="prepare_failed", detail=f"{type(error).__name__}: {error}"[:500], permanent=False)


def ingest_item(
    item: FeedItem,
    repository: ArticleRepository,
    now: datetime,
    stories: StoryServices | None = None,
    delivery: str | None = None,
    categoriser: Categoriser | None = None,
    seen: datetime | None = None,
) -> IngestResult:
    """`delivery` names this delivery of the message (its queue message id): see ArticleRepository.save.
    `seen`: when the message was first queued (its sighting time, the same for every redelivery; see
    store/ordering.py), `now` when unknown."""
    prepared = prepare_article(item, now, categoriser, with_sketch=stories is not None, seen=seen)
    return store_article(prepared, repository, stories, delivery)


def store_article(
    prepared: PreparedArticle,
    repository: ArticleRepository,
    stories: StoryServices | None = None,
    delivery: str | None = None,
) -> IngestResult:
    """Find the article's story, store it, file it: the part of ingest that reads and writes."""
    article = prepared.article
    if stories is None or prepared.sketch is None:
        write = _save(repository, article, delivery)
        return IngestResult(write=write, category=article.category, story_id=write.story_id)

    article_sketch = prepared.sketch
    thresholds = stories.thresholds
    keys = lsh_keys(article_sketch, thresholds)
    # screen is symmetric: one call tells whether two items are one story
    with stories.gate.holding(keys, article_sketch, related=lambda a, b: screen(a, b, thresholds) is not None):
        match = find_story(article.id, article_sketch, stories.candidates, thresholds, article.sort_at, keys)
        article = article.model_copy(update={"story_id": match.story_id})
        write = _save(repository, article, delivery)
        if write.outcome not in (WriteOutcome.DUPLICATE, WriteOutcome.STALE) and not write.superseded:
            _file_in_story(article, article_sketch, write, match, stories)
    return IngestResult(write=write, category=article.category, story_id=write.story_id)


def _file_in_story(
    article: Article, article_sketch: Sketch, write: WriteResult, match: StoryMatch, stories: StoryServices
) -> None:
    """File the article's candidate entries after the article is stored (so it is never a candidate before it
    exists). Its story is its `story_id`: there is nothing else to write. Every write here is idempotent: a
    redelivery whose entries the lookup found as they are writes nothing, and one whose earlier attempt
    stopped half way writes what is missing."""
    story_id = write.story_id or match.story_id
    source = article.source_name or article.source_domain or "unknown"
    entry = Candidate(
        article_id=article.id,
        story_id=story_id,
        source=source,
        sort_at=article.sort_at,
        sketch=article_sketch,
        story_at=match.story_at if story_id == match.story_id else None,  # kept another story: its start unknown
    )
    unfiled = match.unfiled_keys(entry)
    if unfiled:
        stories.candidates.add(unfiled, entry, stories.thresholds.window_days)


# A concurrent writer of the same article made our conditional write fail: read again and decide again, a few
# times, before leaving it to the queue's retry.
SAVE_ATTEMPTS = 3


def _save(repository: ArticleRepository, article: Article, delivery: str | None) -> WriteResult:
    for attempt in range(SAVE_ATTEMPTS):
        try:
            return repository.save(article, delivery, fresh=attempt > 0)  # after a conflict: read what is there now
        except DocumentTooLarge as exc:
            raise PermanentItemError("oversize", str(exc)) from exc
        except ConcurrentUpdateError:
            if attempt == SAVE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
