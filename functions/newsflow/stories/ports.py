"""Where candidates live: a small interface, implemented on the search index in stories/indexed.py."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from newsflow.stories.sketch import Sketch


class Candidate(BaseModel):
    """An article as the candidate index remembers it: enough to verify a match without another read."""

    model_config = ConfigDict(frozen=True)

    article_id: str
    story_id: str
    source: str
    sort_at: datetime
    sketch: Sketch
    story_at: datetime | None = None  # when its story's first article was published (None: not recorded)
    found_under: str = ""  # the key a lookup found it under ("" when filing)

    @property
    def story_started(self) -> datetime:
        """Its story's first article time; an entry filed before that was recorded answers its own time (the
        latest the story can have started)."""
        return self.story_at or self.sort_at


class CandidateIndex(Protocol):
    def lookup(self, keys: list[str], limit_per_key: int) -> list[Candidate]:
        """The newest `limit_per_key` articles filed under each key (one read per key)."""
        ...

    def add(self, keys: list[str], candidate: Candidate, ttl_days: int) -> None:
        """File an article under its keys (idempotent: same key, same article -> same item)."""
        ...
