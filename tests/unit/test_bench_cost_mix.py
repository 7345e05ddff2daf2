"""The cost benchmark's feed-guid mix: counted per feed over a folder of feeds, and applied to the items."""

from __future__ import annotations

from pathlib import Path

from newsflow.models import FeedItem, SourceInfo

from benchmarks.bench_cost import COUNTED_GUID_SHARES, guid_shares, with_guid_mix

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link>
{items}</channel></rss>"""


def _rss(items: list[tuple[str, str | None]]) -> str:
    parts = []
    for link, guid in items:
        guid_tag = f"<guid>{guid}</guid>" if guid else ""
        parts.append(
            f"<item><title>Item at {link}</title><link>{link}</link>{guid_tag}<description>d</description></item>"
        )
    return RSS.format(items="".join(parts))


def test_shares_are_counted_per_feed_whatever_its_length(tmp_path: Path) -> None:
    # Given a feed whose guids are its links (3 items), one without guids (1 item), one with other guids (6)
    (tmp_path / "permalinks.xml").write_text(
        _rss([(f"https://a.example/{n}", f"https://a.example/{n}") for n in range(3)])
    )
    (tmp_path / "no-guids.xml").write_text(_rss([("https://b.example/1", None)]))
    (tmp_path / "ids.xml").write_text(_rss([(f"https://c.example/{n}", f"c-{n}") for n in range(6)]))
    (tmp_path / "broken.xml").write_text("<rss><channel")
    shares, origin = guid_shares(tmp_path)
    # Then each parsable feed weighs a third, and the source is named
    assert shares == {"url": 1 / 3, "none": 1 / 3, "other": 1 / 3}
    assert "3 feeds, 10 items" in origin
    # And without the folder the counted shares are used
    assert guid_shares(tmp_path / "absent")[0] == COUNTED_GUID_SHARES


def test_the_items_are_relabelled_to_the_shares() -> None:
    source = SourceInfo(name="Example")
    items = [
        FeedItem(url=f"https://news.example/{n}", guid=f"https://news.example/?p={n}", title=f"t{n}", source=source)
        for n in range(10)
    ]
    mixed = with_guid_mix(items, {"url": 0.46, "none": 0.19, "other": 0.35})
    kinds = ["url" if i.guid == i.url else "none" if i.guid is None else "other" for i in mixed]
    # Largest remainder: 4.6 -> 5, 1.9 -> 2, 3.5 -> 3
    assert (kinds.count("url"), kinds.count("none"), kinds.count("other")) == (5, 2, 3)
    # "other" guids are never URLs, and nothing but the guid changed
    assert all(not str(i.guid).startswith("http") for i, k in zip(mixed, kinds, strict=True) if k == "other")
    assert [i.model_copy(update={"guid": None}) for i in mixed] == [i.model_copy(update={"guid": None}) for i in items]
    # And the labelling is the same every run
    assert with_guid_mix(items, {"url": 0.46, "none": 0.19, "other": 0.35}) == mixed
