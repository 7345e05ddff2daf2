"""An in-memory CandidateIndex with the same semantics as the DynamoDB one.

Used by the dedupe benchmark (and unit tests) to score thousands of articles quickly. Lookups are counted
as DynamoDB would count Query requests.
"""

from __future__ import annotations

from collections import defaultdict

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
            found.extend(c.model_copy(update={"found_under": key}) for c in entries[:limit_per_key])
        return found

    def add(self, keys: list[str], candidate: Candidate, ttl_days: int) -> None:
        for key in keys:
            self.writes += 1
            self._entries[key][candidate.article_id] = candidate
