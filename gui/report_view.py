"""The report view of a final batch. It leads with what asks for a decision, as the PDF and the email do:
the contracts that need attention (with their reason) and those with risks to review; then the key
figures and the charts (the very Figures the exports render, drawn with Agg on a background job and shown
as images); Export / Send at the top. The page scrolls with the wheel anywhere, charts included, and a new
report opens at its top."""

from __future__ import annotations

import html
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.models import SimpleTableModel
from gui.report_charts import CHART_MIN_HEIGHT, ChartImage, JobRunner, RenderSize, ReportCharts

if TYPE_CHECKING:
    # matplotlib and the reporting modules take about a second to import: loaded when a report is shown
    # (and warmed up in the background after startup), not before the window appears.
    from matplotlib.figure import Figure

    from core.reporting.charts import Theme
    from core.reporting.summary import Summary

# The report's charts are laid out for 800 x 500 px (the exports): below about 640 px wide their long
# labels and titles no longer fit, so there are two charts per row only when both get that much.
CHART_MIN_WIDTH = 640
NO_REPORT = "No final report yet: the report appears here when the batch is final."
TABLE_ROWS_SHOWN = 8  # taller lists scroll inside their table; the page stays short


def _table(headers: list[str], name: str, parent: QWidget) -> tuple[QTableView, SimpleTableModel]:
    model = SimpleTableModel(headers, parent=parent)
    view = QTableView()
    view.setAccessibleName(name)
    view.setModel(model)
    view.verticalHeader().hide()
    # Rows as compact as the task grid's: a list to scan, not a form.
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setWordWrap(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setColumnWidth(0, 260)
    view.setColumnWidth(1, 170)
    return view, model


def _fit_rows(view: QTableView, rows: int) -> None:
    shown = max(1, min(rows, TABLE_ROWS_SHOWN))
    height = view.horizontalHeader().height() + shown * view.verticalHeader().defaultSectionSize() + 4
    view.setFixedHeight(height)


ReportTables = tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]


def report_tables(summary: Summary) -> ReportTables:
    """The rows of the view's two tables (need attention; risks to review, those that ask for a decision
    first, soonest expiry first): plain strings, so the window builds them on its render job. At 100,000
    contracts building them on the GUI thread held it 0.6 s (38,000 dates formatted one by one)."""
    from core.contracts.analysis.risk import DECISION_FLAGS
    from core.reporting.fields import risk_label
    from core.reporting.wording import format_date, outcome_label

    attention = [(r.name, outcome_label(r.outcome), r.error or "(no reason given)")
                 for r in summary.not_succeeded_rows]
    order = {f: i for i, f in enumerate(DECISION_FLAGS)}
    flagged = [r for r in summary.rows if any(f in order for f in r.risk_flags)]
    flagged.sort(key=lambda r: (min(order.get(f, 99) for f in r.risk_flags), r.expiration or date.max,
                                r.name))
    dates: dict[date, str] = {}  # a few hundred distinct days among the rows: each formatted once
    risks = [
        (r.name, (dates.get(r.expiration) or dates.setdefault(r.expiration, format_date(r.expiration)))
         if r.expiration else "",
         ", ".join(risk_label(f) for f in sorted(r.risk_flags, key=lambda f: order.get(f, 99)) if f in order))
        for r in flagged
    ]
    return attention, risks


class ReportView(QWidget):
    export_requested = Signal()
    send_requested = Signal()
    charts_ready = Signal()  # every chart of the shown report has its first image

    def __init__(self, run: JobRunner, parent: QWidget | None = None) -> None:
        """``run``: the window's background jobs (``Bridge.run``), which draw the charts."""
        super().__init__(parent)
        self.setAccessibleName("Report view")
        self.summary: Summary | None = None
        self.report: dict[str, Any] | None = None
        self._laid_columns = 1
        self.scroll = QScrollArea()
        # First: a palette change while the rest is built asks it for the charts to draw again.
        self.report_charts = ReportCharts(run, self.chart_theme, self._size_for, self.scroll.viewport(), self)
        self.report_charts.ready.connect(self.charts_ready)
        self.charts = self.report_charts.charts  # by name, in the order shown
        outer = self.outer_layout = QVBoxLayout(self)
        top = QHBoxLayout()
        heading = QVBoxLayout()
        self.title = QLabel(NO_REPORT)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        heading.addWidget(self.title)
        self.lead = QLabel()
        self.lead.setWordWrap(True)
        self.lead.setAccessibleName("What the report says first")
        self.lead.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        heading.addWidget(self.lead)
        top.addLayout(heading, 1)
        self.export_button = QPushButton("&Export…")
        self.export_button.setAccessibleName("Export the report as PDF, CSV and PNG")
        self.send_button = QPushButton("&Send report")
        self.send_button.setAccessibleName("Send the report by email")
        self.export_button.clicked.connect(self.export_requested)
        self.send_button.clicked.connect(self.send_requested)
        top.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)
        self.status = QLabel()
        self.status.setAccessibleName("Report action result")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.status.setOpenExternalLinks(True)
        outer.addWidget(self.status)

        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self.failures_label = QLabel("<b>Need attention</b>")
        self.body_layout.addWidget(self.failures_label)
        self.failures, self.failures_model = _table(["Contract", "Outcome", "Reason"], "Contracts that need "
                                                    "attention", self)
        self.body_layout.addWidget(self.failures)
        self.risks_label = QLabel("<b>Risks to review</b>")
        self.body_layout.addWidget(self.risks_label)
        self.risks, self.risks_model = _table(["Contract", "Expires", "Risks"], "Contracts with risks to "
                                              "review", self)
        self.body_layout.addWidget(self.risks)
        self.figures_box = QFrame()
        self.figures_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.figures_grid = QGridLayout(self.figures_box)
        self.body_layout.addWidget(self.figures_box)
        self.charts_box = QWidget()
        self.charts_grid = QGridLayout(self.charts_box)
        self.charts_grid.setContentsMargins(0, 0, 0, 0)
        self.body_layout.addWidget(self.charts_box)
        self.body_layout.addStretch(1)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)
        self.set_enabled_actions(False)
        self._show_sections(False)

    def _show_sections(self, shown: bool) -> None:
        for widget in (self.failures_label, self.failures, self.risks_label, self.risks, self.figures_box):
            widget.setVisible(shown)

    def set_enabled_actions(self, enabled: bool) -> None:
        self.export_button.setEnabled(enabled)
        self.send_button.setEnabled(enabled)

    def clear(self, message: str = NO_REPORT) -> None:
        self.summary = None
        self.report = None
        self.report_charts.clear()
        self.title.setText(message)
        self.lead.clear()
        self.status.clear()
        self._clear_layout(self.figures_grid)
        self._clear_layout(self.charts_grid)
        self.failures_model.set_rows([])
        self.risks_model.set_rows([])
        self._show_sections(False)
        self.scroll.verticalScrollBar().setValue(0)
        self.set_enabled_actions(False)

    @staticmethod
    def _clear_layout(layout: QGridLayout) -> None:
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()

    def show_report(self, report: dict[str, Any], summary: Summary, figures: dict[str, Figure],
                    tables: ReportTables | None = None) -> None:
        """Show a summary whose Figures were built off the GUI thread (``core.reporting.charts``), and its
        tables' rows (``report_tables``) if they were too. The figures are the view's from now on: a
        render job draws them (``charts_ready`` once each chart has its image)."""
        from core.reporting.charts import CHARTS
        from core.reporting.summary import key_figures
        from core.reporting.wording import headline, risk_line

        attention, risks = tables or report_tables(summary)
        self.clear()
        self.report = report
        self.summary = summary
        self.title.setText(f"Contract batch {summary.display_label}")
        self.lead.setText("\n".join(t for t in (headline(summary), risk_line(summary)) if t))
        self._show_sections(True)
        self.failures_model.set_rows(attention)
        self.failures_label.setText(f"<b>Need attention: {len(attention):,}</b>"
                                    + ("" if attention else " (every contract succeeded)"))
        self.failures.setVisible(bool(attention))
        _fit_rows(self.failures, len(attention))
        self.risks_model.set_rows(risks)
        self.risks_label.setText(f"<b>Risks to review: {summary.with_risks:,}</b>"
                                 + ("" if risks else " (no contract asks for a decision)"))
        self.risks.setVisible(bool(risks))
        _fit_rows(self.risks, len(risks))
        for i, (label, value) in enumerate(key_figures(summary)):
            name = QLabel(label)
            name.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, in light and dark palettes
            shown = QLabel(f"<b>{value}</b>")
            shown.setAccessibleName(f"{label}: {value}")
            row, col = divmod(i, 4)
            self.figures_grid.addWidget(name, row * 2, col)
            self.figures_grid.addWidget(shown, row * 2 + 1, col)
        columns = self._laid_columns = self._columns()
        charts = self.report_charts.show(summary, figures, {spec.name: spec.title for spec in CHARTS})
        for i, chart in enumerate(charts):
            self.charts_grid.addWidget(chart, i // columns, i % columns)
        self.report_charts.render()  # behind another tab too: the tab opens with its charts
        self.scroll.verticalScrollBar().setValue(0)  # a new report opens at its top, not where the last was
        self.set_enabled_actions(True)

    # -- drawing the charts (off the GUI thread) -----------------------------------------------------

    def _size_for(self, chart: ChartImage) -> RenderSize:
        """The chart's size, or, while the view is hidden behind another tab (Qt lays out no hidden widget),
        the size it will get when shown: drawn ahead, the tab opens with its charts."""
        if chart.isVisible():
            return chart.current_size()
        width = self._expected_width()
        columns = self._columns()
        outer, body = self.outer_layout.contentsMargins(), self.body_layout.contentsMargins()
        # The page is taller than any screen: its scroll bar takes a column of the width.
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        inner = width - outer.left() - outer.right() - bar - body.left() - body.right()
        spacing = max(0, self.charts_grid.horizontalSpacing())
        return (max(1, (inner - spacing * (columns - 1)) // columns), CHART_MIN_HEIGHT,
                self.devicePixelRatioF())

    def _expected_width(self) -> int:
        # Behind a tab, the view gets the tab page's width (its stack's) when shown, whatever it had before.
        parent = self.parentWidget()
        if not self.isVisible() and isinstance(parent, QStackedWidget) and parent.isVisible():
            return parent.width()
        return self.width()

    def chart_theme(self) -> Theme | None:
        """Dark screen colours for the charts when the palette is dark (the system's dark look); None
        in a light palette, where the charts keep the look of the exports."""
        from core.reporting.charts import Theme

        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        if background.lightness() >= 128:
            return None

        def towards_text(share: float) -> str:
            # Palette colours may carry alpha (placeholder text does); mixing gives opaque ones.
            return QColor(
                round(background.red() * (1 - share) + text.red() * share),
                round(background.green() * (1 - share) + text.green() * share),
                round(background.blue() * (1 - share) + text.blue() * share),
            ).name()

        return Theme(background.name(), text.name(), muted=towards_text(0.65), grid=towards_text(0.2))

    def _columns(self) -> int:
        # The view's own width: the scroll area lays its contents out only after this widget's resize.
        return 2 if self._expected_width() - 60 >= 2 * CHART_MIN_WIDTH else 1

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) and self.charts:
            # The system's light/dark look changed: the charts are drawn again in its colours.
            self.report_charts.schedule(0)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        # Drawn ahead while hidden; a size that turned out otherwise (or a resize meanwhile) is drawn again.
        self.report_charts.schedule(0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        columns = self._columns()
        if self.charts and self._laid_columns != columns:
            self._laid_columns = columns
            # Re-flow the charts (the same widgets; each is drawn again for its new size, debounced).
            from core.reporting.charts import CHARTS

            ordered = [self.charts[c.name] for c in CHARTS if c.name in self.charts]
            for chart in ordered:
                self.charts_grid.removeWidget(chart)
            for i, chart in enumerate(ordered):
                self.charts_grid.addWidget(chart, i // columns, i % columns)

    def set_status(self, text: str, ok: bool | None = None, *, rich: bool = False) -> None:
        """``text`` is plain (escaped here: it may quote a server's reply) unless ``rich``."""
        shown = text if rich else html.escape(text)
        colour = {True: "#2e9e4f", False: "#d64541"}.get(ok)  # type: ignore[call-overload]
        self.status.setText(f"<span style='color:{colour}'>{shown}</span>" if colour else shown)
