"""The detail pane's content for one contract, as a person reads it: what happened to it in plain words, the
reason when it did not succeed, what the contract says (labels, locale-formatted money and dates, lists
as lists, nothing for what was not found), each evidence passage once with the fields it supports, and the
technical details (Celery's state, task id, source) last. The raw result stays one click away (Copy
JSON); the wording is ``core.reporting.fields``'."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime

from core.engine.rows import TaskRow
from core.json_yielding import unpack
from core.printable import printable
from core.reporting.wording import display_locale, format_duration, format_when
from gui.categories import CATEGORY_BY_KEY

_MUTED = "color:gray"


def _tries(row: TaskRow) -> str:
    return "1 try" if row.attempts == 1 else f"{row.attempts} tries"


def describe_row(row: TaskRow) -> tuple[str, str]:
    """(HTML for the pane, plain text for Copy details)."""
    # Imported when a contract is first shown: the field words come with the analyser's modules (~0.1 s),
    # which the window's start does not need.
    from core.reporting.fields import evidence_passages, shown_fields

    e = html.escape
    locale = display_locale()
    cat = CATEGORY_BY_KEY[row.category]
    name = printable(row.name)
    what: list[str] = [cat.label]
    if row.task_id is None:
        what.append("not sent: it could not be read")
    else:
        if row.attempts:
            what.append(_tries(row))
        if row.runtime_s is not None:
            what.append(format_duration(row.runtime_s))
        if row.worker:
            what.append(f"on {row.worker}")
    parts = [f"<h3 style='margin:0'>{e(name)}</h3>",
             f"<p style='margin:2px 0 6px 0'><b style='color:{cat.colour}'>{cat.glyph}</b> "
             f"{e(' · '.join(what))}</p>"]
    text = [name, " · ".join(what)]
    if row.started_at:
        started = format_when(datetime.fromtimestamp(row.started_at, UTC), locale)
        parts.append(f"<p style='margin:0 0 6px 0;{_MUTED}'>Started {e(started)}</p>")
        text.append(f"Started {started}")
    if row.error:
        reason = printable(row.error)
        parts.append(f"<h4>Reason</h4><pre style='white-space:pre-wrap'>{e(reason)}</pre>")
        text += ["", "Reason:", reason]
    # The rows keep results packed (core.json_yielding.PackedJSON): unpacked for the one contract shown.
    unpacked = unpack(row.result)
    result = unpacked if isinstance(unpacked, dict) else None
    if result:
        fields = shown_fields(result, locale)
        if fields:
            parts.append("<h4>What the contract says</h4><table cellspacing='3'>")
            text += ["", "What the contract says:"]
            for f in fields:
                value = "<br>".join(e(printable(i)) for i in f.items) if len(f.items) > 1 else e(
                    printable(f.items[0]))
                parts.append(f"<tr><td valign='top' style='{_MUTED}'>{e(f.label)}</td><td>{value}</td></tr>")
                text.append(f"  {f.label}: {printable(f.text)}")
            parts.append("</table>")
        else:
            parts.append("<p><i>Nothing was found in this contract.</i></p>")
        passages = evidence_passages(result)
        if passages:
            parts.append("<h4>Where it says so</h4>")
            text += ["", "Where it says so:"]
            for p in passages:
                labels = ", ".join(p.labels)
                parts.append(f"<p style='margin:4px 0 8px 0'><small style='{_MUTED}'>{e(labels)}</small><br>"
                             f"<i>“{e(printable(p.text))}”</i></p>")
                text.append(f"  [{labels}] “{printable(p.text)}”")
    technical = [("Celery state", row.state or "-"), ("Task id", row.task_id or "not sent"),
                 ("Source", printable(row.source) or "-")]
    parts.append(f"<h4 style='{_MUTED}'>Technical details</h4><table cellspacing='2' style='{_MUTED}'>")
    parts += [f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in technical]
    parts.append("</table>")
    text += ["", *(f"{k}: {v}" for k, v in technical)]
    return "".join(parts), "\n".join(text)


def raw_json(row: TaskRow) -> str:
    """The row as the engine has it, for Copy JSON: name, state, outcome, error and the raw result."""
    return json.dumps({"name": row.name, "task_id": row.task_id, "state": row.state, "outcome": row.outcome,
                       "error": row.error, "attempts": row.attempts, "worker": row.worker,
                       "runtime_s": row.runtime_s, "result": unpack(row.result)},
                      indent=2, ensure_ascii=False)
