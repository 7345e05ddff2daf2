"""Apply a batch of table changes to the search index (plain Python: the index handler wires it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from newsflow.search.port import SearchDocument, SearchIndex
from newsflow.store.codec import item_to_article
from newsflow.stories.indexed import indexed_document
from newsflow.stories.match import StoryThresholds

# Stored article images -> their search documents, in order (a string: why that image could not be decoded).
# The index handler builds them itself (`build_documents`); the local stack hands them to its worker processes.
DocumentBuilder = Callable[[list[dict[str, Any]]], list["SearchDocument | str"]]


class StreamChange(BaseModel):
    sequence_number: str
    keys: dict[str, Any]
    removed: bool
    new_image: dict[str, Any] | None = None


class IndexReport(BaseModel):
    upserted: int = 0
    deleted: int = 0
    skipped: int = 0
    failed: dict[str, str] = Field(default_factory=dict, description="sequence number -> reason")

    def failed_sequence_numbers(self) -> list[str]:
        # Streams retry from the lowest reported sequence number; report them all, oldest first.
        return sorted(self.failed, key=lambda s: (len(s), s))


def article_id_of(keys: dict[str, Any]) -> str | None:
    pk = str(keys.get("pk", ""))
    return pk.removeprefix("ART#") if pk.startswith("ART#") else None


def build_documents(images: list[dict[str, Any]], thresholds: StoryThresholds) -> list[SearchDocument | str]:
    """Each stored article image's search document (decompressed, sketched, filed under its band keys)."""
    built: list[SearchDocument | str] = []
    for image in images:
        try:
            built.append(indexed_document(item_to_article(image), thresholds))
        except Exception as error:  # a corrupt image must not block the rest of the batch
            built.append(f"undecodable article: {error}")
    return built


def apply_changes(changes: list[StreamChange], index: SearchIndex, build: DocumentBuilder) -> IndexReport:
    report = IndexReport()
    latest: dict[str, StreamChange] = {}
    for change in changes:
        article_id = article_id_of(change.keys)
        if article_id is None:
            report.skipped += 1  # feeds, body-hash keys, category markers: not searchable
            continue
        latest[article_id] = change  # stream order: the last change of an article wins

    sequence_of: dict[str, str] = {}
    to_delete: list[str] = []
    images: dict[str, dict[str, Any]] = {}
    for article_id, change in latest.items():
        sequence_of[article_id] = change.sequence_number
        if change.removed:
            to_delete.append(article_id)
            continue
        if not change.new_image or "doc" not in change.new_image:
            report.failed[change.sequence_number] = "no new image on the record (stream view type?)"
            continue
        images[article_id] = change.new_image

    documents: dict[str, SearchDocument] = {}
    for article_id, built in zip(images, build(list(images.values())) if images else [], strict=True):
        if isinstance(built, str):
            report.failed[sequence_of[article_id]] = built
        else:
            documents[article_id] = built

    if documents:
        failures = index.upsert(list(documents.values()))
        for failure in failures:
            report.failed[sequence_of[failure.id]] = failure.reason
        report.upserted = len(documents) - len(failures)
    if to_delete:
        failures = index.delete(to_delete)
        for failure in failures:
            report.failed[sequence_of[failure.id]] = failure.reason
        report.deleted = len(to_delete) - len(failures)
    return report
