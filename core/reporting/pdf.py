"""``report.pdf``: a first page that leads with what asks for a decision (the contracts that need attention,
grouped by reason; the risks to review; what expires soon) and the key figures, then the chart pages, every
contract that did not succeed with its reason, and the per-contract table.

reportlab's platypus, not matplotlib's PdfPages: a 10,000-row table is text, and reportlab lays out text
tables an order of magnitude faster than drawing them as figures (measured: ``docs/performance.md``).
Two things keep it fast at that size: the table is cut into page-sized chunks (a single 10,000-row
``Table`` makes platypus re-split the remainder on every page, which is quadratic), and table cells are
plain strings cut to the column width, not ``Paragraph`` objects.

Text uses matplotlib's bundled DejaVu Sans so that non-Latin contract and party names print (reportlab's
built-in Helvetica has Latin-1 only) and the PDF matches the charts.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from core.reporting import style
from core.reporting.charts import CHARTS
from core.reporting.html_summary import EXPIRING_DAYS, expiring_soon
from core.reporting.summary import Summary, counterparty_of, format_duration, format_money, key_figures
from core.reporting.wording import format_date, format_when, headline, outcome_label, risk_line

FONT = "CBM-DejaVuSans"
FONT_BOLD = "CBM-DejaVuSans-Bold"
MARGIN = 1.5 * cm
TABLE_FONT_SIZE = 7.5
ROW_HEIGHT = 10.5  # points; fixed so a page holds a known number of rows
MAX_PDF_GROUPS = 60

_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered  # noqa: PLW0603 - registration is process-wide in reportlab anyway
    if _fonts_registered:
        return
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(ttf / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(ttf / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    _fonts_registered = True


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body", fontName=FONT, fontSize=10, leading=13, textColor=colors.HexColor(style.TEXT)
    )
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "muted": ParagraphStyle("muted", parent=base, fontSize=9, textColor=colors.HexColor(style.MUTED)),
        "h1": ParagraphStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=18, leading=22, spaceAfter=4),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=FONT_BOLD, fontSize=13, leading=16, spaceBefore=8, spaceAfter=6
        ),
        "lead": ParagraphStyle(
            "lead", parent=base, fontName=FONT_BOLD, fontSize=12, leading=15, spaceAfter=2
        ),
    }


def _fit(text: str, width_pt: float, size: float = TABLE_FONT_SIZE) -> str:
    """Cut ``text`` to about ``width_pt`` points. An estimate from the average DejaVu glyph width (0.55 em):
    measuring every cell with stringWidth costs seconds at 10,000 rows for no visible difference."""
    text = " ".join(text.split())
    limit = max(4, int(width_pt / (size * 0.58)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _grid_style(header_bg: str = "#EEEEEE") -> list[tuple[Any, ...]]:
    return [
        ("FONT", (0, 0), (-1, -1), FONT, TABLE_FONT_SIZE),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, TABLE_FONT_SIZE),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(header_bg)),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#DDDDDD")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]


class _RowsBlock(Flowable):
    """A page-sized slice of a big table, drawn straight onto the canvas.

    platypus ``Table`` spends most of its time per cell (a text object, a format and a width
    measurement each); here every column of the slice is one text object with one line per row, which
    makes the 10,000-row table several times faster with the same look: bold header on grey, hairlines
    between rows.
    """

    def __init__(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], row_h: float
    ) -> None:
        super().__init__()
        self.header, self.rows, self.widths, self.row_h = list(header), rows, list(widths), row_h
        self.width = sum(widths)
        self.height = (len(rows) + 1) * row_h

    def wrap(self, _avail_w: float, _avail_h: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, _avail_w: float, avail_h: float) -> list[Flowable]:
        # Fill the rest of the page, carry the remainder (header repeated) to the next one.
        fit = int(avail_h // self.row_h) - 1
        if fit < 3 or fit >= len(self.rows):
            return []
        return [
            _RowsBlock(self.header, self.rows[:fit], self.widths, self.row_h),
            _RowsBlock(self.header, self.rows[fit:], self.widths, self.row_h),
        ]

    def draw(self) -> None:
        c = self.canv
        h, w = self.row_h, self.width
        top = self.height
        c.setFillColor(colors.HexColor("#EEEEEE"))
        c.rect(0, top - h, w, h, stroke=0, fill=1)
        c.setStrokeColor(colors.HexColor("#DDDDDD"))
        c.setLineWidth(0.25)
        c.lines([(0, top - h * (i + 1), w, top - h * (i + 1)) for i in range(len(self.rows) + 1)])
        c.setFillColor(colors.HexColor(style.TEXT))
        baseline = top - h + (h - TABLE_FONT_SIZE) / 2 + 1.5
        x = 0.0
        for col, width in enumerate(self.widths):
            text = c.beginText(x + 3, baseline)
            text.setFont(FONT_BOLD, TABLE_FONT_SIZE, leading=h)
            text.textLine(self.header[col])
            text.setFont(FONT, TABLE_FONT_SIZE, leading=h)
            for row in self.rows:
                text.textLine(row[col])
            c.drawText(text)
            x += width


def _rows_table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> _RowsBlock:
    return _RowsBlock(header, rows, widths, ROW_HEIGHT)


def _money(row_amount: float | None, currency: str | None) -> str:
    return format_money(row_amount, currency or "") if row_amount is not None else ""


def build_pdf(summary: Summary, chart_pngs: Mapping[str, bytes]) -> bytes:
    """The whole PDF. ``chart_pngs`` maps chart names to PNGs (rendered at ``style.PRINT_DPI``)."""
    _register_fonts()
    st = _styles()
    buffer = io.BytesIO()
    portrait_w, portrait_h = A4
    land_w, land_h = landscape(A4)
    footer_label = f"Contract batch {summary.display_label}"

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor(style.MUTED))
        width = canvas._pagesize[0]  # the current template's size: no public getter
        canvas.drawString(MARGIN, 0.8 * cm, _fit(footer_label, width / 2, 8))
        canvas.drawRightString(width - MARGIN, 0.8 * cm, f"page {doc.page}")
        canvas.restoreState()

    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=footer_label,
        author="Contract Batch Manager",
        subject=headline(summary),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
    )
    portrait_frame = Frame(MARGIN, MARGIN, portrait_w - 2 * MARGIN, portrait_h - 2 * MARGIN, id="p")
    land_frame = Frame(MARGIN, MARGIN, land_w - 2 * MARGIN, land_h - 2 * MARGIN, id="l")
    doc.addPageTemplates(
        [
            PageTemplate(id="portrait", frames=[portrait_frame], pagesize=A4, onPage=footer),
            PageTemplate(id="landscape", frames=[land_frame], pagesize=landscape(A4), onPage=footer),
        ]
    )
    text_w = portrait_w - 2 * MARGIN
    chart_w = text_w
    chart_h = chart_w * style.FIGSIZE_IN[1] / style.FIGSIZE_IN[0]

    def chart(name: str) -> Image | Spacer:
        png = chart_pngs.get(name)
        return Image(io.BytesIO(png), width=chart_w, height=chart_h) if png else Spacer(1, 1)

    story: list[Any] = []
    # --- page 1: what asks for a decision, then the key figures
    story += [
        Paragraph(f"Contract batch {escape(summary.display_label)}", st["h1"]),
        Paragraph(escape(headline(summary)), st["lead"]),
    ]
    if risk_line(summary):
        story.append(Paragraph(escape(risk_line(summary)), st["body"]))
    meta = [f"Batch {summary.batch_id}" if summary.batch_id else "Batch"]
    if summary.created_at:
        meta.append(f"started {format_when(summary.created_at)}")
    if summary.finished_at:
        meta.append(f"finished {format_when(summary.finished_at)}")
    meta.append(f"expiry figures as of {format_date(summary.as_of)}")
    story += [Paragraph(escape(" · ".join(meta)), st["muted"]), Spacer(1, 6)]

    story.append(Paragraph(f"Need attention: {summary.need_attention:,}", st["h2"]))
    if not summary.failure_groups:
        story.append(Paragraph("None: every contract succeeded.", st["body"]))
    else:
        group_rows: list[list[Any]] = [["Outcome", "Reason", "Contracts", "For example"]]
        for g in summary.failure_groups[:MAX_PDF_GROUPS]:
            group_rows.append([
                outcome_label(g.outcome),
                Paragraph(escape(g.reason), st["small"]),
                f"{g.count:,}",
                Paragraph(escape(", ".join(g.examples[:3])), st["small"]),
            ])
        groups_table = Table(
            group_rows, colWidths=[text_w * 0.12, text_w * 0.50, text_w * 0.11, text_w * 0.27], repeatRows=1
        )
        groups_table.setStyle(TableStyle([*_grid_style(), ("ALIGN", (2, 0), (2, -1), "RIGHT")]))
        story.append(groups_table)
        if len(summary.failure_groups) > MAX_PDF_GROUPS:
            more = len(summary.failure_groups) - MAX_PDF_GROUPS
            story.append(Paragraph(f"… and {more:,} more reasons: every contract is listed further on.",
                                   st["small"]))

    story.append(Paragraph("Risks to review", st["h2"]))
    if not summary.risk_groups:
        story.append(Paragraph("No risk was flagged.", st["body"]))
    else:
        risk_rows: list[list[Any]] = [["Risk", "Contracts", "For example"]]
        for risk in summary.risk_groups:
            risk_rows.append([
                risk.label if risk.decision else f"{risk.label} (to check)",
                f"{risk.count:,}",
                Paragraph(escape(", ".join(risk.examples[:3])), st["small"]),
            ])
        risks_table = Table(risk_rows, colWidths=[text_w * 0.34, text_w * 0.12, text_w * 0.54], repeatRows=1)
        risks_table.setStyle(TableStyle([*_grid_style(), ("ALIGN", (1, 0), (1, -1), "RIGHT")]))
        story.append(risks_table)
    soon = expiring_soon(summary)
    if soon:
        story.append(Paragraph(f"Expiring in the next {EXPIRING_DAYS} days", st["h2"]))
        widths = [text_w * 0.18, text_w * 0.82]
        rows = [[format_date(r.expiration), _fit(r.name, widths[1] - 6)] for r in soon[:25] if r.expiration]
        story.append(_rows_table(["Expires", "Contract"], rows, widths))
        if len(soon) > 25:
            story.append(Paragraph(f"… and {len(soon) - 25:,} more: see All contracts.", st["small"]))

    figures = key_figures(summary)
    half = (len(figures) + 1) // 2
    left, right = figures[:half], figures[half:]
    grid = [[*left[i], *(right[i] if i < len(right) else ("", ""))] for i in range(half)]
    kf = Table(grid, colWidths=[text_w * 0.28, text_w * 0.22, text_w * 0.28, text_w * 0.22])
    kf.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9.5),
                ("FONT", (1, 0), (1, -1), FONT_BOLD, 9.5),
                ("FONT", (3, 0), (3, -1), FONT_BOLD, 9.5),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#DDDDDD")),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    story += [CondPageBreak(6 * cm), Paragraph("Key figures", st["h2"]), kf]

    # --- chart pages: two charts a page, full width so they stay readable on paper
    names = [spec.name for spec in CHARTS]
    for i in range(0, len(names), 2):
        story.append(PageBreak())
        if i == 0:
            story.append(Paragraph("Charts", st["h2"]))
        story.append(chart(names[i]))
        if i + 1 < len(names):
            story += [Spacer(1, 14), chart(names[i + 1])]

    # --- every contract that did not succeed
    failed_rows = summary.not_succeeded_rows
    if failed_rows:
        story += [PageBreak(), Paragraph("Every contract that did not succeed", st["h2"])]
        widths = [text_w * 0.30, text_w * 0.10, text_w * 0.06, text_w * 0.54]
        rows = [
            [
                _fit(r.name, widths[0] - 6),
                outcome_label(r.outcome),
                str(r.attempts) if r.attempts is not None else "",
                _fit(r.error or "(no reason given)", widths[3] - 6),
            ]
            for r in failed_rows
        ]
        story.append(_rows_table(["Contract", "Outcome", "Tries", "Reason"], rows, widths))

    # --- per-contract table (landscape: it has many columns)
    story += [NextPageTemplate("landscape"), PageBreak(), Paragraph("All contracts", st["h2"])]
    wide_w = land_w - 2 * MARGIN
    columns = [
        ("#", 0.04),
        ("Contract", 0.20),
        ("Outcome", 0.07),
        ("Tries", 0.035),
        ("Runtime", 0.055),
        ("Type", 0.12),
        ("Counterparty", 0.17),
        ("Expires", 0.07),
        ("Value", 0.11),
        ("Governing law", 0.13),
    ]
    widths = [wide_w * f for _, f in columns]
    home = summary.home_party
    table_rows = []
    for r in summary.rows:
        table_rows.append(
            [
                str(r.index + 1),
                _fit(r.name, widths[1] - 6),
                outcome_label(r.outcome),
                str(r.attempts) if r.attempts is not None else "",
                format_duration(r.runtime_s) if r.runtime_s is not None else "",
                _fit(r.contract_type or "", widths[5] - 6),
                _fit(counterparty_of(r, home), widths[6] - 6) if r.parties else "",
                format_date(r.expiration) if r.expiration else "",
                _fit(_money(r.value_amount, r.value_currency), widths[8] - 6),
                _fit(r.governing_law or "", widths[9] - 6),
            ]
        )
    story.append(_rows_table([c for c, _ in columns], table_rows, widths))
    if not table_rows:
        story.append(Paragraph("This batch has no contracts.", st["body"]))
    doc.build(story)
    return buffer.getvalue()
