"""Main-text extraction from whole article pages: newsflow against trafilatura and readability-lxml.

Data: ../shared/data/extraction (see its README; skipped with a message when absent). Each set is scored
the way it was published:
- scrapinghub (181 pages): word 4-gram shingles of lower-cased words; per page precision = |shared| /
  |extracted|, recall = |shared| / |expected| (both empty -> 1, one empty -> 0); precision and recall
  averaged over pages, F1 = harmonic mean of the two averages.
- fundus (80 English pages): ROUGE-LSum (union LCS over newline-split sentences, rouge-score's
  tokenisation: lower case, runs of [a-z0-9], no stemming) P/R/F1 per article, averaged over articles;
  paragraphs written in [brackets] are optional: scored left out and kept, the better F1 counts.
- trafilatura-eval (990 pages, trafilatura's tests/eval_common.py): the extracted text is whitespace-
  normalised; a "with" snippet found is a true positive, missed a false negative; a "without" snippet
  found is a false positive; counts summed over the corpus; P = tp/(tp+fp), R = tp/(tp+fn),
  F1 = 2tp/(2tp+fp+fn). Pages are bytes there: every extractor gets the same string, decoded by
  newsflow.normalise.encoding.
- readability (130 Mozilla Readability test pages; Bevendorff et al., SIGIR 2023): the gold is the text
  of expected.html; ROUGE-LSum on whitespace tokens (case kept) with sentences split at line breaks and
  sentence ends; P/R/F1 per page, averaged over pages.

Rows: newsflow's whole-page extractor (`newsflow.normalise.page.extract_main_text`, the text that becomes
`body_text`), trafilatura `extract(html)` (default), trafilatura with include_comments=False, trafilatura
fast=True (comments off), and readability-lxml `Document(html).summary()` turned into text by the same
HTML->text conversion newsflow uses. Timing: one process, one core, each page extracted from its decoded
string (decompression, decoding and scoring excluded); the extractors take turns page by page so that
load changes on a shared machine hit them alike. The speed ratio is given in wall time and in the
process's CPU time (which other processes on a shared machine do not inflate).

Held-out split: every page whose id hashes (crc32) to 0 mod 4 is "held-out" (about a quarter of each
set), the rest "dev". Heuristics are tuned while looking at dev pages only; the table reports F1 on
both, so a gap between them shows overfitting.

Options (after the benchmark name): `--limit=N` scores the first N pages of each set (for iteration),
`--split=dev|held-out` only those pages, `--sets=a,b` only those sets, `--only=newsflow` only that row.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from benchmarks.common import SHARED_DATA, percentile, table

# NEWSFLOW_EXTRACTION_DATA points elsewhere (a worktree whose parent holds no shared/ folder).
EXTRACTION = Path(os.environ.get("NEWSFLOW_EXTRACTION_DATA") or SHARED_DATA / "extraction")
SETS = ("scrapinghub", "fundus", "trafilatura-eval", "readability")
_WORD = re.compile(r"\w+")
_ROUGE_TOKEN = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

Extractor = Callable[[str, str], str]


class Sample(NamedTuple):
    page_id: str
    html: str
    url: str
    gold: Any  # str (expected text) or, for trafilatura-eval, {"with": [...], "without": [...]}

    @property
    def held_out(self) -> bool:
        return zlib.crc32(self.page_id.encode()) % 4 == 0


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


def lsum_tokens(ref_sents: list[list[str]], cand_sents: list[list[str]]) -> tuple[float, float, float]:
    """ROUGE-LSum (precision, recall, F1) over tokenised sentences, as rouge-score computes it."""
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


def rouge_lsum(reference: str, candidate: str) -> tuple[float, float, float]:
    """Fundus's ROUGE-LSum: sentences are lines, rouge-score's default tokens (lower case, [a-z0-9]+)."""

    def split(text: str) -> list[list[str]]:
        return [t for line in text.split("\n") if (t := _ROUGE_TOKEN.findall(line.lower()))]

    return lsum_tokens(split(reference), split(candidate))


def _whitespace_sentences(text: str) -> list[list[str]]:
    return [t for line in text.split("\n") for sent in _SENTENCE_END.split(line) if (t := sent.split())]


def rouge_lsum_whitespace(reference: str, candidate: str) -> tuple[float, float, float]:
    """The web-content-extraction benchmark's ROUGE-LSum: whitespace tokens, sentence splitting."""
    return lsum_tokens(_whitespace_sentences(reference), _whitespace_sentences(candidate))


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


def _norm(text: str) -> str:
    return " ".join(text.split())


def snippet_counts(gold: dict[str, list[str]], extracted: str) -> tuple[int, int, int]:
    """trafilatura-eval's counting for one page: (tp, fp, fn) by whitespace-normalised substring match."""
    text = _norm(extracted)
    tp = sum(1 for snippet in gold["with"] if _norm(snippet) in text)
    fp = sum(1 for snippet in gold["without"] if _norm(snippet) in text)
    return tp, fp, len(gold["with"]) - tp


def score(set_name: str, samples: list[Sample], outputs: list[str]) -> tuple[float, float, float]:
    """(precision, recall, F1) of `outputs` on `samples`, with the set's published scoring."""
    if not samples:
        return 0.0, 0.0, 0.0
    pairs = list(zip(samples, outputs, strict=True))
    if set_name == "trafilatura-eval":
        tp = fp = fn = 0
        for sample, got in pairs:
            a, b, c = snippet_counts(sample.gold, got)
            tp, fp, fn = tp + a, fp + b, fn + c
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        return precision, recall, (2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    if set_name == "scrapinghub":
        prs = [shingle_pr(sample.gold, got) for sample, got in pairs]
        precision = sum(p for p, _ in prs) / len(prs)
        recall = sum(r for _, r in prs) / len(prs)
        return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    scorer = fundus_score if set_name == "fundus" else rouge_lsum_whitespace
    scores = [scorer(sample.gold, got) for sample, got in pairs]
    return (
        sum(s[0] for s in scores) / len(scores),
        sum(s[1] for s in scores) / len(scores),
        sum(s[2] for s in scores) / len(scores),
    )


# ------------------------------------------------------------------------------------------- data
def _gunzip(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", "replace")


def _scrapinghub() -> list[Sample]:
    root = EXTRACTION / "scrapinghub"
    truth = json.loads((root / "ground-truth.json").read_text())
    samples = []
    for page_id, expected in sorted(truth.items()):
        path = root / "html" / f"{page_id}.html.gz"
        if path.exists():
            samples.append(Sample(page_id, _gunzip(path), expected.get("url") or "", expected.get("articleBody") or ""))
    return samples


def _fundus() -> list[Sample]:
    root = EXTRACTION / "fundus"
    truth = json.loads((root / "ground_truth.json").read_text())
    samples = []
    for name, expected in sorted(truth.items()):
        path = root / "html" / name
        if not path.exists():
            path = root / "html" / f"{name}.html.gz"
        if path.exists():
            body = "\n".join(expected.get("body", []))
            samples.append(Sample(name, _gunzip(path), expected.get("url") or "", body))
    return samples


def _trafilatura_eval() -> list[Sample]:
    from newsflow.normalise.encoding import decode_bytes

    root = EXTRACTION / "trafilatura-eval" / "tests"
    truth = json.loads((root / "evaldata.json").read_text())
    samples = []
    for url, item in sorted(truth.items()):
        for sub in ("cache", "eval"):
            path = root / sub / item["file"]
            if path.is_file():
                html, _ = decode_bytes(path.read_bytes())
                samples.append(Sample(item["file"], html, url, {"with": item["with"], "without": item["without"]}))
                break
    return samples


def _readability() -> list[Sample]:
    from newsflow.normalise.html import html_to_text

    root = EXTRACTION / "readability" / "test" / "test-pages"
    samples = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        source, expected = folder / "source.html", folder / "expected.html"
        if source.is_file() and expected.is_file():
            gold = html_to_text(expected.read_text("utf-8", "replace"))
            samples.append(Sample(folder.name, source.read_text("utf-8", "replace"), "", gold))
    return samples


LOADERS: dict[str, Callable[[], list[Sample]]] = {
    "scrapinghub": _scrapinghub,
    "fundus": _fundus,
    "trafilatura-eval": _trafilatura_eval,
    "readability": _readability,
}


def load(set_name: str) -> list[Sample]:
    """The samples of one set; [] when its data is absent."""
    try:
        return LOADERS[set_name]()
    except (OSError, ValueError):
        return []


# ------------------------------------------------------------------------------------------- extractors
class _Newsflow:
    """newsflow's page path; remembers which candidate each page's text came from."""

    def __init__(self) -> None:
        from newsflow.normalise.page import extract_page

        self._extract = extract_page
        self.methods: Counter[str] = Counter()

    def __call__(self, html: str, url: str) -> str:
        page = self._extract(html, url or None)
        self.methods[page.method] += 1
        return page.body_text


def _trafilatura(**options: object) -> Extractor:
    import trafilatura

    return lambda html, url: trafilatura.extract(html, **options) or ""  # type: ignore[arg-type]


def _readability_lxml() -> Extractor:
    from newsflow.normalise.html import html_to_text
    from readability import Document

    def extract(html: str, url: str) -> str:
        try:
            return html_to_text(Document(html).summary(html_partial=True))
        except Exception:
            return ""

    return extract


def _measure_interleaved(
    extractors: list[tuple[str, Extractor]], samples: list[Sample], cpu: dict[str, float] | None = None
) -> dict[str, tuple[list[str], list[float]]]:
    """Each page is extracted by every extractor in turn (round-robin), so that a change in machine load
    during the run weighs on all of them alike. Returns name -> (outputs, wall seconds per page); the
    process's CPU seconds per extractor are added to `cpu` (what other processes on a shared machine
    cannot inflate)."""
    outputs: dict[str, list[str]] = {name: [] for name, _ in extractors}
    times: dict[str, list[float]] = {name: [] for name, _ in extractors}
    for sample in samples:
        for name, extract in extractors:
            started, started_cpu = time.perf_counter(), time.process_time()
            outputs[name].append(extract(sample.html, sample.url))
            times[name].append(time.perf_counter() - started)
            if cpu is not None:
                cpu[name] = cpu.get(name, 0.0) + time.process_time() - started_cpu
    return {name: (outputs[name], times[name]) for name, _ in extractors}


class Options(NamedTuple):
    limit: int | None
    split: str | None
    sets: tuple[str, ...]
    only: str | None


def parse_options(argv: list[str]) -> Options:
    values = dict(arg[2:].split("=", 1) for arg in argv if arg.startswith("--") and "=" in arg)
    limit = int(values["limit"]) if values.get("limit") else None
    split = values.get("split") or None
    if split not in (None, "dev", "held-out"):
        raise SystemExit(f"--split must be dev or held-out, not {split!r}")
    sets = tuple(s for s in values.get("sets", ",".join(SETS)).split(",") if s in SETS)
    return Options(limit, split, sets, values.get("only") or None)


def _select(samples: list[Sample], options: Options) -> list[Sample]:
    if options.split:
        samples = [s for s in samples if s.held_out == (options.split == "held-out")]
    return samples[: options.limit] if options.limit else samples


BASELINE = "trafilatura default"
RIVALS = ("trafilatura comments off", "readability-lxml")


def run(argv: list[str] | None = None) -> str:
    options = parse_options(sys.argv[1:] if argv is None else argv)
    if not EXTRACTION.is_dir():
        return f"## Extraction\n\n(evaluation data not found under {EXTRACTION}: skipped)"
    sets = {name: _select(load(name), options) for name in options.sets}
    if not any(sets.values()):
        return f"## Extraction\n\n(no pages found under {EXTRACTION}: skipped)"
    newsflow = _Newsflow()
    extractors: list[tuple[str, Extractor]] = [
        ("newsflow", newsflow),
        (BASELINE, _trafilatura()),
        ("trafilatura comments off", _trafilatura(include_comments=False)),
        ("trafilatura fast", _trafilatura(fast=True, include_comments=False)),
        ("readability-lxml", _readability_lxml()),
    ]
    if options.only:
        extractors = [(n, e) for n, e in extractors if n == options.only]
    # Warm up every extractor once (lazy imports, compiled XPaths) outside the timed runs.
    warm = next(s for s in sets.values() if s)[0]
    for _, extract in extractors:
        extract(warm.html, warm.url)
    newsflow.methods.clear()
    rows: list[list[object]] = []
    total_time: dict[str, float] = dict.fromkeys((name for name, _ in extractors), 0.0)
    total_cpu: dict[str, float] = {}
    total_pages = 0
    f1s: dict[tuple[str, str], float] = {}
    for set_name, samples in sets.items():
        if not samples:
            rows.append(["-", set_name, "no pages", "", "", "", "", "", ""])
            continue
        total_pages += len(samples)
        measured = _measure_interleaved(extractors, samples, total_cpu)
        dev = [i for i, s in enumerate(samples) if not s.held_out]
        held = [i for i, s in enumerate(samples) if s.held_out]
        for name, _ in extractors:
            outputs, times = measured[name]
            precision, recall, f1 = score(set_name, samples, outputs)
            f1_dev = score(set_name, [samples[i] for i in dev], [outputs[i] for i in dev])[2]
            f1_held = score(set_name, [samples[i] for i in held], [outputs[i] for i in held])[2]
            f1s[(name, set_name)] = f1
            total_time[name] += sum(times)
            rows.append(
                [name, f"{set_name} ({len(samples)})", f"{precision:.3f}", f"{recall:.3f}", f"{f1:.3f}",
                 f"{f1_dev:.3f}", f"{f1_held:.3f}", f"{len(samples) / sum(times):.1f}",
                 f"{percentile(times, 95) * 1000:.1f}"]
            )  # fmt: skip
    parts = ["## Whole-page extraction (1 process, 1 core)\n"]
    headers = ["extractor", "set (pages)", "P", "R", "F1", "F1 dev", "F1 held-out", "pages/s", "p95 ms"]
    parts.append(table(headers, rows))
    parts.append("")
    overall = [f"{name}: {total_pages / total_time[name]:.1f}" for name, _ in extractors if total_time[name]]
    parts.append(f"Pages/s over all {total_pages} pages: {', '.join(overall)}")
    if total_time.get("newsflow") and total_time.get(BASELINE):
        ratio = total_time[BASELINE] / total_time["newsflow"]
        parts.append(f"newsflow speed vs {BASELINE} over all pages: {ratio:.2f}x (goal >= 2x)")
    if total_cpu.get("newsflow") and total_cpu.get(BASELINE):
        cpu_ratio = total_cpu[BASELINE] / total_cpu["newsflow"]
        parts.append(
            f"same in CPU time of this process: {cpu_ratio:.2f}x "
            f"(newsflow {total_cpu['newsflow']:.1f} s, {BASELINE} {total_cpu[BASELINE]:.1f} s)"
        )
    goals = []
    for set_name in sets:
        rivals = [f1s[(r, set_name)] for r in RIVALS if (r, set_name) in f1s]
        if ("newsflow", set_name) in f1s and rivals:
            ours, best = f1s[("newsflow", set_name)], max(rivals)
            goals.append(f"{set_name} {ours:.3f} vs {best:.3f} ({'met' if ours >= best else 'NOT met'})")
    if goals:
        parts.append(f"newsflow F1 vs best of {' / '.join(RIVALS)}: {'; '.join(goals)}")
    if newsflow.methods:
        chosen = ", ".join(f"{m} {c}" for m, c in newsflow.methods.most_common())
        parts.append(f"newsflow candidate chosen per page: {chosen}")
    return "\n".join(parts)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "functions"))
    print(run())
