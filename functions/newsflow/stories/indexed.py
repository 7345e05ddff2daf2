"""Story candidates from the search index, where every article already is: no candidate records in DynamoDB.

The index stage files each article under its LSH band keys (`SearchDocument.story_keys`, with its sketch in
`story_sketch`); ingest looks a new article's candidates up with one terms query over its keys, newest first,
within the story window. It used to be one DynamoDB Query per key and one item written per key (~5 WRU per new
article, half its write cost).

Freshness. An article becomes a candidate once the index stage has published it: the table stream, the index
function's batching window (2 s), and OpenSearch's refresh (1 s; tantivy: the batch's commit). A copy that
arrives within those few seconds of its original, on another ingest container, does not find it and starts a
story of its own. What this container stored itself in the last `RECENT_SECONDS` is also searched (`add` keeps
it in memory), so copies in one batch or in quick succession on one container still join.
"""

from __future__ import annotations

import base64
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from newsflow.search.port import SearchDocument, SearchFilters, SearchQuery
from newsflow.stories.assign import lsh_keys
from newsflow.stories.match import StoryThresholds
from newsflow.stories.ports import Candidate
from newsflow.stories.sketch import Sketch, sketch

if TYPE_CHECKING:
    from newsflow.models import Article
    from newsflow.search.port import SearchIndex

RECENT_SECONDS = 120.0  # longer than the stream -> index -> refresh path takes in normal operation
RECENT_MAX = 5_000  # entries kept in memory (each ~0.5 KB)
MAX_HITS = 1_000  # the search's size limit


def indexed_document(article: Article, thresholds: StoryThresholds | None = None) -> SearchDocument:
    """The article's search document with its `story_keys` and `story_sketch` (what ingest's lookup reads):
    every path that writes the index (the index stage, replay, reindex) builds documents here."""
    article_sketch = sketch(article.title, article.body_text)
    return SearchDocument.from_article(
        article,
        story_keys=lsh_keys(article_sketch, thresholds or StoryThresholds.from_env()),
        story_sketch=base64.b64encode(article_sketch.pack()).decode("ascii"),
    )


def _sketch_of(doc: SearchDocument) -> Sketch:
    if doc.story_sketch:
        return Sketch.unpack(base64.b64decode(doc.story_sketch))
    return sketch(doc.title, doc.body)  # the same inputs ingest sketched


class IndexedCandidateIndex:
    """`CandidateIndex` over the search index (either adapter, through the SearchIndex port)."""

    def __init__(
        self,
        search: SearchIndex,
        window_days: int,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        recent_seconds: float = RECENT_SECONDS,
    ) -> None:
        self._search = search
        self._window = timedelta(days=window_days)
        self._clock = clock
        self._recent_seconds = recent_seconds
        self._recent: OrderedDict[str, tuple[float, frozenset[str], Candidate]] = OrderedDict()
        self._by_key: dict[str, dict[str, Candidate]] = {}  # key -> article id -> candidate, of _recent
        self._lock = threading.Lock()

    def lookup(self, keys: list[str], limit_per_key: int) -> list[Candidate]:
        """The newest `limit_per_key` articles under each key, from one search (newest first over all the keys:
        a key is short of its share only when the other keys' newer articles fill the whole page)."""
        if not keys:
            return []
        wanted = set(keys)
        query = SearchQuery(
            filters=SearchFilters(story_keys=list(keys), published_from=self._clock() - self._window),
            sort_by="publishedAt",
            size=min(MAX_HITS, limit_per_key * len(keys)),
            count=False,
            ties_by_id=False,  # equals in index order: items of one feed often share a timestamp
        )
        taken: dict[str, int] = dict.fromkeys(keys, 0)
        found: list[Candidate] = []
        seen: set[tuple[str, str]] = set()
        for hit in self._search.search(query).hits:
            doc = hit.document
            shared = [k for k in doc.story_keys if k in wanted and taken[k] < limit_per_key]
            if not shared:
                continue
            candidate = Candidate(
                article_id=doc.id,
                story_id=doc.story_id or doc.id,
                source=doc.source_name or doc.source_domain or "unknown",
                sort_at=doc.sort_at,
                sketch=_sketch_of(doc),
            )
            for key in shared:
                taken[key] += 1
                seen.add((key, doc.id))
                found.append(candidate.model_copy(update={"found_under": key}))
        for key, candidate in self._recent_under(keys, limit_per_key):
            if (key, candidate.article_id) not in seen:
                found.append(candidate.model_copy(update={"found_under": key}))
        return found

    def add(self, keys: list[str], candidate: Candidate, ttl_days: int) -> None:
        """Nothing to write: the index stage files the article under its keys when it publishes it. Until then
        this container remembers it (see the module docstring)."""
        with self._lock:
            self._forget(candidate.article_id)
            self._recent[candidate.article_id] = (time.monotonic(), frozenset(keys), candidate)
            for key in keys:
                self._by_key.setdefault(key, {})[candidate.article_id] = candidate
            while len(self._recent) > RECENT_MAX:
                self._forget(next(iter(self._recent)))

    def _forget(self, article_id: str) -> None:
        entry = self._recent.pop(article_id, None)
        if entry is None:
            return
        for key in entry[1]:
            under = self._by_key.get(key)
            if under is not None:
                under.pop(article_id, None)
                if not under:
                    del self._by_key[key]

    def _recent_under(self, keys: list[str], limit_per_key: int) -> list[tuple[str, Candidate]]:
        """(key, candidate) for the newest `limit_per_key` of what this container stored in the last
        RECENT_SECONDS under each of these keys, oldest first: looked up by key (a lookup costs its keys, not
        every article of the last two minutes), and capped like the search (under a key that many articles
        share, the whole two minutes' worth made each lookup compare hundreds of candidates)."""
        cutoff = time.monotonic() - self._recent_seconds
        with self._lock:
            while self._recent and next(iter(self._recent.values()))[0] < cutoff:
                self._forget(next(iter(self._recent)))
            found: list[tuple[str, Candidate]] = []
            for key in sorted(set(keys)):
                newest = list(itertools.islice(reversed(self._by_key.get(key, {}).values()), limit_per_key))
                found.extend((key, c) for c in reversed(newest))
            return found
