"""The compiled lexicon index of the packaged taxonomy, shipped as a data file (a cold-start saving).

Compiling the lexicon (`scoring.compile_index`: ~3,000 terms, plurals, country words, phrase starts)
costs ~15-25 ms of CPU on every cold start; reading the same index back costs a fraction of that.
`newsflow categories build-index` writes `data/lexicon_index.bin` from the packaged taxonomy, lexicon
and country list. The file carries a digest of those inputs: `cached_index` returns it only when the
taxonomy in use has the same inputs (a deployment's own taxonomy, or an edited lexicon, compiles as
before), and any unreadable or malformed file is ignored (compiled instead), so the file can make the
first use faster but never different. A unit test checks that the packaged file is a fresh build (what
`build-index --check` does), which also catches a change to `compile_index` itself.

Format: zlib-compressed marshal (version 2: plain values), {"format", "digest", "rows": [[label,
weights, country, blocks_country, ambiguous], ...], "entries": {key: row}, "cased": {surface: row},
"phrase_len", "aliases"}. Only the packaged file is read (it ships inside the package, like the model),
never anything a user or a feed supplies. Keys that share one Entry
(a plural and its singular, a surface and its ALL-CAPS form) name the same row, so they stay one Entry.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from newsflow.categorise.scoring import Entry, TermIndex

INDEX_FORMAT: Final = 1
MARSHAL_VERSION: Final = 2
DEFAULT_INDEX_PATH: Final = Path(__file__).resolve().parent.parent / "data" / "lexicon_index.bin"


def inputs_digest(
    lexicon: Mapping[str, str],
    aliases: Mapping[str, Mapping[str, float]],
    countries: str,
    category_names: Mapping[str, str],
) -> str:
    """A digest of everything `compile_index` reads (and of the file format)."""
    text = json.dumps([INDEX_FORMAT, lexicon, aliases, countries, category_names], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dump_index(index: TermIndex, digest: str) -> bytes:
    """The index as JSON, every mapping in the order `compile_index` built it (deterministic for the same
    inputs; the order is kept so that the loaded index iterates exactly like the compiled one)."""
    numbers: dict[int, int] = {}
    rows: list[list[Any]] = []

    def row_of(entry: Entry) -> int:
        number = numbers.get(id(entry))
        if number is None:
            number = numbers[id(entry)] = len(rows)
            rows.append([entry.label, entry.weights, entry.country, entry.blocks_country, entry.ambiguous])
        return number

    entries = {k: row_of(e) for k, e in index.entries.items()}
    cased = {k: row_of(e) for k, e in index.cased.items()}
    document = {
        "format": INDEX_FORMAT,
        "digest": digest,
        "rows": rows,
        "entries": entries,
        "cased": cased,
        "phrase_len": index.phrase_len,
        "aliases": index.aliases,
    }
    # marshal version 2 has no back-references, so the bytes depend only on the values, not on which
    # objects happen to be shared in this process (and it loads ~6x faster than the same JSON).
    return zlib.compress(marshal.dumps(document, MARSHAL_VERSION), 9)


def load_index(data: bytes, digest: str) -> TermIndex | None:
    """The index in `data` if it was built from inputs with this digest, else None (also when malformed)."""
    try:
        document = marshal.loads(zlib.decompress(data))  # noqa: S302 - our own packaged file, not input
        if document.get("format") != INDEX_FORMAT or document.get("digest") != digest:
            return None
        made = [Entry(*row) for row in document["rows"]]  # label, weights, country, blocks_country, ambiguous
        entries = {k: made[n] for k, n in document["entries"].items()}
        cased = {k: made[n] for k, n in document["cased"].items()}
        return TermIndex(
            entries=entries,
            cased=cased,
            cased_lower=frozenset(surface.lower() for surface in cased),
            phrase_len=document["phrase_len"],
            aliases=document["aliases"],
        )
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, EOFError, zlib.error):
        return None


def cached_index(digest: str, path: Path = DEFAULT_INDEX_PATH) -> TermIndex | None:
    """The packaged index for these inputs, or None (no file, other inputs, unreadable)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return load_index(data, digest)
