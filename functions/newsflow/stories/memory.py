"""An in-memory CandidateIndex with the same semantics as the search-index one (`indexed.py`).

Used by the dedupe benchmark (and unit tests) to score thousands of articles quickly: one lookup is one
search, newest first over all the keys, `limit_per_key` per key taken from the first `limit_per_key x keys`
articles. Lookups and filed entries are counted.
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
        if not keys:
            return []
        self.reads += 1
        keys_of: dict[str, list[str]] = defaultdict(list)
        articles: dict[str, Candidate] = {}
        for key in keys:
            for article_id, candidate in self._entries.get(key, {}).items():
                keys_of[article_id].append(key)
                articles[article_id] = candidate
        newest = sorted(articles.values(), key=lambda c: (-c.sort_at.timestamp(), c.article_id))
        taken: dict[str, int] = dict.fromkeys(keys, 0)
        found: list[Candidate] = []
        for candidate in newest[: limit_per_key * len(keys)]:
            for key in keys_of[candidate.article_id]:
                if taken[key] < limit_per_key:
                    taken[key] += 1
                    found.append(candidate.model_copy(update={"found_under": key}))
        return found

    def add(self, keys: list[str], candidate: Candidate, ttl_days: int) -> None:
        for key in keys:
            self.writes += 1
            self._entries[key][candidate.article_id] = candidate
