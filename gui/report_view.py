"""The report view of a final batch: key figures, the charts (the very Figures the exports render, on
matplotlib's Qt canvas), the contracts that need attention, and Export / Send."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
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
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.models import SimpleTableModel

if TYPE_CHECKING:
    # matplotlib and the reporting modules take about a second to import: loaded when a report is shown
    # (and warmed up in the background after startup), not before the window appears.
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.figure import Figure

    from core.reporting.charts import Theme
    from core.reporting.summary import Summary

# The report's charts are laid out for 800 x 500 px (the exports): below about 640 px wide their long
# labels and titles no longer fit, so there are two charts per row only when both get that much.
CHART_MIN_HEIGHT = 420
CHART_MIN_WIDTH = 640
NO_REPORT = "No final report yet: the report appears here when the batch is final."


class ReportView(QWidget):
    export_requested = Signal()
    send_requested = Signal()
    charts_ready = Signal()  # every chart of the shown report is on its canvas

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Report view")
        self.summary: Summary | None = None
        self.report: dict[str, Any] | None = None
        self.canvases: dict[str, FigureCanvasQTAgg] = {}
        self._laid_columns = 1
        self._generation = 0  # bumped by clear(): stops a half-done chart sequence of an older report
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel(NO_REPORT)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        top.addWidget(self.title, 1)
        self.export_button = QPushButton("&Export…")
        self.export_button.setAccessibleName("Export the report as PDF, CSV and PNG")
        self.send_button = QPushButton("&Send report")
        self.send_button.setAccessibleName("Send the report by email")
        self.export_button.clicked.connect(self.export_requested)
        self.send_button.clicked.connect(self.send_requested)
        top.addWidget(self.export_button)
        top.addWidget(self.send_button)
        outer.addLayout(top)
        self.status = QLabel()
        self.status.setAccessibleName("Report action result")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.status)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self.figures_box = QFrame()
        self.figures_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.figures_grid = QGridLayout(self.figures_box)
        self.body_layout.addWidget(self.figures_box)
        self.charts_box = QWidget()
        self.charts_grid = QGridLayout(self.charts_box)
        self.charts_grid.setContentsMargins(0, 0, 0, 0)
        self.body_layout.addWidget(self.charts_box)
        self.failures_label = QLabel("<b>Contracts that need attention</b>")
        self.body_layout.addWidget(self.failures_label)
        self.failures_model = SimpleTableModel(["Contract", "Outcome", "Error"], parent=self)
        self.failures = QTableView()
        self.failures.setAccessibleName("Failures table")
        self.failures.setModel(self.failures_model)
        self.failures.verticalHeader().hide()
        self.failures.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.failures.horizontalHeader().setStretchLastSection(True)
        self.failures.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.failures.setColumnWidth(0, 220)
        self.failures.setColumnWidth(1, 90)
        self.failures.setMinimumHeight(180)
        self.body_layout.addWidget(self.failures)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.set_enabled_actions(False)

    def set_enabled_actions(self, enabled: bool) -> None:
        self.export_button.setEnabled(enabled)
        self.send_button.setEnabled(enabled)

    def clear(self, message: str = NO_REPORT) -> None:
        self.summary = None
        self.report = None
        self._generation += 1
        self.title.setText(message)
        self.status.clear()
        self._clear_layout(self.figures_grid)
        self._clear_layout(self.charts_grid)
        for canvas in self.canvases.values():
            canvas.figure.clear()
        self.canvases.clear()
        self.failures_model.set_rows([])
        self.set_enabled_actions(False)

    @staticmethod
    def _clear_layout(layout: QGridLayout) -> None:
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()

    def show_report(self, report: dict[str, Any], summary: Summary, figures: dict[str, Figure]) -> None:
        """Show a summary whose Figures were built off the GUI thread (``core.reporting.charts``)."""
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        from core.reporting.charts import CHARTS, apply_theme
        from core.reporting.summary import key_figures, subject_line

        self.clear()
        self.report = report
        self.summary = summary
        self.title.setText(subject_line(summary))
        for i, (label, value) in enumerate(key_figures(summary)):
            name = QLabel(label)
            name.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, in light and dark palettes
            shown = QLabel(f"<b>{value}</b>")
            shown.setAccessibleName(f"{label}: {value}")
            row, col = divmod(i, 4)
            self.figures_grid.addWidget(name, row * 2, col)
            self.figures_grid.addWidget(shown, row * 2 + 1, col)
        # One chart per event-loop turn: each canvas draws (about 0.1-0.2 s of matplotlib on the GUI
        # thread) on its own, instead of one long freeze for all six.
        pending = [(i, spec) for i, spec in enumerate(CHARTS) if spec.name in figures]
        generation = self._generation = self._generation + 1
        theme = self.chart_theme()

        def add_next() -> None:
            if generation != self._generation or not pending:
                if generation == self._generation:
                    self.charts_ready.emit()
                return
            i, spec = pending.pop(0)
            figure = figures[spec.name]
            canvas = FigureCanvasQTAgg(figure if theme is None else apply_theme(figure, theme))
            canvas.setMinimumHeight(CHART_MIN_HEIGHT)
            canvas.setAccessibleName(f"Chart: {spec.title}")
            if not self.isVisible():
                # Behind another tab: revealed one per event-loop turn when the view is shown (showEvent),
                # or all would draw in the one paint that shows the tab (358 ms for 10,000 contracts).
                policy = canvas.sizePolicy()
                policy.setRetainSizeWhenHidden(True)
                canvas.setSizePolicy(policy)
                canvas.hide()
            self.canvases[spec.name] = canvas
            columns = self._laid_columns = self._columns()
            self.charts_grid.addWidget(canvas, i // columns, i % columns)
            QTimer.singleShot(0, add_next)

        add_next()
        rows = [(r.name, r.outcome.replace("_", " "), r.error or "") for r in summary.not_succeeded_rows]
        self.failures_model.set_rows(rows)
        self.failures_label.setText(f"<b>Contracts that need attention: {len(rows):,}</b>")
        self.set_enabled_actions(True)

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
        return 2 if self.width() - 60 >= 2 * CHART_MIN_WIDTH else 1

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        QTimer.singleShot(0, self._reveal_next_chart)

    def _reveal_next_chart(self) -> None:
        if not self.isVisible():
            return
        hidden = [c for c in self.canvases.values() if c.isHidden()]
        if hidden:
            hidden[0].show()  # draws in its first paint
            if len(hidden) > 1:
                QTimer.singleShot(0, self._reveal_next_chart)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        columns = self._columns()
        if self.canvases and self._laid_columns != columns:
            self._laid_columns = columns
            # Re-flow the canvases (the same widgets; nothing is redrawn but what resizes).
            from core.reporting.charts import CHARTS

            ordered = [self.canvases[c.name] for c in CHARTS if c.name in self.canvases]
            for canvas in ordered:
                self.charts_grid.removeWidget(canvas)
            for i, canvas in enumerate(ordered):
                self.charts_grid.addWidget(canvas, i // columns, i % columns)

    def set_status(self, text: str, ok: bool | None = None) -> None:
        colour = {True: "#2e9e4f", False: "#d64541"}.get(ok)  # type: ignore[call-overload]
        self.status.setText(f"<span style='color:{colour}'>{text}</span>" if colour else text)
