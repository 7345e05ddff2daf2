"""The linear text model: TF-IDF over words and word pairs, one weight vector per category.

Scoring is pure Python (no numpy: importing numpy alone costs ~115 ms of cold start here, more than
the whole budget). A document becomes a sparse vector of sublinear TF-IDF values of its unigrams and
bigrams (title, summary and the first MAX_BODY_TOKENS tokens of the body, each field on its own so no
bigram spans two fields), L2-normalised over the features the model knows; each category's margin is
the dot product with its weights plus an intercept (one-vs-rest linear SVM, see `training.py`); a
Platt sigmoid fitted on out-of-fold margins turns a margin into a probability. The weights are stored
sparse (per feature, only the categories it matters to), so a document costs one dict probe per
distinct feature and a few multiply-adds. At run time a feature's row is expanded, the first time a
document holds it, into a dense tuple (IDF², IDF x weight of each class), so that a document's margins
are column sums done by the interpreter's C loops (`zip(*rows)`, `sum`) rather than a Python loop per
weight; the few features that occur more than once get their row scaled by their term frequency.

Artifact (`*.nfm`): MAGIC, a 4-byte little-endian header length, a JSON header (classes, intercepts,
calibration, array sizes, weight scale, provenance), then one zlib block holding the vocabulary
(UTF-8, newline-separated, sorted), idf (float32), per-feature offsets (uint32), and the flat
(class index uint8, weight int16) pairs. All arrays are little-endian.
"""

from __future__ import annotations

import json
import math
import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

MAGIC: Final = b"NFCM1\n"
_ZERO: Final = 0.0
MAX_BODY_TOKENS: Final = 300
FORMAT_VERSION: Final = 1
# Function words the default model learns no unigram weight for (training.TrainOptions.stop_words).
_STOP_WORD_TEXT: Final = (
    "a an and are as at be been but by can could did do does for from had has have he her his i if in "
    "into is it its just me my no not of on or our she so than that the their them then there these they "
    "this those to too up us was we were what when which who will with would you your"
)
STOP_WORDS: Final = frozenset(_STOP_WORD_TEXT.split())


class ModelError(ValueError):
    """The model artifact is missing, corrupt or of an unknown format."""


def field_features(fields: Iterable[Sequence[str]], *, max_body_tokens: int = MAX_BODY_TOKENS) -> Counter[str]:
    """Counts of the unigrams and bigrams of each field's lower-cased tokens (the last field is the body)."""
    counts: Counter[str] = Counter()
    fields = list(fields)
    for position, tokens in enumerate(fields):
        if not tokens:
            continue
        if position == len(fields) - 1 and len(tokens) > max_body_tokens:
            tokens = tokens[:max_body_tokens]
        counts.update(tokens)
        counts.update(map(" ".join, pairwise(tokens)))
    return counts


class Contribution:
    __slots__ = ("term", "value")

    def __init__(self, term: str, value: float) -> None:
        self.term = term
        self.value = value  # tf-idf value x weight: the term's share of the margin

    def __repr__(self) -> str:
        return f"Contribution({self.term!r}, {self.value:.3f})"


Row = tuple[float, tuple[tuple[int, float], ...]]  # (idf, ((class index, weight), ...))


class LinearModel:
    """A loaded model, scored in pure Python.

    Loading is lazy per feature (cold start matters more than the first few items): the artifact's flat
    arrays are kept, and a feature's row (idf, its non-zero class weights) is built the first time a
    document contains it.
    """

    __slots__ = (
        "_dense",
        "_flat",
        "_rows",
        "calibration",
        "classes",
        "index",
        "info",
        "intercepts",
        "max_body_tokens",
        "scale",
    )

    def __init__(
        self,
        classes: tuple[str, ...],
        terms: Mapping[str, Row],
        intercepts: list[float],
        calibration: tuple[float, float] = (1.0, 0.0),
        max_body_tokens: int = MAX_BODY_TOKENS,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.classes = classes
        self.index: dict[str, int] = {term: i for i, term in enumerate(terms)}
        self._rows: list[Row | None] = list(terms.values())
        self._dense: list[tuple[float, ...] | None] = [None] * len(self._rows)
        # From an artifact: (idf float32, offsets, class indices, int16 weights); weights x scale.
        self._flat: tuple[array[float], array[int], array[int], array[int]] | None = None
        self.scale = 1.0
        self.intercepts = intercepts
        self.calibration = calibration
        self.max_body_tokens = max_body_tokens
        self.info = info or {}

    def row(self, i: int) -> Row:
        row = self._rows[i]
        if row is None:
            assert self._flat is not None
            idf, offsets, weight_class, weight_value = self._flat
            start, end = offsets[i], offsets[i + 1]
            row = (idf[i], tuple(zip(weight_class[start:end], weight_value[start:end], strict=True)))
            self._rows[i] = row
        return row

    @property
    def terms(self) -> dict[str, Row]:
        return {term: self.row(i) for term, i in self.index.items()}

    # -- scoring ---------------------------------------------------------------------------------
    def dense_row(self, i: int) -> tuple[float, ...]:
        """Feature i as (idf², idf x weight x scale of each class), built once (zeros share one object)."""
        idf, pairs = self.row(i)
        values = [_ZERO] * (len(self.classes) + 1)
        values[0] = idf * idf
        scaled = idf * self.scale
        for cls, weight in pairs:
            values[cls + 1] = scaled * weight
        row = tuple(values)
        self._dense[i] = row
        return row

    def margins(self, counts: Counter[str]) -> list[float]:
        """Each class's margin: intercept + (weights . L2-normalised sublinear TF-IDF of the known terms)."""
        get = self.index.get
        dense = self._dense
        # Every known term at term frequency 1, then a correction row for the few seen more than once
        # (their sublinear weight is 1 + log(count): the row scaled by log(count), idf² by tf² - 1).
        rows = [dense[i] or self.dense_row(i) for i in map(get, counts) if i is not None]
        for term in [t for t, n in counts.items() if n > 1]:
            i = get(term)
            if i is not None:
                row = dense[i] or self.dense_row(i)
                extra = math.log(counts[term])
                rows.append((row[0] * extra * (2.0 + extra), *map(extra.__mul__, row[1:])))
        if not rows:
            return list(self.intercepts)
        sums = list(map(sum, zip(*rows, strict=True)))
        factor = 1.0 / math.sqrt(sums[0])
        return [b + d * factor for b, d in zip(self.intercepts, sums[1:], strict=True)]

    def probability(self, margin: float) -> float:
        a, b = self.calibration
        z = a * margin + b
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def probabilities(self, counts: Counter[str]) -> list[float]:
        """Calibrated one-vs-rest probability of each class (they need not sum to 1)."""
        return [self.probability(m) for m in self.margins(counts)]

    def contributions(self, counts: Counter[str], class_index: int, *, top: int = 8) -> list[Contribution]:
        """The terms that pushed `class_index` up the most (share of the margin, largest first)."""
        found: list[tuple[str, float]] = []
        squared = 0.0
        for term, count in counts.items():
            i = self.index.get(term)
            if i is None:
                continue
            row = self.row(i)
            value = (1.0 + math.log(count)) * row[0]
            squared += value * value
            for cls, weight in row[1]:
                if cls == class_index and weight > 0:
                    found.append((term, value * weight))
        factor = self.scale / (math.sqrt(squared) or 1.0)
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return [Contribution(term, value * factor) for term, value in found[:top]]

    @property
    def n_features(self) -> int:
        return len(self.index)

    @property
    def n_weights(self) -> int:
        if self._flat is not None:
            return len(self._flat[3])
        return sum(len(self.row(i)[1]) for i in range(len(self._rows)))

    # -- persistence -----------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        vocab = sorted(self.index)
        rows = [self.row(self.index[t]) for t in vocab]
        weights = [(cls, w * self.scale) for _, pairs in rows for cls, w in pairs]
        scale = max((abs(w) for _, w in weights), default=1.0) / 32767 or 1.0
        offsets = [0]
        for _, pairs in rows:
            offsets.append(offsets[-1] + len(pairs))
        arrays: list[array[Any]] = [
            array("f", [idf for idf, _ in rows]),
            array("I", offsets),
            array("B", [cls for cls, _ in weights]),
            array("h", [round(w / scale) for _, w in weights]),
        ]
        if sys.byteorder != "little":  # pragma: no cover - every Lambda and dev machine is little-endian
            for arr in arrays:
                arr.byteswap()
        vocab_bytes = "\n".join(vocab).encode("utf-8")
        header = {
            "format": FORMAT_VERSION,
            "classes": list(self.classes),
            "intercepts": self.intercepts,
            "calibration": list(self.calibration),
            "max_body_tokens": self.max_body_tokens,
            "n_features": len(vocab),
            "n_weights": len(weights),
            "vocab_bytes": len(vocab_bytes),
            "weight_scale": scale,
            "info": self.info,
        }
        header_bytes = json.dumps(header, sort_keys=True).encode("utf-8")
        body = vocab_bytes + b"".join(arr.tobytes() for arr in arrays)
        return MAGIC + len(header_bytes).to_bytes(4, "little") + header_bytes + zlib.compress(body, 9)

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str = "<model>") -> LinearModel:
        if not data.startswith(MAGIC):
            raise ModelError(f"{source}: not a newsflow category model (bad magic)")
        try:
            start = len(MAGIC) + 4
            header_len = int.from_bytes(data[len(MAGIC) : start], "little")
            header = json.loads(data[start : start + header_len])
            if header.get("format") != FORMAT_VERSION:
                raise ModelError(f"{source}: unsupported model format {header.get('format')!r}")
            body = zlib.decompress(data[start + header_len :])
            n_features = int(header["n_features"])
            n_weights = int(header["n_weights"])
            vocab_end = int(header["vocab_bytes"])
            vocab = body[:vocab_end].decode("utf-8").split("\n") if n_features else []
            arrays: list[array[Any]] = [array("f"), array("I"), array("B"), array("h")]
            sizes = [n_features, n_features + 1, n_weights, n_weights]
            position = vocab_end
            for arr, size in zip(arrays, sizes, strict=True):
                end = position + size * arr.itemsize
                arr.frombytes(body[position:end])
                position = end
                if sys.byteorder != "little":  # pragma: no cover
                    arr.byteswap()
            classes = tuple(header["classes"])
            scale = float(header["weight_scale"])
            if len(vocab) != n_features or position != len(body) or len(header["intercepts"]) != len(classes):
                raise ModelError(f"{source}: corrupt model (sizes do not match)")
        except (KeyError, TypeError, ValueError, zlib.error, UnicodeDecodeError) as exc:
            if isinstance(exc, ModelError):
                raise
            raise ModelError(f"{source}: corrupt model: {exc}") from exc
        model = cls(
            classes=classes,
            terms={},
            intercepts=[float(v) for v in header["intercepts"]],
            calibration=(float(header["calibration"][0]), float(header["calibration"][1])),
            max_body_tokens=int(header.get("max_body_tokens", MAX_BODY_TOKENS)),
            info=dict(header.get("info") or {}),
        )
        model.index = dict(zip(vocab, range(n_features), strict=True))
        model._rows = [None] * n_features
        model._dense = [None] * n_features
        model._flat = (arrays[0], arrays[1], arrays[2], arrays[3])
        model.scale = scale
        return model

    def save(self, path: str | Path) -> int:
        data = self.to_bytes()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(data)
        return len(data)

    @classmethod
    def load(cls, path: str | Path) -> LinearModel:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ModelError(f"{path}: cannot read model: {exc.strerror or exc}") from exc
        return cls.from_bytes(data, source=str(path))
