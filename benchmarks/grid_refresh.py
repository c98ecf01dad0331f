"""The desktop grid under load: one refresh of 10,000 rows, and the longest event-loop stall while a live
10,000-contract batch runs in the real window (local mode: private Redis, one prefork worker).

    python benchmarks/grid_refresh.py                 # both parts
    python benchmarks/grid_refresh.py --no-live       # only the model/view refresh timings
    python benchmarks/grid_refresh.py --no-live --no-refresh --report-tab   # only opening the Report tab
    python benchmarks/grid_refresh.py --rows 10000 --workers 2 --task-ms 5

Offscreen (QT_QPA_PLATFORM=offscreen), so painting is real (raster) but nothing reaches a screen. The
stall probe is a 5 ms precise QTimer: a stall is how much later than due a tick ran.

Also the worker-side processor of the live part (``benchmarks.grid_refresh:processor``): top-level imports
stay light because the worker imports this module.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


_RESULT: dict[str, Any] = {}


def processor(contract: Any) -> dict[str, Any]:
    """A contract that takes ``CBM_BENCH_TASK_MS`` of work and returns a real analysis result (that of a
    sample contract, about 2.5 KB of JSON): the grid, not the analysis, is measured, with results the
    size the app really moves."""
    if not _RESULT:
        from core.contracts.loader import load_paths
        from core.engine.processors import analyze

        sample = load_paths([ROOT / "resources" / "samples" / "contract-003.txt"]).contracts[0]
        _RESULT.update(analyze(sample))
    time.sleep(float(os.environ.get("CBM_BENCH_TASK_MS", "5")) / 1000)
    return {**_RESULT, "title": contract.name}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# -------------------------------------------------------------------------------------- part 1: refresh


def refresh_benchmark(rows: int, rounds: int) -> dict[str, float]:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from gui.models import COL_NAME, COL_STATE, TaskGridModels, TaskRow
    from gui.task_grid import TaskGrid

    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    models = TaskGridModels()
    grid = TaskGrid(models, settings)
    grid.resize(1300, 800)
    grid.show()

    def fresh() -> None:
        models.source.set_rows([TaskRow(f"contract-{i:05d}.pdf", f"b-{i}", "") for i in range(rows)])
        app.processEvents()

    def update(i: int, k: int) -> tuple:
        outcome = ("succeeded", "failed", "rejected")[(i + k) % 3]
        state = "FAILURE" if outcome == "failed" else "SUCCESS"
        return (
            i,
            state,
            outcome,
            None if outcome == "succeeded" else "ValueError: x",
            1,
            "celery@bench",
            1.7e9 + i,
            0.01 * ((i * 7 + k) % 100),
            None,
        )

    def timed(updates: list[tuple]) -> float:
        # What the window does with a poll's rows (gui.batch_controller, _on_rows_changed): apply them,
        # update the counts, and the details if the selected contract changed.
        start = time.perf_counter()
        models.source.apply_updates(updates)
        grid.rows_changed()
        if grid.selected_rows()[:1]:
            grid.update_detail()
        app.processEvents()  # includes the repaint of the visible rows
        return time.perf_counter() - start

    def sorted_by_state_one_selected() -> None:
        grid.view.sortByColumn(COL_STATE, Qt.SortOrder.AscendingOrder)
        grid.view.selectRow(5)

    results: dict[str, float] = {}
    cases: list[tuple[str, Any]] = [
        (f"{rows:,} rows change, dispatch order", lambda: None),
        (
            f"{rows:,} rows change, sorted by name",
            lambda: grid.view.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder),
        ),
        (
            f"{rows:,} rows change, sorted by state (re-sort)",
            lambda: grid.view.sortByColumn(COL_STATE, Qt.SortOrder.AscendingOrder),
        ),
        (f"{rows:,} rows change, 'failed' filter on", lambda: grid.state_buttons["failed"].setChecked(True)),
        (f"{rows:,} rows change, sorted by state, 1 selected", sorted_by_state_one_selected),
        (f"{rows:,} rows change, all rows selected", grid.view.selectAll),
    ]
    for name, setup in cases:
        samples = []
        for k in range(rounds):
            grid.clear_filters()
            grid.view.clearSelection()
            grid.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
            fresh()
            setup()
            app.processEvents()
            samples.append(timed([update(i, k) for i in range(rows)]))
        results[name] = statistics.median(samples)
    grid.clear_filters()
    grid.view.clearSelection()
    samples = []
    for k in range(rounds):
        fresh()
        samples.append(timed([update(i, k) for i in range(0, rows, 10)]))
    results[f"{rows // 10:,} of {rows:,} rows change"] = statistics.median(samples)
    fresh()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        grid.state_buttons["queued"].setChecked(True)
        app.processEvents()
        grid.state_buttons["queued"].setChecked(False)
        app.processEvents()
        samples.append((time.perf_counter() - start) / 2)
    results["state filter click"] = statistics.median(samples)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        models.view_model.set_search("contract-0999")
        app.processEvents()
        samples.append(time.perf_counter() - start)
        models.view_model.set_search("")
        app.processEvents()
    results["search (10 matches)"] = statistics.median(samples)
    grid.close()
    return results


# ------------------------------------------------------------------------------- part 1b: the report tab


def report_tab_benchmark(rows: int) -> list[float]:
    """The event-loop stalls (longest first) after switching to a report tab whose charts were built
    while another tab showed: what a person sees on opening the Report tab of a finished batch."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

    from core.local.history import HistoryStore
    from core.reporting.charts import build_charts
    from core.reporting.sample import synthetic_report
    from core.reporting.summary import summarize
    from gui.bridge import Bridge
    from gui.report_view import ReportView

    app = QApplication.instance() or QApplication(sys.argv[:1])
    tabs = QTabWidget()
    tabs.addTab(QWidget(), "Tasks")
    # The window's background jobs (the charts are drawn on them), on a throwaway history.
    bridge = Bridge(HistoryStore(Path(tempfile.mkdtemp(prefix="cbm-bench-")) / "history.sqlite3"))
    view = ReportView(bridge.run)
    tabs.addTab(view, "Report")
    tabs.resize(1440, 900)
    tabs.show()
    report = synthetic_report(rows)
    summary = summarize(report)
    ready: list[bool] = []
    view.charts_ready.connect(lambda: ready.append(True))
    view.show_report(report, summary, build_charts(summary))
    while not ready:
        app.processEvents()
    stalls: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        stalls.append(max(0.0, now - last[0] - 0.005))
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    last[0] = time.perf_counter()
    tabs.setCurrentWidget(view)
    end = time.perf_counter() + 3.0
    while time.perf_counter() < end:
        app.processEvents()
    timer.stop()
    tabs.close()
    bridge.shutdown()
    return sorted(stalls, reverse=True)


# ----------------------------------------------------------------------------------- part 2: live batch


class StallProbe:
    """A 5 ms precise timer; every tick records how late it ran (the event loop was busy meanwhile)."""

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.stalls: list[float] = []
        self.phase = "startup"
        self.phase_start = time.perf_counter()
        self.by_phase: dict[str, list[float]] = {}
        self.worst: dict[str, tuple[float, float]] = {}  # phase -> (stall, seconds into the phase)
        self.phase_starts: dict[str, float] = {}
        # (perf_counter when the loop stopped ticking, stall, phase) of every stall over 40 ms: perf_counter
        # is CLOCK_MONOTONIC on Linux, the clock of ``perf record -k mono`` (``--perf``).
        self.late: list[tuple[float, float, str]] = []

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        stall = max(0.0, now - self.last - self.interval)
        if stall > self.worst.get(self.phase, (0.0, 0.0))[0]:
            self.worst[self.phase] = (stall, self.last - self.phase_start)
        if stall > 0.040:
            self.late.append((self.last, stall, self.phase))
        self.last = now
        self.by_phase.setdefault(self.phase, []).append(stall)

    def enter(self, phase: str) -> None:
        self.phase = phase
        self.phase_start = time.perf_counter()
        self.phase_starts[phase] = self.phase_start


class GcProbe:
    """The longest garbage-collector pause (it holds the GIL, so it stalls the GUI thread too)."""

    def __init__(self, stalls: StallProbe, where: bool = False) -> None:
        import gc

        self.stalls = stalls
        self.longest = 0.0
        self.count = 0
        self._start = 0.0
        self.pauses: list[tuple[float, int, str]] = []  # seconds, generation, stall-probe phase
        # With ``where``: the thread and stack that started each collection of 10 ms or more.
        self.where: list[tuple[float, str, str]] | None = [] if where else None
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.count += 1
            pause = time.perf_counter() - self._start
            self.longest = max(self.longest, pause)
            self.pauses.append((pause, int(info.get("generation", -1)), self.stalls.phase))
            if self.where is not None and pause >= 0.010:
                import threading
                import traceback

                stack = " < ".join(f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}"
                                   for f in reversed(traceback.extract_stack()[-9:-1]))
                # What a full collection walked: the objects it left in the oldest generation.
                import gc
                from collections import Counter

                kept = gc.get_objects(2) if info.get("generation") == 2 else []
                kinds = Counter(type(o).__name__ for o in kept).most_common(4)
                walked = (f" ({len(kept):,} objects left in gen 2, {gc.get_freeze_count():,} frozen: "
                          + ", ".join(f"{n:,} {k}" for k, n in kinds) + ")") if kept else ""
                self.where.append((pause, self.stalls.phase,
                                   f"[{threading.current_thread().name}] {stack}{walked}"))

    def stop(self) -> None:
        import gc

        gc.callbacks.remove(self._callback)


def start_perf(output: Path) -> subprocess.Popen[bytes]:
    """``perf record`` of the whole machine until interrupted: CPU samples with native stacks, and every
    context switch and wake-up, on CLOCK_MONOTONIC, to tell a GUI thread running C++ from one waiting for
    the lock or for a core."""
    print(f"perf record -> {output}", file=sys.stderr)
    return subprocess.Popen(
        ["perf", "record", "-q", "-a", "-k", "mono", "-o", str(output),
         "-c", "1", "-e", "cpu-clock/period=2000000/", "-g",
         "-e", "sched:sched_switch", "-e", "sched:sched_wakeup"],
        stdout=subprocess.DEVNULL,
    )


def live_benchmark(
    rows: int, workers: int, task_ms: float, timeout: float, filter_clicks: bool = True, why: bool = False,
    perf_seconds: float = 0.0,
) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="cbm-bench-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[var] = str(base / var.lower())
    os.environ["CBM_BENCH_TASK_MS"] = str(task_ms)
    os.environ["PYTHONPATH"] = str(ROOT)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = base / "contracts"
    folder.mkdir()
    for i in range(rows):
        (folder / f"contract-{i:05d}.txt").write_text(f"Contract {i}: the parties agree.\n")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from core.local.mode import LocalMode
    from gui.app import create_context, make_application

    app = make_application()
    local = LocalMode(base / "local")
    print(f"starting local mode with {workers} worker processes…", file=sys.stderr)
    local.ensure_running(workers, processor="benchmarks.grid_refresh:processor")
    from gui.main_window import MainWindow, settle_memory

    ctx = create_context(local=local)
    window = MainWindow(ctx)
    window.resize(1320, 820)
    window.show()
    settle_memory()  # as gui.__main__ does after building the window
    # Time the GUI thread's own work per refresh and per user action, to tell it from waiting for the GIL
    # or a CPU (the workers share the machine's cores).
    slowest: dict[str, float] = {"apply refresh": 0.0, "scroll": 0.0, "filter click": 0.0}
    apply_updates = window.models.source.apply_updates

    def timed_apply(updates: Any) -> Any:
        start = time.perf_counter()
        try:
            return apply_updates(updates)
        finally:
            slowest["apply refresh"] = max(slowest["apply refresh"], time.perf_counter() - start)

    window.models.source.apply_updates = timed_apply  # type: ignore[method-assign]
    probe = StallProbe()
    gc_pauses = GcProbe(probe, where=why)
    sampler = None
    if why:
        from benchmarks.stall_sampler import StallSampler

        sampler = StallSampler(probe)
    marks: dict[str, float] = {}
    refreshes: list[int] = []
    ctx.bridge.rows_changed.connect(lambda _b, ups: refreshes.append(len(ups)))
    done = {"ok": False}

    def on_connected() -> None:
        probe.enter("loading files")
        marks["load"] = time.perf_counter()
        window.load_paths([str(folder)])

    def on_loaded() -> None:
        if window.drop_zone.ready == rows and "run" not in marks:
            marks["run"] = 0.0
            # Run as a person clicks it: a moment after the list has shown what was loaded (called from
            # this signal, the launch's stall included the loading's last turn).
            QTimer.singleShot(300, click_run)

    perf: list[subprocess.Popen[bytes]] = []

    def click_run() -> None:
        if perf_seconds:  # from the launch until perf_seconds after the batch opens
            perf.append(start_perf(base.parent / "grid_refresh.perf.data"))
        marks["run"] = time.perf_counter()
        probe.enter("launch")
        window.run_batch()

    def on_batch_loaded(_: Any) -> None:
        marks["live"] = time.perf_counter()
        probe.enter("live batch")
        if perf:
            QTimer.singleShot(int(perf_seconds * 1000), lambda: perf[0].send_signal(signal.SIGINT))

    def on_report(_b: str, _r: Any) -> None:
        marks["final"] = time.perf_counter()
        probe.enter("report render")

    def on_shown(_b: str) -> None:
        marks["shown"] = time.perf_counter()
        probe.enter("done")
        done["ok"] = True
        QTimer.singleShot(500, app.quit)

    # The user keeps working during the run: scroll the grid and flip a state filter now and then.
    scroll_timer = QTimer(interval=100)
    flips = {"n": 0}

    def interact() -> None:
        # No nested processEvents here: the repaint this causes is caught by the stall probe instead.
        if probe.phase != "live batch":
            return
        start = time.perf_counter()
        bar = window.grid.view.verticalScrollBar()
        bar.setValue((bar.value() + 37 * 20) % max(1, bar.maximum()))
        slowest["scroll"] = max(slowest["scroll"], time.perf_counter() - start)
        flips["n"] += 1
        if filter_clicks and flips["n"] % 20 == 0:
            start = time.perf_counter()
            button = window.grid.state_buttons["succeeded"]
            button.setChecked(not button.isChecked())
            slowest["filter click"] = max(slowest["filter click"], time.perf_counter() - start)

    scroll_timer.timeout.connect(interact)
    window.connected.connect(on_connected)
    window.drop_zone.changed.connect(on_loaded)
    ctx.bridge.batch_loaded.connect(on_batch_loaded)
    ctx.bridge.report_ready.connect(on_report)
    window.report_shown.connect(on_shown)
    QTimer.singleShot(int(timeout * 1000), app.quit)
    probe.start()
    if sampler is not None:
        sampler.start()
    scroll_timer.start()
    window.start_services()
    QApplication.instance().exec()  # type: ignore[union-attr]
    probe.timer.stop()
    for recorder in perf:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=60)
    for began, stall, phase in probe.late:
        print(f"  stall of {stall * 1000:.1f} ms ({phase}) from CLOCK_MONOTONIC {began:.6f}", file=sys.stderr)
    if sampler is not None:
        sampler.stop()
        for phase in probe.by_phase:
            print(sampler.report(phase), file=sys.stderr)
        for pause, phase, stack in gc_pauses.where or []:
            print(f"    collection of {pause * 1000:.0f} ms ({phase}) from {stack}", file=sys.stderr)
    scroll_timer.stop()
    window.close()
    ctx.bridge.shutdown()
    local.stop()
    gc_pauses.stop()
    result: dict[str, Any] = {
        "finished": done["ok"],
        "refreshes": len(refreshes),
        "rows_per_refresh_max": max(refreshes or [0]),
        "gc_collections": gc_pauses.count,
        **{f"slowest {k}": f"{v * 1000:.1f} ms" for k, v in slowest.items()},
        "gc_longest_pause_ms": round(gc_pauses.longest * 1000, 1),
        "gc_longest_pauses": [
            f"{p * 1000:.0f} ms gen{g} ({phase})"
            for p, g, phase in sorted(gc_pauses.pauses, reverse=True)[:5]
        ],
    }
    for phase, stalls in probe.by_phase.items():
        stalls_sorted = sorted(stalls)
        result[phase] = {
            "ticks": len(stalls),
            "max": stalls_sorted[-1] if stalls_sorted else 0.0,
            "p99": stalls_sorted[int(len(stalls_sorted) * 0.99)] if stalls_sorted else 0.0,
            "over_50ms": sum(1 for x in stalls_sorted if x > 0.050),
            "at": probe.worst.get(phase, (0.0, 0.0))[1],
        }
    if "live" in marks and "final" in marks:
        result["live_seconds"] = marks["final"] - marks["live"]
    if "final" in marks and "shown" in marks:
        result["report_render_seconds"] = marks["shown"] - marks["final"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--task-ms", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--no-live", action="store_true")
    parser.add_argument("--no-refresh", action="store_true")
    parser.add_argument(
        "--report-tab", action="store_true", help="also time opening the Report tab of a --rows report"
    )
    parser.add_argument(
        "--why", action="store_true", help="where the threads were while the loop was late (stall_sampler)"
    )
    parser.add_argument(
        "--no-filter-clicks", action="store_true", help="only scroll during the live batch (no filter flips)"
    )
    parser.add_argument(
        "--perf", type=float, default=0.0, metavar="SECONDS",
        help="perf record the machine from the launch to SECONDS after the batch opens (Linux perf, as root)",
    )
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if not args.no_refresh:
        print(f"## One refresh of the grid ({args.rows:,} rows, median of {args.rounds})")
        for name, seconds in refresh_benchmark(args.rows, args.rounds).items():
            print(f"  {name:48} {_ms(seconds)}")
    if args.report_tab:
        stalls = report_tab_benchmark(args.rows)
        print(f"## Opening the Report tab ({args.rows:,} contracts): the longest stalls after the switch")
        print("  " + ", ".join(_ms(x) for x in stalls[:5]))
    if not args.no_live:
        print(
            f"## Live batch of {args.rows:,} contracts ({args.workers} worker processes, "
            f"{args.task_ms:g} ms per contract)"
        )
        result = live_benchmark(
            args.rows, args.workers, args.task_ms, args.timeout, filter_clicks=not args.no_filter_clicks,
            why=args.why, perf_seconds=args.perf,
        )
        for key, value in result.items():
            if isinstance(value, dict):
                print(
                    f"  {key:16} ticks {value['ticks']:6}  longest stall {_ms(value['max']):>10}"
                    f"  p99 {_ms(value['p99'])}  over 50 ms {value['over_50ms']}"
                    f"  (longest {value['at']:.2f} s into the phase)"
                )
            else:
                print(f"  {key:16} {value:.2f}" if isinstance(value, float) else f"  {key:16} {value}")
        if not result["finished"]:
            print("  the batch did not finish within --timeout", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter finalisation: tearing down Qt objects from Python's GC at exit has crashed
    # PySide6 here, after every figure was printed; the benchmark has nothing left to clean up.
    os._exit(code)
