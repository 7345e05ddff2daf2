"""The normalisation stages and the one merge rule (item, else page metadata, else derived)."""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.models import FeedItem
from newsflow.normalise.stages import Identity, extract_body, identify, prefer, resolve_dates, resolve_language

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def item(**fields: object) -> FeedItem:
    fields.setdefault("title", "Tide barrier vote")
    return FeedItem.model_validate(fields)


class TestPrefer:
    def test_the_item_wins_then_the_page_then_the_derived_value(self) -> None:
        derived_calls: list[int] = []

        def derived() -> str:
            derived_calls.append(1)
            return "derived"

        assert prefer("item", "page", derived) == "item"
        assert prefer(None, "page", derived) == "page"
        assert prefer("", None, derived) == "derived"
        assert prefer([], [], None) is None
        # The derived value is computed only when both others are missing.
        assert derived_calls == [1]


class TestStages:
    def test_identity_is_the_canonical_url_else_the_guid_within_its_source(self) -> None:
        guid_only = identify(item(guid="tag:gazette,2026:1", source={"name": "Harbour Gazette"}))
        assert guid_only.url is None
        assert guid_only.guid == "tag:gazette,2026:1"
        assert guid_only.source_key == "Harbour Gazette"
        found = identify(item(guid="https://www.harbour-gazette.example/a?utm_source=x"))
        assert found.url == "https://www.harbour-gazette.example/a"

    def test_dates_fall_back_from_the_item_to_the_url(self) -> None:
        raw = item(url="https://www.harbour-gazette.example/2026/11/03/tide-barrier", summary="<p>Short</p>")
        identity: Identity = identify(raw)
        body = extract_body(raw, identity)
        dates = resolve_dates(raw, body, identity, now=NOW)
        assert dates.published_at == datetime(2026, 11, 3, tzinfo=UTC)
        assert dates.updated_at is None
        dated = item(url=raw.url, published="2026-11-04T08:00:00Z")
        assert resolve_dates(dated, body, identity, now=NOW).published_at == datetime(2026, 11, 4, 8, tzinfo=UTC)

    def test_language_is_declared_else_detected(self) -> None:
        text = "Der Gemeinderat hat am Dienstag beschlossen, das neue Sperrwerk zu bauen, und die Anwohner sind froh."
        raw = item(url="https://www.harbour-gazette.example/a", content_text=text)
        body = extract_body(raw, identify(raw))
        assert resolve_language(raw, "Sperrwerk", body) == "de"
        declared = item(url=raw.url, content_text=text, language="en-GB")
        assert resolve_language(declared, "Sperrwerk", body) == "en"


class TestPageAuthors:
    PAGE = (
        "<!DOCTYPE html><html><head><title>Tide barrier vote</title></head><body><article>"
        "<p class='byline'>By Ana Ruiz</p>"
        + "".join(
            f"<p>The council voted on Tuesday to fund the new tide barrier after winter number {i} of floods.</p>"
            for i in range(12)
        )
        + "</article></body></html>"
    )

    def test_the_byline_is_searched_only_when_the_item_names_no_author(self) -> None:
        url = "https://www.harbour-gazette.example/a"
        named = item(url=url, content_html=self.PAGE, authors=["Desk Editor"])
        assert extract_body(named, identify(named)).metadata.authors == []  # not searched: the item's wins
        anonymous = item(url=url, content_html=self.PAGE)
        assert extract_body(anonymous, identify(anonymous)).metadata.authors == ["By Ana Ruiz"]
        # An item whose only "author" is an address cleans to nothing: the page's byline is still read.
        address_only = item(url=url, content_html=self.PAGE, authors=["desk@example.com"])
        assert extract_body(address_only, identify(address_only)).metadata.authors == ["By Ana Ruiz"]
