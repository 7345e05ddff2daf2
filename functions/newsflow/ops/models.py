"""Messages of the ops function: requests, reports, the stream on-failure record, the reindex cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# DynamoDB Streams keeps records for 24 hours.
STREAM_RETENTION = timedelta(hours=24)
_DIGITS = r"^[0-9]{1,64}$"


class StreamBatchInfo(BaseModel):
    """`DDBStreamBatchInfo` of a Lambda stream on-failure record: where the discarded batch sits in the stream."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    stream_arn: str = Field(alias="streamArn", pattern=r"^arn:aws[a-z-]*:dynamodb:[^:]*:[0-9]*:table/[^/]+/stream/.+")
    shard_id: str = Field(alias="shardId", min_length=1, max_length=128)
    start_sequence_number: str = Field(alias="startSequenceNumber", pattern=_DIGITS)
    end_sequence_number: str = Field(alias="endSequenceNumber", pattern=_DIGITS)
    batch_size: int = Field(alias="batchSize", ge=0)
    approximate_arrival_of_first_record: datetime | None = Field(default=None, alias="approximateArrivalOfFirstRecord")
    approximate_arrival_of_last_record: datetime | None = Field(default=None, alias="approximateArrivalOfLastRecord")

    @model_validator(mode="after")
    def _ordered(self) -> StreamBatchInfo:
        if int(self.start_sequence_number) > int(self.end_sequence_number):
            raise ValueError("startSequenceNumber is after endSequenceNumber")
        return self

    def expired(self, now: datetime) -> bool:
        """True when the first record is older than the stream's retention (its data is gone)."""
        first = self.approximate_arrival_of_first_record
        if first is None:
            return False
        first = first if first.tzinfo else first.replace(tzinfo=UTC)
        return now - first > STREAM_RETENTION


class FailureRequestContext(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    condition: str = ""
    approximate_invoke_count: int = Field(default=0, alias="approximateInvokeCount")
    function_arn: str = Field(default="", alias="functionArn")


class StreamFailureRecord(BaseModel):
    """What Lambda sends to a stream event source mapping's on-failure destination (an SQS message body)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    batch: StreamBatchInfo = Field(alias="DDBStreamBatchInfo")
    request_context: FailureRequestContext = Field(default_factory=FailureRequestContext, alias="requestContext")
    timestamp: datetime | None = None
    version: str = "1.0"


class StreamChangeKey(BaseModel):
    """One stream record, reduced to what a replay needs: position, event and the item's key."""

    sequence_number: str
    event_name: str = ""
    keys: dict[str, str]


# ---------------------------------------------------------------------------------------------- requests


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["replay-index-failures"] = "replay-index-failures"
    max_messages: int = Field(default=100, ge=1, le=10_000)
    dry_run: bool = False
    discard_unreplayable: bool = Field(
        default=False, description="Delete malformed and expired messages after reporting them."
    )


class ReindexCursor(BaseModel):
    """Where a resumable reindex stands; the CLI passes it back until the reindex is done."""

    model_config = ConfigDict(extra="forbid")

    index: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,200}$", description="The index (or tantivy generation) being built."
    )
    phase: Literal["fill", "catch-up", "swap"] = "fill"
    start_key: dict[str, str] | None = Field(default=None, description="The next scan page starts after this key.")
    written: int = 0
    failed: int = 0
    caught_up: int = 0
    pages: int = 0
    started_at: datetime

    @field_validator("start_key")
    @classmethod
    def _key_shape(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is not None and set(value) != {"pk", "sk"}:
            raise ValueError("start_key must hold exactly pk and sk")
        return value


class ReindexRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["reindex"] = "reindex"
    cursor: ReindexCursor | None = None
    page_size: int = Field(default=500, ge=1, le=1000)
    delete_old: bool = False
    shards: int = Field(default=1, ge=1, le=50, description="OpenSearch: primary shards of the new index.")
    replicas: int | None = Field(default=None, ge=0, le=10, description="OpenSearch: replicas (default: cluster's).")
    budget_seconds: float = Field(default=600, gt=0, le=900, description="Stop and return a cursor after this.")


class ReconcileRequest(BaseModel):
    """Compare the index with the table month by month (counts, version digests) and repair the drift."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["reconcile"] = "reconcile"
    months: int = Field(default=0, ge=0, le=1200, description="Only the newest N months (0: every month).")
    dry_run: bool = False


OpsRequest = Annotated[ReplayRequest | ReindexRequest | ReconcileRequest, Field(discriminator="action")]


class OpsEnvelope(BaseModel):
    request: OpsRequest

    @classmethod
    def parse(cls, event: Any) -> ReplayRequest | ReindexRequest | ReconcileRequest:
        return cls.model_validate({"request": event}).request


# ---------------------------------------------------------------------------------------------- reports

Outcome = Literal["replayed", "expired", "malformed", "failed", "incomplete", "would-replay"]


class ReplayedMessage(BaseModel):
    message_id: str
    outcome: Outcome
    detail: str = ""
    shard_id: str | None = None
    sequence_range: str | None = None
    records: int = 0
    upserted: list[str] = Field(default_factory=list, description="Article ids re-indexed from the table.")
    deleted: list[str] = Field(default_factory=list, description="Article ids gone from the table, so unindexed.")
    deleted_message: bool = False


class ReplayReport(BaseModel):
    status: Literal["ok"] = "ok"
    messages: list[ReplayedMessage] = Field(default_factory=list)
    stopped_early: bool = Field(default=False, description="Time or message budget ran out; run it again.")

    def count(self, outcome: Outcome) -> int:
        return sum(1 for m in self.messages if m.outcome == outcome)


class ReindexReport(BaseModel):
    status: Literal["ok"] = "ok"
    done: bool
    cursor: ReindexCursor | None = Field(default=None, description="Pass back in the next request until done.")
    index: str
    written: int
    failed: int
    caught_up: int
    old_indices: list[str] = Field(default_factory=list)
    deleted_indices: list[str] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list, description="A few failure reasons, for the operator.")


class OpsError(BaseModel):
    status: Literal["error"] = "error"
    message: str
