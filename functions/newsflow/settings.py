"""Environment, validated once per process (cold start), so a misconfigured Lambda fails loudly."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from newsflow import constants as c
from newsflow.models import FullTextMode


class SettingsError(RuntimeError):
    """The environment is missing or has an invalid setting."""


class Settings(BaseModel):
    table_name: str = Field(min_length=1)
    queue_url: str | None = None
    dlq_url: str | None = None
    index_failures_url: str | None = None
    fetch_queue_url: str | None = None
    fetch_dlq_url: str | None = None
    search_backend: Literal["opensearch", "tantivy"] = "tantivy"
    opensearch_url: str | None = None
    opensearch_index: str = "articles"
    tantivy_path: str = ".newsflow/index"
    fetch_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    allow_private_fetch: bool = False
    poll_max_feeds: int = Field(default=200, ge=1, le=10_000)
    fulltext_queue_url: str | None = None
    fulltext_dlq_url: str | None = None
    fulltext_mode: FullTextMode = "auto"
    fulltext_min_words: int = Field(default=150, ge=0, le=100_000)
    fulltext_host_gap_seconds: float = Field(default=1.0, ge=0, le=60)
    fulltext_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    fulltext_max_bytes: int = Field(default=5 * 1024 * 1024, ge=64 * 1024, le=50 * 1024 * 1024)
    stage: str = "local"
    cors_origins: tuple[str, ...] = ()
    taxonomy_path: str | None = None
    category_model_path: str | None = None

    @model_validator(mode="after")
    def _backend_needs_url(self) -> Settings:
        if self.search_backend == "opensearch" and not self.opensearch_url:
            raise ValueError(f"{c.ENV_OPENSEARCH_URL} is required when {c.ENV_SEARCH_BACKEND}=opensearch")
        return self

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        raw = {
            "table_name": env.get(c.ENV_TABLE_NAME, ""),
            "queue_url": env.get(c.ENV_QUEUE_URL) or None,
            "dlq_url": env.get(c.ENV_DLQ_URL) or None,
            "index_failures_url": env.get(c.ENV_INDEX_FAILURES_URL) or None,
            "fetch_queue_url": env.get(c.ENV_FETCH_QUEUE_URL) or None,
            "fetch_dlq_url": env.get(c.ENV_FETCH_DLQ_URL) or None,
            "search_backend": env.get(c.ENV_SEARCH_BACKEND, "tantivy"),
            "opensearch_url": env.get(c.ENV_OPENSEARCH_URL) or None,
            "opensearch_index": env.get(c.ENV_OPENSEARCH_INDEX, "articles"),
            "tantivy_path": env.get(c.ENV_TANTIVY_PATH, ".newsflow/index"),
            "fetch_timeout_seconds": env.get(c.ENV_FETCH_TIMEOUT, "10"),
            "allow_private_fetch": env.get(c.ENV_ALLOW_PRIVATE_FETCH, "").lower() in {"1", "true", "yes"},
            "poll_max_feeds": env.get(c.ENV_POLL_MAX_FEEDS, "200"),
            "fulltext_queue_url": env.get(c.ENV_FULLTEXT_QUEUE_URL) or None,
            "fulltext_dlq_url": env.get(c.ENV_FULLTEXT_DLQ_URL) or None,
            "fulltext_mode": env.get(c.ENV_FULLTEXT_MODE) or "auto",
            "fulltext_min_words": env.get(c.ENV_FULLTEXT_MIN_WORDS) or "150",
            "fulltext_host_gap_seconds": env.get(c.ENV_FULLTEXT_HOST_GAP) or "1",
            "fulltext_timeout_seconds": env.get(c.ENV_FULLTEXT_TIMEOUT) or "10",
            "fulltext_max_bytes": env.get(c.ENV_FULLTEXT_MAX_BYTES) or str(5 * 1024 * 1024),
            "stage": env.get(c.ENV_STAGE, "local"),
            "cors_origins": tuple(
                o.strip().rstrip("/") for o in env.get(c.ENV_CORS_ORIGINS, "").split(",") if o.strip()
            ),
            "taxonomy_path": env.get(c.ENV_TAXONOMY_PATH) or None,
            "category_model_path": env.get(c.ENV_CATEGORY_MODEL_PATH) or None,
        }
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise SettingsError(f"invalid newsflow settings: {problems}") from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()


def reset_settings_cache() -> None:
    """Tests and the local stack change the environment; this forgets the cached settings."""
    get_settings.cache_clear()
