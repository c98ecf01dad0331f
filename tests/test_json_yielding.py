"""core.json_yielding: the same values as the json module, and other threads keep running meanwhile."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from core import json_yielding


def _report(n: int) -> dict[str, Any]:
    return {
        "batch_id": "b",
        "label": "Étiquette ✓",
        "counts": {"succeeded": n},
        "contracts": [
            {
                "name": f"contract-{i:05d}.pdf",
                "task_id": f"b-{i}",
                "outcome": "succeeded",
                "error": None,
                "attempts": 1,
                "runtime_s": 0.25 + i,
                "result": {"parties": ["Acme", "Beta"], "value": {"amount": "1.5", "flags": [True, False]}},
            }
            for i in range(n)
        ],
    }


def test_same_values_as_the_json_module() -> None:
    report = _report(300)
    text = json_yielding.dumps(report)
    assert text == json.dumps(report, default=str, ensure_ascii=False)
    assert json_yielding.loads(text) == report
    assert json_yielding.loads(text.encode()) == report
    assert json_yielding.loads(bytearray(b"[1, {}]")) == [1, {}]
    with pytest.raises(ValueError):
        json_yielding.loads(b'{"truncated": [1, 2')


@pytest.fixture
def spinner() -> Iterator[Callable[[], int]]:
    """A thread counting as fast as it can; a short switch interval so it asks for the lock often."""
    count = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            count[0] += 1

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.0001)
    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        yield lambda: count[0]
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(old)


def test_other_threads_run_while_a_large_value_parses(spinner: Callable[[], int]) -> None:
    raw = json.dumps(_report(5_000)).encode()

    def progress_during(parse: Callable[[bytes], Any]) -> int:
        before = spinner()
        parse(raw)
        return spinner() - before

    # The C decoder holds the lock throughout: the spinner only runs at the call's edges. The yielding
    # decoder hands it the lock every switch interval, so it runs about half the parse.
    plain = min(progress_during(json.loads) for _ in range(3))
    yielding = max(progress_during(json_yielding.loads) for _ in range(3))
    assert yielding > 5 * plain + 1_000, (plain, yielding)
