"""The ingest pipeline for one queue message: parse -> normalise -> categorise -> store.

Plain Python: no AWS imports. The ingest handler wires it to SQS and DynamoDB; the CLI and tests reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from newsflow.categorise import categorise
from newsflow.errors import PermanentItemError
from newsflow.models import Article, FeedItem, NormalisedItem
from newsflow.normalise import normalise_item
from newsflow.store.codec import DocumentTooLarge
from newsflow.store.ports import ArticleRepository, WriteOutcome, WriteResult
from newsflow.stories.assign import find_story
from newsflow.stories.match import StoryThresholds
from newsflow.stories.ports import Candidate, CandidateIndex, StoryBook
from newsflow.stories.sketch import sketch


class IngestResult(BaseModel):
    write: WriteResult
    category: str
    story_id: str | None = None


def build_article(normalised: NormalisedItem, now: datetime) -> Article:
    verdict = categorise(normalised)
    fields = normalised.model_dump(exclude={"feed_tags"})
    return Article(
        **fields,
        first_seen_at=now,
        last_seen_at=now,
        sort_at=normalised.published_at or now,
        category=verdict.primary,
        categories=verdict.scores,
        tags=verdict.tags,
    )


@dataclass(frozen=True)
class StoryServices:
    """Near-duplicate detection wiring: where candidates and stories live, and the thresholds."""

    candidates: CandidateIndex
    book: StoryBook
    thresholds: StoryThresholds


def ingest_item(
    item: FeedItem, repository: ArticleRepository, now: datetime, stories: StoryServices | None = None
) -> IngestResult:
    article = build_article(normalise_item(item, now=now), now)
    if stories is None:
        write = _save(repository, article)
        return IngestResult(write=write, category=article.category, story_id=write.story_id)

    article_sketch = sketch(article.title, article.body_text)
    match = find_story(article.id, article_sketch, stories.candidates, stories.thresholds)
    article = article.model_copy(update={"story_id": match.story_id})
    write = _save(repository, article)
    if write.outcome is not WriteOutcome.DUPLICATE:
        # Filed after the article is stored (and again on a redelivery: both writes are idempotent), so an
        # article is never a candidate before it exists.
        story_id = write.story_id or match.story_id
        source = article.source_name or article.source_domain or "unknown"
        candidate = Candidate(
            article_id=article.id, story_id=story_id, source=source, sort_at=article.sort_at, sketch=article_sketch
        )
        stories.candidates.add(match.keys, candidate, stories.thresholds.window_days)
        stories.book.add_member(story_id, article.id, source, article.sort_at)
    return IngestResult(write=write, category=article.category, story_id=write.story_id)


def _save(repository: ArticleRepository, article: Article) -> WriteResult:
    try:
        return repository.save(article)
    except DocumentTooLarge as exc:
        raise PermanentItemError("oversize", str(exc)) from exc
