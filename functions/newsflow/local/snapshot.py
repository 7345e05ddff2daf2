"""What `newsflow dev` keeps across restarts: moto's table items and queue messages, in `<data dir>/state.pickle`.

The tantivy index lives beside it (`<data dir>/index`, committed per batch by the index handler). A snapshot is
written to a temporary file, flushed to disk and renamed over the previous one, so a crash leaves either the old
snapshot or the new one, never half of one. A clean stop writes one after the runtime has indexed everything in
the stream (nothing accepted is lost: messages still queued come back, visible, after the restart); while the
stack runs, one is written every `interval` seconds when something changed.

The file is a pickle of moto's own objects (each table partition pickled on its own, local/lazy_table.py, and
`Queue._messages`): only ever read from the data dir this machine's stack wrote, and refused when written by
another moto or format version (start with `--fresh`). A restart puts the partitions back as bytes and turns them
into moto's objects when first read and, meanwhile, in the background (`materialize_in_background`): the stack
answers at once however large the table.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
from pathlib import Path
from typing import Any

from newsflow.local.inprocess import ACCOUNT_ID, REGION
from newsflow.local.lazy_table import LazyPartitions, PartitionCache, item_count
from newsflow.local.moto_tuning import MOTO_VERSION

SNAPSHOT_FILE = "state.pickle"
FORMAT_VERSION = 2  # 2: table items by partition (local/lazy_table.py); 1 (moto's Table.items whole) still read
READABLE_FORMATS = (1, 2)
MATERIALIZE_CHUNK = 250  # partitions per hold of the moto lock in the background pass (a few ms)


class SnapshotError(RuntimeError):
    """The data dir holds a snapshot this version cannot read."""


def _backends(region: str) -> tuple[Any, Any]:
    from moto.dynamodb.models import dynamodb_backends
    from moto.sqs.models import sqs_backends

    return dynamodb_backends[ACCOUNT_ID][region], sqs_backends[ACCOUNT_ID][region]


def capture(lock: threading.RLock, clean: bool, region: str = REGION, cache: PartitionCache | None = None) -> bytes:
    """Every table's items and every queue's messages, pickled while no in-process call is halfway through (with
    a cache, only the partitions written since its last snapshot are pickled again)."""
    dynamodb, sqs = _backends(region)
    partitions = cache or PartitionCache()
    for attempt in range(5):
        try:
            with lock:
                state = {
                    "format": FORMAT_VERSION,
                    "moto": MOTO_VERSION,
                    "clean": clean,
                    "tables": {name: partitions.encode(name, table) for name, table in dynamodb.tables.items()},
                    "queues": {name: list(queue._messages) for name, queue in sqs.queues.items()},
                }
                return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        except RuntimeError:  # changed during iteration by an outside client (moto server thread): try again
            if attempt == 4:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def write(data_dir: Path, payload: bytes) -> Path:
    """Crash-safe: temporary file, fsync, rename over the previous snapshot, fsync the directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / SNAPSHOT_FILE
    temporary = data_dir / f".{SNAPSHOT_FILE}.{os.getpid()}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    directory = os.open(data_dir, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return target


def read(data_dir: Path) -> dict[str, Any] | None:
    path = data_dir / SNAPSHOT_FILE
    if not path.exists():
        return None
    try:
        state = pickle.loads(path.read_bytes())  # noqa: S301 - our own data dir, written by this stack
    except Exception as error:
        raise SnapshotError(f"{path}: unreadable snapshot ({error}); start with --fresh to discard it") from error
    if not isinstance(state, dict) or state.get("format") not in READABLE_FORMATS or state.get("moto") != MOTO_VERSION:
        found = (state.get("format"), state.get("moto")) if isinstance(state, dict) else "?"
        raise SnapshotError(
            f"{path}: written by another version (format, moto) = {found}, this one reads "
            f"{(FORMAT_VERSION, MOTO_VERSION)}; start with --fresh to discard it"
        )
    return state


def restore(state: dict[str, Any], region: str = REGION) -> dict[str, int]:
    """Put the saved items and messages into the (new, empty) tables and queues of the same names (what the
    stack creates; a saved one it no longer creates is left out). Writes no stream records: the index on disk
    already holds what the table held. Returns the count restored per name."""
    dynamodb, sqs = _backends(region)
    counts: dict[str, int] = {}
    for name, saved in state["tables"].items():
        table = dynamodb.tables.get(name)
        if table is None:
            continue
        if state["format"] == 1:
            table.items = saved
            counts[name] = sum(len(v) if isinstance(v, dict) else 1 for v in saved.values())
        else:
            shard = table.stream_shard
            table.items = LazyPartitions(saved, stream_position=len(shard.items) if shard is not None else 0)
            counts[name] = item_count(saved)
    for name, messages in state["queues"].items():
        queue = sqs.queues.get(name)
        if queue is None:
            continue
        for message in messages:
            message.visible_at = 0.0  # in flight when the stack stopped: visible again, receive count kept
        queue._messages = list(messages)
        queue._pending_messages = set()
        counts[name] = len(messages)
    return counts


def materialize_in_background(lock: threading.RLock, region: str = REGION) -> threading.Thread | None:
    """Turn a restored table's remaining partitions into moto's objects, a chunk per hold of the lock."""
    dynamodb, _ = _backends(region)
    tables = [t.items for t in dynamodb.tables.values() if isinstance(t.items, LazyPartitions) and t.items.pending]
    if not tables:
        return None

    def run() -> None:
        for items in tables:
            while items.pending:
                with lock:
                    items.materialize(MATERIALIZE_CHUNK)
                time.sleep(0.002)  # the handlers and the API take the lock between chunks (locks are not fair)

    thread = threading.Thread(target=run, name="materialize", daemon=True)
    thread.start()
    return thread


def change_mark(region: str = REGION) -> tuple[int, ...]:
    """Cheap: moves whenever a table is written (its stream grows) or a queue gains or loses a message."""
    dynamodb, sqs = _backends(region)
    marks = [len(getattr(table.stream_shard, "items", None) or []) for table in list(dynamodb.tables.values())]
    for queue in list(sqs.queues.values()):
        marks += [len(queue._messages), len(queue.deleted_messages)]
    return tuple(marks)


class Snapshotter:
    """Writes a snapshot every `interval` seconds when the state changed, and one at `final()`."""

    def __init__(self, data_dir: Path, lock: threading.RLock, interval: float) -> None:
        self._data_dir = data_dir
        self._lock = lock
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._mark = change_mark()
        self._partitions = PartitionCache()
        self.written = 0
        self.errors: list[str] = []

    def start(self) -> None:
        if self._interval > 0:
            self._thread = threading.Thread(target=self._loop, name="snapshot", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.save(clean=False)
            except Exception as error:  # a full disk: keep running, say so in the status
                self.errors = [*self.errors[-4:], repr(error)]

    def save(self, clean: bool) -> bool:
        mark = change_mark()
        if mark == self._mark and not clean:
            return False
        write(self._data_dir, capture(self._lock, clean, cache=self._partitions))
        self._mark = mark
        self.written += 1
        return True

    def final(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
        self.save(clean=True)
