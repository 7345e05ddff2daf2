"""The linear model: train -> save -> load -> score round trip, calibration, explanations, the default."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from newsflow.categorise import DEFAULT_MODEL_PATH, Categoriser, default_categoriser
from newsflow.categorise.model import LinearModel, ModelError, field_features
from newsflow.categorise.training import (
    DataError,
    LabelledItem,
    TrainOptions,
    evaluate,
    item_features,
    predict_model_only,
    read_labelled,
    train,
    write_labelled,
)
from newsflow.models import GENERAL_CATEGORY
from newsflow.taxonomy import CATEGORY_SLUGS, load_taxonomy

HELDOUT = Path(__file__).with_name("heldout.jsonl")

TOPICS = {
    "cooking": ["recipe", "oven", "garlic", "simmer", "bake", "flour", "sauce", "roast"],
    "sailing": ["yacht", "regatta", "sail", "harbour", "mast", "keel", "crew", "wind"],
    "chess": ["gambit", "checkmate", "grandmaster", "opening", "rook", "bishop", "endgame", "pawn"],
}
FILLER = ["the", "a", "new", "week", "said", "people", "more", "after", "local", "first"]


def synthetic(n_per_topic: int, seed: int) -> list[LabelledItem]:
    rng = random.Random(seed)
    items = []
    for topic, words in TOPICS.items():
        for _ in range(n_per_topic):
            text = rng.sample(words, 3) + rng.sample(FILLER, 4)
            rng.shuffle(text)
            items.append(LabelledItem(title=" ".join(text[:4]), summary=" ".join(text[4:]), categories=[topic]))
    return items


def test_features_are_unigrams_and_bigrams_within_each_field() -> None:
    counts = field_features([["oil", "prices"], ["oil", "rise"], ["a", "b", "c"]], max_body_tokens=2)
    assert counts == Counter(
        {"oil": 2, "prices": 1, "oil prices": 1, "rise": 1, "oil rise": 1, "a": 1, "b": 1, "a b": 1}
    )
    assert "prices oil" not in counts  # no bigram across fields


def test_train_save_load_and_evaluate_round_trip(tmp_path: Path) -> None:
    # Given a small labelled set written as JSON lines
    path = tmp_path / "train.jsonl"
    write_labelled(path, synthetic(30, seed=1))
    # When a model is trained on it, saved and loaded again
    model = train(read_labelled(path), TrainOptions(seed=3))
    size = model.save(tmp_path / "m.nfm")
    loaded = LinearModel.load(tmp_path / "m.nfm")
    # Then the artifact is small, the classes survive, and held-out items are classified correctly
    assert size < 50_000
    assert loaded.classes == ("chess", "cooking", "sailing")
    test = synthetic(10, seed=2)
    report = evaluate([i.primary for i in test], predict_model_only(loaded, test))
    assert report.accuracy == 1.0
    assert report.macro_f1 == 1.0
    # And the reloaded (int16-quantised) margins match the trained ones closely
    counts = item_features("Grandmaster plays the rook endgame", "", "")
    assert loaded.margins(counts) == pytest.approx(model.margins(counts), abs=1e-3)


def test_probabilities_are_calibrated_and_contributions_name_the_terms() -> None:
    model = train(synthetic(30, seed=1))
    counts = item_features("Yacht crew wins the regatta", "", "")
    probabilities = dict(zip(model.classes, model.probabilities(counts), strict=True))
    assert probabilities["sailing"] > 0.8
    assert probabilities["chess"] < 0.2
    assert probabilities["cooking"] < 0.2
    terms = [c.term for c in model.contributions(counts, model.classes.index("sailing"))]
    assert {"yacht", "regatta", "crew"} <= set(terms)


def test_general_items_are_negatives_not_a_class() -> None:
    items = synthetic(20, seed=1) + [
        LabelledItem(title="Weather warning for the weekend", categories=[GENERAL_CATEGORY]) for _ in range(5)
    ]
    assert GENERAL_CATEGORY not in train(items).classes


def test_training_needs_two_categories_and_valid_lines(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="at least two categories"):
        train([LabelledItem(title="x", categories=["a"])])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "ok", "categories": ["a"]}\n{"title": "no categories"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.jsonl:2: invalid labelled item"):
        read_labelled(bad)


def test_a_corrupt_artifact_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "m.nfm"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="bad magic"):
        LinearModel.load(path)
    path.write_bytes(DEFAULT_MODEL_PATH.read_bytes()[:-100])
    with pytest.raises(ModelError, match="corrupt model"):
        LinearModel.load(path)


def test_evaluate_reports_accuracy_macro_f1_and_confusions() -> None:
    report = evaluate(["a", "a", "b", "b"], ["a", "b", "b", "general"])
    assert report.accuracy == 0.5
    assert [(c.label, round(c.f1, 3)) for c in report.classes] == [("a", 0.667), ("b", 0.5)]
    assert report.macro_f1 == pytest.approx((2 / 3 + 0.5) / 2)
    assert ("a", "b", 1) in report.confusions
    assert ("b", "general", 1) in report.confusions
    assert "macro-F1: 0.583" in report.format()


def test_the_packaged_model_is_small_and_covers_the_taxonomy() -> None:
    model = default_categoriser().model
    assert model is not None
    assert set(model.classes) == CATEGORY_SLUGS | {GENERAL_CATEGORY}
    assert DEFAULT_MODEL_PATH.stat().st_size < 1_000_000
    assert "written by the newsflow developers" in model.info["trained_on"]


def test_the_default_categoriser_scores_the_handwritten_heldout_set_well() -> None:
    # Given 10+ hand-written items per category that no model or lexicon was fitted to
    items = read_labelled(HELDOUT)
    assert {i.primary for i in items} == CATEGORY_SLUGS
    # When the full categoriser classifies them
    categoriser = default_categoriser()
    predicted = [categoriser.categorise_text(i.title, i.summary, i.body).primary for i in items]
    # Then macro-F1 is at least 0.85 (the bar)
    assert evaluate([i.primary for i in items], predicted).macro_f1 >= 0.85


def test_model_classes_outside_the_taxonomy_are_ignored() -> None:
    # Given a model trained on other labels, used with the default taxonomy
    categoriser = Categoriser.from_taxonomy(load_taxonomy(), train(synthetic(20, seed=1)))
    # Then it adds no points (and no unknown slugs reach the verdict)
    verdict = categoriser.categorise_text("Yacht crew wins the regatta")
    assert verdict.primary == GENERAL_CATEGORY
