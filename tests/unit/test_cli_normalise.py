"""`newsflow normalise`: pages, feeds and FeedItem JSON through the same normalise + categorise path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from newsflow.cli import main

PAGES = Path(__file__).parent / "normalise" / "pages"
ARTICLE_URL = "https://www.coastline-watch.example/economy/harbour-cranes-return"

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Wire</title><link>https://wire.example.com/</link>
<item><title>Cranes return | Harbour Wire</title><link>https://wire.example.com/2026/11/02/cranes</link>
<description>&lt;p&gt;Dock workers ended a nine-day strike.&lt;/p&gt;</description>
<pubDate>Mon, 02 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>Rail freight rebounds</title><link>https://wire.example.com/rail</link>
<description>Grain lifted rail freight volumes.</description></item>
</channel></rss>"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["normalise", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_saved_page_becomes_one_article(capsys: pytest.CaptureFixture[str]) -> None:
    # Given a saved whole page and its original URL
    page = str(PAGES / "article_with_boilerplate.html")
    # When normalised as JSON
    code, out, _ = run(capsys, page, "--url", ARTICLE_URL + "?utm_source=newsletter")
    # Then one Article object comes out, title from the page, categorised, boilerplate gone
    assert code == 0
    article = json.loads(out)
    assert article["title"] == "Harbour cranes return to Port Ellery after strike"
    assert article["url"] == ARTICLE_URL
    assert article["category"] == "automotive-transportation"  # a port strike: ports are transport
    assert article["published_at"] == "2026-11-02T07:15:00Z"
    assert article["body_text"].startswith("Container cranes at Port Ellery")
    assert "Related Posts" not in article["body_text"]
    assert article["reading_time_minutes"] == 1


def test_without_url_the_pages_canonical_url_is_used(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(PAGES / "article_with_boilerplate.html"))
    assert code == 0
    assert json.loads(out)["url"] == ARTICLE_URL


def test_text_format_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(PAGES / "article_with_boilerplate.html"), "--format", "text")
    assert code == 0
    assert out.startswith("Harbour cranes return to Port Ellery after strike\n")
    assert "authors:      Mara Lindqvist, Tom Okafor" in out
    assert "\nContainer cranes at Port Ellery" in out


def test_a_feed_file_gives_one_json_line_per_entry(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    feed = tmp_path / "wire.xml"
    feed.write_text(RSS, encoding="utf-8")
    code, out, _ = run(capsys, str(feed))
    assert code == 0
    articles = [json.loads(line) for line in out.splitlines()]
    assert [a["title"] for a in articles] == ["Cranes return", "Rail freight rebounds"]
    assert articles[0]["published_at"] == "2026-11-02T08:00:00Z"
    assert articles[0]["source_name"] == "Harbour Wire"


def test_a_json_feed_item_and_jsonl(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    item = {"url": "https://x.example.com/a", "title": "Chip exports slump", "content_text": "Exports fell 9%."}
    single = tmp_path / "item.json"
    single.write_text(json.dumps(item))
    code, out, _ = run(capsys, str(single))
    assert code == 0
    assert json.loads(out)["title"] == "Chip exports slump"
    lines = tmp_path / "items.jsonl"
    lines.write_text(json.dumps(item) + "\n" + json.dumps({**item, "url": "https://x.example.com/b"}) + "\n")
    code, out, _ = run(capsys, str(lines))
    assert code == 0
    assert len(out.splitlines()) == 2


def test_a_rejected_item_is_reported_with_its_reason(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    nav_only = tmp_path / "nav.html"
    shutil.copy(PAGES / "navigation_only.html", nav_only)
    code, _, err = run(capsys, str(nav_only), "--url", "https://www.coastline-watch.example/")
    assert code == 1
    assert "rejected: no_article_content" in err


def test_missing_or_untitled_input_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, str(tmp_path / "nope.html"))
    assert code == 2
    assert "no such file" in err
    untitled = tmp_path / "untitled.html"
    untitled.write_text("<html><body><p>No title anywhere.</p></body></html>")
    code, _, err = run(capsys, str(untitled))
    assert code == 2
    assert "no title" in err


def test_a_url_refused_by_the_ssrf_policy_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "http://127.0.0.1:9/page.html")
    assert code == 2
    assert "cannot fetch" in err
