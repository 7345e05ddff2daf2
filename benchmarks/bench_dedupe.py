"""Near-duplicate detection on BBC News: true duplicates in the corpus, and generated republisher edits.

Reads ../shared/data/categories/bbc (skips cleanly when absent), leaving out every item listed in
categories/RESERVED.txt. Nothing from it is stored in the repo.

1. Every distinct BBC article is filed into an in-memory candidate index with the same logic and keys
   as the search-index one (`stories/indexed.py`: one search over an article's keys), in corpus order;
   every merge between two originals is reported, with the exact (not estimated) resemblance of the pair,
   so true duplicates in the corpus can be told from false merges.
2. For a fixed-seed sample of originals, a copy is made per edit type that real republishers make, and
   looked up: recall = the copy lands in its original's story; precision = of all merges, the share
   into the right story.
3. DynamoDB requests per ingested item, counted on moto through the real ingest pipeline, with its story
   candidates looked up in a real tantivy index that each stored article is published to.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from newsflow.stories.assign import find_story
from newsflow.stories.match import StoryThresholds
from newsflow.stories.memory import MemoryCandidateIndex
from newsflow.stories.ports import Candidate
from newsflow.stories.sketch import content_words, shingles, sketch

from benchmarks.categories_dev import DATA_ROOT
from benchmarks.common import table

BBC = DATA_ROOT / "categories" / "bbc"  # the same root as RESERVED.txt (NEWSFLOW_SHARED_DATA)
SAMPLE = 400
SEED = 20261129

NAV = [
    "Home",
    "World",
    "Business",
    "Markets",
    "Tech",
    "Politics",
    "Opinion",
    "Sport",
    "Video",
    "Newsletters",
    "Share this article",
    "Facebook",
    "Twitter",
    "LinkedIn",
    "Email",
    "Print",
    "Sign in",
    "Subscribe",
]
FOOTER = [
    "Related posts:",
    "Subscribe to our daily newsletter for the latest headlines delivered to your inbox every morning.",
    "Leave a comment. Your email address will not be published. Required fields are marked.",
    "Copyright 2026 Daily Wire Digest. All rights reserved. Privacy Policy. Terms and Conditions. Contact us.",
    "Most read: Markets rally as investors weigh central bank signals",
    "Advertisement. Continue reading below.",
    "Follow us on social media for breaking news and analysis.",
]
SYNONYMS = {
    "said": "stated",
    "says": "states",
    "company": "firm",
    "firm": "company",
    "government": "administration",
    "rise": "increase",
    "rose": "increased",
    "fall": "decline",
    "fell": "declined",
    "big": "large",
    "large": "big",
    "show": "reveal",
    "shows": "reveals",
    "showed": "revealed",
    "buy": "purchase",
    "bought": "purchased",
    "sell": "offload",
    "sold": "offloaded",
    "people": "individuals",
    "help": "assist",
    "plan": "proposal",
    "plans": "proposals",
    "cut": "reduce",
    "cuts": "reductions",
    "new": "fresh",
    "first": "initial",
    "last": "previous",
    "market": "marketplace",
    "deal": "agreement",
    "deals": "agreements",
    "chief": "head",
    "boss": "chief executive",
    "profit": "earnings",
    "profits": "earnings",
    "sales": "revenues",
    "job": "position",
    "jobs": "positions",
    "country": "nation",
    "countries": "nations",
    "start": "begin",
    "started": "began",
    "end": "finish",
    "ended": "finished",
    "expected": "anticipated",
    "expects": "anticipates",
    "increase": "rise",
    "decrease": "drop",
    "major": "significant",
    "main": "principal",
    "key": "crucial",
    "important": "significant",
    "many": "numerous",
    "several": "a number of",
    "also": "additionally",
    "however": "nevertheless",
    "but": "yet",
    "because": "since",
    "about": "around",
    "around": "approximately",
    "more": "additional",
    "less": "fewer",
    "high": "elevated",
    "low": "reduced",
    "fast": "rapid",
    "quickly": "rapidly",
    "told": "informed",
    "added": "continued",
    "warned": "cautioned",
    "claimed": "asserted",
    "think": "believe",
    "thinks": "believes",
    "believe": "think",
    "want": "wish",
    "wants": "wishes",
    "need": "require",
    "needs": "requires",
    "use": "utilise",
    "used": "utilised",
    "make": "produce",
    "made": "produced",
    "give": "provide",
    "gave": "provided",
    "get": "obtain",
    "got": "obtained",
    "world": "global",
    "figures": "data",
    "report": "study",
    "reports": "studies",
    "month": "period",
    "week": "seven days",
    "today": "this day",
    "now": "currently",
    "recent": "latest",
    "likely": "probable",
    "possible": "potential",
    "problem": "issue",
    "problems": "issues",
    "price": "cost",
    "prices": "costs",
    "money": "funds",
    "worth": "valued at",
    "shares": "stock",
    "growth": "expansion",
    "decision": "ruling",
    "move": "step",
    "group": "organisation",
    "firms": "companies",
    "companies": "firms",
    "leader": "head",
    "minister": "secretary",
    "officials": "authorities",
    "film": "movie",
    "films": "movies",
    "music": "songs",
    "game": "match",
    "games": "matches",
    "win": "victory",
    "won": "secured",
    "team": "squad",
    "players": "athletes",
}


def load_bbc() -> list[tuple[str, str, str]]:
    """The BBC articles, minus the ones categories/RESERVED.txt keeps for the independent check (never read)."""
    from benchmarks.categories_dev import reserved_ids

    reserved = reserved_ids()
    articles = []
    for path in sorted(BBC.glob("*/*.txt")):
        if f"bbc/{path.parent.name}/{path.name}" in reserved:
            continue
        text = path.read_bytes().decode("latin-1")
        lines = text.strip().split("\n")
        title = lines[0].strip()
        paragraphs = [p.strip() for p in "\n".join(lines[1:]).split("\n\n") if p.strip()]
        articles.append((f"{path.parent.name}/{path.name}", title, "\n".join(paragraphs)))
    return articles


def _paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n") if p.strip()]


def boilerplate(title: str, body: str, rng: random.Random) -> tuple[str, str]:
    head = " | ".join(rng.sample(NAV, 10))
    tail = "\n".join(rng.sample(FOOTER, 4))
    return title, f"{head}\n{body}\n{tail}"


def drop_reorder(title: str, body: str, rng: random.Random) -> tuple[str, str]:
    paragraphs = _paragraphs(body)
    keep = max(2, round(len(paragraphs) * 0.7))
    kept = sorted(rng.sample(range(len(paragraphs)), min(keep, len(paragraphs))))
    chosen = [paragraphs[i] for i in kept]
    if len(chosen) > 3:  # move a middle block, as aggregators do
        block = chosen[1:3]
        chosen = [chosen[0], *chosen[3:], *block]
    return title, "\n".join(chosen)


def headline(title: str, body: str, rng: random.Random) -> tuple[str, str]:
    words = title.split()
    rng.shuffle(words)
    return "Breaking: " + " ".join(words), body


def paraphrase(title: str, body: str, rng: random.Random) -> tuple[str, str]:
    def swap(match: re.Match[str]) -> str:
        word = match.group()
        replacement = SYNONYMS.get(word.lower())
        if replacement and rng.random() < 0.8:
            return replacement.capitalize() if word[0].isupper() else replacement
        return word

    return title, re.sub(r"[A-Za-z]+", swap, body)


def first_paragraph(title: str, body: str, rng: random.Random) -> tuple[str, str]:
    return title, _paragraphs(body)[0]


EDITS: dict[str, Callable[[str, str, random.Random], tuple[str, str]]] = {
    "boilerplate added": boilerplate,
    "paragraphs dropped/reordered": drop_reorder,
    "headline rewritten": headline,
    "word substitution": paraphrase,
    "first paragraph only": first_paragraph,
}


def exact_resemblance(a: str, b: str) -> tuple[float, float]:
    sa, sb = shingles(content_words(a)), shingles(content_words(b))
    if not sa or not sb:
        return 0.0, 0.0
    shared = len(sa & sb)
    return shared / len(sa | sb), shared / min(len(sa), len(sb))


READ_OPS = {"GetItem", "Query", "BatchGetItem", "Scan"}
WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def dynamodb_requests_per_item(
    articles: list[tuple[str, str, str]], count: int = 150
) -> tuple[float, float, float, int]:
    """Ingest `count` BBC articles (plus a near-duplicate of every fifth) through the real pipeline on moto, each
    stored article published to a tantivy index as the index stage would. (reads, writes, searches) per item."""
    import os
    import tempfile
    from collections import Counter

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from moto import mock_aws
    from newsflow import aws
    from newsflow.local.resources import create_resources
    from newsflow.models import FeedItem
    from newsflow.pipeline import StoryServices, ingest_item
    from newsflow.search.tantivy_index import TantivyIndex
    from newsflow.store.dynamo import DynamoArticleRepository
    from newsflow.stories.indexed import IndexedCandidateIndex, indexed_document

    calls: Counter[str] = Counter()
    searches = [0]
    with mock_aws(), tempfile.TemporaryDirectory() as index_dir, TantivyIndex(Path(index_dir)) as search:
        aws.reset_clients()
        resources = create_resources()
        client = aws.dynamodb()

        def tally(model: Any, **_: Any) -> None:
            calls.update([model.name])

        client.meta.events.register("before-call.dynamodb.*", tally)
        repository = DynamoArticleRepository(client, resources.table_name)
        original_search = search.search

        def counted(query: Any) -> Any:
            searches[0] += 1
            return original_search(query)

        search.search = counted  # type: ignore[method-assign]
        now = datetime(2026, 11, 20, tzinfo=UTC)
        thresholds = StoryThresholds()
        # recent_seconds=0: every copy is found through the index, not the container's memory
        candidates = IndexedCandidateIndex(search, thresholds.window_days, clock=lambda: now, recent_seconds=0.0)
        stories = StoryServices(candidates=candidates, thresholds=thresholds)
        items = []
        rng = random.Random(SEED)
        for n, (aid, title, body) in enumerate(articles[:count]):
            items.append(FeedItem(url=f"https://bbc.example/{aid}", title=title, content_text=body))
            if n % 5 == 0:
                new_title, new_body = drop_reorder(title, body, rng)
                items.append(FeedItem(url=f"https://copy.example/{aid}", title=new_title, content_text=new_body))
        calls.clear()
        for item in items:
            result = ingest_item(item, repository, now, stories)
            stored = repository.get(result.write.article_id)
            if stored is not None:
                calls.subtract(["GetItem"])  # the benchmark's own read, standing in for the stream record
                search.upsert([indexed_document(stored, thresholds)])
        aws.reset_clients()
    reads = sum(v for k, v in calls.items() if k in READ_OPS)
    writes = sum(v for k, v in calls.items() if k in WRITE_OPS)
    return reads / len(items), writes / len(items), searches[0] / len(items), len(items)


def run() -> str:
    if not BBC.exists():
        return f"## Dedupe: skipped ({BBC} not found)"
    thresholds = StoryThresholds()
    articles = load_bbc()
    rng = random.Random(SEED)
    index = MemoryCandidateIndex()
    story_of: dict[str, str] = {}
    bodies = {aid: body for aid, _, body in articles}
    titles = {aid: title for aid, title, _ in articles}
    base = datetime(2026, 11, 1, tzinfo=UTC)
    corpus_merges: list[tuple[str, str, str]] = []
    started = time.perf_counter()
    for n, (aid, title, body) in enumerate(articles):
        sk = sketch(title, body)
        match = find_story(aid, sk, index, thresholds)
        story_of[aid] = match.story_id
        if match.matched is not None and match.verdict is not None:
            corpus_merges.append((aid, match.matched.article_id, match.verdict.reason))
        candidate = Candidate(
            article_id=aid, story_id=match.story_id, source="bbc", sort_at=base + timedelta(minutes=n), sketch=sk
        )
        # As the index stage files it: its document carries every key of its text.
        index.add(match.keys, candidate, thresholds.window_days)
    per_item_ms = (time.perf_counter() - started) / len(articles) * 1000
    lookups_per_item = index.reads / len(articles)
    entries_per_item = index.writes / len(articles)

    # True duplicates inside the corpus vs false merges, judged on exact shingle sets.
    merge_rows = []
    false_merges = 0
    for aid, other, _reason in corpus_merges:
        resemblance, containment = exact_resemblance(bodies[aid], bodies[other])
        lead_resemblance, _ = exact_resemblance(_paragraphs(bodies[aid])[0], _paragraphs(bodies[other])[0])
        true_duplicate = resemblance >= 0.5 or containment >= 0.8
        same_event = not true_duplicate and lead_resemblance >= 0.6
        false_merges += not (true_duplicate or same_event)
        verdict = "duplicate" if true_duplicate else "same event, rewritten lead" if same_event else "FALSE MERGE"
        merge_rows.append(
            [
                f"{aid} {titles[aid][:28]!r}",
                f"{other} {titles[other][:28]!r}",
                f"{resemblance:.2f}",
                f"{containment:.2f}",
                verdict,
            ]
        )

    # Generated near-duplicates: each copy is looked up (not filed), so edit types stay independent.
    sample = rng.sample([a for a in articles if len(_paragraphs(a[2])) >= 3], SAMPLE)
    rows = []
    total_right = total_merged = total = 0
    for name, edit in EDITS.items():
        right = merged = 0
        for aid, title, body in sample:
            new_title, new_body = edit(title, body, rng)
            match = find_story(f"copy-{aid}", sketch(new_title, new_body), index, thresholds)
            if match.matched is not None:
                merged += 1
                right += match.story_id == story_of[aid]
        rows.append(
            [name, SAMPLE, f"{right / SAMPLE:.3f}", f"{right / merged:.3f}" if merged else "n/a", merged - right]
        )
        total_right += right
        total_merged += merged
        total += SAMPLE
    rows.append(
        [
            "all edits",
            total,
            f"{total_right / total:.3f}",
            f"{total_right / max(1, total_merged):.3f}",
            total_merged - total_right,
        ]
    )
    reads, writes, searches, ingested = dynamodb_requests_per_item(articles)
    out = [
        "## Dedupe: same-story detection on BBC News (in-memory candidate index, same lookup as the search index)",
        "",
        f"{len(articles)} articles filed; {len(corpus_merges)} merges between originals "
        f"({len(corpus_merges) - false_merges} true duplicates or rewrites of one event in the corpus, "
        f"{false_merges} false merges); "
        f"{lookups_per_item:.1f} candidate searches and {entries_per_item:.2f} keys filed (on its document) per item; "
        f"{per_item_ms:.2f} ms per item (sketch + lookup + verify).",
        "",
        table(["edit type", "copies", "recall", "precision", "wrong-story merges"], rows),
        "",
        f"DynamoDB requests per ingested item, counted on moto through the real ingest pipeline ({ingested} items, "
        f"BBC articles plus a rewritten copy of every fifth): {reads:.1f} read requests, {writes:.1f} write "
        f"requests, and {searches:.1f} candidate searches on the search index (no candidate records in the table).",
    ]
    if merge_rows:
        # False merges first: they are what matters; then a sample of the true duplicates found.
        merge_rows.sort(key=lambda row: (row[4] == "duplicate", row[0]))
        out += [
            "",
            "Merges between originals (exact resemblance / containment of the pair), "
            "false merges and same-event pairs first:",
            "",
        ]
        out.append(table(["article", "merged into", "resemblance", "containment", "verdict"], merge_rows[:25]))
        if len(merge_rows) > 25:
            out.append(f"... and {len(merge_rows) - 25} more true duplicates")
    return "\n".join(out)


if __name__ == "__main__":
    print(run())
    print(Path(__file__).name)
