"""The report view's charts follow the window's palette: dark on a dark system, the export look on light."""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.colors import to_rgb
from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from core.reporting.charts import build_charts
from core.reporting.sample import synthetic_report
from core.reporting.summary import summarize
from gui.report_view import ReportView


def _show(qtbot: QtBot, palette: QPalette | None) -> ReportView:
    view = ReportView()
    qtbot.addWidget(view)
    if palette is not None:
        view.setPalette(palette)
    view.resize(1400, 900)
    view.show()
    _load_report(qtbot, view)
    return view


def _load_report(qtbot: QtBot, view: ReportView) -> None:
    report = synthetic_report(200)
    summary = summarize(report)
    with qtbot.waitSignal(view.charts_ready, timeout=30_000):
        view.show_report(report, summary, build_charts(summary))


def _lightness(colour: object) -> float:
    r, g, b = to_rgb(colour)  # type: ignore[arg-type]
    return (max(r, g, b) + min(r, g, b)) / 2


def test_charts_are_dark_in_a_dark_palette(qtbot: QtBot, tmp_path: Path) -> None:
    dark = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#2d2d2d"),
        (QPalette.ColorRole.WindowText, "#e8e8e8"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.Text, "#e8e8e8"),
        (QPalette.ColorRole.Button, "#3a3a3a"),
        (QPalette.ColorRole.ButtonText, "#e8e8e8"),
        (QPalette.ColorRole.PlaceholderText, "#a0a0a0"),
    ):
        dark.setColor(role, QColor(colour))
    view = _show(qtbot, dark)
    assert len(view.canvases) == 6
    for name, canvas in view.canvases.items():
        assert _lightness(canvas.figure.get_facecolor()) < 0.2, name
        labels = [t for t in canvas.figure.axes[0].get_yticklabels() if t.get_text()]
        assert all(_lightness(t.get_color()) > 0.7 for t in labels), name
    # Kept for looking at (the CI log names the directory); CBM_SCREENSHOT_DIR saves it elsewhere.
    out = Path(os.environ.get("CBM_SCREENSHOT_DIR", tmp_path))
    assert view.grab().save(str(out / "report-view-dark.png"))


def test_charts_keep_the_export_look_in_a_light_palette(qtbot: QtBot) -> None:
    light = QPalette()
    light.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    light.setColor(QPalette.ColorRole.Text, QColor("#000000"))
    view = _show(qtbot, light)
    for name, canvas in view.canvases.items():
        assert _lightness(canvas.figure.get_facecolor()) == 1.0, name


def test_charts_behind_another_tab_appear_one_by_one_when_shown(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QTabWidget, QWidget

    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QWidget(), "Tasks")
    view = ReportView()
    tabs.addTab(view, "Report")
    tabs.resize(1400, 900)
    tabs.show()
    _load_report(qtbot, view)
    assert len(view.canvases) == 6
    assert all(c.isHidden() for c in view.canvases.values())  # nothing drawn behind the tab
    tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: not any(c.isHidden() for c in view.canvases.values()), timeout=30_000)
    first = next(iter(view.canvases.values()))
    assert first.isVisible() and first.width() > 300


def test_the_page_leads_with_decisions_scrolls_over_charts_and_opens_at_its_top(qtbot: QtBot) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    view = ReportView()
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    _load_report(qtbot, view)
    # Need attention, then risks, then key figures, then the charts.
    order = [view.body_layout.indexOf(w) for w in (view.failures_label, view.risks_label, view.figures_box,
                                                    view.charts_box)]
    assert order == sorted(order)
    assert view.summary is not None and view.risks_model.rowCount() == view.summary.with_risks > 0
    assert "need attention" in view.lead.text() and "risks to review" in view.lead.text()
    assert "_" not in "".join(view.risks_model.rows[0])  # risk names in words

    # The wheel over a chart scrolls the page (matplotlib's canvas used to swallow it).
    bar = view.scroll.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    canvas = next(iter(view.canvases.values()))
    centre = QPointF(canvas.width() / 2, canvas.height() / 2)
    wheel = QWheelEvent(centre, QPointF(canvas.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -360),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(canvas, wheel)
    assert bar.value() > 0

    # The next report opens at its top, not where the last one was read.
    _load_report(qtbot, view)
    assert bar.value() == 0
