"""The email body (``summary.html`` in exports) and its plain-text alternative.

They lead with what asks for a decision: the contracts that need attention (grouped by reason), then the
risks to review and what expires soon; then the key figures and the charts. The same words and counts as
the desktop view and the PDF (``core.reporting.wording``).

The HTML is built for mail clients, not browsers: tables for layout, inline styles only (many clients
drop ``<style>``), every piece of report text escaped. Images are referenced through ``image_src``: the
exporter points them at the PNG files next to ``summary.html``, the email at ``cid:`` Content-IDs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import escape

from core.reporting import style
from core.reporting.charts import CHARTS
from core.reporting.summary import ContractRow, Summary, format_duration, key_figures
from core.reporting.wording import (
    format_date,
    format_when,
    headline,
    outcome_label,
    risk_line,
)

MAX_GROUPS = 30
MAX_EXPIRING = 25
EXPIRING_DAYS = 90
_FONT = "font-family:'DejaVu Sans',Arial,Helvetica,sans-serif"
_CELL = "padding:4px 10px;border-bottom:1px solid #e5e5e5;text-align:left;vertical-align:top"
_H2 = '<h2 style="font-size:17px;margin:20px 0 6px 0">'
_TABLE = '<table cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-size:13px">'

__all__ = ["expiring_soon", "headline", "render_html", "render_text"]


def expiring_soon(summary: Summary, days: int = EXPIRING_DAYS) -> list[ContractRow]:
    end = summary.as_of + timedelta(days=days)
    rows = [r for r in summary.rows if r.expiration and summary.as_of <= r.expiration <= end]
    return sorted(rows, key=lambda r: (r.expiration, r.name))


def when_line(summary: Summary) -> str:
    """"Batch 2dd07… · finished Nov 29, 2026, 11:38 PM UTC · wall time 43.9 s"."""
    parts = [f"Batch {summary.batch_id}" if summary.batch_id else "Batch"]
    if summary.finished_at:
        parts.append(f"finished {format_when(summary.finished_at)}")
    parts.append(f"wall time {format_duration(summary.wall_time_s)}")
    return " · ".join(parts)


def _row(cells: list[str], header: bool = False, extra: tuple[str, ...] = ()) -> str:
    tag = "th" if header else "td"
    styled = [f'<{tag} style="{_CELL}{extra[i] if i < len(extra) else ""}">{c}</{tag}>'
              for i, c in enumerate(cells)]
    return "<tr>" + "".join(styled) + "</tr>"


def render_html(summary: Summary, image_src: Callable[[str], str], attachments: str = "") -> str:
    e = escape
    risks = risk_line(summary)
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(summary.display_label)}</title></head>",
        f'<body style="margin:0;padding:16px;background:#ffffff;color:{style.TEXT};{_FONT}">',
        '<table role="presentation" cellpadding="0" cellspacing="0" style="max-width:820px;width:100%">',
        "<tr><td>",
        f'<h1 style="font-size:22px;margin:0 0 4px 0">Contract batch {e(summary.display_label)}</h1>',
        f'<p style="font-size:16px;margin:0 0 4px 0"><strong>{e(headline(summary))}</strong></p>',
    ]
    if risks:
        out.append(f'<p style="font-size:15px;margin:0 0 4px 0">{e(risks)}</p>')
    out.append(f'<p style="font-size:13px;color:{style.MUTED};margin:0 0 16px 0">{e(when_line(summary))}</p>')

    groups = summary.failure_groups
    out.append(f"{_H2}Need attention: {summary.need_attention:,}</h2>")
    if not groups:
        out.append('<p style="font-size:14px">None: every contract succeeded.</p>')
    else:
        out += [_TABLE, _row(["Outcome", "Reason", "Contracts", "For example"], header=True)]
        for g in groups[:MAX_GROUPS]:
            colour = style.OUTCOME_COLOURS.get(g.outcome, style.GREY)
            out.append(_row(
                [f'<span style="color:{colour}">&#9632;</span> {e(outcome_label(g.outcome))}', e(g.reason),
                 f"{g.count:,}", e(", ".join(g.examples[:3]))],
                extra=(";white-space:nowrap", "", ";text-align:right"),
            ))
        out.append("</table>")
        if len(groups) > MAX_GROUPS:
            out.append(f'<p style="font-size:13px">… and {len(groups) - MAX_GROUPS:,} more reasons '
                       "(see report.pdf).</p>")

    out.append(f"{_H2}Risks to review</h2>")
    if not summary.risk_groups:
        out.append('<p style="font-size:14px">No risk was flagged.</p>')
    else:
        out += [_TABLE, _row(["Risk", "Contracts", "For example"], header=True)]
        for r in summary.risk_groups:
            label = e(r.label) if r.decision else f"{e(r.label)} <small>(to check)</small>"
            out.append(_row([label, f"{r.count:,}", e(", ".join(r.examples[:3]))],
                            extra=("", ";text-align:right")))
        out.append("</table>")
    soon = expiring_soon(summary)
    out.append(f'<h3 style="font-size:15px;margin:14px 0 6px 0">Expiring in the next {EXPIRING_DAYS} days'
               "</h3>")
    if not soon:
        out.append(f'<p style="font-size:14px">No contract expires in the next {EXPIRING_DAYS} days.</p>')
    else:
        out += [_TABLE, _row(["Expires", "Contract", "Title"], header=True)]
        for row in soon[:MAX_EXPIRING]:
            title = row.title
            assert row.expiration is not None
            out.append(_row([e(format_date(row.expiration)), e(row.name), e(title) if title else ""],
                            extra=(";white-space:nowrap",)))
        out.append("</table>")
        if len(soon) > MAX_EXPIRING:
            out.append(f'<p style="font-size:13px">… and {len(soon) - MAX_EXPIRING:,} more '
                       "(see contracts.csv).</p>")

    out += [f"{_H2}Key figures</h2>", _TABLE.replace("13px", "14px")]
    for label, text in key_figures(summary):
        out.append(_row([e(label), f"<strong>{e(text)}</strong>"], extra=(";font-weight:normal",)))
    out.append("</table>")

    out.append(f"{_H2}Charts</h2>")
    for spec in CHARTS:
        out.append(
            f'<p style="margin:0 0 12px 0"><img src="{e(image_src(spec.name))}" alt="{e(spec.title)} chart" '
            'width="800" style="display:block;max-width:100%;height:auto;border:0"></p>'
        )
    if attachments:
        out.append(f'<p style="font-size:13px;color:{style.MUTED};margin-top:20px">{e(attachments)}</p>')
    out += ["</td></tr></table>", "</body></html>", ""]
    return "\n".join(out)


def render_text(summary: Summary, attachments: str = "") -> str:
    """The text/plain alternative: the same content as the HTML, minus the charts."""
    lines = [f"Contract batch {summary.display_label}", "", headline(summary)]
    if risk_line(summary):
        lines.append(risk_line(summary))
    lines += [when_line(summary), "", f"Need attention: {summary.need_attention:,}"]
    if not summary.failure_groups:
        lines.append("  None: every contract succeeded.")
    for g in summary.failure_groups[:MAX_GROUPS]:
        lines.append(f"  {g.count:>6,}  {outcome_label(g.outcome)}: {g.reason}")
        lines.append(f"          e.g. {', '.join(g.examples[:3])}")
    if len(summary.failure_groups) > MAX_GROUPS:
        lines.append(f"  ... and {len(summary.failure_groups) - MAX_GROUPS:,} more reasons (see report.pdf)")
    lines += ["", "Risks to review"]
    if not summary.risk_groups:
        lines.append("  No risk was flagged.")
    for r in summary.risk_groups:
        lines.append(f"  {r.count:>6,}  {r.label}{'' if r.decision else ' (to check)'}")
    soon = expiring_soon(summary)
    lines += ["", f"Expiring in the next {EXPIRING_DAYS} days"]
    if not soon:
        lines.append("  none")
    lines += [f"  {format_date(r.expiration)}  {r.name}" for r in soon[:MAX_EXPIRING] if r.expiration]
    if len(soon) > MAX_EXPIRING:
        lines.append(f"  ... and {len(soon) - MAX_EXPIRING:,} more (see contracts.csv)")
    lines += ["", "Key figures"]
    figures = key_figures(summary)
    width = max(len(label) for label, _ in figures)
    lines += [f"  {label.ljust(width)}  {text}" for label, text in figures]
    if attachments:
        lines += ["", attachments]
    return "\n".join(lines) + "\n"
