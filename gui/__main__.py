"""``contract-batch-gui`` and ``python -m gui``; ``--self-test`` for installers and CI."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time

_T0 = time.perf_counter()  # before the heavy imports (Qt, redis): --startup-time measures from here

from PySide6.QtCore import QObject, QTimer  # noqa: E402

from core.memory import settle_memory  # noqa: E402
from gui.app import build_window, create_context, make_application, setup_logging, shutdown  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from gui.resources import samples_dir  # noqa: E402
from gui.single_instance import InstanceServer, hand_over  # noqa: E402


class SelfTest(QObject):
    """Drives the real window: connect (local mode), load the samples, run, wait for the report and its
    charts. ``code`` is 0 on success; ``reason`` says what failed."""

    def __init__(self, window: MainWindow, timeout: float) -> None:
        super().__init__(window)
        self.window = window
        self.code = 1
        self.reason = "did not finish"
        self.started = time.monotonic()
        self.last_broker_error = ""
        window.connected.connect(self._load)
        window.report_shown.connect(self._check_report)
        window.ctx.errors.error.connect(lambda s, _d: self._fail(f"unexpected error: {s}"))
        window.bridge.broker_error.connect(self._broker_error)
        window.connect_failed.connect(lambda m: self._fail(f"cannot start or reach the broker: {m}"))
        window.drop_zone.changed.connect(self._maybe_run)
        self._ran = False
        QTimer.singleShot(
            int(timeout * 1000),
            lambda: self._fail(
                f"timed out after {timeout:.0f} s"
                + (f" (last broker error: {self.last_broker_error})" if self.last_broker_error else "")
            ),
        )

    def _say(self, message: str) -> None:
        print(f"[self-test {time.monotonic() - self.started:5.1f} s] {message}", file=sys.stderr, flush=True)

    def _broker_error(self, message: str) -> None:
        self.last_broker_error = message
        if self.window.bridge.client is None:
            self._fail(f"cannot start or reach the broker: {message}")

    def _load(self) -> None:
        from redis.utils import HIREDIS_AVAILABLE

        # A dependency an installer must carry: without it the poller's reads take twice the CPU.
        if not HIREDIS_AVAILABLE:
            self._fail("hiredis (redis-py's reply parser in C) is not installed")
            return
        self._say(f"connected ({self.window.bridge.broker_label}); loading {samples_dir()}")
        if not samples_dir().is_dir():
            self._fail(f"sample contracts not found at {samples_dir()}")
            return
        self.window.load_paths([str(samples_dir())])

    def _maybe_run(self) -> None:
        dz = self.window.drop_zone
        if self._ran or not dz.contracts:
            return
        self._ran = True
        self._say(f"loaded {len(dz.contracts)} contracts, {len(dz.rejections)} rejected; running")
        self.window.label_edit.setText("self-test")
        self.window.run_batch()

    def _check_report(self, batch_id: str) -> None:
        from core.reporting.charts import CHARTS

        view = self.window.report_view
        if len(view.charts) != len(CHARTS) or any(c.image is None for c in view.charts.values()):
            drawn = sum(c.image is not None for c in view.charts.values())
            self._fail(f"report view shows {drawn} charts, expected {len(CHARTS)}")
            return
        summary = view.summary
        assert summary is not None
        self._say(
            f"batch {batch_id} final: {summary.total} contracts, {summary.succeeded} succeeded; "
            f"{len(view.charts)} charts rendered"
        )
        self.code, self.reason = 0, "ok"
        self._finish()

    def _fail(self, reason: str) -> None:
        if self.code == 0 or self.reason != "did not finish":
            return
        self.reason = reason
        self._finish()

    def _finish(self) -> None:
        self._say("PASSED" if self.code == 0 else f"FAILED: {self.reason}")
        app = make_application()
        QTimer.singleShot(0, lambda: app.exit(self.code))


def parse_args(argv: list[str]) -> argparse.Namespace:
    from core.version import version

    parser = argparse.ArgumentParser(prog="contract-batch-gui", description="Contract Batch Manager")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="contract files or folders to put in the contracts list")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="run the sample contracts end to end in local mode, then exit 0 (or 1 and why)",
    )
    parser.add_argument("--broker", metavar="URL", help="Redis URL (default: settings, else local mode)")
    parser.add_argument("--timeout", type=float, default=240.0, help="self-test time limit in seconds")
    parser.add_argument(
        "--startup-time",
        action="store_true",
        help="print how long the window took to become usable, then exit",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # a frozen bundle's launch subprocess starts here first
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # CI and installers have no display
    setup_logging()
    app = make_application()
    paths = [os.path.abspath(p) for p in args.paths]
    probe_only = args.self_test or args.startup_time
    instance = None if probe_only else InstanceServer(app)
    if instance is not None and hand_over(paths, instance.name):
        return 0  # the window already open took the files
    if instance is not None:
        instance.listen()
    ctx = create_context(broker_option=args.broker)
    window = build_window(ctx, start=False)
    settle_memory()  # everything imported and built so far lives as long as the app
    runner = SelfTest(window, args.timeout) if args.self_test else None
    if instance is not None:
        instance.paths_received.connect(lambda received: _bring_files(window, received))
    window.show()
    if args.startup_time:
        # Only the window is measured: no local services are started, so none is left behind.
        def usable() -> None:
            print(f"window usable after {time.perf_counter() - _T0:.2f} s", flush=True)
            app.quit()

        QTimer.singleShot(0, usable)
    else:
        # Connect after the first paint: the window is usable while local services come up.
        QTimer.singleShot(0, window.start_services)
    if paths:
        QTimer.singleShot(0, lambda: window.load_paths(paths))
    code = app.exec()
    started = ctx.started
    shutdown(window)
    if instance is not None:
        instance.close()
    if runner is not None:
        if started is not None:
            ctx.local.stop(started)  # leave the machine as the self-test found it
        return runner.code
    return code


def _bring_files(window: MainWindow, paths: list[str]) -> None:
    if paths:
        window.load_paths(paths)
    window.showNormal()
    window.raise_()
    window.activateWindow()


if __name__ == "__main__":
    sys.exit(main())
