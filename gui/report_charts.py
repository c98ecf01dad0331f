"""The report view's charts: drawn with Agg on the window's background jobs and shown as images.

matplotlib's Qt canvas drew each chart in its paint event, on the GUI thread: opening the Report tab
stalled the window 35-290 ms per chart at 10,000-100,000 contracts. Here a job draws the Figures
(``core.reporting.charts.rasterize``) at each chart's size, device pixel ratio and theme, and the GUI
thread only blits the pixels (``ChartImage``). ``ReportCharts`` keeps the figures and the one job that
draws them at a time; the report view lays the widgets out and says what size and theme they need.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from core.reporting.charts import Theme
    from core.reporting.summary import Summary

log = logging.getLogger(__name__)

CHART_MIN_HEIGHT = 420  # the charts are laid out for 800 x 500 px (the exports); see report_view
# A resized window re-draws its charts this long after the last resize step: meanwhile the images drawn
# for the old size are scaled (dragging a window edge would otherwise queue a render per pixel).
RENDER_DEBOUNCE_MS = 150

# Bridge.run: runs the first callable on a pool thread, then the second with its result (or the third with
# its exception) on the GUI thread.
JobRunner = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], Any]
RenderSize = tuple[int, int, float]  # logical width, height, device pixel ratio


class _WheelToPage(QObject):
    """Hands wheel events over a chart to the page, whoever sent them: Qt passes only the window system's
    own (spontaneous) wheel events on to a parent, so one sent to a chart (assistive tools, tests) did
    not scroll the charts that fill most of the view."""

    def __init__(self, page: QWidget) -> None:
        super().__init__(page)
        self.page = page

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Wheel:
            QApplication.sendEvent(self.page, event)
            return True
        return False


class ChartImage(QWidget):
    """One chart, as an image drawn off the GUI thread: painting it only blits pixels.

    matplotlib's Qt canvas drew its Figure in paintEvent, on the GUI thread: opening the Report tab stalled
    the window 35-290 ms per chart (10,000-100,000 contracts). The image is drawn for this widget's size
    and device pixel ratio (sharp on hi-DPI screens); until one for a new size arrives, the old one is
    scaled, keeping its aspect ratio."""

    stale = Signal()  # resized, or moved to a screen of another pixel ratio: the image needs drawing again

    def __init__(self, title: str, background: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.setAccessibleName(f"Chart: {title}")
        self.setMinimumHeight(CHART_MIN_HEIGHT)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # every pixel painted: no erase first
        self.background = background
        self.image: QImage | None = None
        self.rendered_for: RenderSize | None = None

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(800, 500)  # the exports' size (core.reporting.style: FIGSIZE_IN at SCREEN_DPI)

    def current_size(self) -> RenderSize:
        return self.width(), self.height(), self.devicePixelRatioF()

    def needs_render(self) -> bool:
        return self.rendered_for != self.current_size()

    def set_image(self, image: QImage, rendered_for: RenderSize, background: QColor) -> None:
        self.image, self.rendered_for, self.background = image, rendered_for, background
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.needs_render():
            self.stale.emit()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.background)
        image, size = self.image, self.rendered_for
        if image is None or size is None:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, f"Drawing the chart “{self.title}”…")
            return
        if size[2] != self.devicePixelRatioF():
            self.stale.emit()  # another screen: drawn again at its pixel density
        if size[:2] == (self.width(), self.height()):
            painter.drawImage(QPointF(0, 0), image)  # 1:1 (the image carries its pixel ratio)
            return
        # An image of another size (the window is being resized): scaled, keeping its aspect ratio,
        # until the one drawn for this size arrives.
        shown = QSize(size[0], size[1]).scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF((self.width() - shown.width()) / 2, 0, shown.width(), shown.height()), image)


@dataclass(frozen=True, slots=True)
class _Rendered:
    figures: dict[str, Figure]  # the figures drawn (new ones if the theme changed)
    theme: Theme | None  # what they are coloured for
    images: dict[str, tuple[QImage, RenderSize]]


def _render_charts(figures: dict[str, Figure], figures_theme: Theme | None, summary: Summary,
                   theme: Theme | None, sizes: dict[str, RenderSize],
                   wanted: Callable[[], bool]) -> _Rendered:
    """Run on a pool thread: colour the figures for ``theme`` and draw each named one at its size, while
    ``wanted`` (reports opened one after another leave no queue of charts nobody sees).
    QImage (unlike QPixmap) may be built off the GUI thread: the GUI thread gets images ready to blit."""
    from core.reporting.charts import apply_theme, build_charts, rasterize

    if theme != figures_theme:
        if figures_theme is not None:
            # apply_theme maps the export look's colours: another theme starts again from that look.
            for figure in figures.values():
                figure.clear()
            figures = build_charts(summary)
        if theme is not None:
            figures = {name: apply_theme(figure, theme) for name, figure in figures.items()}
    images: dict[str, tuple[QImage, RenderSize]] = {}
    for name, (width, height, ratio) in sizes.items():
        if not wanted():
            break
        raster = rasterize(figures[name], width, height, ratio)
        # Converted here, once: the raster paint engine blits premultiplied ARGB32 without converting
        # (the charts are opaque: no colour changes).
        image = QImage(raster.rgba, raster.width, raster.height, raster.width * 4,
                       QImage.Format.Format_RGBA8888).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        images[name] = (image, (width, height, ratio))
    return _Rendered(figures, theme, images)


def _release(figures: list[Figure]) -> None:
    """Free a shown report's figures (on a pool thread, after any render of them): built before
    ``gc.freeze``, their reference cycles would otherwise stay until the process ends."""
    for figure in figures:
        figure.clear()


class ReportCharts(QObject):
    """The charts of the report on screen: their widgets, their figures (touched only by render jobs, one
    at a time: they are resized and drawn in place), and the job that draws them again when their size,
    pixel ratio or theme changes. ``theme`` and ``size_for`` come from the view: its palette, its layout."""

    ready = Signal()  # every chart of the shown report has its first image

    def __init__(self, run: JobRunner, theme: Callable[[], Theme | None],
                 size_for: Callable[[ChartImage], RenderSize], page: QWidget, parent: QObject) -> None:
        super().__init__(parent)
        self.run, self.theme, self.size_for = run, theme, size_for
        self.charts: dict[str, ChartImage] = {}  # the same dict for every report (the view shares it)
        self.figures: dict[str, Figure] = {}
        self.figures_theme: Theme | None = None  # what they are coloured for (None: the export look)
        self.summary: Summary | None = None
        self._wheel = _WheelToPage(page)
        self._generation = 0  # bumped by clear(): a render job of an older report is discarded
        self._rendering: int | None = None  # the generation whose render job is out
        self._render_again = False  # asked for while that job was out: its sizes or theme are stale
        self._unreleased: dict[int, list[Figure]] = {}  # an old report's figures, freed once its job is back
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.render)

    def show(self, summary: Summary, figures: dict[str, Figure], titles: dict[str, str]) -> list[ChartImage]:
        """New chart widgets for ``figures`` (in the order of ``titles``), for the view to lay out; their
        first images follow from a render job (``ready``)."""
        self.clear()
        self.summary, self.figures, self.figures_theme = summary, dict(figures), None
        theme = self.theme()
        background = QColor(theme.background if theme is not None else "white")
        for name, title in titles.items():
            if name in figures:
                chart = ChartImage(title, background)
                chart.stale.connect(self.schedule)
                chart.installEventFilter(self._wheel)
                self.charts[name] = chart
        return list(self.charts.values())

    def clear(self) -> None:
        """Forget the shown charts (the view deletes their widgets); their figures are freed off the GUI
        thread, after any job still drawing them."""
        self._generation += 1
        self.charts.clear()
        self.summary = None
        self._timer.stop()
        figures, self.figures, self.figures_theme = list(self.figures.values()), {}, None
        self._render_again = False
        if self._rendering == self._generation - 1:
            self._unreleased[self._generation - 1] = figures
        else:
            self._release_figures(figures)

    def schedule(self, delay_ms: int = RENDER_DEBOUNCE_MS) -> None:
        if not self.charts:
            return
        # A prompt render (the view shown, the palette changed) is not put off by the resize events that
        # follow it; resize steps do put each other off (debounce).
        if not (self._timer.isActive() and self._timer.interval() < delay_ms):
            self._timer.start(delay_ms)

    def render(self) -> None:
        """Draw, on a background job, the charts whose image is not for their current size, pixel ratio
        or theme. One job at a time for a report: the figures are resized and drawn in place."""
        if self.summary is None or not self.charts:
            return
        generation = self._generation
        if self._rendering == generation:
            self._render_again = True
            return
        theme = self.theme()
        retheme = theme != self.figures_theme
        sizes = {name: self.size_for(chart) for name, chart in self.charts.items()
                 if retheme or chart.rendered_for != self.size_for(chart)}
        if not sizes:
            return
        figures, figures_theme, summary = self.figures, self.figures_theme, self.summary
        first = all(chart.image is None for chart in self.charts.values())
        self._rendering = generation

        def done(rendered: _Rendered) -> None:
            self._job_back(generation)
            if generation != self._generation:  # cleared, or another report shown, meanwhile
                self._release_figures([*rendered.figures.values(), *self._unreleased.pop(generation, [])])
                return
            self.figures, self.figures_theme = rendered.figures, rendered.theme
            background = QColor(rendered.theme.background if rendered.theme is not None else "white")
            for name, (image, size) in rendered.images.items():
                self.charts[name].set_image(image, size, background)
            if first:
                self.ready.emit()
            if self._render_again:
                self._render_again = False
                self.render()

        def failed(exc: BaseException) -> None:
            self._job_back(generation)
            self._release_figures(self._unreleased.pop(generation, []))
            raise exc  # logged and shown by the window's error handler

        if not self._submit(lambda: _render_charts(figures, figures_theme, summary, theme, sizes,
                                                   lambda: self._generation == generation), done, failed):
            self._rendering = None

    def _submit(self, job: Callable[[], Any], done: Callable[[Any], None],
                failed: Callable[[BaseException], None]) -> bool:
        """Run ``job`` on the window's jobs; False once they are shut down (the window is closing, and a
        report that was still being read arrives: nothing is drawn for it)."""
        try:
            self.run(job, done, failed)
        except RuntimeError as exc:  # concurrent.futures: "cannot schedule new futures after shutdown"
            log.debug("chart job not run: %s", exc)
            return False
        return True

    def _job_back(self, generation: int) -> None:
        # A newer report's job may be out by now: its marker stays.
        if self._rendering == generation:
            self._rendering = None

    def _release_figures(self, figures: list[Figure]) -> None:
        if figures:
            self._submit(lambda: _release(figures), lambda _: None, self._release_failed)

    @staticmethod
    def _release_failed(exc: BaseException) -> None:
        # Freeing memory early is an optimisation: a failure leaves the figures to the collector.
        log.warning("could not free a report's figures: %s", exc)

