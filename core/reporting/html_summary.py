"""The email body (``summary.html`` in exports) and its plain-text alternative.

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

MAX_GROUPS = 30
MAX_EXPIRING = 25
_FONT = "font-family:'DejaVu Sans',Arial,Helvetica,sans-serif"
_CELL = "padding:4px 10px;border-bottom:1px solid #e5e5e5;text-align:left;vertical-align:top"


def headline(summary: Summary) -> str:
    if summary.total == 0:
        return "This batch has no contracts."
    if summary.need_attention == 0:
        return f"All {summary.total:,} contracts succeeded."
    return (
        f"{summary.succeeded:,} of {summary.total:,} contracts succeeded; "
        f"{summary.need_attention:,} need attention."
    )


def expiring_soon(summary: Summary, days: int = 30) -> list[ContractRow]:
    end = summary.as_of + timedelta(days=days)
    rows = [r for r in summary.rows if r.expiration and summary.as_of <= r.expiration <= end]
    return sorted(rows, key=lambda r: (r.expiration, r.name))


def _when(summary: Summary) -> str:
    parts = [f"Batch {summary.batch_id}" if summary.batch_id else "Batch"]
    if summary.finished_at:
        parts.append(f"finished {summary.finished_at:%Y-%m-%d %H:%M} UTC")
    parts.append(f"wall time {format_duration(summary.wall_time_s)}")
    return " · ".join(parts)


def render_html(summary: Summary, image_src: Callable[[str], str], attachments: str = "") -> str:
    e = escape
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(summary.display_label)}</title></head>",
        f'<body style="margin:0;padding:16px;background:#ffffff;color:{style.TEXT};{_FONT}">',
        '<table role="presentation" cellpadding="0" cellspacing="0" style="max-width:820px;width:100%">',
        "<tr><td>",
        f'<h1 style="font-size:22px;margin:0 0 4px 0">Contract batch {e(summary.display_label)}</h1>',
        f'<p style="font-size:16px;margin:0 0 4px 0"><strong>{e(headline(summary))}</strong></p>',
        f'<p style="font-size:13px;color:{style.MUTED};margin:0 0 16px 0">{e(_when(summary))}</p>',
        '<h2 style="font-size:17px;margin:16px 0 6px 0">Key figures</h2>',
        '<table cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-size:14px">',
    ]
    for label, text in key_figures(summary):
        out.append(
            f'<tr><th style="{_CELL};font-weight:normal">{e(label)}</th><td style="{_CELL}">'
            f"<strong>{e(text)}</strong></td></tr>"
        )
    out.append("</table>")

    out.append('<h2 style="font-size:17px;margin:20px 0 6px 0">Charts</h2>')
    for spec in CHARTS:
        out.append(
            f'<p style="margin:0 0 12px 0"><img src="{e(image_src(spec.name))}" alt="{e(spec.title)} chart" '
            'width="800" style="display:block;max-width:100%;height:auto;border:0"></p>'
        )

    groups = summary.failure_groups
    out.append('<h2 style="font-size:17px;margin:20px 0 6px 0">Failures and rejections</h2>')
    if not groups:
        out.append('<p style="font-size:14px">None: every contract succeeded.</p>')
    else:
        out.append('<table cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-size:13px">')
        out.append(
            f'<tr><th style="{_CELL}">Outcome</th><th style="{_CELL}">Reason</th>'
            f'<th style="{_CELL}">Contracts</th><th style="{_CELL}">For example</th></tr>'
        )
        for g in groups[:MAX_GROUPS]:
            colour = style.OUTCOME_COLOURS.get(g.outcome, style.GREY)
            out.append(
                f'<tr><td style="{_CELL};white-space:nowrap"><span style="color:{colour}">&#9632;</span> '
                f"{e(style.OUTCOME_LABELS.get(g.outcome, g.outcome))}</td>"
                f'<td style="{_CELL}">{e(g.reason)}</td><td style="{_CELL};text-align:right">{g.count:,}</td>'
                f'<td style="{_CELL}">{e(", ".join(g.examples[:3]))}</td></tr>'
            )
        out.append("</table>")
        if len(groups) > MAX_GROUPS:
            out.append(
                f'<p style="font-size:13px">… and {len(groups) - MAX_GROUPS:,} more reasons '
                "(see report.pdf).</p>"
            )

    soon = expiring_soon(summary)
    out.append('<h2 style="font-size:17px;margin:20px 0 6px 0">Expiring in the next 30 days</h2>')
    if not soon:
        out.append('<p style="font-size:14px">No contract expires in the next 30 days.</p>')
    else:
        out.append('<table cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-size:13px">')
        out.append(
            f'<tr><th style="{_CELL}">Expires</th><th style="{_CELL}">Contract</th>'
            f'<th style="{_CELL}">Title</th></tr>'
        )
        for row in soon[:MAX_EXPIRING]:
            title = row.result.get("title")
            out.append(
                f'<tr><td style="{_CELL};white-space:nowrap">{row.expiration}</td><td style="{_CELL}">'
                f'{e(row.name)}</td><td style="{_CELL}">{e(str(title)) if title else ""}</td></tr>'
            )
        out.append("</table>")
        if len(soon) > MAX_EXPIRING:
            out.append(
                f'<p style="font-size:13px">… and {len(soon) - MAX_EXPIRING:,} more (see contracts.csv).</p>'
            )

    if attachments:
        out.append(f'<p style="font-size:13px;color:{style.MUTED};margin-top:20px">{e(attachments)}</p>')
    out += ["</td></tr></table>", "</body></html>", ""]
    return "\n".join(out)


def render_text(summary: Summary, attachments: str = "") -> str:
    """The text/plain alternative: the same content as the HTML, minus the charts."""
    lines = [
        f"Contract batch {summary.display_label}",
        "",
        headline(summary),
        _when(summary),
        "",
        "Key figures",
    ]
    figures = key_figures(summary)
    width = max(len(label) for label, _ in figures)
    lines += [f"  {label.ljust(width)}  {text}" for label, text in figures]
    lines += ["", "Failures and rejections"]
    if not summary.failure_groups:
        lines.append("  None: every contract succeeded.")
    for g in summary.failure_groups[:MAX_GROUPS]:
        lines.append(f"  {g.count:>6,}  {style.OUTCOME_LABELS.get(g.outcome, g.outcome)}: {g.reason}")
        lines.append(f"          e.g. {', '.join(g.examples[:3])}")
    if len(summary.failure_groups) > MAX_GROUPS:
        lines.append(f"  ... and {len(summary.failure_groups) - MAX_GROUPS:,} more reasons (see report.pdf)")
    soon = expiring_soon(summary)
    lines += ["", "Expiring in the next 30 days"]
    if not soon:
        lines.append("  none")
    lines += [f"  {r.expiration}  {r.name}" for r in soon[:MAX_EXPIRING]]
    if len(soon) > MAX_EXPIRING:
        lines.append(f"  ... and {len(soon) - MAX_EXPIRING:,} more (see contracts.csv)")
    if attachments:
        lines += ["", attachments]
    return "\n".join(lines) + "\n"
