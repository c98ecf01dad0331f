"""How long exporting a big batch takes, stage by stage.

    python benchmarks/export_speed.py              # 10,000 contracts, 3 runs
    python benchmarks/export_speed.py -n 50000 -r 1

Uses a synthetic report (``core.reporting.sample``: the built-in processor's fields, 8 % failures) and the
uncached renderer, so every run does the full work. Prints the median of each stage and of the whole
``export_report`` (what ``contract-batch export`` runs), plus the sizes of the files written.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from core.reporting import style
from core.reporting.charts import build_charts, png_bytes
from core.reporting.csv_export import csv_bytes
from core.reporting.exporter import render_bundle, write_bundle
from core.reporting.pdf import build_pdf
from core.reporting.sample import synthetic_report
from core.reporting.summary import summarize

AS_OF = date(2026, 11, 23)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--contracts", type=int, default=10_000)
    parser.add_argument("-r", "--runs", type=int, default=3)
    args = parser.parse_args()

    report = synthetic_report(args.contracts, seed=42, today=AS_OF)
    # Warm-up: font cache, reportlab font registration, imports; a CLI run pays this once too (~0.5 s).
    render_bundle(synthetic_report(5, seed=1, today=AS_OF), AS_OF)

    stages: dict[str, list[float]] = {k: [] for k in ("summary", "charts", "png", "pdf", "csv", "export")}
    sizes: dict[str, int] = {}
    for _ in range(args.runs):
        t, summary = timed(lambda: summarize(report, as_of=AS_OF))
        stages["summary"].append(t)
        t, figures = timed(lambda s=summary: build_charts(s))
        stages["charts"].append(t)
        t, printed = timed(
            lambda f=figures: {
                **{n: png_bytes(fig, style.PRINT_DPI) for n, fig in f.items()},
                **{f"{n}@1x": png_bytes(fig) for n, fig in f.items()},
            }
        )
        stages["png"].append(t)
        t, _ = timed(lambda s=summary, p=printed: build_pdf(s, p))
        stages["pdf"].append(t)
        t, _ = timed(lambda s=summary: csv_bytes(s))
        stages["csv"].append(t)
        with tempfile.TemporaryDirectory() as out:
            t, paths = timed(lambda o=out: write_bundle(render_bundle(report, AS_OF), o))
            stages["export"].append(t)
            sizes = {Path(p).name: Path(p).stat().st_size for p in paths}

    print(f"export of {args.contracts:,} contracts, median of {args.runs} run(s):")
    labels = {
        "summary": "key figures + aggregations",
        "charts": "6 charts (Figure objects)",
        "png": "PNG rendering (800x500 + 2x for PDF)",
        "pdf": "report.pdf (reportlab)",
        "csv": "contracts.csv",
        "export": "whole export_report (all of the above + writing)",
    }
    for key, label in labels.items():
        print(f"  {label:50} {statistics.median(stages[key]):6.2f} s")
    print("files:")
    for name, size in sizes.items():
        print(f"  {name:34} {size / 1e6:8.2f} MB")


if __name__ == "__main__":
    main()
