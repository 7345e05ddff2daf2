"""`newsflow normalise FILE_OR_URL [--url ORIGINAL_URL] [--format json|text]`: show what ingest would store.

The input is read as:
- a saved HTML page (or a URL answering with HTML): one FeedItem with the page as `content_html`, its
  title from the page (og:title, <title>, <h1>) and `--url` (else the page's canonical URL) as its URL;
- a feed (RSS / Atom / RDF / JSON Feed; file or URL): one article per entry;
- a JSON FeedItem (an object, or a list of them) or a .jsonl file of FeedItems: one article per item.

Each item goes through `normalise_item` and `build_article`, exactly as in the ingest Lambda (categories
included). `--format json` prints one JSON object per article (one per line when there are several);
`text` prints a readable summary and the body. An item that ingest would reject is reported on stderr with
its reason, and the exit status is 1. URLs are fetched with the SSRF-safe FeedFetcher.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from newsflow.errors import FeedError, PermanentItemError
from newsflow.models import Article, FeedItem

MAX_INPUT_BYTES = 20 * 1024 * 1024
_FEED_MARKERS = (b"<rss", b"<feed", b"<rdf:rdf", b"<channel")


class InputError(Exception):
    """The input cannot be read as a page, a feed or FeedItems."""


def _read(target: str) -> tuple[bytes, str | None, str | None]:
    """(content, content type, final URL) of a file or an http(s) URL."""
    if target.lower().startswith(("http://", "https://")):
        from newsflow.feeds.fetch import FeedFetcher

        try:
            result = FeedFetcher(timeout_seconds=20.0, max_bytes=MAX_INPUT_BYTES).fetch(target)
        except FeedError as error:
            raise InputError(f"cannot fetch {target}: {error}") from error
        if result.status >= 400:
            raise InputError(f"cannot fetch {target}: HTTP {result.status}")
        return result.body, result.content_type, result.final_url
    path = Path(target)
    if not path.is_file():
        raise InputError(f"no such file: {target}")
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise InputError(f"{target} is larger than {MAX_INPUT_BYTES} bytes")
    return path.read_bytes(), None, None


def _is_feed(content: bytes, content_type: str | None) -> bool:
    head = content[:2048].lstrip().lower()
    if content_type and any(kind in content_type.lower() for kind in ("rss", "atom", "feed+json", "rdf")):
        return True
    if head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed"):
        return any(marker in head for marker in _FEED_MARKERS)
    return False


def _feed_items(content: bytes, content_type: str | None, feed_url: str) -> list[FeedItem]:
    from newsflow.feeds.parse import parse_feed

    try:
        parsed = parse_feed(content, feed_url=feed_url, content_type=content_type)
    except FeedError as error:
        raise InputError(f"not a usable feed: {error}") from error
    for skipped in parsed.skipped:
        print(f"skipped feed entry {skipped.index}: {skipped.reason} {skipped.detail}".rstrip(), file=sys.stderr)
    return parsed.items


def _json_items(content: bytes, target: str) -> list[FeedItem] | None:
    """FeedItems from a JSON object / list / JSON lines; None when the content is not JSON at all."""
    text = content.decode("utf-8", "replace").strip()
    if not text or text[0] not in "[{":
        return None
    try:
        documents: list[Any] = [json.loads(text)]
    except json.JSONDecodeError:
        try:
            documents = [json.loads(line) for line in text.splitlines() if line.strip()]
        except (ValueError, RecursionError) as error:
            raise InputError(f"{target}: invalid JSON ({error})") from error
    except (ValueError, RecursionError) as error:  # nested too deep, an integer too long to convert
        raise InputError(f"{target}: JSON that cannot be read ({type(error).__name__}: {error})") from error
    if len(documents) == 1 and isinstance(documents[0], list):
        documents = documents[0]
    if len(documents) == 1 and isinstance(documents[0], dict):
        document = documents[0]
        if "jsonfeed" in str(document.get("version", "")) or (
            isinstance(document.get("items"), list) and "title" not in document
        ):
            return None  # a JSON Feed: the feed parser reads it
    items: list[FeedItem] = []
    for index, document in enumerate(documents):
        try:
            items.append(FeedItem.model_validate(document))
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'item'}: {e['msg']}" for e in error.errors()[:5])
            print(f"item {index}: schema_violation: {problems}", file=sys.stderr)
    return items


def _page_item(content: bytes, content_type: str | None, url: str | None, target: str) -> FeedItem:
    from newsflow.normalise.encoding import decode_bytes
    from newsflow.normalise.page import parse_page
    from newsflow.normalise.pagemeta import read_metadata
    from newsflow.normalise.urls import is_http_url

    markup, _ = decode_bytes(content, content_type)
    root = parse_page(markup)
    if root is None:
        raise InputError(f"{target}: not an HTML page")
    meta = read_metadata(root)
    title = meta.og_title or meta.html_title or meta.h1 or meta.title
    if not title:
        raise InputError(f"{target}: the page has no title (<title>, og:title or <h1>)")
    page_url = url or next((u for u in (meta.canonical_url, meta.og_url) if is_http_url(u)), None)
    identity: dict[str, str] = {"url": page_url} if page_url else {"guid": f"file:{Path(target).resolve()}"}
    return FeedItem.model_validate({**identity, "title": title[:20_000], "content_html": markup})


def _items(target: str, url: str | None) -> list[FeedItem]:
    content, content_type, final_url = _read(target)
    if not content.strip():
        raise InputError(f"{target} is empty")
    if _is_feed(content, content_type):
        return _feed_items(content, content_type, final_url or url or "https://feed.invalid/")
    json_items = _json_items(content, target)
    if json_items is not None:
        return json_items
    if content.lstrip()[:1] in (b"{", b"["):
        return _feed_items(content, content_type, final_url or url or "https://feed.invalid/")
    return [_page_item(content, content_type, url or final_url, target)]


def _as_text(article: Article) -> str:
    lines = [
        article.title,
        "=" * min(len(article.title), 100),
        f"url:          {article.url or '-'}",
        f"id:           {article.id}",
        f"source:       {article.source_name or '-'} ({article.source_domain or '-'})",
        f"published:    {article.published_at.isoformat() if article.published_at else '-'}",
        f"updated:      {article.updated_at.isoformat() if article.updated_at else '-'}",
        f"authors:      {', '.join(article.authors) or '-'}",
        f"language:     {article.language or '-'}",
        f"category:     {article.category} ({', '.join(c.slug for c in article.categories) or '-'})",
        f"image:        {article.image_url or '-'}",
        f"words:        {article.word_count} ({article.reading_time_minutes} min read)",
        f"summary:      {article.summary or '-'}",
        "",
        article.body_text,
    ]
    return "\n".join(lines)


def _cmd_normalise(args: argparse.Namespace) -> int:
    from newsflow.normalise import normalise_item
    from newsflow.pipeline import build_article

    try:
        items = _items(args.target, args.url)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not items:
        print("error: no items found", file=sys.stderr)
        return 1
    now = datetime.now(UTC)
    failed = 0
    outputs: list[str] = []
    for index, item in enumerate(items):
        try:
            article = build_article(normalise_item(item, now=now), now)
        except PermanentItemError as error:
            failed += 1
            print(f"item {index}: rejected: {error.reason}: {error.detail}".rstrip(": "), file=sys.stderr)
            continue
        if args.format == "json":
            outputs.append(json.dumps(article.model_dump(mode="json"), ensure_ascii=False))
        else:
            outputs.append(_as_text(article))
    print(("\n" if args.format == "json" else "\n\n" + "-" * 100 + "\n\n").join(outputs))
    return 1 if failed else 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "normalise",
        help="normalise a saved page, a feed or FeedItem JSON and print the article(s) ingest would store",
    )
    parser.add_argument("target", metavar="FILE_OR_URL", help="an HTML page, a feed, a FeedItem .json/.jsonl, or a URL")
    parser.add_argument("--url", help="the page's original URL (for a saved page: identity and base for links)")
    parser.add_argument("--format", choices=["json", "text"], default="json", help="output format (default json)")
    parser.set_defaults(func=_cmd_normalise)
