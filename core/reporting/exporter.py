"""Everything one report turns into, built once and shared by ``export``, ``send`` and the desktop app.

``build_bundle`` renders in memory (the email needs bytes, not files); ``export_report`` writes the
bundle to ``--out DIR``:

    DIR/report.pdf          summary + charts, failures and rejections, per-contract table
    DIR/contracts.csv       one row per contract
    DIR/chart-<name>.png    800 x 500 px, one per chart of ``charts.CHARTS``
    DIR/summary.html        the email body, images pointing at the PNGs next to it
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

from core.reporting import style
from core.reporting.charts import CHARTS, build_charts, png_bytes
from core.reporting.csv_export import csv_bytes, write_csv_to
from core.reporting.html_summary import render_html, render_text
from core.reporting.pdf import build_pdf
from core.reporting.report_rows import ContractRow, read_row
from core.reporting.summary import Summary, summarize, summarize_stream

PDF_NAME = "report.pdf"
CSV_NAME = "contracts.csv"
HTML_NAME = "summary.html"
ATTACHMENTS_NOTE = (
    f"Attached: {PDF_NAME} (summary, failures, every contract) and {CSV_NAME} (one row per contract)."
)


def chart_filename(name: str) -> str:
    return f"chart-{name}.png"


@dataclass(frozen=True, slots=True)
class ReportBundle:
    summary: Summary
    chart_pngs: Mapping[str, bytes]  # name -> 800 x 500 PNG, in CHARTS order
    pdf: bytes
    csv: bytes

    def html(self, image_src: Callable[[str], str] | None = None, attachments: str = "") -> str:
        """The HTML body; images default to the exported PNG file names."""
        return render_html(self.summary, image_src or chart_filename, attachments)

    def text(self, attachments: str = "") -> str:
        return render_text(self.summary, attachments)


# The last few bundles, by report content: the desktop app previews, exports and sends the same report,
# and rendering is the expensive part (about a second even for a handful of contracts: six charts at two
# resolutions). Bundles are immutable, so sharing them is safe.
_CACHE_SIZE = 3
_cache: OrderedDict[tuple[str, date], ReportBundle] = OrderedDict()
_cache_lock = threading.Lock()


def _cache_key(report: Mapping[str, Any], as_of: date) -> tuple[str, date]:
    canonical = json.dumps(report, sort_keys=True, default=str, separators=(",", ":")).encode()
    return hashlib.sha256(canonical).hexdigest(), as_of


def build_bundle(report: Mapping[str, Any], *, as_of: date | None = None) -> ReportBundle:
    day = as_of or datetime.now(UTC).date()
    key = _cache_key(report, day)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    bundle = render_bundle(report, day)
    with _cache_lock:
        _cache[key] = bundle
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return bundle


def render_bundle(report: Mapping[str, Any], as_of: date) -> ReportBundle:
    """Render without the cache (benchmarks; callers that know the report is new)."""
    summary = summarize(report, as_of=as_of)
    screen, pdf = _render(summary)
    return ReportBundle(summary=summary, chart_pngs=MappingProxyType(screen), pdf=pdf, csv=csv_bytes(summary))


def _render(summary: Summary) -> tuple[dict[str, bytes], bytes]:
    """The charts at screen resolution and the PDF, which gets the same figures at print resolution
    (sharp on paper, identical content)."""
    figures = build_charts(summary)
    screen = {name: png_bytes(fig, style.SCREEN_DPI) for name, fig in figures.items()}
    printed = {name: png_bytes(fig, style.PRINT_DPI) for name, fig in figures.items()}
    return screen, build_pdf(summary, printed)


def _write_atomic(path: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    # A reader (or a user double-clicking report.pdf) never sees half a file. The exports are documents
    # the person saves to share (unlike settings and history, which stay private): created with mode 666
    # less the user's umask, as any program's Save would, not mkstemp's owner-only 600.
    tmp = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                data(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_files(summary: Summary, pdf: bytes, charts: Mapping[str, bytes],
                 csv: bytes | Callable[[BinaryIO], None], out_dir: str | Path) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    html = render_html(summary, chart_filename, ATTACHMENTS_NOTE).encode("utf-8")
    files: list[tuple[str, bytes | Callable[[BinaryIO], None]]] = [(PDF_NAME, pdf), (CSV_NAME, csv)]
    files += [(chart_filename(spec.name), charts[spec.name]) for spec in CHARTS]
    files.append((HTML_NAME, html))
    for name, data in files:
        target = out / name
        _write_atomic(target, data)
        written.append(target)
    return written


def write_bundle(bundle: ReportBundle, out_dir: str | Path) -> list[Path]:
    return _write_files(bundle.summary, bundle.pdf, bundle.chart_pngs, bundle.csv, out_dir)


def export_report(report: Mapping[str, Any], out_dir: str | Path, *, as_of: date | None = None) -> list[Path]:
    """Write every export of ``report`` into ``out_dir`` (created if missing); the paths written."""
    return write_bundle(build_bundle(report, as_of=as_of), out_dir)


def _render_stream(
    head: Mapping[str, Any], contracts: Callable[[], Iterable[Any]], as_of: date | None,
    summary: Summary | None = None,
) -> tuple[Summary, dict[str, bytes], bytes]:
    day = as_of or datetime.now(UTC).date()
    if summary is None or summary.as_of != day:
        summary = summarize_stream(head, contracts(), as_of=day)
    return (summary, *_render(summary))


def _csv_rows(contracts: Callable[[], Iterable[Any]]) -> Iterator[ContractRow]:
    """The CSV's pass over the contracts: rows with their results, read as they are written."""
    return (read_row(i, c) for i, c in enumerate(contracts()))


def export_stream(
    head: Mapping[str, Any],
    contracts: Callable[[], Iterable[Any]],
    out_dir: str | Path,
    *,
    as_of: date | None = None,
    summary: Summary | None = None,
) -> list[Path]:
    """``export_report`` of a report read a part at a time (``core.engine.report_store``): the same files,
    from two passes over ``contracts()`` (the summary, then the CSV), so that no more than a part's
    results are held at once; the summary keeps its rows without their results. ``summary``: one already
    made of these contracts (``summarize_stream``, the desktop app's), used if it is as of the same day
    instead of a second one beside it."""
    summary, screen, pdf = _render_stream(head, contracts, as_of, summary)

    def csv(binary: BinaryIO) -> None:
        write_csv_to(_csv_rows(contracts), binary)

    return _write_files(summary, pdf, screen, csv, out_dir)


def bundle_stream(
    head: Mapping[str, Any], contracts: Callable[[], Iterable[Any]], *, as_of: date | None = None,
    summary: Summary | None = None,
) -> ReportBundle:
    """``build_bundle`` of a report read a part at a time (what the desktop app sends): the same bundle,
    its CSV written from a second pass over ``contracts()``; ``summary`` as for ``export_stream``. Not
    cached: the cache's key was the whole report encoded once more."""
    summary, screen, pdf = _render_stream(head, contracts, as_of, summary)
    buffer = io.BytesIO()
    write_csv_to(_csv_rows(contracts), buffer)
    return ReportBundle(summary=summary, chart_pngs=MappingProxyType(screen), pdf=pdf, csv=buffer.getvalue())
