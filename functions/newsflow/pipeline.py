"""The ingest pipeline for one queue message: parse -> normalise -> categorise -> store.

Plain Python: no AWS imports. The ingest handler wires it to SQS and DynamoDB; the CLI and tests reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from newsflow.categorise import Categoriser, categorise
from newsflow.errors import PermanentItemError
from newsflow.models import Article, FeedItem, NormalisedItem
from newsflow.normalise import normalise_item
from newsflow.store.codec import DocumentTooLarge
from newsflow.store.ports import ArticleRepository, WriteOutcome, WriteResult
from newsflow.stories.assign import StoryMatch, find_story
from newsflow.stories.match import StoryThresholds
from newsflow.stories.ports import Candidate, CandidateIndex, StoryBook, StoryMember
from newsflow.stories.sketch import Sketch, sketch


class IngestResult(BaseModel):
    write: WriteResult
    category: str
    story_id: str | None = None


def build_article(normalised: NormalisedItem, now: datetime, categoriser: Categoriser | None = None) -> Article:
    verdict = categoriser.categorise(normalised) if categoriser is not None else categorise(normalised)
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
    item: FeedItem,
    repository: ArticleRepository,
    now: datetime,
    stories: StoryServices | None = None,
    categoriser: Categoriser | None = None,
) -> IngestResult:
    article = build_article(normalise_item(item, now=now), now, categoriser)
    if stories is None:
        write = _save(repository, article)
        return IngestResult(write=write, category=article.category, story_id=write.story_id)

    article_sketch = sketch(article.title, article.body_text)
    match = find_story(article.id, article_sketch, stories.candidates, stories.thresholds)
    article = article.model_copy(update={"story_id": match.story_id})
    write = _save(repository, article)
    if write.outcome is not WriteOutcome.DUPLICATE:
        _file_in_story(article, article_sketch, write, match, stories)
    return IngestResult(write=write, category=article.category, story_id=write.story_id)


def _file_in_story(
    article: Article, article_sketch: Sketch, write: WriteResult, match: StoryMatch, stories: StoryServices
) -> None:
    """Join the story and file the article's candidate entries, after the article is stored (so it is never a
    candidate before it exists), story first (so entries that are all filed prove the join happened too).

    A redelivery whose entries the lookup found as they are writes nothing; one whose earlier attempt stopped
    half way writes what is missing (every write here is idempotent)."""
    story_id = write.story_id or match.story_id
    source = article.source_name or article.source_domain or "unknown"
    entry = Candidate(
        article_id=article.id, story_id=story_id, source=source, sort_at=article.sort_at, sketch=article_sketch
    )
    unfiled = match.unfiled_keys(entry)
    if write.outcome is WriteOutcome.UNCHANGED and not unfiled:
        return
    rejoin = write.outcome is WriteOutcome.CREATED or not match.filed  # no entry of ours: did we join before?
    if rejoin and match.matched is not None and match.matched.story_id == story_id:
        # A story of one has no item: the first article to join brings the founder (or the member it matched).
        stories.book.join(
            story_id,
            [
                StoryMember(article_id=match.matched.article_id, source=match.matched.source, at=match.matched.sort_at),
                StoryMember(article_id=article.id, source=source, at=article.sort_at),
            ],
        )
    if unfiled:
        stories.candidates.add(unfiled, entry, stories.thresholds.window_days)


def _save(repository: ArticleRepository, article: Article) -> WriteResult:
    try:
        return repository.save(article)
    except DocumentTooLarge as exc:
        raise PermanentItemError("oversize", str(exc)) from exc
