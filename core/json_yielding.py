"""JSON for large values read or written beside a GUI thread: the same results as ``json.loads`` and
``json.dumps``, but other threads get the interpreter lock while it runs.

The C decoder and encoder hold the lock for the whole value: 50-60 ms for a 10,000-contract report with
real analysis results (20 MB), during which the window cannot paint. Handing the decoder a Python
``object_hook`` gives the interpreter a point to switch threads at every JSON object. Encoding has no such
hook, so it goes through the pure-Python ``iterencode``: slower, but interruptible.

Switch points alone are not enough beside Qt: a repaint calls into Python once per cell and role, and
takes the lock back each time, so a thread that is busy for a long stretch turns one repaint into
hundreds of switch intervals. A ``Pacer`` makes such a stretch rest briefly every few milliseconds,
leaving the lock free long enough for a whole repaint (docs/performance.md, "Desktop app").
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any, NewType

# The longest a paced job waits for a busy GUI thread at one call: past it the job goes on all the same
# (a GUI thread busy for seconds must not stop a batch from being followed).
YIELD_MAX_S = 0.05


class Pacer:
    """Call it often from a long job: every ``work_s`` of the caller's time it sleeps ``rest_s``.

    ``idle``, when given, is clear while the window does work that calls into Python once per cell or
    row (``gui.bridge.Bridge.gui_busy``: a repaint of the grid, a filter, a poll's rows): the job waits
    for it at each call, at most ``YIELD_MAX_S``, so that work never queues for the interpreter lock
    behind this job. Never give it to a pacer the GUI thread itself calls."""

    def __init__(self, work_s: float = 0.002, rest_s: float = 0.004,
                 idle: threading.Event | None = None) -> None:
        self.work_s = work_s
        self.rest_s = rest_s
        self.idle = idle
        self._since = time.perf_counter()

    def __call__(self) -> None:
        idle = self.idle
        if idle is not None and not idle.is_set():
            idle.wait(YIELD_MAX_S)
            self._since = time.perf_counter()
        elif time.perf_counter() - self._since >= self.work_s:
            time.sleep(self.rest_s)
            self._since = time.perf_counter()


def part_pacer(idle: threading.Event | None = None) -> Pacer:
    """The pace of a job that parses a report's parts beside the GUI thread (its summary, Export, the
    poller's copy): 5 ms of work, 2 ms of rest. The default pace (2 ms / 4 ms) kept the longest stall as
    low but took a 100,000-contract summary from 2.6 s to 5.2 s; this one, 3.4 s, stalls at most 32 ms
    (``benchmarks/gui_memory.py``, docs/performance.md)."""
    return Pacer(work_s=0.005, rest_s=0.002, idle=idle)


def _same(obj: dict[str, Any]) -> dict[str, Any]:
    # Deliberately a Python function: the C scanner calls it for every object, and each call is a
    # point where a waiting thread can take the lock.
    return obj


_DECODER = json.JSONDecoder(object_hook=_same)


def _decoder(pacer: Callable[[], None]) -> json.JSONDecoder:
    def paced(obj: dict[str, Any]) -> dict[str, Any]:
        pacer()
        return obj

    return json.JSONDecoder(object_hook=paced)


def loads(raw: str | bytes | bytearray, pacer: Callable[[], None] | None = None) -> Any:
    """``json.loads`` that lets other threads run while it parses (and rests, given a ``pacer``)."""
    text = raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw
    return (_DECODER if pacer is None else _decoder(pacer)).decode(text)


def parse(raw: str | bytes | bytearray, pacer: Callable[[], None] | None = None) -> Any:
    """``json.loads`` at full speed for a command line (no pacer), or paced (:func:`loads`) for a reader
    beside the GUI thread: one 500-contract part of a report is about 1.2 MB, 10-15 ms in the C decoder."""
    return json.loads(raw) if pacer is None else loads(raw, pacer)


def dumps(value: Any, pacer: Callable[[], None] | None = None) -> str:
    """``json.dumps(value, default=str, ensure_ascii=False)`` that lets other threads run."""
    parts = json.JSONEncoder(default=str, ensure_ascii=False).iterencode(value)
    if pacer is None:
        return "".join(parts)
    out: list[str] = []
    for part in parts:
        out.append(part)
        pacer()
    return "".join(out)


# A JSON value kept as zlib-compressed JSON: how the desktop grid's rows hold their contracts' results.
# 100,000 real analysis results parsed were about 550 MB in the rows and millions of objects for the
# collector to walk (a 230 ms full collection while a batch loaded); packed, one small object each, read
# back when a person looks at one contract (``unpack``). Plain ``bytes``, which the collector does not
# track: as a subclass of bytes each packed result was an object every full collection walked (80,000
# of them a 28 ms collection during a live 100,000-contract batch). A result itself is never bytes (it
# comes from JSON), so bytes in a result's place are a packed one.
PackedJSON = NewType("PackedJSON", bytes)


def pack(value: Any) -> Any:
    """``value`` as a ``PackedJSON`` (None, and what is packed already, stay as they are)."""
    if value is None or isinstance(value, bytes):
        return value
    return PackedJSON(zlib.compress(json.dumps(value, default=str).encode("utf-8"), 1))


def unpack(value: Any) -> Any:
    """What ``pack`` was given (anything not packed is returned as it is)."""
    return json.loads(zlib.decompress(value)) if isinstance(value, bytes) else value
