"""The categorisation development set: real items from ../shared/data, labelled by the newsflow developers.

`benchmarks/data/categories_dev.tsv` holds, per line, an item identifier and the labels an editor of the
site gave it (first = primary; several when the item truly belongs to two sections), never the text:
the text is read from ../shared/data at run time (research licences: nothing of it is copied into the
repository or trained on). The identifiers use the notation of categories/RESERVED.txt:

    bbc/business/012.txt                    a BBC file
    ag_news_csv/test.csv row 17             an AG News test row (1-based, no header)
    reuters21578/reut2-003.sgm NEWID=3410   a Reuters-21578 document
    feeds/rssparser-guardian.rss entry 4    a feed file's entry (0-based, as parse_feed returns them)

Items listed in RESERVED.txt are never drawn, read or labelled (`reserved_ids` reads only the ids, and
`load_dev` refuses a dev line that names one). The set is split in two halves by a hash of the id:
"tune" (used while developing the rule and training data) and "report" (looked at only to report).
"""

from __future__ import annotations

import csv
import hashlib
import html
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from benchmarks.common import REPO_ROOT, SHARED_DATA

DEV_PATH = REPO_ROOT / "benchmarks" / "data" / "categories_dev.tsv"
# ../shared/data next to the repository, or where NEWSFLOW_SHARED_DATA points (a worktree elsewhere).
DATA_ROOT = Path(os.environ.get("NEWSFLOW_SHARED_DATA") or SHARED_DATA)
CATEGORIES = DATA_ROOT / "categories"
FEEDS = DATA_ROOT / "feeds"


@dataclass(slots=True)
class DevItem:
    id: str
    labels: list[str]
    title: str
    summary: str = ""
    body: str = ""
    tags: list[str] = field(default_factory=list)
    url: str | None = None

    @property
    def half(self) -> str:
        return "tune" if hashlib.sha256(self.id.encode()).digest()[0] % 2 == 0 else "report"


def reserved_ids() -> frozenset[str]:
    path = CATEGORIES / "RESERVED.txt"
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(" ".join(line.split()) for line in lines if line.strip() and not line.startswith("#"))


@cache
def _ag_rows() -> list[list[str]]:
    with (CATEGORIES / "ag_news_csv" / "test.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


_DOC = re.compile(r"<REUTERS([^>]*)>(.*?)</REUTERS>", re.S)


def _tag(text: str, name: str) -> str:
    match = re.search(rf"<{name}>(.*?)</{name}>", text, re.S)
    return html.unescape(match.group(1)).replace("\x03", "").strip() if match else ""


@cache
def _reuters(file: str) -> dict[str, tuple[str, str, list[str]]]:
    text = (CATEGORIES / "reuters21578" / file).read_bytes().decode("latin-1")
    docs: dict[str, tuple[str, str, list[str]]] = {}
    for attributes, doc in _DOC.findall(text):
        newid = re.search(r'NEWID="(\d+)"', attributes)
        if newid:
            topics = re.findall(r"<D>(.*?)</D>", _tag(doc, "TOPICS"))
            docs[newid.group(1)] = (_tag(doc, "TITLE"), _tag(doc, "BODY"), topics)
    return docs


@cache
def _feed(file: str) -> list[tuple[str, str, str, list[str], str | None]]:
    from datetime import UTC, datetime

    from newsflow.feeds import parse_feed
    from newsflow.normalise import normalise_item

    parsed = parse_feed((FEEDS / file).read_bytes(), feed_url=f"https://feeds.example.com/{file}")
    now = datetime.now(UTC)
    out = []
    for raw in parsed.items:
        item = normalise_item(raw, now=now)
        out.append((item.title, item.summary, item.body_text, list(item.feed_tags), item.url))
    return out


def resolve(item_id: str) -> tuple[str, str, str, list[str], str | None]:
    """(title, summary, body, feed tags, url) of one identifier; KeyError if it names nothing."""
    source, _, rest = item_id.partition("/")
    if source == "bbc":
        title, _, body = (CATEGORIES / item_id).read_text(encoding="utf-8", errors="replace").partition("\n")
        return title.strip(), "", body.strip(), [], None
    if source == "ag_news_csv":
        row = _ag_rows()[int(rest.split(" row ")[1]) - 1]
        return html.unescape(row[1]), html.unescape(row[2].replace("\\", " ")), "", [], None
    if source == "reuters21578":
        file, _, newid = rest.partition(" NEWID=")
        title, body, _ = _reuters(file)[newid]
        return title, "", body, [], None
    if source == "feeds":
        file, _, index = rest.partition(" entry ")
        return _feed(file)[int(index)]
    raise KeyError(item_id)


def load_dev(path: Path = DEV_PATH) -> list[DevItem]:
    """The labelled development items with their text (empty when ../shared/data is absent)."""
    if not CATEGORIES.is_dir():
        return []
    reserved = reserved_ids()
    items: list[DevItem] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        item_id, labels = line.split("\t")[:2]
        if item_id in reserved:
            raise ValueError(f"{path}: {item_id} is reserved for the independent check")
        title, summary, body, tags, url = resolve(item_id)
        items.append(DevItem(item_id, labels.split(","), title, summary, body, tags, url))
    return items
