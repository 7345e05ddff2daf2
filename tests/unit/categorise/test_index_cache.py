"""The packaged lexicon index (index_cache.py) is a fresh build, loads as the very index compile_index
builds, and is ignored whenever it does not fit (another taxonomy, a damaged file)."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pytest
from newsflow.categorise import Categoriser, taxonomy_aliases, taxonomy_index, taxonomy_lexicon
from newsflow.categorise.countries import COUNTRY_SPECS
from newsflow.categorise.index_cache import DEFAULT_INDEX_PATH, cached_index, dump_index, inputs_digest, load_index
from newsflow.categorise.scoring import TermIndex, compile_index
from newsflow.cli import main
from newsflow.cli.categories import build_default_index
from newsflow.taxonomy import Taxonomy, load_taxonomy


def shape(index: TermIndex) -> Any:
    """Everything matching reads, in iteration order, with shared entries numbered by identity."""
    ids: dict[int, int] = {}

    def entry(e: Any) -> Any:
        number = ids.setdefault(id(e), len(ids))
        return (number, e.label, list(e.weights.items()), e.country, e.blocks_country, e.ambiguous)

    return (
        [(k, entry(v)) for k, v in index.entries.items()],
        [(k, entry(v)) for k, v in index.cased.items()],
        list(index.phrase_len.items()),
        [(k, list(v.items())) for k, v in index.aliases.items()],
        index.starts,
        index.prefixes,
        index.cased_lower,
    )


def digest_of(taxonomy: Taxonomy) -> str:
    return inputs_digest(taxonomy_lexicon(taxonomy), taxonomy_aliases(taxonomy), COUNTRY_SPECS, taxonomy.names)


def test_the_packaged_index_is_a_fresh_build() -> None:
    # `newsflow categories build-index` after any change to the lexicon, taxonomy, countries or compile_index
    assert DEFAULT_INDEX_PATH.read_bytes() == build_default_index()


def test_the_packaged_index_loads_as_the_compiled_one() -> None:
    taxonomy = load_taxonomy()
    loaded = cached_index(digest_of(taxonomy))
    assert loaded is not None
    compiled = compile_index(taxonomy_lexicon(taxonomy), taxonomy_aliases(taxonomy), COUNTRY_SPECS, taxonomy.names)
    assert shape(loaded) == shape(compiled)
    # a derived plural and its singular stay one entry (they must not count as two agreeing terms)
    plurals = [k for k, e in compiled.entries.items() if e.label != k]
    assert plurals
    assert all(loaded.entries[k] is loaded.entries[loaded.entries[k].label] for k in plurals)
    text = ("Airline shares fall", "", "The airline cut flights and its airlines rival followed.", (), None)
    assert Categoriser(loaded).categorise_text(*text) == Categoriser(compiled).categorise_text(*text)


def test_another_taxonomy_compiles_its_own_index() -> None:
    taxonomy = load_taxonomy()
    changed = taxonomy.model_copy(
        update={
            "categories": [
                c.model_copy(update={"lexicon": "3: zorblax widgets"}) if c.slug == "economy" else c
                for c in taxonomy.categories
            ]
        }
    )
    assert cached_index(digest_of(changed)) is None
    index = taxonomy_index(changed)
    assert index.entries["zorblax widgets"].weights == {"economy": 3.0}
    assert taxonomy_index(taxonomy).entries.keys() != index.entries.keys()


@pytest.mark.parametrize(
    "data",
    [b"", b"not zlib", zlib.compress(b"not marshal"), zlib.compress(b"\xe9\x00\x00")],
)
def test_a_damaged_file_is_ignored(data: bytes) -> None:
    assert load_index(data, "any") is None


def test_an_index_of_other_inputs_or_format_is_ignored(tmp_path: Path) -> None:
    index = compile_index({"alpha": "1: widgets"}, {}, "", {"alpha": "Alpha"})
    data = dump_index(index, "digest-a")
    assert load_index(data, "digest-b") is None
    loaded = load_index(data, "digest-a")
    assert loaded is not None
    assert shape(loaded) == shape(index)
    assert cached_index("digest-a", tmp_path / "missing.bin") is None


def test_build_index_check_fails_on_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "index.bin"
    assert main(["categories", "build-index", "--out", str(out)]) == 0
    assert main(["categories", "build-index", "--out", str(out), "--check"]) == 0
    out.write_bytes(out.read_bytes()[:-1])
    assert main(["categories", "build-index", "--out", str(out), "--check"]) == 1
    assert "differs from a rebuild" in capsys.readouterr().err
