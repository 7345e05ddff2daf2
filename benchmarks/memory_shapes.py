"""One memory measurement, in its own interpreter: `python -m benchmarks.memory_shapes SHAPE SIZE_MB`.

Builds the input first, then prints (JSON) the peak RSS that parsing it added, the time and the outcome.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://e.com/</link>'
ONE_ITEM = b"<item><title>x</title><link>https://e.com/a</link>"
END = b"</item></channel></rss>"
JSON_HEAD = b'{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","url":"https://e.com/a",'
PAGE_HEAD = "<!doctype html><html><head><title>Page</title></head><body><article><h1>Headline</h1>"
PAGE_END = "</article></body></html>"
SENTENCE = "Markets rose as investors weighed the outlook for interest rates and growth."


def _fill(unit: Any, room: int) -> Any:
    return unit * max(1, room // len(unit))


def feed(shape: str, size: int) -> bytes:
    if shape == "feed-deep":
        n = (size - 300) // 7
        return RSS + ONE_ITEM + b"<x>" + b"<a>" * n + b"</a>" * n + b"</x>" + END
    if shape == "feed-wide":  # 500 entries (the cap) of many small elements, just under the element limit
        item = b"<item><title>T %d</title><link>https://e.com/%d</link>" + b"<category>c</category>" * 190 + b"</item>"
        return RSS + b"".join(item % (i, i) for i in range(500)) + b"</channel></rss>"
    if shape == "feed-entities":
        return RSS + ONE_ITEM + b"<description>" + _fill(b"&amp;", size - 300) + b"</description>" + END
    if shape == "feed-entities-at-limit":
        return RSS + ONE_ITEM + b"<description>" + b"&amp;x" * 990_000 + b"</description>" + END
    if shape == "feed-long-entries":  # 500 entries of escaped HTML: the biggest ordinary feed
        body = _fill(f"&lt;p&gt;{SENTENCE}&lt;/p&gt;".encode(), (size - 1000) // 500 - 200)
        item = b"<item><title>T %d</title><link>https://e.com/%d</link><description>" + body + b"</description></item>"
        return RSS + b"".join(item % (i, i) for i in range(500)) + b"</channel></rss>"
    if shape == "json-deep":
        n = (size - 300) // 2
        return JSON_HEAD + b'"title":"x","_x":' + b"[" * n + b"]" * n + b"}]}"
    if shape == "json-wide":
        return JSON_HEAD + b'"title":"x","_x":[' + _fill(b"[1],", size - 300) + b"[1]]}]}"
    raise SystemExit(f"unknown shape {shape}")


def page(shape: str, size: int) -> str:
    if shape == "page-deep":
        n = (size - 200) // 11
        return PAGE_HEAD + "<div>" * n + "<p>deep</p>" + "</div>" * n + PAGE_END
    if shape == "page-wide":
        return PAGE_HEAD + _fill("<p>Paragraph text.</p>", size - 200) + PAGE_END
    if shape == "page-entities":
        return PAGE_HEAD + "<p>" + _fill("&amp;", size - 200) + "</p>" + PAGE_END
    if shape == "page-article":
        return PAGE_HEAD + _fill(f"<p>{SENTENCE}</p>", size - 200) + PAGE_END
    raise SystemExit(f"unknown shape {shape}")


def main(shape: str, size_mb: int) -> dict[str, Any]:
    size = size_mb * 1024 * 1024
    call: Callable[[], Any]
    if shape.startswith("page"):
        from newsflow.normalise.page import extract_page

        markup = page(shape, size)
        length = len(markup)

        def call() -> Any:
            return extract_page(markup, "https://e.com/a")
    else:
        from newsflow.feeds.parse import parse_feed

        content = feed(shape, size)
        length = len(content)

        def call() -> Any:
            return parse_feed(content, feed_url="https://e.com/feed", max_bytes=size + 1024 * 1024)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        result = call()
        outcome = f"{len(result.items)} items" if hasattr(result, "items") else f"{len(result.body_text)} chars"
    except Exception as error:
        outcome = f"{type(error).__name__}: {str(error)[:70]}"
    elapsed = time.perf_counter() - started
    added = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return {"input_mb": length / 1048576, "added_mb": added, "seconds": elapsed, "outcome": outcome}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
