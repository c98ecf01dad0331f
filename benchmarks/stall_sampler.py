"""Where the GUI thread is while the event loop is late: a diagnostic for the stall benchmarks.

A daemon thread looks at every thread's Python stack every 2 ms; while the ``StallProbe``'s last tick is
more than ``late_ms`` old, the stack is counted (innermost frames of the project and the libraries it calls,
file:line function). It only sees the stacks when it gets the interpreter lock, so a long C call (a
collection, ``json.loads``) in any thread shows as the Python line that made it: the GUI thread waiting for
the lock is seen in the event loop, the thread that held it at the line of the call.
"""

from __future__ import annotations

import collections
import sys
import threading
import time
import traceback
from typing import Any


class StallSampler:
    def __init__(self, probe: Any, late_ms: float = 25.0, depth: int = 8) -> None:
        self.probe, self.late, self.depth = probe, late_ms / 1000, depth
        self.main = threading.main_thread().ident
        self.stacks: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            if time.perf_counter() - self.probe.last - self.probe.interval < self.late:
                continue
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident == threading.get_ident():
                    continue
                lines = [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}"
                         for f in traceback.extract_stack(frame)[-self.depth:]]
                who = "GUI" if ident == self.main else names.get(ident, str(ident))
                self.stacks[self.probe.phase][f"[{who}] " + " < ".join(reversed(lines))] += 1

    def report(self, phase: str, top: int = 12) -> str:
        counts = self.stacks.get(phase)
        if not counts:
            return f"  {phase}: no sample while late"
        total = sum(counts.values())
        rows = [f"  {phase}: {total} samples (2 ms apart) while the loop was late"]
        rows += [f"    {n:4d}  {stack}" for stack, n in counts.most_common(top)]
        return "\n".join(rows)
