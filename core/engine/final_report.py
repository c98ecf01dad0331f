"""Build the final report from the frozen ledger and the tasks' results; render it as text.

The format is documented in docs/report-format.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from core.engine.ledger import BatchMeta, Entry
from core.engine.task_states import TaskSnapshot
from core.outcome import ALL_OUTCOMES, Outcome
from core.printable import printable


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


def format_report_text(report: Mapping[str, Any]) -> str:
    counts = report["counts"]
    label = f" ({printable(report['label'])})" if report.get("label") else ""
    lines = [
        f"Batch {report['batch_id']}{label}: {counts['succeeded']} of {report['total']} succeeded",
        "  " + ", ".join(f"{k} {counts[k]}" for k in ALL_OUTCOMES),
        f"  created {report['created_at']}, finished {report['finished_at']}, "
        f"finalized by {report['finalized_by']}",
        "",
    ]
    names = [printable(c["name"]) for c in report["contracts"]]
    width = min(60, max([len(n) for n in names] + [4]))
    lines.append(f"  {'NAME':<{width}}  {'OUTCOME':<9}  ERROR")
    for shown, c in zip(names, report["contracts"], strict=True):
        name = shown if len(shown) <= width else shown[: width - 1] + "…"
        lines.append(f"  {name:<{width}}  {c['outcome']:<9}  {printable(c['error'] or '')}".rstrip())
    return "\n".join(lines)
