"""In-memory CandidateIndex and StoryBook with the same semantics as the DynamoDB ones.

Used by the dedupe benchmark to score thousands of articles quickly, and by `newsflow stories explain`
when no table is at hand. Reads are counted exactly as DynamoDB would count requests.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from newsflow.stories.ports import Candidate


class MemoryCandidateIndex:
    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Candidate]] = defaultdict(dict)
        self.reads = 0
        self.writes = 0

    def lookup(self, keys: list[str], limit_per_key: int) -> list[Candidate]:
        found: list[Candidate] = []
        for key in keys:
            self.reads += 1
            entries = sorted(self._entries.get(key, {}).values(), key=lambda c: (c.sort_at, c.article_id), reverse=True)
            found.extend(entries[:limit_per_key])
        return found

    def add(self, keys: list[str], candidate: Candidate, ttl_days: int) -> None:
        for key in keys:
            self.writes += 1
            self._entries[key][candidate.article_id] = candidate


class MemoryStoryBook:
    def __init__(self) -> None:
        self.members: dict[str, set[str]] = defaultdict(set)
        self.sources: dict[str, set[str]] = defaultdict(set)
        self.writes = 0

    def add_member(self, story_id: str, article_id: str, source: str, at: datetime) -> None:
        self.writes += 1
        self.members[story_id].add(article_id)
        self.sources[story_id].add(source)
