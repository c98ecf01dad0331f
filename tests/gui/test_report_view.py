"""The report view: its charts are drawn off the GUI thread and shown as images, in the window palette's
look (dark on a dark system, the export look on light), drawn again when the palette or their size
changes; the page leads with decisions, scrolls over the charts and opens at its top."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot

from core.local.history import HistoryStore
from core.reporting.charts import build_charts, rasterize
from core.reporting.sample import synthetic_report
from core.reporting.summary import Summary, summarize
from gui.bridge import Bridge
from gui.report_view import ChartImage, ReportView

TIMEOUT_MS = 30_000


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[Bridge]:
    """The window's background jobs (which draw the charts), on a throwaway history."""
    b = Bridge(HistoryStore(tmp_path / "history.sqlite3"))
    yield b
    b.shutdown()


def _dark_palette() -> QPalette:
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
    return dark


def _light_palette() -> QPalette:
    light = QPalette()
    light.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    light.setColor(QPalette.ColorRole.Text, QColor("#000000"))
    return light


def _show(qtbot: QtBot, bridge: Bridge, palette: QPalette | None) -> ReportView:
    view = ReportView(bridge.run)
    qtbot.addWidget(view)
    if palette is not None:
        view.setPalette(palette)
    view.resize(1400, 900)
    view.show()
    _load_report(qtbot, view)
    return view


def _report() -> tuple[dict[str, object], Summary]:
    report = synthetic_report(200)
    return report, summarize(report)


def _load_report(qtbot: QtBot, view: ReportView, figures: dict[str, Figure] | None = None) -> None:
    report, summary = _report()
    with qtbot.waitSignal(view.charts_ready, timeout=TIMEOUT_MS):
        view.show_report(report, summary, figures or build_charts(summary))


def _drawn_for_their_size(view: ReportView) -> bool:
    return len(view.charts) == 6 and not any(c.needs_render() for c in view.charts.values())


def _lightness(colour: object) -> float:
    r, g, b = to_rgb(colour)  # type: ignore[arg-type]
    return (max(r, g, b) + min(r, g, b)) / 2


def _corner(chart: ChartImage) -> float:
    """The lightness of the chart image's top-left pixel: the figure's background."""
    assert chart.image is not None
    return QColor(chart.image.pixel(1, 1)).lightnessF()


def test_charts_are_images_drawn_off_the_gui_thread_and_sharp(qtbot: QtBot, bridge: Bridge,
                                                              tmp_path: Path) -> None:
    from PySide6.QtWidgets import QTabWidget, QWidget

    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QWidget(), "Tasks")
    view = ReportView(bridge.run)
    tabs.addTab(view, "Report")
    tabs.resize(1400, 900)
    tabs.show()
    _, summary = _report()
    figures = build_charts(summary)
    draws: list[threading.Thread] = []
    for figure in figures.values():
        figure.canvas.mpl_connect("draw_event", lambda _e: draws.append(threading.current_thread()))
    _load_report(qtbot, view, figures)
    # Drawn behind the tab, before it is shown: the tab opens with its charts.
    assert len(view.charts) == 6 and all(c.image is not None for c in view.charts.values())
    tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: _drawn_for_their_size(view), timeout=TIMEOUT_MS)
    qtbot.wait(2 * 150)  # any debounced re-draw has run
    assert draws and threading.main_thread() not in draws  # matplotlib never drew on the GUI thread
    for chart in view.charts.values():
        assert not isinstance(chart, FigureCanvasBase)
        assert chart.isVisible() and chart.width() > 300
    # Pixel for pixel what Agg draws at the chart's size: as sharp as matplotlib's own Qt canvas was.
    chart = view.charts["outcomes"]
    width, height, ratio = chart.current_size()
    raster = rasterize(build_charts(summary)["outcomes"], width, height, ratio)
    direct = QImage(raster.rgba, raster.width, raster.height, raster.width * 4, QImage.Format.Format_RGBA8888)
    assert chart.image is not None
    assert chart.image.convertToFormat(QImage.Format.Format_RGBA8888) == direct
    assert view.grab().save(str(Path(os.environ.get("CBM_SCREENSHOT_DIR", tmp_path)) / "report-view.png"))


def test_charts_are_dark_in_a_dark_palette(qtbot: QtBot, bridge: Bridge, tmp_path: Path) -> None:
    view = _show(qtbot, bridge, _dark_palette())
    assert len(view.charts) == 6
    for name, chart in view.charts.items():
        assert _corner(chart) < 0.2, name
        figure = view.report_charts.figures[name]
        assert _lightness(figure.get_facecolor()) < 0.2, name
        labels = [t for t in figure.axes[0].get_yticklabels() if t.get_text()]
        assert all(_lightness(t.get_color()) > 0.7 for t in labels), name
    # Kept for looking at (the CI log names the directory); CBM_SCREENSHOT_DIR saves it elsewhere.
    out = Path(os.environ.get("CBM_SCREENSHOT_DIR", tmp_path))
    assert view.grab().save(str(out / "report-view-dark.png"))


def test_charts_keep_the_export_look_in_a_light_palette(qtbot: QtBot, bridge: Bridge) -> None:
    view = _show(qtbot, bridge, _light_palette())
    for name, chart in view.charts.items():
        assert _corner(chart) == 1.0, name
        assert _lightness(view.report_charts.figures[name].get_facecolor()) == 1.0, name


def test_a_palette_change_draws_the_charts_again_in_its_colours(qtbot: QtBot, bridge: Bridge) -> None:
    view = _show(qtbot, bridge, _light_palette())
    light = {name: chart.image for name, chart in view.charts.items()}
    view.setPalette(_dark_palette())  # the system switched to its dark look
    qtbot.waitUntil(lambda: all(c.image is not None and _corner(c) < 0.2 for c in view.charts.values()),
                    timeout=TIMEOUT_MS)
    assert all(view.charts[name].image is not image for name, image in light.items())
    view.setPalette(_light_palette())  # and back: the export look again, not a recoloured dark one
    qtbot.waitUntil(lambda: all(_corner(c) == 1.0 for c in view.charts.values()), timeout=TIMEOUT_MS)
    assert all(_lightness(f.get_facecolor()) == 1.0 for f in view.report_charts.figures.values())


def test_a_resized_view_draws_its_charts_again_at_their_new_size(qtbot: QtBot, bridge: Bridge) -> None:
    view = _show(qtbot, bridge, None)  # 1400 px wide: two charts per row
    qtbot.waitUntil(lambda: _drawn_for_their_size(view), timeout=TIMEOUT_MS)
    assert view._laid_columns == 2
    beside = view.charts_grid.itemAtPosition(0, 1)
    assert beside is not None and beside.widget() is view.charts["value-by-counterparty"]
    for width, columns in ((1200, 1), (1000, 1), (1500, 2)):
        before = view.charts["outcomes"].width()
        view.resize(width, 900)
        qtbot.waitUntil(lambda before=before: view.charts["outcomes"].width() != before  # type: ignore[misc]
                        and _drawn_for_their_size(view), timeout=TIMEOUT_MS)
        assert view._laid_columns == columns, width
        for chart in view.charts.values():  # the same widgets, re-flowed, each drawn for its new size
            assert chart.image is not None
            assert chart.image.width() == round(chart.width() * chart.devicePixelRatioF()), width


def test_the_page_leads_with_decisions_scrolls_over_charts_and_opens_at_its_top(
    qtbot: QtBot, bridge: Bridge
) -> None:
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    view = ReportView(bridge.run)
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

    # The wheel over a chart scrolls the page.
    bar = view.scroll.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    chart = next(iter(view.charts.values()))
    centre = QPointF(chart.width() / 2, chart.height() / 2)
    wheel = QWheelEvent(centre, QPointF(chart.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -360),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(chart, wheel)
    assert bar.value() > 0

    # The next report opens at its top, not where the last one was read.
    _load_report(qtbot, view)
    assert bar.value() == 0


def test_a_report_arriving_as_the_window_closes_draws_nothing(qtbot: QtBot, bridge: Bridge) -> None:
    """The window's jobs are shut down when it closes; a report still being read may arrive after."""
    view = ReportView(bridge.run)
    qtbot.addWidget(view)
    bridge.shutdown()
    report, summary = _report()
    view.show_report(report, summary, build_charts(summary))  # no "cannot schedule new futures" error
    assert len(view.charts) == 6 and all(c.image is None for c in view.charts.values())
    view.clear()
