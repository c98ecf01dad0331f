"""The progress line under the grid: the batch's name and state, a bar of done contracts (of every contract
in the batch, load rejections included: ``core.counts``), and beside it how many need attention, the
elapsed time and the ETA."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QProgressBar

from core.counts import attention_words
from core.engine.watch import BatchProgress
from gui.app_context import CurrentBatch


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressDisplay:
    def __init__(self, label: QLabel, bar: QProgressBar, text: QLabel) -> None:
        self.label, self.bar, self.text = label, bar, text
        self.progress: BatchProgress | None = None

    def loading(self, batch_id: str) -> None:
        self.progress = None
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.text.clear()
        self.label.setText(f"Batch {batch_id}: loading…")

    def show_state(self, cur: CurrentBatch, state: str) -> None:
        self.label.setText(f"<b>{cur.label or cur.batch_id}</b> ({state})")

    def update(self, cur: CurrentBatch, p: BatchProgress) -> None:
        self.progress = p
        self.bar.setRange(0, max(1, p.counts.total))
        self.bar.setValue(p.counts.done)
        self.bar.setFormat(f"{p.counts.done:,} of {p.counts.total:,} done")
        self.show_state(cur, p.state)
        self.refresh(cur)

    def finished(self) -> None:
        self.bar.setValue(self.bar.maximum())

    def refresh(self, cur: CurrentBatch | None) -> None:
        """Failures, elapsed time and the ETA (called every second while the batch runs)."""
        p = self.progress
        if p is None or cur is None:
            return
        finished = cur.report is not None
        if finished and cur.summary is not None and cur.summary.wall_time_s is not None:
            elapsed = cur.summary.wall_time_s
        else:
            elapsed = time.time() - p.created_ts if p.created_ts else 0.0
        c = p.counts
        parts = [attention_words(c.needs_attention), f"elapsed {clock(elapsed)}"]
        ran = c.done - p.not_sent  # the rate is that of contracts that ran, not of files refused at load
        if not finished and ran > 0 and c.done < c.total and elapsed > 0:
            parts.append(f"ETA {clock(elapsed / ran * (c.total - c.done))}")
        elif finished:
            parts.append("final")
        self.text.setText(" · ".join(parts))
