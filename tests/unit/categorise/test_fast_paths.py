"""The fast paths of scoring agree with the plain definitions they replace."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest
from newsflow.categorise import default_categoriser
from newsflow.categorise.model import LinearModel, field_features
from newsflow.categorise.scoring import compile_index
from newsflow.categorise.tokens import key, tokenise

NAMES = {"alpha": "Alpha", "beta": "Beta"}
_REGEX_TOKEN = re.compile(r"[^\W_]+(?:&[^\W_]+)*")


@pytest.mark.parametrize(
    "text", ["S&P 500", "McDonald's", "  New   York ", "ørsted", "a_b c", "İstanbul", "x²", "①", "Rolls-Royce", ""]
)
def test_key_is_the_regex_tokens_joined(text: str) -> None:
    assert key(text) == " ".join(_REGEX_TOKEN.findall(text.lower()))


def test_phrases_are_found_through_their_two_word_prefix_longest_first() -> None:
    index = compile_index({"alpha": "2: new york stock exchange, new york, york", "beta": "1: new"}, {}, "", NAMES)
    found = {
        e.label: n for e, n in index.match(*tokenise("The New York Stock Exchange and new rules in New York")).items()
    }
    assert found == {"new york stock exchange": 1, "new": 1, "new york": 1}


def _reference_margins(model: LinearModel, counts: Counter[str]) -> list[float]:
    """The textbook computation: sublinear TF-IDF, L2 norm over known terms, dot with each class."""
    dots = [0.0] * len(model.classes)
    squared = 0.0
    for term, count in counts.items():
        i = model.index.get(term)
        if i is None:
            continue
        idf, pairs = model.row(i)
        value = (1.0 + math.log(count)) * idf
        squared += value * value
        for cls, weight in pairs:
            dots[cls] += value * weight * model.scale
    if not squared:
        return list(model.intercepts)
    return [b + d / math.sqrt(squared) for b, d in zip(model.intercepts, dots, strict=True)]


def test_dense_margins_equal_the_reference_computation_with_repeated_terms() -> None:
    model = default_categoriser().model
    assert model is not None
    text = "Oil prices rose as oil traders bet OPEC would cut oil output; crude rose again and again"
    counts = field_features([tokenise(text)[1], [], tokenise(text + " refinery refinery")[1]])
    assert max(counts.values()) > 1
    assert model.margins(counts) == pytest.approx(_reference_margins(model, counts), rel=1e-9, abs=1e-9)
    assert model.margins(Counter()) == list(model.intercepts)


def test_terse_company_copy_goes_to_the_company_sector() -> None:
    verdict = default_categoriser().categorise_text("EXXON SAYS FIRST QUARTER NET ROSE", "", "")
    assert verdict.primary == "energy-resources"
