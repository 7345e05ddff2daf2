"""Categorisation on real news: the development set, side by side with the previous default.

- Quality: the development set of benchmarks/categories_dev.py (real items from ../shared/data, labelled
  by the newsflow developers as the site's editor would file them, never trained on; the items reserved
  for the independent check are excluded). Reported per half: "tune" was looked at while the rule and
  the training corpus were developed, "report" only to report. Accuracy and macro-F1 compare the
  predicted primary with the first label, the lenient accuracy counts any of the item's labels, top-2
  counts any label among the primary and the runner-up of the full ranking (`explain` of the item
  normalised from the same fields).
- Baseline: "today's default" is the categoriser (code, lexicon, taxonomy and model) of commit
  BASELINE_COMMIT, the state before the realistic corpus; it is extracted with `git archive` into a
  temporary directory and run in a subprocess on the same items (skipped when git or the commit is
  missing).
- Speed: full articles (the development set's BBC items, title + body) per CPU-second on one core,
  NormalisedItem in, Categorisation out, both categorisers in this run; and the cold start added to
  ingest: `python -X importtime` (PYTHONDONTWRITEBYTECODE=1) of newsflow.categorise on top of what
  ingest imports anyway, plus the first-use load (lexicon compile + model load).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.categories_dev import DevItem, load_dev
from benchmarks.common import REPO_ROOT, table

BASELINE_COMMIT = "ffa8c85"  # the last commit with the synthetic-trained default and the old rule
THROUGHPUT_REPEAT = 3

# Runs in a fresh interpreter: categorise JSON items from stdin (title, summary, body, tags, url), time
# the full ingest path on the articles among them, and print predictions and timings as JSON.
_RUNNER = r"""
import json, sys, time
from datetime import UTC, datetime
items = json.load(sys.stdin)
import newsflow.categorise as c
from newsflow.models import FeedItem
from newsflow.normalise import normalise_item
categoriser = c.default_categoriser()
now = datetime.now(UTC)
out = []
for n, i in enumerate(items):
    verdict = categoriser.categorise_text(i["title"], i["summary"], i["body"], i["tags"], i["url"])
    fields = dict(guid=f"d{n}", title=i["title"] or "untitled", summary=i["summary"] or None,
                  content_text=i["body"] or None, tags=i["tags"])
    try:
        feed = FeedItem(**fields, url=i["url"])
    except ValueError:
        feed = FeedItem(**fields)
    ranking = [x.slug for x in categoriser.explain(normalise_item(feed, now=now)).categories]
    runner_up = next((slug for slug in ranking if slug != verdict.primary), None)
    out.append([verdict.primary, [s.slug for s in verdict.scores], runner_up])
articles = [
    normalise_item(FeedItem(guid=f"b{n}", title=i["title"] or "untitled", content_text=i["body"]), now=now)
    for n, i in enumerate(items) if i["article"]
]
c.categorise(articles[0])
started = time.process_time()
for _ in range(REPEAT):
    for a in articles:
        c.categorise(a)
rate = REPEAT * len(articles) / (time.process_time() - started)
print(json.dumps({"predictions": out, "articles_per_s": rate, "articles": len(articles)}))
"""

_COLD = """
import time
import newsflow.models, newsflow.normalise  # imported by the ingest path anyway
t0 = time.perf_counter()
import newsflow.categorise as c
t1 = time.perf_counter()
c.default_categoriser()
t2 = time.perf_counter()
print((t1 - t0) * 1000, (t2 - t1) * 1000)
"""


def _env(functions: Path) -> dict[str, str]:
    return {"PYTHONPATH": str(functions), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}


def _payload(items: list[DevItem]) -> str:
    return json.dumps(
        [
            {
                "title": i.title,
                "summary": i.summary,
                "body": i.body,
                "tags": i.tags,
                "url": i.url,
                "article": i.id.startswith("bbc/") and bool(i.body),
            }
            for i in items
        ]
    )


def run_categoriser(functions: Path, items: list[DevItem]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _RUNNER.replace("REPEAT", str(THROUGHPUT_REPEAT))],
        input=_payload(items),
        capture_output=True,
        text=True,
        check=True,
        cwd=functions,
        env=_env(functions),
    )
    return dict(json.loads(result.stdout))


def cold_start_ms(functions: Path, runs: int = 5) -> tuple[float, float]:
    """Best (import, first-use load) ms of newsflow.categorise after what ingest imports anyway."""
    best = (float("inf"), float("inf"))
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", _COLD],
            capture_output=True,
            text=True,
            check=True,
            cwd=functions,
            env=_env(functions),
        )
        imported, loaded = (float(v) for v in result.stdout.split())
        if imported + loaded < sum(best):
            best = (imported, loaded)
    return best


def importtime_ms(functions: Path) -> float:
    """Cumulative -X importtime ms of newsflow.categorise after newsflow.models and newsflow.normalise."""
    code = "import newsflow.models, newsflow.normalise; import newsflow.categorise"
    best = float("inf")
    for _ in range(3):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=functions,
            env=_env(functions),
        )
        for line in result.stderr.splitlines():
            parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
            if len(parts) == 3 and parts[2] == "newsflow.categorise":
                best = min(best, int(parts[1]) / 1000)
    return best


def extract_baseline(directory: Path) -> Path | None:
    """The `functions/` tree of BASELINE_COMMIT in `directory`, or None without git / the commit."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "archive", BASELINE_COMMIT, "functions/newsflow"],
            capture_output=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(directory, filter="data")
    return directory / "functions"


def scores(items: list[DevItem], predictions: list[list[Any]]) -> dict[str, Any]:
    from newsflow.categorise.training import evaluate

    gold = [i.labels[0] for i in items]
    primary = [p[0] for p in predictions]
    report = evaluate(gold, primary, [i.labels for i in items])
    listed = sum(bool(set(p[1]) & set(i.labels)) for p, i in zip(predictions, items, strict=True)) / len(items)
    top2 = sum(bool({p[0], p[2]} & set(i.labels)) for p, i in zip(predictions, items, strict=True)) / len(items)
    return {"report": report, "listed": listed, "top2": top2}


def _quality_rows(name: str, items: list[DevItem], runs: dict[str, list[list[Any]]]) -> list[list[object]]:
    rows: list[list[object]] = []
    for half in ("tune", "report", "all"):
        chosen = [n for n, i in enumerate(items) if half == "all" or i.half == half]
        subset = [items[n] for n in chosen]
        for label, predictions in runs.items():
            s = scores(subset, [predictions[n] for n in chosen])
            r = s["report"]
            rows.append(
                [
                    f"{half} ({len(subset)})",
                    label,
                    f"{r.macro_f1:.3f}",
                    f"{r.accuracy:.3f}",
                    f"{r.lenient_accuracy:.3f}",
                    f"{s['top2']:.3f}",
                    f"{s['listed']:.3f}",
                ]
            )
    return rows


def _per_category(items: list[DevItem], runs: dict[str, list[list[Any]]]) -> str:
    from newsflow.categorise.training import evaluate

    gold = [i.labels[0] for i in items]
    reports = {label: evaluate(gold, [p[0] for p in preds]) for label, preds in runs.items()}
    labels = list(runs)
    rows = []
    for n, cls in enumerate(reports[labels[0]].classes):
        row: list[object] = [cls.label, cls.support]
        for label in labels:
            c = reports[label].classes[n]
            row += [f"{c.precision:.2f}", f"{c.recall:.2f}", f"{c.f1:.2f}"]
        rows.append(row)
    headers = ["category (first label)", "items"]
    for label in labels:
        headers += [f"{label} P", f"{label} R", f"{label} F1"]
    return table(headers, rows)


def _confusions(items: list[DevItem], predictions: list[list[Any]], top: int = 8) -> str:
    pairs = Counter((i.labels[0], p[0]) for i, p in zip(items, predictions, strict=True) if p[0] not in i.labels)
    return ", ".join(f"{g} -> {p} ({n})" for (g, p), n in pairs.most_common(top)) or "none"


def run() -> str:
    out = ["## Categorisation (development set of real news)"]
    items = load_dev()
    if not items:
        return "\n".join([*out, "", "(skipped: ../shared/data/categories not found; set NEWSFLOW_SHARED_DATA)"])
    functions = REPO_ROOT / "functions"
    current = run_categoriser(functions, items)
    runs = {"new": current["predictions"]}
    speed = [["new (this tree)", current["articles"], f"{current['articles_per_s']:,.0f}"]]
    cold: list[list[object]] = []
    imported, loaded = cold_start_ms(functions)
    cold.append(
        [
            "new (this tree)",
            f"{importtime_ms(functions):.1f}",
            f"{imported:.1f}",
            f"{loaded:.1f}",
            f"{imported + loaded:.1f}",
        ]
    )
    with tempfile.TemporaryDirectory() as tmp:
        baseline = extract_baseline(Path(tmp))
        if baseline is not None:
            old = run_categoriser(baseline, items)
            runs["old"] = old["predictions"]
            speed.append([f"old ({BASELINE_COMMIT})", old["articles"], f"{old['articles_per_s']:,.0f}"])
            imported, loaded = cold_start_ms(baseline)
            cold.append(
                [
                    f"old ({BASELINE_COMMIT})",
                    f"{importtime_ms(baseline):.1f}",
                    f"{imported:.1f}",
                    f"{loaded:.1f}",
                    f"{imported + loaded:.1f}",
                ]
            )
    from newsflow.categorise import DEFAULT_MODEL_PATH
    from newsflow.categorise.model import LinearModel

    model = LinearModel.load(DEFAULT_MODEL_PATH)
    out.append(
        f"\n{len(items)} labelled items ({sum(i.half == 'tune' for i in items)} tune, "
        f"{sum(i.half == 'report' for i in items)} report). "
        f"Shipped model: {DEFAULT_MODEL_PATH.stat().st_size / 1024:.0f} KiB, "
        f"{model.n_features} features, {model.n_weights} weights, trained on {model.info.get('trained_on')}."
    )
    if "old" not in runs:
        out.append(f"\n(baseline skipped: git archive of {BASELINE_COMMIT} unavailable)")
    out.append("\n### Quality: new vs old default (old = the synthetic-trained default of " + BASELINE_COMMIT + ")\n")
    out.append(
        table(
            [
                "half (items)",
                "categoriser",
                "macro-F1",
                "accuracy",
                "lenient accuracy",
                "top-2",
                "any label among its categories",
            ],
            _quality_rows("dev", items, runs),
        )
    )
    out.append("\n### Per category, all items (precision, recall, F1 against the first label)\n")
    out.append(_per_category(items, runs))
    out.append("")
    for label, predictions in runs.items():
        confusions = _confusions(items, predictions)
        out.append(f"- top confusions, {label} (gold -> predicted, outside the item's labels): {confusions}")
    out.append(f"\n### Speed: full articles per CPU-second, one core (repeat {THROUGHPUT_REPEAT})\n")
    out.append(table(["categoriser", "articles", "articles/s"], speed))
    out.append("\n### Cold start added to ingest (ms, best of 5; PYTHONDONTWRITEBYTECODE=1)\n")
    out.append(
        table(
            [
                "categoriser",
                "-X importtime cumulative",
                "import (wall)",
                "first use: compile + model load",
                "added (sum of wall)",
            ],
            cold,
        )
    )
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    started = time.perf_counter()
    print(run())
    print(f"\n({time.perf_counter() - started:.0f} s)", file=sys.stderr if os.environ.get("QUIET") else sys.stdout)
