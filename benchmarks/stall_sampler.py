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
        self.timeline: list[tuple[float, str, str]] = []  # (perf_counter, phase, stack) of every sample
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
                stack = f"[{who}] " + " < ".join(reversed(lines))
                self.stacks[self.probe.phase][stack] += 1
                self.timeline.append((time.perf_counter(), self.probe.phase, stack))

    def report(self, phase: str, top: int = 12) -> str:
        counts = self.stacks.get(phase)
        if not counts:
            return f"  {phase}: no sample while late"
        total = sum(counts.values())
        rows = [f"  {phase}: {total} samples (2 ms apart) while the loop was late"]
        rows += [f"    {n:4d}  {stack}" for stack, n in counts.most_common(top)]
        worst = self.probe.worst.get(phase)
        if worst is not None:  # (stall, when it began in seconds into the phase)
            stall, began = worst
            start = self.probe.phase_starts.get(phase, 0.0) + began
            rows.append(f"  during the longest stall ({stall * 1000:.0f} ms):")
            rows += [f"    +{(t - start) * 1000:4.0f} ms  {stack}" for t, ph, stack in self.timeline
                     if ph == phase and start <= t <= start + stall + self.probe.interval + 0.004]
        return "\n".join(rows)
