"""The fault run's input: its configuration and the seeded plan of messages (items, corrections with and without
a clock, syndicated copies with and without guids, poison, duplicates) in delivery order. The harness that
plays it is benchmarks/fault_harness.py."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

WORDS = [
    *("market", "rates", "bank", "energy", "oil", "grid", "chip", "factory", "harvest", "wheat", "port"),
    *("airline", "hotel", "election", "budget", "tariff", "export", "steel", "copper", "lithium", "battery"),
    *("software", "cloud", "robot", "sensor", "vaccine", "retail", "brand", "shipping", "freight", "merger"),
]


@dataclass
class FaultConfig:
    items: int = 5000
    corrections: float = 0.10
    syndications: float = 0.05
    syndication_first: float = 0.5  # share of syndicated copies delivered before their original's first delivery
    guidless: float = 0.25  # share of publishers' stories, and (independently) of copies, whose feed has no guid
    clockless: float = 0.5  # share of corrections without a newer `updated` (ordered by their sighting time)
    poison: int = 50
    dynamo_fault_rate: float = 0.20
    index_fault_rate: float = 0.20
    duplicate_rate: float = 0.10
    crash_rate: float = 0.003  # per article write
    stream_replay_rate: float = 0.10
    replay_every_batches: int = 25
    seed: int = 13


@dataclass
class Plan:
    bodies: list[tuple[str, str]]  # (kind, body) in delivery order, duplicates included
    newest_title: dict[str, str]  # canonical URL -> title of its newest copy
    syndicated_urls: set[str]
    copy_of: dict[str, str]  # syndicated URL -> its original's URL
    poison_bodies: set[str]
    copies_first: int = 0  # syndicated copies delivered before their original's first delivery
    guidless_stories: int = 0
    guidless_copies: int = 0
    clockless_corrections: int = 0
    repolled_after_clockless: int = 0


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnprstvwz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))


def _text(rng: random.Random, n: int, words: int = 60) -> str:
    """Distinct prose per article (a shared small vocabulary would make every article a near-duplicate)."""
    sentences = []
    for s in range(4):
        chosen = " ".join(rng.choice(WORDS) if rng.random() < 0.2 else _word(rng) for _ in range(words // 4))
        sentences.append(f"<p>Report {n}.{s}: {chosen}.</p>")
    return "".join(sentences)


def _poison(count: int) -> list[str]:
    deep = "[" * 5000 + "]" * 5000
    deep_extra = '{"a": ' * 900 + "1" + "}" * 900
    shapes = [
        lambda i: f'{{"title": "Deep", "url": "https://p.example/{i}", "extra": {{"x": {deep}}}}}',
        lambda i: f'{{"title": "Num", "url": "https://p.example/{i}", "extra": {{"n": {"9" * 5000}}}}}',
        lambda i: f'{{"title": "Deep extra", "url": "https://p.example/{i}", "extra": {deep_extra}}}',
        lambda i: f'{{"title": "Broken", "url": "https://p.example/{i}"',
        lambda i: json.dumps({"title": "Bin", "url": f"https://p.example/{i}", "content_text": "\x00\x01\x02" * 400}),
        lambda i: json.dumps({"title": "   ", "url": f"https://p.example/{i}"}),
        lambda i: f'{{"title": "Sur\\ud800rogate {i}", "url": "https://p.example/{i}"}}',
        lambda i: json.dumps({"title": "Big", "url": f"https://p.example/{i}", "content_text": "x" * 300_000}),
        lambda i: json.dumps({"title": "No identity", "summary": f"{i}"}),
        lambda i: json.dumps([i]),
    ]
    return [shapes[i % len(shapes)](i) for i in range(count)]


def plan_messages(config: FaultConfig) -> Plan:
    rng = random.Random(config.seed)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    bodies: list[tuple[str, str]] = []
    newest: dict[str, str] = {}
    syndicated: set[str] = set()
    copy_of: dict[str, str] = {}
    syndications: list[tuple[str, str]] = []  # (its original's body, the copy)
    clockless: list[tuple[str, str]] = []  # (the original's body, its correction without a clock)
    guidless_stories = guidless_copies = 0
    for n in range(config.items):
        wire = n % 40
        url = f"https://wire{wire}.example.com/news/{n}"
        published = start + timedelta(minutes=rng.randrange(0, 90 * 24 * 60))
        source = {"name": f"Wire {wire}", "feed_url": f"https://wire{wire}.example.com/rss"}
        title = f"Story {n}: {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)}"
        html = _text(rng, n)
        original = {
            "url": url,
            "guid": f"w{wire}-{n}",
            "title": title,
            "content_html": html,
            "published": format_datetime(published),
            "source": source,
            "language": "en",
        }
        if rng.random() < config.guidless:
            del original["guid"]  # the publisher's feed gives no guid: its items are known by URL
            guidless_stories += 1
        bodies.append(("original", json.dumps(original)))
        newest[url] = title
        if rng.random() < config.corrections:
            corrected = dict(original)
            corrected.update(title=f"{title} (corrected)", content_html=_text(rng, n) + "<p>Correction appended.</p>")
            if rng.random() < config.clockless:
                # no newer clock: the later sighting orders it, so the feed shows it after the original (below)
                clockless.append((json.dumps(original), json.dumps(corrected)))
            else:
                corrected["updated"] = format_datetime(published + timedelta(hours=2))
            bodies.append(("correction", json.dumps(corrected)))
            newest[url] = corrected["title"]
        if rng.random() < config.syndications:
            copy_url = f"https://syndicator.example.net/{n}"
            syndicated.add(copy_url)
            copy_of[copy_url] = url
            copy = dict(original, url=copy_url, guid=f"syn-{n}", source={"name": "Syndicator"})
            if rng.random() < config.guidless:
                del copy["guid"]
                guidless_copies += 1
            syndications.append((json.dumps(original), json.dumps(copy)))
    poison = _poison(config.poison)
    bodies.extend(("poison", p) for p in poison)
    duplicates = [b for b in bodies if rng.random() < config.duplicate_rate]
    bodies.extend(duplicates)
    rng.shuffle(bodies)
    # A correction without a clock is queued after the original's first delivery (every message of it: its
    # at-least-once duplicates too); a duplicate of the original queued after it is a re-poll of a stale copy.
    repolled = 0
    for original_body, corrected_body in clockless:
        first = next(i for i, (_, b) in enumerate(bodies) if b == original_body)
        early = [i for i, (_, b) in enumerate(bodies[:first]) if b == corrected_body]
        for i in reversed(early):
            del bodies[i]
        first -= len(early)
        for _ in early:
            bodies.insert(rng.randint(first + 1, len(bodies)), ("correction", corrected_body))
        at = next(i for i, (_, b) in enumerate(bodies) if b == corrected_body)
        repolled += sum(1 for _, b in bodies[at:] if b == original_body)
    # A syndicator republishes the publisher's original: its copy comes after the original's first delivery, or
    # (a share `syndication_first`) before it, so the publisher's original and correction find the copy stored.
    copies_first = 0
    for original_body, copy in syndications:
        first = next(i for i, (_, b) in enumerate(bodies) if b == original_body)
        before = rng.random() < config.syndication_first
        copies_first += before
        at = rng.randint(0, first) if before else rng.randint(first + 1, len(bodies))
        bodies.insert(at, ("syndication", copy))
        if rng.random() < config.duplicate_rate:
            bodies.insert(rng.randint(at + 1, len(bodies)), ("syndication", copy))
    return Plan(
        bodies=bodies,
        newest_title=newest,
        syndicated_urls=syndicated,
        copy_of=copy_of,
        copies_first=copies_first,
        poison_bodies=set(poison),
        guidless_stories=guidless_stories,
        guidless_copies=guidless_copies,
        clockless_corrections=len(clockless),
        repolled_after_clockless=repolled,
    )
