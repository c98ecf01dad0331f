"""core.json_yielding: the same values as the json module, and other threads keep running meanwhile."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from core import json_yielding

ROOT = Path(__file__).resolve().parent.parent


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


# Run in a fresh interpreter: in the suite's process, threads left by other tests (Qt, D-Bus, SMTP
# servers) also take turns at the lock, which blurs what this measures.
_MEASURE = """
import json, sys, threading
from core import json_yielding
from tests.test_json_yielding import _report

count = [0]
stop = threading.Event()

def spin():
    while not stop.is_set():
        count[0] += 1

sys.setswitchinterval(0.0001)  # the spinner asks for the lock often
threading.Thread(target=spin, daemon=True).start()
raw = json.dumps(_report(5_000)).encode()

def progress_during(parse):
    before = count[0]
    parse(raw)
    return count[0] - before

plain = min(progress_during(json.loads) for _ in range(3))
# The best of five: on a loaded machine one parse can find the spinner's core busy elsewhere.
yielding = max(progress_during(json_yielding.loads) for _ in range(5))
stop.set()
print(plain, yielding)
"""


def test_other_threads_run_while_a_large_value_parses() -> None:
    # The C decoder holds the lock throughout: the spinner only runs at the call's edges. The yielding
    # decoder hands it the lock every switch interval, so it runs for about half the parse.
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    plain, yielding = (int(x) for x in out.split())
    assert yielding > 5 * plain + 1_000, (plain, yielding)


def test_a_pacer_is_called_through_the_whole_value() -> None:
    report = _report(50)
    calls = [0]

    def pacer() -> None:
        calls[0] += 1

    text = json_yielding.dumps(report, pacer)
    assert text == json.dumps(report, default=str, ensure_ascii=False)
    assert calls[0] > 50 * 10  # once per encoded piece: many per contract
    calls[0] = 0
    assert json_yielding.loads(text, pacer) == report
    # Once per JSON object: the report, its counts, and per contract the entry, result and value.
    assert calls[0] == 2 + 50 * 3


def test_pacer_rests_after_its_work_share(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [0.0]
    rests: list[float] = []
    monkeypatch.setattr(json_yielding.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(json_yielding.time, "sleep", rests.append)
    pacer = json_yielding.Pacer(work_s=0.002, rest_s=0.004)
    for _ in range(10):
        clock[0] += 0.0005
        pacer()
    assert rests == [0.004, 0.004]  # after 2 ms of work, twice in 5 ms


def test_pacer_waits_while_the_gui_is_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the GUI's ``idle`` event, a paced job waits while the GUI thread works: until the event is
    set again, for at most ``YIELD_MAX_S`` at one call."""
    monkeypatch.setattr(json_yielding, "YIELD_MAX_S", 60.0)
    idle = threading.Event()
    pacer = json_yielding.Pacer(idle=idle)
    returned = threading.Event()
    job = threading.Thread(target=lambda: (pacer(), returned.set()))
    job.start()
    assert not returned.wait(0.3)  # the GUI is busy: the job waits
    idle.set()
    assert returned.wait(30)  # and goes on as soon as it is idle, long before the cap
    job.join(30)

    monkeypatch.setattr(json_yielding, "YIELD_MAX_S", 0.05)
    idle.clear()
    started = time.perf_counter()
    pacer()  # busy for longer than the cap: the job goes on all the same
    assert 0.04 <= time.perf_counter() - started < 30
