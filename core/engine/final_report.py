"""Build the final report from the frozen ledger and the tasks' results (the terminal's text of it is
``core.cli.report_text``).

The format is documented in docs/report-format.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from core.engine.ledger import BatchMeta, Entry
from core.engine.task_states import TaskSnapshot
from core.outcome import ALL_OUTCOMES, Outcome


def utc_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def build_report(
    meta: BatchMeta,
    entries: Sequence[Entry],
    snapshots: Mapping[str, TaskSnapshot],
    *,
    finalized_by: str,
    finished_ts: float,
    unfinished_outcome: Outcome,
    unfinished_reason: str,
) -> dict[str, Any]:
    contracts: list[dict[str, Any]] = []
    counts = dict.fromkeys(ALL_OUTCOMES, 0)
    for entry in entries:
        row: dict[str, Any]
        if entry.task_id is None:
            row = {
                "name": entry.name,
                "task_id": None,
                "outcome": Outcome.REJECTED.value,
                "error": entry.error or "rejected at load",
                "attempts": 0,
                "runtime_s": None,
                "worker": None,
                "result": None,
            }
        else:
            snap = snapshots[entry.task_id]
            outcome: str
            error: str | None
            if snap.outcome is None:
                outcome, error = unfinished_outcome.value, f"{unfinished_reason} (last state {snap.state})"
            else:
                outcome, error = snap.outcome, snap.error
            row = {
                "name": entry.name,
                "task_id": entry.task_id,
                "outcome": outcome,
                "error": error,
                "attempts": snap.attempts,
                "runtime_s": snap.runtime_s,
                "worker": snap.worker,
                "result": snap.result if outcome == Outcome.SUCCEEDED else None,
            }
        counts[row["outcome"]] += 1
        contracts.append(row)
    return {
        "batch_id": meta.batch_id,
        "label": meta.label,
        "created_at": meta.created_at,
        "finished_at": utc_iso(finished_ts),
        "finalized_by": finalized_by,
        "total": len(contracts),
        "counts": counts,
        "contracts": contracts,
    }
