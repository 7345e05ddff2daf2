"""Settings from the environment (pydantic-settings), validated once per process, so a misconfigured Lambda
fails loudly at its first invocation with every problem listed.

Every variable is `NEWSFLOW_<FIELD>` (the README's settings table lists them all); the story thresholds are a
nested model, `NEWSFLOW_STORY_<FIELD>` (e.g. NEWSFLOW_STORY_BODY_JACCARD=0.6). newsflow.wiring builds every
handler's dependencies from one `Settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

from newsflow import constants as c
from newsflow.models import FullTextMode
from newsflow.stories.match import StoryThresholds


class SettingsError(RuntimeError):
    """The environment is missing or has an invalid setting."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSFLOW_",
        env_nested_delimiter="_",
        env_nested_max_split=1,  # NEWSFLOW_STORY_BODY_JACCARD -> story.body_jaccard (StoryThresholds.from_env)
        env_ignore_empty=True,  # an empty variable means "not set", as it did before
        extra="ignore",
        frozen=True,
    )

    table_name: str = Field(min_length=1, description="The DynamoDB table (articles, dedupe keys, feeds).")
    queue_url: str | None = Field(default=None, description="The items queue (poll and admin send to it).")
    dlq_url: str | None = Field(default=None, description="The items DLQ (ingest parks poison messages there).")
    index_failures_url: str | None = Field(default=None, description="The stream's on-failure queue (ops).")
    fetch_queue_url: str | None = Field(default=None, description="The scheduler's fetch requests (fetch workers).")
    fetch_dlq_url: str | None = None
    search_backend: Literal["opensearch", "tantivy"] = "tantivy"
    opensearch_url: str | None = None
    opensearch_index: str = "articles"
    tantivy_path: str = ".newsflow/index"
    fetch_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    allow_private_fetch: bool = Field(default=False, description="Local only: lets the poller read 127.0.0.1.")
    poll_max_feeds: int = Field(default=200, ge=1, le=10_000)
    fulltext_queue_url: str | None = Field(default=None, description="Unset: teasers go straight to ingest.")
    fulltext_dlq_url: str | None = None
    fulltext_mode: FullTextMode = "auto"
    fulltext_min_words: int = Field(default=150, ge=0, le=100_000)
    fulltext_host_gap_seconds: float = Field(default=1.0, ge=0, le=60)
    fulltext_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    fulltext_max_bytes: int = Field(default=5 * 1024 * 1024, ge=64 * 1024, le=50 * 1024 * 1024)
    stage: str = "local"
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="Comma-separated origins the API allows."
    )
    taxonomy_path: str | None = Field(default=None, description="A replacement taxonomy.toml.")
    category_model_path: str | None = Field(default=None, description="A replacement category model.")
    ingest_prepare_processes: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Local stack only: worker processes that prepare ingest's items (0: in the handler, as in Lambda).",
    )
    ingest_store_concurrency: int = Field(
        default=10,
        ge=1,
        le=32,
        description=(
            "Items of one ingest batch stored at the same time (threads): their DynamoDB and search round trips "
            "overlap instead of adding up. 1: one after another."
        ),
    )
    story: StoryThresholds = Field(default_factory=StoryThresholds, description="Near-duplicate thresholds.")
    region: str | None = Field(
        default=None, validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"), description="Lambda's."
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())
        return value

    @model_validator(mode="after")
    def _backend_needs_url(self) -> Settings:
        if self.search_backend == "opensearch" and not self.opensearch_url:
            raise ValueError(f"{c.ENV_OPENSEARCH_URL} is required when {c.ENV_SEARCH_BACKEND}=opensearch")
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from `environ` (default: the process environment); SettingsError lists every problem."""
        token = _ENVIRON.set(environ)
        try:
            return cls()
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
            raise SettingsError(f"invalid newsflow settings: {problems}") from exc
        finally:
            _ENVIRON.reset(token)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment only (no .env file, no secrets directory): the process's, or the one given."""
        environ = _ENVIRON.get()
        return (init_settings, env_settings if environ is None else _GivenEnvironment(settings_cls, environ))


class _GivenEnvironment(EnvSettingsSource):
    """EnvSettingsSource over a given mapping instead of os.environ (`Settings.from_env(environ)`)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._given = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._given, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("newsflow_settings_environ", default=None)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()


def reset_settings_cache() -> None:
    """Tests and the local stack change the environment; this forgets the cached settings."""
    get_settings.cache_clear()
