"""`newsflow categorise` and `newsflow categories train|eval|build-default`.

- `categorise [--explain] FILE`: the verdict for each item in FILE (a JSON object, a JSON array, or JSON
  lines; FeedItem fields, or labelled items {"title", "summary", "body"}); `--explain` adds, per
  category, its points and score and the rules and terms (lexicon and model) behind them.
- `categories train LABELLED.jsonl [--out PATH]`: fit a model artifact on labelled items
  ({"title", "summary", "body", "categories": [...]}, first category = primary; "general" = negative).
- `categories eval LABELLED.jsonl [--model PATH] [--signals all|model|lexicon]`: accuracy, macro-F1, a
  per-category table and the most frequent confusions. `all` is the full categoriser (aliases + lexicon
  + model, as ingest runs it); `model` the model alone (for labels outside the taxonomy this is chosen
  automatically); `lexicon` aliases + lexicon without a model.
- `categories build-default [--check]`: retrain the packaged model from the training corpus
  (newsflow/data/training/*.jsonl: news items written by the newsflow developers); byte for byte the
  same artifact every time. `--check` builds into memory and fails if the packaged artifact differs.
- `categories build-index [--check]`: rebuild newsflow/data/lexicon_index.bin, the packaged taxonomy's
  compiled lexicon index, read on first use instead of compiling (`categorise/index_cache.py`).
- `recategorise` (see `cli/recategorise.py`): re-run categorisation over stored articles.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsflow.categorise.model import STOP_WORDS

DEFAULT_TRAINING_DIR = Path(__file__).resolve().parent.parent / "data" / "training"
# The default model reads title, summary and the first 150 body tokens (which keeps full articles fast);
# "general" is a class of its own, so an off-topic item has to look like one rather than merely lack
# evidence; every feature seen once counts (the corpus is small and hand-written, not noisy).
DEFAULT_TRAIN_OPTIONS: dict[str, Any] = {
    "c": 1.0,
    "min_df": 1,
    "max_body_tokens": 150,
    "max_weights": 60_000,
    "general_class": True,
    "stop_words": STOP_WORDS,
}


def _read_items(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8").strip()
    if not text:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return data if isinstance(data, list) else [data]


def _to_feed_item(raw: dict[str, Any], number: int) -> Any:
    from newsflow.models import FeedItem

    fields = dict(raw)
    fields.pop("categories", None)
    if "body" in fields:
        body = fields.pop("body")
        fields.setdefault("content_text", body or None)
    if not fields.get("url") and not fields.get("guid"):
        fields["guid"] = f"item-{number}"
    if not fields.get("summary"):
        fields.pop("summary", None)
    return FeedItem.model_validate(fields)


def _cmd_categorise(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from newsflow.categorise import categorise, explain
    from newsflow.normalise import normalise_item

    try:
        raws = _read_items(Path(args.file))
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: bad JSON, bad UTF-8, integers too long
        print(f"error: cannot read {args.file}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    for number, raw in enumerate(raws, start=1):
        try:
            item = normalise_item(_to_feed_item(raw, number), now=now)
        except ValidationError as exc:
            print(f"error: item {number}: {exc}", file=sys.stderr)
            return 2
        print(f"# {item.title}")
        if args.explain:
            print(explain(item).format(top=args.top))
        else:
            verdict = categorise(item)
            print(json.dumps(verdict.model_dump(), ensure_ascii=False))
        print()
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from newsflow.categorise import DEFAULT_MODEL_PATH
    from newsflow.categorise.training import DataError, TrainOptions, read_labelled, train

    out = Path(args.out) if args.out else DEFAULT_MODEL_PATH
    try:
        items = read_labelled(args.labelled)
        started = time.perf_counter()
        options = TrainOptions(
            c=args.c,
            min_df=args.min_df,
            max_calibration_slope=args.max_calibration_slope,
            max_body_tokens=args.max_body_tokens,
            info={"trained_on": Path(args.labelled).name},
        )
        model = train(items, options)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    size = model.save(out)
    print(
        f"trained on {len(items)} items, {len(model.classes)} categories in {time.perf_counter() - started:.1f} s: "
        f"{model.n_features} features, {model.n_weights} weights, {size / 1024:.0f} KiB -> {out}"
    )
    return 0


def evaluate_file(labelled: str | Path, model_path: str | Path | None, signals: str) -> tuple[str, Any]:
    """(signals actually used, Report) for a labelled file; importable by the benchmarks.

    Accuracy and macro-F1 compare the predicted primary with the first label; the lenient accuracy
    counts a prediction that is any of the item's labels. Feed tags and the URL, when an item has them,
    are read as ingest reads them."""
    from newsflow.categorise import Categoriser, configured_model_path
    from newsflow.categorise.model import LinearModel
    from newsflow.categorise.training import evaluate, predict_model_only, read_labelled
    from newsflow.taxonomy import CATEGORY_SLUGS, TAXONOMY

    items = read_labelled(labelled)
    path = Path(model_path) if model_path else configured_model_path()
    model = LinearModel.load(path) if path else None
    gold = [item.primary for item in items]
    labels = [item.categories for item in items]
    if signals == "all" and not set(gold) <= CATEGORY_SLUGS | {"general"}:
        signals = "model"
    if signals == "model":
        if model is None:
            raise ValueError("no model to evaluate")
        return signals, evaluate(gold, predict_model_only(model, items), labels)
    categoriser = Categoriser.from_taxonomy(TAXONOMY, model if signals == "all" else None)
    predicted = [categoriser.categorise_text(i.title, i.summary, i.body, i.tags, i.url).primary for i in items]
    return signals, evaluate(gold, predicted, labels)


def _cmd_eval(args: argparse.Namespace) -> int:
    from newsflow.categorise.model import ModelError
    from newsflow.categorise.training import DataError

    try:
        signals, report = evaluate_file(args.labelled, args.model, args.signals)
    except (DataError, ModelError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"signals: {signals}")
    print(report.format())
    return 0


def build_default_model(training: Path = DEFAULT_TRAINING_DIR) -> tuple[Any, int]:
    """(model, items) trained on the corpus in `training` with the default options; deterministic."""
    from newsflow.categorise.training import TrainOptions, read_corpus, train

    items = read_corpus(training)
    info = {"trained_on": f"newsflow/data/training ({len(items)} items written by the newsflow developers)"}
    return train(items, TrainOptions(**DEFAULT_TRAIN_OPTIONS, info=info)), len(items)


def _cmd_build_default(args: argparse.Namespace) -> int:
    from newsflow.categorise import DEFAULT_MODEL_PATH
    from newsflow.categorise.training import DataError

    training = Path(args.training) if args.training else DEFAULT_TRAINING_DIR
    out = Path(args.out) if args.out else DEFAULT_MODEL_PATH
    try:
        model, n_items = build_default_model(training)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    data = model.to_bytes()
    if args.check:
        current = out.read_bytes() if out.exists() else b""
        if current != data:
            print(f"{out} differs from a rebuild of {training} ({len(current)} vs {len(data)} bytes)", file=sys.stderr)
            return 1
        print(f"{out} is a byte-for-byte rebuild of {training} ({n_items} items)")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(
        f"{n_items} items from {training}; model {model.n_features} features, {model.n_weights} weights, "
        f"{len(data) / 1024:.0f} KiB -> {out}"
    )
    return 0


def build_default_index() -> bytes:
    """The packaged taxonomy's compiled lexicon index as the file `index_cache` reads (deterministic)."""
    from newsflow.categorise import taxonomy_aliases, taxonomy_index, taxonomy_lexicon
    from newsflow.categorise.countries import COUNTRY_SPECS
    from newsflow.categorise.index_cache import dump_index, inputs_digest
    from newsflow.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()  # the packaged file, whatever NEWSFLOW_TAXONOMY_PATH says
    digest = inputs_digest(taxonomy_lexicon(taxonomy), taxonomy_aliases(taxonomy), COUNTRY_SPECS, taxonomy.names)
    return dump_index(taxonomy_index(taxonomy, cached=False), digest)


def _cmd_build_index(args: argparse.Namespace) -> int:
    from newsflow.categorise.index_cache import DEFAULT_INDEX_PATH

    out = Path(args.out) if args.out else DEFAULT_INDEX_PATH
    data = build_default_index()
    if args.check:
        current = out.read_bytes() if out.exists() else b""
        if current != data:
            print(f"{out} differs from a rebuild ({len(current)} vs {len(data)} bytes)", file=sys.stderr)
            return 1
        print(f"{out} is a byte-for-byte rebuild of the packaged taxonomy's lexicon index")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"lexicon index {len(data) / 1024:.0f} KiB -> {out}")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    categorise = commands.add_parser("categorise", help="categorise items from a JSON / JSON-lines file")
    categorise.add_argument("file", help="a FeedItem / labelled item, a JSON array of them, or JSON lines")
    categorise.add_argument("--explain", action="store_true", help="show scores, rules and contributing terms")
    categorise.add_argument("--top", type=int, default=8, help="rules shown per category with --explain")
    categorise.set_defaults(func=_cmd_categorise)

    categories = commands.add_parser("categories", help="train and evaluate the category model")
    sub = categories.add_subparsers(dest="categories_command", required=True)
    train = sub.add_parser("train", help="train a model artifact from labelled JSON lines")
    train.add_argument("labelled")
    train.add_argument("--out", help="artifact path (default: the packaged model)")
    train.add_argument("--c", type=float, default=1.0, help="inverse regularisation (as LinearSVC's C)")
    train.add_argument("--min-df", type=int, default=None, help="minimum document frequency of a feature")
    train.add_argument("--max-calibration-slope", type=float, default=None, help="cap the Platt slope")
    train.add_argument("--max-body-tokens", type=int, default=300, help="body tokens read per item (default 300)")
    train.set_defaults(func=_cmd_train)

    evaluate = sub.add_parser("eval", help="accuracy, macro-F1 and confusions on labelled JSON lines")
    evaluate.add_argument("labelled")
    evaluate.add_argument("--model", help="artifact path (default: the configured / packaged model)")
    evaluate.add_argument("--signals", choices=["all", "model", "lexicon"], default="all")
    evaluate.set_defaults(func=_cmd_eval)

    build = sub.add_parser("build-default", help="retrain the packaged model from the training corpus")
    build.add_argument("--training", help="directory of *.jsonl labelled items (default newsflow/data/training)")
    build.add_argument("--out", help="artifact path (default: the packaged model)")
    build.add_argument("--check", action="store_true", help="fail unless the artifact is a byte-for-byte rebuild")
    build.set_defaults(func=_cmd_build_default)

    index = sub.add_parser("build-index", help="rebuild the packaged lexicon index (a cold-start saving)")
    index.add_argument("--out", help="file path (default: newsflow/data/lexicon_index.bin)")
    index.add_argument("--check", action="store_true", help="fail unless the file is a byte-for-byte rebuild")
    index.set_defaults(func=_cmd_build_index)
