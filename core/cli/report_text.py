"""A final report as the terminal shows it: every contract first when asked for (``report``, ``run -v``),
then the summary, always last, so it is what stays on screen: the headline, the contracts that need
attention (grouped by reason), the risks to review, and where the rest is. The same words and counts as
the window, the PDF and the email (``core.reporting``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.engine.rows import CATEGORY_LABELS
from core.printable import printable
from core.reporting.summary import Summary, summarize
from core.reporting.wording import format_duration, format_when, headline, risk_line

MAX_GROUPS = 10
NAME_WIDTH = 48


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def contract_lines(summary: Summary) -> list[str]:
    """One line per contract: name, outcome in words, tries, runtime, reason."""
    width = min(NAME_WIDTH, max([len(r.name) for r in summary.rows] + [8]))
    lines = [f"  {'CONTRACT':<{width}}  {'OUTCOME':<10} {'TRIES':>5} {'RUNTIME':>9}  REASON"]
    for r in summary.rows:
        runtime = format_duration(r.runtime_s) if r.runtime_s is not None else "-"
        tries = str(r.attempts) if r.attempts else "-"
        reason = printable((r.error or "").split("\n", 1)[0])
        lines.append(f"  {_cut(r.name, width):<{width}}  {CATEGORY_LABELS.get(r.outcome, r.outcome):<10} "
                     f"{tries:>5} {runtime:>9}  {reason}".rstrip())
    return lines


def summary_lines(summary: Summary) -> list[str]:
    label = f" “{summary.display_label}”" if summary.label else ""
    lines = [f"Batch {summary.batch_id}{label}: {headline(summary)}"]
    if risk_line(summary):
        lines.append(risk_line(summary))
    when = []
    if summary.finished_at:
        when.append(f"finished {format_when(summary.finished_at)}")
    when.append(f"wall time {format_duration(summary.wall_time_s)}")
    lines.append("  " + ", ".join(when))
    if summary.failure_groups:
        lines += ["", f"Need attention: {summary.need_attention:,}"]
        for g in summary.failure_groups[:MAX_GROUPS]:
            example = ", ".join(g.examples[:2]) + ("…" if g.count > 2 else "")
            lines.append(f"  {g.count:>5,}  {CATEGORY_LABELS.get(g.outcome, g.outcome)}: {g.reason}  "
                         f"({example})")
        if len(summary.failure_groups) > MAX_GROUPS:
            lines.append(f"  … and {len(summary.failure_groups) - MAX_GROUPS:,} more reasons")
    decisions = [g for g in summary.risk_groups if g.decision]
    if decisions:
        lines += ["", f"Risks to review: {summary.with_risks:,}"]
        lines += [f"  {g.count:>5,}  {g.label}" for g in decisions]
    return lines


def report_text(report: Mapping[str, Any], *, every_contract: bool, more: str = "") -> str:
    """``every_contract``: the per-contract lines, then the summary; ``more``: a last line saying where
    the rest is (when the contracts are not listed)."""
    return summary_text(summarize(report), every_contract=every_contract, more=more)


def summary_text(summary: Summary, *, every_contract: bool, more: str = "") -> str:
    lines = [*contract_lines(summary), ""] if every_contract else []
    lines += summary_lines(summary)
    if more:
        lines += ["", more]
    return "\n".join(lines)
