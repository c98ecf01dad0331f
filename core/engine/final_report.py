"""Build the final report from the frozen ledger and the tasks' results (the terminal's text of it is
``core.cli.report_text``).

The format is documented in docs/report-format.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core.engine.ledger import BatchMeta, Entry
from core.engine.task_states import TaskSnapshot
from core.outcome import Outcome


def utc_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def report_row(
    entry: Entry, snap: TaskSnapshot | None, unfinished_outcome: Outcome, unfinished_reason: str
) -> dict[str, Any]:
    """One contract of the report: a load rejection (no task), or its task's outcome; a task without one
    gets ``unfinished_outcome`` with the reason and the state it was last seen in."""
    if entry.task_id is None:
        return {
            "name": entry.name,
            "task_id": None,
            "outcome": Outcome.REJECTED.value,
            "error": entry.error or "rejected at load",
            "attempts": 0,
            "runtime_s": None,
            "worker": None,
            "result": None,
        }
    if snap is None:
        raise KeyError(f"no snapshot of task {entry.task_id}")
    outcome: str
    error: str | None
    if snap.outcome is None:
        outcome, error = unfinished_outcome.value, f"{unfinished_reason} (last state {snap.state})"
    else:
        outcome, error = snap.outcome, snap.error
    return {
        "name": entry.name,
        "task_id": entry.task_id,
        "outcome": outcome,
        "error": error,
        "attempts": snap.attempts,
        "runtime_s": snap.runtime_s,
        "worker": snap.worker,
        "result": snap.result if outcome == Outcome.SUCCEEDED else None,
    }


def report_head(
    meta: BatchMeta, counts: Mapping[str, int], total: int, *, finalized_by: str, finished_ts: float
) -> dict[str, Any]:
    """Everything of the report but its contracts (``core.engine.report_store``: stored apart)."""
    return {
        "batch_id": meta.batch_id,
        "label": meta.label,
        "created_at": meta.created_at,
        "finished_at": utc_iso(finished_ts),
        "finalized_by": finalized_by,
        "total": total,
        "counts": dict(counts),
    }
