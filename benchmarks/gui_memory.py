"""The desktop app's memory and event-loop stalls with a big final report (docs/performance.md, "Scale").

    python benchmarks/gui_memory.py                   # 100,000 contracts
    python benchmarks/gui_memory.py --contracts 10000
    python benchmarks/gui_memory.py --why            # and where the GUI thread was while it was late

A private redis-server (temp dir, free port) gets a batch as the engine leaves it: the ledger, every task's
Celery result (real ~2.5 KB analysis results, ``benchmarks.grid_refresh:processor``'s) and, once the window
follows the batch, the final report stored in parts (head, rows, parts: ``core.engine.report_store``) with
the batch's state set to final. A child process writes all that, so the GUI process's peak RSS is the
window's own. The real window (offscreen) then goes through what a person sees:

1. open    the batch is followed while still open: the grid loads every row
2. final   the poller finds it final: report read, rows reconciled, history record written, the Report
           tab's summary and charts rendered (until ``report_shown``)
3. report tab  the Report tab shown: its charts on screen (drawn again if their size changed)
4. export  Export from the window into a temp dir (until the view says it exported)

After each step: the step's peak RSS (VmHWM, reset before the step through /proc/self/clear_refs), the RSS
now, and the longest event-loop stall (a 5 ms precise QTimer: how much later than due a tick ran).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Start a new VmHWM window (Linux: writing 5 to clear_refs resets the peak to the current RSS)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# ------------------------------------------------------------------------ the batch (a child process)


def build_report(n: int) -> dict[str, Any]:
    """A synthetic report of ``n`` contracts whose succeeded results are real analysis results (the
    sample contract's, with the synthetic dates, parties and values so the charts have something to show)."""
    os.environ["CBM_BENCH_TASK_MS"] = "0"
    from types import SimpleNamespace

    from benchmarks.grid_refresh import processor
    from core.reporting.sample import synthetic_report

    real = processor(SimpleNamespace(name="x"))
    report = synthetic_report(n, label=f"{n:,} contracts")
    for c in report["contracts"]:
        if c["result"] is not None:
            c["result"] = {**real, **c["result"], "evidence": real.get("evidence")}
    return report


def _celery_meta(c: dict[str, Any]) -> bytes:
    if c["outcome"] in ("succeeded", "rejected"):
        body: dict[str, Any] = {"status": "SUCCESS", "result": {
            "outcome": c["outcome"], "error": c["error"], "result": c["result"], "runtime_s": c["runtime_s"]}}
    else:
        body = {"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": [c["error"]]}}
    body.update(task_id=c["task_id"], date_done="2026-01-01T00:00:00+00:00", traceback=None, children=[])
    return json.dumps(body).encode()


def seed(url: str, n: int, phase: str, batch_file: Path) -> None:
    """``phase`` "open": the ledger and every task's result; "final": the report and the final state."""
    import redis

    from core.engine import ledger, report_store

    r = redis.Redis.from_url(url)
    report = build_report(n)
    batch_id = report["batch_id"]
    if phase == "open":
        meta = ledger.BatchMeta(batch_id, report["label"], report["created_at"], time.time(), n, n, 1, 2,
                                None, 86400)
        # Each from a file, as the window's contracts are (what Retry reads them again from).
        ledger.create_batch(r, meta, [ledger.Entry(c["name"], c["task_id"], source=f"/data/{c['name']}")
                                      for c in report["contracts"]])
        pipe = r.pipeline(transaction=False)
        for k, c in enumerate(report["contracts"]):
            pipe.set(ledger.result_key(c["task_id"]), _celery_meta(c))
            if k % 2000 == 1999:
                pipe.execute()
        pipe.execute()
        batch_file.write_text(batch_id)
    else:
        # As tests/reporting/test_streamed_report.py's store_in_parts, then final (as the finalizer
        # leaves it).
        head, rows = report_store.report_views(report)
        parts = ledger.batch_key(batch_id, report_store.PARTS)
        report_store.stage_parts(r, parts, report["contracts"], 86400)
        r.set(ledger.batch_key(batch_id, report_store.HEAD), json.dumps(head))
        r.set(ledger.batch_key(batch_id, report_store.ROWS), json.dumps(rows))
        r.hset(ledger.batch_key(batch_id), "state", ledger.STATE_FINAL)
        size = sum(len(p) for p in r.lrange(ledger.batch_key(batch_id, report_store.PARTS), 0, -1))
        print(f"report stored: {n:,} contracts, {size / 1e6:.0f} MB of parts", file=sys.stderr)
    r.close()


def _seed_in_child(url: str, n: int, phase: str, batch_file: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, "--seed", phase, "--url", url, "--contracts", str(n),
                             "--batch-file", str(batch_file)])


# ------------------------------------------------------------------------------------------ the window


def run(n: int, timeout: float, why: bool = False) -> list[dict[str, Any]]:
    base = Path(tempfile.mkdtemp(prefix="cbm-gui-memory-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[var] = str(base / var.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["PYTHONPATH"] = str(ROOT)

    from core.local.server import RedisServer

    server = RedisServer(data_dir=base / "redis", appendonly=False).start()
    try:
        return _drive(server.url, n, base, timeout, why)
    finally:
        server.stop()


def _drive(url: str, n: int, base: Path, timeout: float, why: bool) -> list[dict[str, Any]]:
    from PySide6.QtWidgets import QApplication

    from benchmarks.grid_refresh import GcProbe, StallProbe
    from core.local.mode import LocalMode
    from gui.app import create_context, make_application
    from gui.main_window import MainWindow, settle_memory

    batch_file = base / "batch-id"
    print(f"seeding {n:,} contracts (ledger, task results)…", file=sys.stderr)
    if _seed_in_child(url, n, "open", batch_file).wait() != 0:
        raise RuntimeError("seeding failed")
    batch_id = batch_file.read_text()

    app = make_application()
    ctx = create_context(broker_option=url, local=LocalMode(base / "local"))
    window = MainWindow(ctx)
    window.resize(1320, 820)
    window.show()
    settle_memory()
    probe = StallProbe()
    gc_pauses = GcProbe(probe, where=why)  # a collection holds the interpreter lock, whichever thread runs it
    sampler = None
    if why:
        from benchmarks.stall_sampler import StallSampler

        sampler = StallSampler(probe)
    results: list[dict[str, Any]] = []
    events: dict[str, Any] = {}
    ctx.bridge.batch_loaded.connect(lambda loaded: events.setdefault("loaded", loaded))
    ctx.bridge.report_ready.connect(lambda *_: events.setdefault("report", time.perf_counter()))
    window.report_shown.connect(lambda *_: events.setdefault("shown", time.perf_counter()))
    window.connected.connect(lambda: events.setdefault("connected", True))

    def wait(what: str, done: Any) -> None:
        end = time.monotonic() + timeout
        while not done():
            if time.monotonic() > end:
                raise TimeoutError(f"{what}: not done in {timeout:.0f} s")
            app.processEvents()
            time.sleep(0.001)

    def settle(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.001)

    def step(name: str, started: float) -> None:
        worst = max(probe.by_phase.get(name, [0.0]))
        gc_worst = max([p for p, _, phase in gc_pauses.pauses if phase == name] or [0.0])
        row = {"step": name, "seconds": round(time.perf_counter() - started, 1),
               "peak_rss_mb": round(_status_kb("VmHWM") / 1024), "rss_mb": round(_status_kb("VmRSS") / 1024),
               "longest_stall_ms": round(worst * 1000, 1),
               "at_s": round(probe.worst.get(name, (0.0, 0.0))[1], 2),  # when in the step it began
               "longest_gc_ms": round(gc_worst * 1000, 1)}
        results.append(row)
        print(json.dumps(row), flush=True)
        if sampler is not None:
            print(sampler.report(name), file=sys.stderr, flush=True)
            for pause, phase, stack in gc_pauses.where or []:
                if phase == name:
                    print(f"    collection of {pause * 1000:.0f} ms from {stack}", file=sys.stderr)

    probe.start()
    if sampler is not None:
        sampler.start()
    window.start_services()
    wait("connect", lambda: "connected" in events)
    settle(0.5)
    print(f"idle window: RSS {_status_kb('VmRSS') / 1024:.0f} MB", file=sys.stderr)

    _reset_peak()
    probe.enter("open")
    started = time.perf_counter()
    window.batches.open_batch(batch_id)
    wait("open", lambda: "loaded" in events)
    settle(1.0)  # a few polls of the open batch
    step("open", started)

    # The batch becomes final as the window follows it (the seeding child runs meanwhile; its time is not
    # the window's, and the probe keeps measuring the window's event loop).
    _reset_peak()
    probe.enter("final")
    started = time.perf_counter()
    child = _seed_in_child(url, n, "final", batch_file)  # waited for with the event loop running
    wait("report shown", lambda: "shown" in events)
    if child.wait() != 0:
        raise RuntimeError("seeding failed")
    entry = ctx.history.get(batch_id)
    assert entry is not None and entry.state == "final" and entry.has_report, entry
    step("final", started)
    print(f"  final: report_ready at {events['report'] - started:.2f} s, report_shown at "
          f"{events['shown'] - started:.2f} s into the step", file=sys.stderr)

    # Opening the Report tab: its charts, drawn on a background job while it was hidden, shown as images.
    _reset_peak()
    probe.enter("report tab")
    started = time.perf_counter()
    window.tabs.setCurrentWidget(window.report_view)
    settle(2.0)
    step("report tab", started)
    history_file = ctx.history.path
    print(f"history file: {history_file.stat().st_size / 1e6:.1f} MB", file=sys.stderr)

    _reset_peak()
    probe.enter("export")
    started = time.perf_counter()
    out = base / "export"
    window.export_report(str(out))
    wait("export", lambda: "Exported" in window.report_view.status.text()
         or "failed" in window.report_view.status.text())
    settle(0.5)
    print(window.report_view.status.text()[:200], file=sys.stderr)
    step("export", started)

    probe.timer.stop()
    gc_pauses.stop()
    if sampler is not None:
        sampler.stop()
    window.close()
    ctx.bridge.shutdown()
    QApplication.processEvents()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--why", action="store_true",
                        help="where the GUI thread was while the loop was late (benchmarks/stall_sampler.py)")
    parser.add_argument("--seed", choices=("open", "final"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--batch-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.url, args.contracts, args.seed, args.batch_file)
        return
    results = run(args.contracts, args.timeout, args.why)
    print(f"overall peak RSS (the largest step peak): {max(r['peak_rss_mb'] for r in results)} MB")


if __name__ == "__main__":
    main()
