"""Main-text extraction from whole article pages: newsflow's extractor against trafilatura, same pages.

Data: ../shared/data/extraction (see its README; skipped with a message when absent).
- ScrapingHub article-extraction-benchmark (181 pages): word 4-gram shingles of lower-cased words;
  per page precision = |shared| / |extracted|, recall = |shared| / |expected| (both empty -> 1, one
  empty -> 0); precision and recall averaged over pages, F1 = harmonic mean of the two averages.
- Fundus (80 English pages): ROUGE-LSum (union LCS over newline-split sentences, rouge-score's
  tokenisation: lower case, runs of [a-z0-9], no stemming) P/R/F1 per article, each averaged over
  articles; paragraphs written in [brackets] are optional: each article is scored with them left out
  and with them kept, and the better F1 counts (trafilatura lands at 0.939, published 0.941).

Rows: newsflow's whole-page extractor (`newsflow.normalise.page.extract_main_text`: the text that
becomes `body_text`), trafilatura's default mode as everyone calls it (`trafilatura.extract(html)`),
and trafilatura `fast=True` / no comments for reference. Timing: one process, one core, each page
extracted from its decoded HTML string (decompression and scoring excluded); the extractors take turns
page by page so that load changes on a shared machine hit them alike; pages/s over the set and the 95th
percentile per page.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import SHARED_DATA, percentile, table

EXTRACTION = SHARED_DATA / "extraction"
_WORD = re.compile(r"\w+")
_ROUGE_TOKEN = re.compile(r"[a-z0-9]+")

Extractor = Callable[[str, str], str]


# ------------------------------------------------------------------------------------------- scoring
def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return Counter(tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1)))


def shingle_pr(expected: str, extracted: str) -> tuple[float, float]:
    """ScrapingHub's scoring for one page: (precision, recall) of word 4-gram shingles."""
    exp, got = _shingles(expected), _shingles(extracted)
    if not exp and not got:
        return 1.0, 1.0
    if not exp or not got:
        return 0.0, 0.0
    shared = sum((exp & got).values())
    return shared / sum(got.values()), shared / sum(exp.values())


def _rouge_tokens(text: str) -> list[str]:
    return _ROUGE_TOKEN.findall(text.lower())


def _lcs_indices(ref: list[str], cand: list[str]) -> set[int]:
    """Indices into `ref` of one longest common subsequence with `cand` (rouge-score's backtrack)."""
    common = set(ref) & set(cand)
    if not common:
        return set()
    # Tokens absent from the other side never take part in an LCS: drop them (keeping ref positions).
    ref_pos = [i for i, t in enumerate(ref) if t in common]
    r = [ref[i] for i in ref_pos]
    c = [t for t in cand if t in common]
    rows, cols = len(r), len(c)
    table_ = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        ri = r[i - 1]
        prev, cur = table_[i - 1], table_[i]
        for j in range(1, cols + 1):
            if ri == c[j - 1]:
                cur[j] = prev[j - 1] + 1
            else:
                cur[j] = cur[j - 1] if cur[j - 1] > prev[j] else prev[j]
    found: set[int] = set()
    i, j = rows, cols
    while i > 0 and j > 0:
        if r[i - 1] == c[j - 1]:
            found.add(ref_pos[i - 1])
            i -= 1
            j -= 1
        elif table_[i - 1][j] > table_[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return found


def rouge_lsum(reference: str, candidate: str) -> tuple[float, float, float]:
    """ROUGE-LSum (precision, recall, F1) as rouge-score computes it, sentences split on newlines."""
    ref_sents = [t for line in reference.split("\n") if (t := _rouge_tokens(line))]
    cand_sents = [t for line in candidate.split("\n") if (t := _rouge_tokens(line))]
    m = sum(map(len, ref_sents))
    n = sum(map(len, cand_sents))
    if not m or not n:
        return 0.0, 0.0, 0.0
    ref_counts: Counter[str] = Counter()
    cand_counts: Counter[str] = Counter()
    for sent in ref_sents:
        ref_counts.update(sent)
    for sent in cand_sents:
        cand_counts.update(sent)
    hits = 0
    for ref in ref_sents:
        union: set[int] = set()
        for cand in cand_sents:
            union |= _lcs_indices(ref, cand)
        for index in sorted(union):
            token = ref[index]
            if cand_counts[token] > 0 and ref_counts[token] > 0:
                hits += 1
                cand_counts[token] -= 1
                ref_counts[token] -= 1
    precision, recall = hits / n, hits / m
    f1 = 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def fundus_score(expected: str, extracted: str) -> tuple[float, float, float]:
    """ROUGE-LSum against the reference with its optional ([...]) paragraphs left out and with them kept
    (brackets removed): the better F1 counts, so an optional paragraph neither costs nor earns."""
    paragraphs = expected.split("\n")
    optional = [p.startswith("[") and p.endswith("]") for p in paragraphs]
    without = "\n".join(p for p, opt in zip(paragraphs, optional, strict=True) if not opt)
    scores = [rouge_lsum(without, extracted)]
    if any(optional):
        scores.append(
            rouge_lsum("\n".join(p[1:-1] if opt else p for p, opt in zip(paragraphs, optional, strict=True)), extracted)
        )
    return max(scores, key=lambda s: s[2])


# ------------------------------------------------------------------------------------------- data
def _scrapinghub() -> list[tuple[str, str, str]]:
    root = EXTRACTION / "scrapinghub"
    truth = json.loads((root / "ground-truth.json").read_text())
    pages = []
    for page_id, expected in sorted(truth.items()):
        path = root / "html" / f"{page_id}.html.gz"
        if path.exists():
            html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
            pages.append((html, expected.get("url") or "", expected.get("articleBody") or ""))
    return pages


def _fundus() -> list[tuple[str, str, str]]:
    root = EXTRACTION / "fundus"
    truth = json.loads((root / "ground_truth.json").read_text())
    pages = []
    for name, expected in sorted(truth.items()):
        path = root / "html" / name
        if not path.exists():
            path = root / "html" / f"{name}.html.gz"
        if path.exists():
            html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
            pages.append((html, expected.get("url") or "", "\n".join(expected.get("body", []))))
    return pages


# ------------------------------------------------------------------------------------------- extractors
def _newsflow() -> Extractor:
    from newsflow.normalise.page import extract_main_text

    return lambda html, url: extract_main_text(html, url)


def _trafilatura(**options: object) -> Extractor:
    import trafilatura

    return lambda html, url: trafilatura.extract(html, **options) or ""  # type: ignore[arg-type]


def _measure_interleaved(
    extractors: list[tuple[str, Extractor]], pages: list[tuple[str, str, str]]
) -> dict[str, tuple[list[str], float, float]]:
    """Each page is extracted by every extractor in turn (round-robin), so that a change in machine load
    during the run weighs on all of them alike. Returns name -> (outputs, pages/s, p95 ms)."""
    outputs: dict[str, list[str]] = {name: [] for name, _ in extractors}
    times: dict[str, list[float]] = {name: [] for name, _ in extractors}
    for html, url, _ in pages:
        for name, extract in extractors:
            started = time.perf_counter()
            outputs[name].append(extract(html, url))
            times[name].append(time.perf_counter() - started)
    return {
        name: (outputs[name], len(pages) / sum(times[name]), percentile(times[name], 95) * 1000)
        for name, _ in extractors
    }


def _score(set_name: str, pages: list[tuple[str, str, str]], outputs: list[str]) -> tuple[float, float, float]:
    if set_name == "scrapinghub":
        pairs = [shingle_pr(expected, got) for (_, _, expected), got in zip(pages, outputs, strict=True)]
        precision = sum(p for p, _ in pairs) / len(pairs)
        recall = sum(r for _, r in pairs) / len(pairs)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1
    scores = [fundus_score(expected, got) for (_, _, expected), got in zip(pages, outputs, strict=True)]
    return tuple(sum(s[i] for s in scores) / len(scores) for i in range(3))  # type: ignore[return-value]


def run() -> str:
    if not EXTRACTION.is_dir():
        return f"## Extraction\n\n(evaluation data not found under {EXTRACTION}: skipped)"
    sets = {"scrapinghub": _scrapinghub(), "fundus": _fundus()}
    extractors: list[tuple[str, Extractor]] = [
        ("newsflow", _newsflow()),
        ("trafilatura extract(html)", _trafilatura()),
        ("trafilatura fast, no comments", _trafilatura(fast=True, include_comments=False)),
    ]
    # Warm up every extractor once (lazy imports, compiled XPaths) outside the timed runs.
    warm_html = next(iter(sets.values()))[0][0]
    for _, extract in extractors:
        extract(warm_html, "")
    rows: list[list[object]] = []
    speed: dict[tuple[str, str], float] = {}
    for set_name, pages in sets.items():
        if not pages:
            rows.append(["-", set_name, "no pages", "", "", "", ""])
            continue
        measured = _measure_interleaved(extractors, pages)
        for name, _ in extractors:
            outputs, rate, p95 = measured[name]
            precision, recall, f1 = _score(set_name, pages, outputs)
            speed[(name, set_name)] = rate
            rows.append(
                [name, f"{set_name} ({len(pages)})", f"{precision:.3f}", f"{recall:.3f}", f"{f1:.3f}",
                 f"{rate:.1f}", f"{p95:.1f}"]
            )  # fmt: skip
    parts = ["## Whole-page extraction (1 process, 1 core)\n"]
    parts.append(table(["extractor", "set", "precision", "recall", "F1", "pages/s", "p95 ms"], rows))
    ratios = [
        f"{set_name}: {speed[('newsflow', set_name)] / speed[('trafilatura extract(html)', set_name)]:.1f}x"
        for set_name in sets
        if ("newsflow", set_name) in speed
    ]
    parts.append(f"\nnewsflow pages/s vs trafilatura extract(html): {', '.join(ratios)}")
    return "\n".join(parts)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "functions"))
    print(run())
