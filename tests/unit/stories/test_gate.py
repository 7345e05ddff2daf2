"""KeyGate: items that share a story key are decided one at a time; the others together."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from newsflow.stories.gate import KeyGate


def _run_together(
    gate: KeyGate[str],
    key_sets: list[list[str]],
    hold: float = 0.05,
    items: list[str] | None = None,
    related: Callable[[str, str], bool] | None = None,
) -> list[tuple[int, float, float]]:
    spans: list[tuple[int, float, float]] = []
    lock = threading.Lock()
    start = threading.Barrier(len(key_sets))

    def work(n: int, keys: list[str]) -> None:
        start.wait()
        with gate.holding(keys, items[n] if items else None, related):
            began = time.monotonic()
            time.sleep(hold)
            ended = time.monotonic()
        with lock:
            spans.append((n, began, ended))

    threads = [threading.Thread(target=work, args=(n, keys)) for n, keys in enumerate(key_sets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    return sorted(spans)


def _overlap(a: tuple[int, float, float], b: tuple[int, float, float]) -> bool:
    return a[1] < b[2] and b[1] < a[2]


def test_items_sharing_a_key_never_hold_the_gate_together() -> None:
    gate: KeyGate[str] = KeyGate()
    spans = _run_together(gate, [["b1", "b2"], ["b2", "b3"], ["b3", "b4"]])
    assert len(spans) == 3
    assert not _overlap(spans[0], spans[1])
    assert not _overlap(spans[1], spans[2])
    assert gate.waits >= 1


def test_items_without_a_shared_key_hold_it_together() -> None:
    gate: KeyGate[str] = KeyGate()
    spans = _run_together(gate, [["a"], ["b"], ["c"], []])
    assert len(spans) == 4
    assert all(_overlap(spans[0], other) for other in spans[1:])
    assert gate.waits == 0


def test_a_failure_inside_releases_the_keys() -> None:
    gate: KeyGate[str] = KeyGate()
    try:
        with gate.holding(["k"]):
            raise ValueError("the store failed")
    except ValueError:
        pass
    done = threading.Event()

    def again() -> None:
        with gate.holding(["k"]):
            done.set()

    thread = threading.Thread(target=again)
    thread.start()
    thread.join(2)
    assert done.is_set()


def test_items_sharing_a_key_but_of_different_stories_hold_it_together() -> None:
    # Given four items under one shared band key (boilerplate): two of story "oil", one of "wheat", one of "rail"
    gate: KeyGate[str] = KeyGate()
    items = ["oil", "wheat", "oil", "rail"]
    spans = _run_together(gate, [["shared", f"own-{n}"] for n in range(4)], items=items, related=str.__eq__)
    # Then only the two items of one story waited for each other
    assert len(spans) == 4
    assert not _overlap(spans[0], spans[2])
    assert _overlap(spans[0], spans[1]) or _overlap(spans[2], spans[1])
    assert _overlap(spans[1], spans[3])
    assert gate.waits == 1
