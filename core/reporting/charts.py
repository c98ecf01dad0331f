"""The report's charts as matplotlib ``Figure`` objects.

Built with ``matplotlib.figure.Figure`` directly, never pyplot: no global figure registry, no backend
switch; everything rasterises them with ``FigureCanvasAgg``: the CLI and the email as PNG, the desktop app
as RGBA pixels drawn off its GUI thread (``rasterize``), which it only blits. Every chart handles "nothing
to show" by saying so in the plot area (a titled figure with a "No data" message), never with an empty
axis or an exception.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from core.outcome import ALL_OUTCOMES, Outcome
from core.reporting import style
from core.reporting.summary import NOT_STATED, OTHER, UNKNOWN_PARTY, Summary, format_duration
from core.reporting.wording import format_date

MAX_LABEL_CHARS = 34
MAX_HIST_BINS = 30
MIN_BAR_SLOTS = 6


@dataclass(frozen=True, slots=True)
class ChartSpec:
    name: str  # file stem and Content-ID stem: chart-<name>.png
    title: str
    build: Callable[[Summary], Figure]


def _styled() -> contextlib.AbstractContextManager[None]:
    """The charts' matplotlib settings (style.RC), for the figure built inside."""
    return matplotlib.rc_context(cast(Any, style.RC))


def _short(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    label = " ".join(label.split())
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _compact(amount: float) -> str:
    for factor, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= factor:
            return f"{amount / factor:,.1f}{suffix}".replace(".0" + suffix, suffix)
    return f"{amount:,.0f}"


def _new_figure() -> tuple[Figure, Axes]:
    fig = Figure(figsize=style.FIGSIZE_IN, dpi=style.SCREEN_DPI, layout="constrained")
    FigureCanvasAgg(fig)  # a canvas of its own: savefig and rasterize work without pyplot
    ax = fig.add_subplot()
    return fig, ax


def _no_data(ax: Axes, message: str) -> None:
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        f"No data\n{message}",
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=style.LABEL_SIZE + 2,
        color=style.MUTED,
        linespacing=1.6,
    )


def _note(fig: Figure, text: str) -> None:
    # supxlabel, not fig.text: constrained layout reserves room for it, so it never overlaps tick labels.
    fig.supxlabel(text, x=0.01, ha="left", fontsize=style.ANNOTATION_SIZE, color=style.MUTED)


def _hbars(
    ax: Axes,
    items: Sequence[tuple[str, float]],
    *,
    colours: Sequence[str],
    fmt: Callable[[float], str],
    xlabel: str,
) -> None:
    """Horizontal bars, first item on top, each labelled with its value at the bar's end."""
    labels = [label for label, _ in items]
    values = [value for _, value in items]
    y = np.arange(len(labels))
    bars = ax.barh(y, values, color=colours, height=0.7, edgecolor="white", linewidth=0.5)
    ax.set_yticks(y, [_short(label) for label in labels])
    # At least MIN_BAR_SLOTS rows of room: one contract gets a bar, not a slab filling the whole plot.
    ax.set_ylim(max(len(labels), MIN_BAR_SLOTS) - 0.5, -0.5)  # top-down: first item on top
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _compact(v)))
    ax.grid(axis="x", color=style.GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    peak = max(values) if values else 0
    ax.set_xlim(0, peak * 1.18 if peak > 0 else 1)
    ax.bar_label(bars, labels=[fmt(v) for v in values], padding=3, fontsize=style.ANNOTATION_SIZE)


def _set_title(ax: Axes, title: str) -> None:
    ax.set_title(title)


# ------------------------------------------------------------------------------------------------ charts


def outcome_chart(summary: Summary) -> Figure:
    with _styled():
        fig, ax = _new_figure()
        _set_title(ax, f"Outcomes ({summary.total:,} contract{'s' if summary.total != 1 else ''})")
        if summary.total == 0:
            _no_data(ax, "this batch has no contracts")
            return fig
        # Only the outcomes some contract had: six bars of which four are zero hid the two that mattered.
        shown = [o for o in ALL_OUTCOMES if summary.counts.get(o, 0) or o == Outcome.SUCCEEDED]
        counts = [summary.counts.get(o, 0) for o in shown]
        total = summary.total
        _hbars(
            ax,
            list(zip([style.OUTCOME_LABELS[o] for o in shown], counts, strict=True)),
            colours=[style.OUTCOME_COLOURS[o] for o in shown],
            fmt=lambda v: f"{int(v):,} ({v / total:.0%})" if v else "0",
            xlabel="contracts",
        )
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        return fig


def value_by_counterparty_chart(summary: Summary) -> Figure:
    with _styled():
        fig, ax = _new_figure()
        currency = summary.value_currency
        # Short: the title starts above the axes, right of the (long) counterparty names, and has to fit
        # a report view's half-width canvas too.
        _set_title(ax, f"Value by counterparty ({currency})" if currency else "Value by counterparty")
        items = [(k, v) for k, v in summary.value_by_counterparty if v]
        if not items:
            _no_data(ax, "no contract states a value")
            return fig
        colours = [style.OTHER_COLOUR if k in (OTHER, UNKNOWN_PARTY) else style.SERIES for k, _ in items]
        _hbars(ax, items, colours=colours, fmt=_compact, xlabel=f"total value ({currency})")
        notes = []
        if summary.home_party:
            notes.append(f"Counterparty: every party except {_short(summary.home_party, 40)}")
        if summary.value_other_currencies:
            notes.append(f"{summary.value_other_currencies:,} contract(s) in other currencies not shown")
        if notes:
            _note(fig, "  ·  ".join(notes))
        return fig


def expiry_timeline_chart(summary: Summary) -> Figure:
    with _styled():
        fig, ax = _new_figure()
        months = summary.expirations_by_month
        _set_title(ax, f"Expirations per month (next {len(months)} months)")
        values = [n for _, n in months]
        if not any(values):
            if not summary.rows:
                _no_data(ax, "no contracts")
            elif summary.already_expired:
                _no_data(
                    ax, f"no contract expires in this period ({summary.already_expired:,} already expired)"
                )
            else:
                _no_data(ax, "no contract expires in this period")
            return fig
        x = np.arange(len(months))
        bars = ax.bar(x, values, color=style.SERIES, width=0.75)
        labels = [
            m.strftime("%b\n%Y") if (i == 0 or m.month == 1) else m.strftime("%b")
            for i, (m, _) in enumerate(months)
        ]
        ax.set_xticks(x, labels, fontsize=style.TICK_SIZE - 1)
        ax.set_ylabel("contracts expiring")
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.grid(axis="y", color=style.GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_ylim(0, max(values) * 1.15)
        ax.bar_label(
            bars, labels=[str(v) if v else "" for v in values], padding=2, fontsize=style.ANNOTATION_SIZE
        )
        end = _month_after(months[-1][0])
        later = sum(1 for r in summary.rows if r.expiration and r.expiration >= end)
        _note(
            fig,
            f"As of {format_date(summary.as_of)}: {summary.already_expired:,} already expired, "
            f"{later:,} expire later.",
        )
        return fig


def _month_after(first_of_month: date) -> date:
    return first_of_month.replace(
        year=first_of_month.year + (first_of_month.month == 12), month=first_of_month.month % 12 + 1
    )


def governing_law_chart(summary: Summary) -> Figure:
    with _styled():
        fig, ax = _new_figure()
        _set_title(ax, "Governing law (succeeded contracts)")
        items = summary.governing_law
        if not items or all(k == NOT_STATED for k, _ in items):
            _no_data(ax, "no succeeded contract states its governing law")
            return fig
        colours = [style.OTHER_COLOUR if k in (OTHER, NOT_STATED) else style.SERIES for k, _ in items]
        _hbars(ax, items, colours=colours, fmt=lambda v: f"{int(v):,}", xlabel="contracts")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        return fig


def risk_flags_chart(summary: Summary) -> Figure:
    with _styled():
        fig, ax = _new_figure()
        _set_title(ax, "Risks (contracts flagged)")
        groups = summary.risk_groups
        if not groups:
            _no_data(ax, "no risk was flagged")
            return fig
        # In the report's order (decisions, most urgent first; then what to check), in words.
        items: list[tuple[str, float]] = [(g.label, g.count) for g in groups[:12]]
        rest = sum(g.count for g in groups[12:])
        if rest:
            items.append((OTHER, rest))
        decisions = {g.label for g in groups if g.decision}
        colours = [style.VERMILLION if k in decisions else style.OTHER_COLOUR for k, _ in items]
        _hbars(ax, items, colours=colours, fmt=lambda v: f"{int(v):,}", xlabel="contracts")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        return fig


def processing_time_chart(summary: Summary) -> Figure:
    with _styled():
        fig, ax = _new_figure()
        stats = summary.runtime_stats
        _set_title(ax, f"Processing time per contract ({stats.count:,} timed)")
        if not summary.runtimes:
            _no_data(ax, "no contract has a recorded runtime")
            return fig
        assert stats.median_s is not None and stats.p90_s is not None  # there are runtimes
        data = np.asarray(summary.runtimes, dtype=float)
        low, high = float(data.min()), float(data.max())
        if high - low < 1e-9:
            # One value (or all equal): a single bar around it rather than numpy's [v-0.5, v+0.5] default,
            # which would put negative seconds on the axis.
            spread = max(high * 0.1, 0.01)
            low, high = max(0.0, low - spread), high + spread
        edges = np.histogram_bin_edges(data, bins="auto", range=(low, high))
        if len(edges) - 1 > MAX_HIST_BINS:
            edges = np.linspace(low, high, MAX_HIST_BINS + 1)
        counts, edges, _patches = ax.hist(
            data, bins=list(edges), color=style.SERIES, edgecolor="white", linewidth=0.5
        )
        ax.set_xlabel("seconds (last attempt)")
        ax.set_ylabel("contracts")
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.grid(axis="y", color=style.GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_ylim(0, float(max(counts)) * 1.15)
        # Different line styles as well as colours: still told apart in greyscale print.
        ax.axvline(
            stats.median_s,
            color=style.BLACK,
            linestyle="--",
            linewidth=1.5,
            label=f"median {format_duration(stats.median_s)}",
        )
        ax.axvline(
            stats.p90_s,
            color=style.ORANGE,
            linestyle=":",
            linewidth=2,
            label=f"90th percentile {format_duration(stats.p90_s)}",
        )
        ax.legend(loc="upper right", frameon=False, fontsize=style.ANNOTATION_SIZE + 1)
        _note(
            fig,
            f"Longest: {format_duration(stats.max_s)}; "
            f"sum of all runtimes: {format_duration(stats.total_s)}.",
        )
        return fig


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("outcomes", "Outcomes", outcome_chart),
    ChartSpec("value-by-counterparty", "Value by counterparty", value_by_counterparty_chart),
    ChartSpec("expirations", "Expirations per month", expiry_timeline_chart),
    ChartSpec("governing-law", "Governing law", governing_law_chart),
    ChartSpec("processing-times", "Processing times", processing_time_chart),
    ChartSpec("risk-flags", "Risks", risk_flags_chart),
)


def build_charts(summary: Summary) -> dict[str, Figure]:
    """Every chart, by name, in presentation order."""
    return {spec.name: spec.build(summary) for spec in CHARTS}


@dataclass(frozen=True, slots=True)
class Theme:
    """Screen colours for a chart: the desktop app passes its palette's (dark or light)."""

    background: str
    text: str
    muted: str
    grid: str


def apply_theme(fig: Figure, theme: Theme) -> Figure:
    """Recolour a built chart's background, text, axes and grid lines for the screen it is shown on.

    The data colours (the Okabe-Ito outcome and series colours) stay: they were chosen to stay distinct
    on dark backgrounds too. Exports never go through this: they keep the printed (light) look.
    """
    mapping = {
        to_hex(style.TEXT): theme.text,
        to_hex(style.MUTED): theme.muted,
        to_hex(style.GRID): theme.grid,
        to_hex(style.BLACK): theme.text,  # reference lines (the median)
    }

    def mapped(colour: Any) -> str | None:
        try:
            return mapping.get(to_hex(colour))
        except ValueError:
            return None

    fig.set_facecolor(theme.background)
    for ax in fig.axes:
        ax.set_facecolor(theme.background)
        for spine in ax.spines.values():
            spine.set_edgecolor(mapped(spine.get_edgecolor()) or theme.muted)
        ax.tick_params(colors=theme.muted, labelcolor=theme.text)
    for text in fig.findobj(Text):
        new = mapped(text.get_color())
        if new is not None:
            text.set_color(new)
    for line in fig.findobj(Line2D):
        new = mapped(line.get_color())
        if new is not None:
            line.set_color(new)
    return fig


@dataclass(frozen=True, slots=True)
class Raster:
    """A chart drawn for a screen: ``width`` x ``height`` device pixels, RGBA, row by row from the top."""

    rgba: bytes
    width: int
    height: int


def rasterize(fig: Figure, width: int, height: int, pixel_ratio: float = 1.0) -> Raster:
    """Draw ``fig`` with Agg to fill ``width`` x ``height`` logical pixels of a screen whose device pixel
    ratio is ``pixel_ratio`` (2 on most hi-DPI screens). The figure is resized to the area (constrained
    layout re-flows it: fonts keep their point size, the plot takes the room) and drawn at ``SCREEN_DPI *
    pixel_ratio`` dpi: what matplotlib's Qt canvas did in its paint event, but from any thread, so the
    desktop app draws its charts off the GUI thread. One thread at a time per figure: it is resized."""
    dpi = style.SCREEN_DPI * pixel_ratio
    fig.set_dpi(dpi)
    fig.set_size_inches(width * pixel_ratio / dpi, height * pixel_ratio / dpi, forward=False)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    return Raster(bytes(pixels), int(pixels.shape[1]), int(pixels.shape[0]))


def png_bytes(fig: Figure, dpi: int = style.SCREEN_DPI) -> bytes:
    buffer = io.BytesIO()
    # savefig renders PNG through Agg whatever canvas the figure is on.
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def save_png(fig: Figure, path: str | Path, dpi: int = style.SCREEN_DPI) -> Path:
    """Write one chart as PNG (800 x 500 px at the default dpi)."""
    target = Path(path)
    target.write_bytes(png_bytes(fig, dpi))
    return target
