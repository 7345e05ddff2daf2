"""Training and evaluation of the linear model (numpy; used by the CLI, never by the ingest path).

Training data: JSON lines {"title", "summary", "body", "categories": [slug, ...]}; the first category is
the primary one. An item labelled only "general" is a negative example for every category (an
off-topic piece), so the model learns what is *not* one of the sections.

The learner is the one TF-IDF + LinearSVC uses (liblinear's dual coordinate descent for the L2-
regularised squared-hinge loss, one-vs-rest, bias as a regularised constant feature), run for all
classes at once in numpy. Features are those of `model.field_features`, so training and scoring can
never disagree. A Platt sigmoid (one for all classes) is fitted on out-of-fold margins, so that a
probability of 0.9 means about nine in ten. Small weights are pruned to keep the artifact small and
scoring fast.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from newsflow.categorise.model import MAX_BODY_TOKENS, LinearModel, field_features
from newsflow.categorise.scoring import build_document
from newsflow.models import GENERAL_CATEGORY


class LabelledItem(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    title: str = ""
    summary: str = ""
    body: str = ""
    tags: list[str] = Field(default_factory=list)  # feed tags (evaluation reads them; training does not)
    url: str | None = None
    categories: list[str] = Field(min_length=1)

    @property
    def primary(self) -> str:
        return self.categories[0]


class DataError(ValueError):
    """A labelled file that cannot be read or has an invalid line."""


def read_labelled(path: str | Path) -> list[LabelledItem]:
    items: list[LabelledItem] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(LabelledItem.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise DataError(f"{path}:{number}: invalid labelled item: {exc}") from exc
    if not items:
        raise DataError(f"{path}: no labelled items")
    return items


def read_corpus(directory: str | Path) -> list[LabelledItem]:
    """Every labelled item of the *.jsonl files in `directory`, files in name order (deterministic)."""
    files = sorted(Path(directory).glob("*.jsonl"))
    if not files:
        raise DataError(f"{directory}: no *.jsonl files")
    return [item for file in files for item in read_labelled(file)]


def write_labelled(path: str | Path, items: Iterable[LabelledItem]) -> int:
    lines = [json.dumps(item.model_dump(), ensure_ascii=False) for item in items]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def item_features(title: str, summary: str, body: str, max_body_tokens: int = MAX_BODY_TOKENS) -> Counter[str]:
    document = build_document(title, summary, body, (), None)
    fields = (document.title[1], document.summary[1], document.body[1])
    return field_features(fields, max_body_tokens=max_body_tokens)


@dataclass(frozen=True, slots=True)
class TrainOptions:
    c: float = 1.0  # inverse regularisation, as LinearSVC's C
    min_df: int | None = None  # None: 2 for 1,000+ items, else 1
    max_features: int = 250_000
    max_epochs: int = 200
    tol: float = 0.1  # liblinear's default stopping tolerance
    calibration_folds: int = 3
    max_calibration_slope: float | None = None
    max_body_tokens: int = MAX_BODY_TOKENS  # body tokens read per item, in training and at run time
    max_weights: int = 150_000  # prune the smallest weights beyond this many
    min_weight: float = 1e-3
    seed: int = 0
    general_class: bool = False  # also learn "general" as a class of its own (it competes at decision time)
    # Unigrams never learned (pairs holding them still are): function words carry the corpus's length and
    # style, not a topic (a long lifestyle piece read as IT through "and", "are", "their").
    stop_words: frozenset[str] = frozenset()
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Matrix:
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_features: int

    def rows(self, selection: np.ndarray) -> _Matrix:
        starts, ends = self.indptr[selection], self.indptr[selection + 1]
        lengths = ends - starts
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        parts = [np.arange(s, e) for s, e in zip(starts, ends, strict=True)]
        take = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return _Matrix(indptr, self.indices[take], self.data[take], self.n_features)

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """(n_rows, k) = X @ W."""
        n = len(self.indptr) - 1
        out = np.zeros((n, weights.shape[1]))
        if len(self.data):
            products = self.data[:, None] * weights[self.indices]
            nonempty = self.indptr[:-1] < self.indptr[1:]
            out[nonempty] = np.add.reduceat(products, self.indptr[:-1][nonempty], axis=0)
        return out


def _vectorise(counts: Sequence[Counter[str]], vocab: dict[str, int], idf: np.ndarray) -> _Matrix:
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for doc in counts:
        rows = [(vocab[t], n) for t, n in doc.items() if t in vocab]
        if rows:
            cols = np.fromiter((r for r, _ in rows), dtype=np.int64, count=len(rows))
            values = (1.0 + np.log(np.fromiter((n for _, n in rows), dtype=np.float64, count=len(rows)))) * idf[cols]
            values /= np.linalg.norm(values)
            indices.extend(cols.tolist())
            data.extend(values.tolist())
        indptr.append(len(indices))
    return _Matrix(np.asarray(indptr), np.asarray(indices, dtype=np.int64), np.asarray(data), len(vocab))


def _fit_svm(
    x: _Matrix, y: np.ndarray, c: float, max_epochs: int, tol: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest L2-loss linear SVM by dual coordinate descent (Hsieh et al. 2008), all classes at once.

    y: (n, k) in {+1, -1}. Returns (W (n_features, k), b (k,)); the bias is a constant feature of 1.
    """
    n, k = y.shape
    weights = np.zeros((x.n_features, k))
    bias = np.zeros(k)
    alpha = np.zeros((n, k))
    diag = 0.5 / c
    squared = np.add.reduceat(x.data**2, x.indptr[:-1], axis=0) if len(x.data) else np.zeros(n)
    squared = np.where(x.indptr[:-1] < x.indptr[1:], squared, 0.0)
    qd = squared + 1.0 + diag
    rng = np.random.default_rng(seed)
    indptr, indices, data = x.indptr, x.indices, x.data
    for _ in range(max_epochs):
        worst = 0.0
        for i in rng.permutation(n):
            start, end = indptr[i], indptr[i + 1]
            cols = indices[start:end]
            values = data[start:end]
            yi = y[i]
            ai = alpha[i]
            gradient = yi * (values @ weights[cols] + bias) - 1.0 + diag * ai
            projected = np.where(ai > 0, gradient, np.minimum(gradient, 0.0))
            violation = float(np.abs(projected).max())
            if violation < 1e-12:
                continue
            worst = max(worst, violation)
            new = np.maximum(ai - gradient / qd[i], 0.0)
            delta = (new - ai) * yi
            alpha[i] = new
            weights[cols] += np.outer(values, delta)
            bias += delta
        if worst < tol:
            break
    return weights, bias


def _fit_platt(margins: np.ndarray, positive: np.ndarray, max_slope: float | None = None) -> tuple[float, float]:
    """Platt (1999) with his target smoothing: p = sigmoid(a * margin + b), by Newton's method.

    With `max_slope`, a is capped there and b refitted: for training text much cleaner than the text
    it will score, the fitted sigmoid is a near step and would be overconfident."""
    m = margins.ravel()
    t = positive.ravel().astype(float)
    n_pos, n_neg = t.sum(), len(t) - t.sum()
    target = np.where(t > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    a, b = 1.0, 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-(a * m + b)))
        g = np.array([((p - target) * m).sum(), (p - target).sum()])
        w = p * (1 - p) + 1e-12
        h = np.array([[(w * m * m).sum(), (w * m).sum()], [(w * m).sum(), w.sum()]]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-9:
            break
    if max_slope is not None and a > max_slope:
        a = max_slope
        low, high = -50.0, 50.0  # sum(p - target) grows with b: bisect for its zero
        for _ in range(80):
            b = (low + high) / 2
            p = 0.5 * (1 + np.tanh(0.5 * (a * m + b)))
            low, high = (low, b) if (p - target).sum() > 0 else (b, high)
    return float(a), float(b)


def train(items: Sequence[LabelledItem], options: TrainOptions | None = None) -> LinearModel:
    """Fit a model on labelled items (see the module docstring)."""
    options = options or TrainOptions()
    classes = sorted({slug for item in items for slug in item.categories if slug != GENERAL_CATEGORY})
    if options.general_class and any(GENERAL_CATEGORY in item.categories for item in items):
        classes.append(GENERAL_CATEGORY)
    if len(classes) < 2:
        raise DataError(f"need at least two categories to train, got {classes}")
    if len(classes) > 255:
        raise DataError("at most 255 categories")
    counts = [item_features(item.title, item.summary, item.body, options.max_body_tokens) for item in items]
    min_df = options.min_df if options.min_df is not None else (2 if len(items) >= 1000 else 1)
    df: Counter[str] = Counter()
    for doc in counts:
        df.update(doc.keys())
    kept = [t for t, n in df.most_common(options.max_features) if n >= min_df and t not in options.stop_words]
    kept.sort()
    vocab = {t: i for i, t in enumerate(kept)}
    n_docs = len(items)
    idf = np.log((1 + n_docs) / (1 + np.array([df[t] for t in kept], dtype=float))) + 1.0
    x = _vectorise(counts, vocab, idf)
    column = {slug: j for j, slug in enumerate(classes)}
    y = -np.ones((n_docs, len(classes)))
    for i, item in enumerate(items):
        for slug in item.categories:
            if slug in column:
                y[i, column[slug]] = 1.0

    weights, bias = _fit_svm(x, y, options.c, options.max_epochs, options.tol, options.seed)

    calibration = (1.0, 0.0)
    folds = options.calibration_folds
    if folds >= 2 and n_docs >= 4 * folds:
        order = np.random.default_rng(options.seed + 1).permutation(n_docs)
        out_of_fold = np.zeros_like(y)
        for fold in range(folds):
            held = order[fold::folds]
            rest = np.setdiff1d(order, held)
            w_fold, b_fold = _fit_svm(x.rows(rest), y[rest], options.c, options.max_epochs, options.tol, options.seed)
            out_of_fold[held] = x.rows(held).dot(w_fold) + b_fold
        calibration = _fit_platt(out_of_fold, y > 0, options.max_calibration_slope)

    # Prune: keep the largest weights (at most max_weights, none below min_weight).
    magnitudes = np.abs(weights)
    threshold = options.min_weight
    if (magnitudes >= threshold).sum() > options.max_weights:
        threshold = float(np.partition(magnitudes.ravel(), -options.max_weights)[-options.max_weights])
    mask = magnitudes >= threshold
    rows, cols = np.nonzero(mask)  # row-major: grouped by feature
    offsets = np.zeros(len(kept) + 1, dtype=np.int64)
    np.add.at(offsets, rows + 1, 1)
    offsets = np.cumsum(offsets)
    info = {
        "trained_items": n_docs,
        "classes": len(classes),
        "c": options.c,
        "min_df": min_df,
        "pruned_below": threshold,
        **options.info,
    }
    flat = list(zip(cols.tolist(), weights[rows, cols].tolist(), strict=True))
    idf32 = idf.astype(np.float32).tolist()
    bounds = offsets.tolist()
    return LinearModel(
        classes=tuple(classes),
        terms={term: (idf32[i], tuple(flat[bounds[i] : bounds[i + 1]])) for i, term in enumerate(kept)},
        intercepts=bias.tolist(),
        calibration=calibration,
        max_body_tokens=options.max_body_tokens,
        info=info,
    )


def predict_model_only(model: LinearModel, items: Sequence[LabelledItem]) -> list[str]:
    """The model's best class per item (no lexicon, no aliases)."""
    out: list[str] = []
    for item in items:
        margins = model.margins(item_features(item.title, item.summary, item.body, model.max_body_tokens))
        out.append(model.classes[max(range(len(margins)), key=margins.__getitem__)])
    return out


# -- evaluation --------------------------------------------------------------------------------------


@dataclass(slots=True)
class ClassReport:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(slots=True)
class Report:
    accuracy: float
    macro_f1: float
    classes: list[ClassReport]
    confusions: list[tuple[str, str, int]]  # (gold, predicted, count), most frequent first
    n: int
    lenient_accuracy: float | None = None  # the predicted primary is any of the item's labels

    def format(self, *, top_confusions: int = 10) -> str:
        lenient = f"  lenient accuracy: {self.lenient_accuracy:.3f}" if self.lenient_accuracy is not None else ""
        lines = [f"items: {self.n}  accuracy: {self.accuracy:.3f}  macro-F1: {self.macro_f1:.3f}{lenient}", ""]
        width = max([len("category"), *(len(c.label) for c in self.classes)])
        lines.append(f"{'category'.ljust(width)}  precision  recall     F1  support")
        for c in self.classes:
            lines.append(f"{c.label.ljust(width)}  {c.precision:9.3f}  {c.recall:6.3f}  {c.f1:5.3f}  {c.support:7d}")
        if self.confusions:
            lines += ["", "most frequent confusions (gold -> predicted: count):"]
            lines += [f"  {g} -> {p}: {n}" for g, p, n in self.confusions[:top_confusions]]
        return "\n".join(lines)


def evaluate(
    gold: Sequence[str], predicted: Sequence[str], all_labels: Sequence[Sequence[str]] | None = None
) -> Report:
    """Accuracy, and precision/recall/F1 per gold class; macro-F1 averages over the gold classes
    (a prediction outside them, e.g. "general", is an error that lowers recall). With `all_labels`
    (every label of each item, the primary first), also the lenient accuracy: the share of items whose
    predicted primary is any of their labels."""
    if len(gold) != len(predicted) or (all_labels is not None and len(all_labels) != len(gold)):
        raise ValueError("gold and predicted differ in length")
    labels = sorted(set(gold))
    pairs = Counter(zip(gold, predicted, strict=True))
    reports: list[ClassReport] = []
    for label in labels:
        tp = pairs[(label, label)]
        support = sum(n for (g, _), n in pairs.items() if g == label)
        predicted_n = sum(n for (_, p), n in pairs.items() if p == label)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        reports.append(ClassReport(label, precision, recall, f1, support))
    correct = sum(n for (g, p), n in pairs.items() if g == p)
    confusions = sorted(((g, p, n) for (g, p), n in pairs.items() if g != p), key=lambda t: (-t[2], t[0], t[1]))
    macro = sum(r.f1 for r in reports) / len(reports) if reports else 0.0
    lenient = None
    if all_labels is not None:
        hits = sum(p in labels for p, labels in zip(predicted, all_labels, strict=True))
        lenient = hits / len(gold) if gold else 0.0
    return Report(
        accuracy=correct / len(gold) if gold else 0.0,
        macro_f1=macro,
        classes=reports,
        confusions=confusions,
        n=len(gold),
        lenient_accuracy=lenient,
    )
