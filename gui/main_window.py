"""The main window: contracts on the left, the live task grid and the report on the right, progress below,
broker health in the status bar. It wires widgets to the bridge and to core; it decides nothing itself."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.contracts.contract import Contract, LoadItem
from core.engine.broker import BrokerUnavailable, mask, resolve_broker
from core.local.history import HistoryStore
from core.local.mode import LocalMode, Started
from core.outcome import RETRYABLE_OUTCOMES
from gui.about import show_about
from gui.banner import Banner
from gui.bridge import Bridge, Health, LoadedBatch, Progress
from gui.drop_zone import DropZone
from gui.errors import ErrorReporter
from gui.history_view import HistoryDialog
from gui.models import TaskGridModels, TaskRow
from gui.report_view import ReportView
from gui.settings_dialog import TAB_EMAIL, SettingsDialog, email_configured, engine_values
from gui.task_grid import TaskGrid

if TYPE_CHECKING:
    from core.engine.client import BatchClient
    from core.reporting.summary import Summary

log = logging.getLogger(__name__)

TAB_TASKS, TAB_REPORT = 0, 1


@dataclass
class AppContext:
    """Everything the window needs, built once by ``gui.app`` and passed down (no global registries)."""

    history: HistoryStore
    bridge: Bridge
    settings: QSettings
    errors: ErrorReporter
    local: LocalMode
    broker_option: str | None = None
    icon: QIcon = field(default_factory=QIcon)
    started: Started | None = None  # what this process started in local mode (the self-test stops it)


@dataclass
class CurrentBatch:
    batch_id: str
    label: str = ""
    created_ts: float = 0.0
    state: str = "open"
    report: dict[str, Any] | None = None
    summary: Summary | None = None
    seen_unfinished: bool = False  # only a batch seen running here gets a "finished" notification


def settle_memory() -> None:
    """Move everything alive now out of the garbage collector's reach (``gc.freeze``).

    Measured during a live 10,000-contract batch: full collections walked every loaded contract, row and
    snapshot and held the GIL for up to 140 ms, stalling the GUI thread whichever thread triggered them.
    Frozen objects are still freed by reference counting; only cycles among them wait for unfreeze.
    """
    gc.freeze()


def _fmt_seconds(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class MainWindow(QMainWindow):
    connected = Signal()  # the broker answered and the client is ready
    connect_failed = Signal(str)  # local services did not start, or the broker did not answer
    report_shown = Signal(str)  # batch id whose report view is complete (charts on screen)
    send_finished = Signal(bool, str)  # ok, message

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.bridge = ctx.bridge
        self.history = ctx.history
        self.current: CurrentBatch | None = None
        self.notified: set[str] = set()
        self.redis_version: str | None = None
        self.last_health: Health | None = None
        self._charts_pending: str | None = None
        # Replaceable in tests: asks the user a yes/no question (a second send of the same report).
        self.confirm: Callable[[str, str], bool] = self._ask
        self.setWindowTitle("Contract Batch Manager")
        self.setWindowIcon(ctx.icon)
        self.setMinimumSize(960, 600)
        self.setAccessibleName("Contract Batch Manager")
        self._build()
        self._connect_signals()
        self._restore_geometry()
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(ctx.icon, self)
            self.tray.setToolTip("Contract Batch Manager")
            self.tray.show()
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self._progress: Progress | None = None
        self._update_actions()

    # -- construction --------------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(6, 6, 6, 6)
        self.banner = Banner()
        outer.addWidget(self.banner)

        self.drop_zone = DropZone()
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>Contracts</b>")
        ll.addWidget(title)
        ll.addWidget(self.drop_zone, 1)
        label_row = QHBoxLayout()
        label_row.addWidget(QLabel("Label"))
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("e.g. Q4 supplier contracts")
        self.label_edit.setAccessibleName("Batch label")
        label_row.addWidget(self.label_edit, 1)
        ll.addLayout(label_row)

        self.models = TaskGridModels(self)
        self.grid = TaskGrid(self.models, self.ctx.settings)
        self.report_view = ReportView()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Batch views")
        self.tabs.addTab(self.grid, "&Tasks")
        self.tabs.addTab(self.report_view, "Re&port")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setSizes([270, 1150])
        outer.addWidget(self.splitter, 1)

        prog = QHBoxLayout()
        self.batch_label = QLabel("No batch yet: drop contracts and press Run.")
        self.batch_label.setAccessibleName("Current batch")
        prog.addWidget(self.batch_label)
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Batch progress")
        self.progress_bar.setFormat("%v / %m done")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        prog.addWidget(self.progress_bar, 1)
        self.progress_text = QLabel()
        self.progress_text.setAccessibleName("Failures, elapsed time and ETA")
        prog.addWidget(self.progress_text)
        outer.addLayout(prog)
        self.setCentralWidget(central)

        self.health_label = QLabel("Starting…")
        self.health_label.setAccessibleName("Broker and worker health")
        self.statusBar().addPermanentWidget(self.health_label)

        self._build_actions()

    def _action(self, text: str, shortcut: Any, slot: Callable[[], Any], tip: str) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut is not None else tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.act_add_files = self._action(
            "Add Files…", "Ctrl+O", self.drop_zone.add_files, "Add contract files"
        )
        self.act_add_folder = self._action(
            "Add Folder…", "Ctrl+Shift+O", self.drop_zone.add_folder, "Add a folder of contracts"
        )
        self.act_run = self._action("Run", "Ctrl+R", self.run_batch, "Run the loaded contracts as a batch")
        self.act_cancel = self._action(
            "Cancel", "Ctrl+.", self.cancel_batch, "Revoke the unfinished contracts"
        )
        self.act_retry = self._action(
            "Retry", "Ctrl+Shift+R", self.retry_failed, "Run the failed, timed-out, revoked and lost again"
        )
        self.act_export = self._action("Export…", "Ctrl+E", self.export_report, "Export PDF, CSV and PNGs")
        self.act_send = self._action("Send Report", "Ctrl+Shift+S", self.send_report, "Email the report")
        self.act_history = self._action("History…", "Ctrl+H", self.show_history, "Reopen a past batch")
        self.act_settings = self._action("Settings…", "Ctrl+,", self.show_settings, "Broker, engine, email")
        self.act_about = self._action("About", "F1", self.show_about, "Versions of Qt, Celery and Redis")
        self.act_search = self._action("Search", "Ctrl+F", self._focus_search, "Search the task grid")
        self.act_quit = self._action("Quit", "Ctrl+Q", self.close, "Close the window")
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        for a in (self.act_add_files, self.act_add_folder):
            toolbar.addAction(a)
        toolbar.addSeparator()
        for a in (self.act_run, self.act_cancel, self.act_retry):
            toolbar.addAction(a)
        toolbar.addSeparator()
        for a in (self.act_export, self.act_send):
            toolbar.addAction(a)
        toolbar.addSeparator()
        for a in (self.act_history, self.act_settings, self.act_about):
            toolbar.addAction(a)
        menu = self.menuBar().addMenu("&File")
        for a in (self.act_add_files, self.act_add_folder, self.act_export, self.act_send):
            menu.addAction(a)
        menu.addSeparator()
        menu.addAction(self.act_quit)
        batch = self.menuBar().addMenu("&Batch")
        for a in (self.act_run, self.act_cancel, self.act_retry, self.act_history):
            batch.addAction(a)
        tools = self.menuBar().addMenu("&Tools")
        tools.addAction(self.act_settings)
        tools.addAction(self.act_search)
        self.menuBar().addMenu("&Help").addAction(self.act_about)

    def _connect_signals(self) -> None:
        b = self.bridge
        b.batch_loaded.connect(self._on_batch_loaded)
        b.rows_changed.connect(self._on_rows_changed)
        b.progress.connect(self._on_progress)
        b.report_ready.connect(self._on_report_ready)
        b.health.connect(self._on_health)
        b.broker_error.connect(self._on_broker_error)
        b.broker_ok.connect(lambda: self.banner.clear("error"))
        self.ctx.errors.error.connect(self._on_error)
        self.drop_zone.paths_dropped.connect(self.load_paths)
        self.drop_zone.changed.connect(self._update_actions)
        self.grid.revoke_requested.connect(self.revoke_rows)
        self.grid.retry_requested.connect(self.retry_rows)
        self.report_view.export_requested.connect(self.export_report)
        self.report_view.send_requested.connect(self.send_report)
        self.report_view.charts_ready.connect(self._on_charts_ready)

    # -- startup: broker, local services, reattach ---------------------------------------------------

    def start_services(self) -> None:
        """Connect in the background: local mode (start Redis and a worker if needed) or the broker."""
        self.banner.clear("error")
        try:
            choice = resolve_broker(self.ctx.broker_option)
        except Exception as exc:  # a broken settings file must not stop the window
            self._on_broker_error(f"broker settings: {exc}")
            return
        local = self.ctx.local
        mode = "local" if choice.local else "remote"
        label = "local" if choice.local else mask(choice.url or "")
        self.health_label.setText(
            "Local mode: starting Redis and a worker…" if choice.local else f"Connecting to {label}…"
        )
        concurrency = int(engine_values()["local_workers"])

        def connect() -> tuple[BatchClient, str | None, Started | None]:
            started = local.ensure_running(concurrency) if choice.local else None
            from core.engine.client import connect as connect_client

            try:
                # Local mode's address is known once it runs (with TCP: its port and keyring password).
                client = connect_client(choice.url or local.url)
                info = client.redis.info("server")
            except BaseException:
                if started is not None:
                    local.stop(started)  # nothing this window started outlives a failed connect
                raise
            # Warm up the reporting stack here, off the GUI thread, so the first report shows quickly.
            import core.reporting.exporter  # noqa: F401

            settle_memory()  # the modules just imported are permanent: keep them out of full collections
            return client, str(info.get("redis_version") or ""), started

        def connected(result: tuple[BatchClient, str | None, Started | None]) -> None:
            client, version, started = result
            self.redis_version = version
            if started is not None and (started.redis or started.workers):
                self.ctx.started = started
            self.bridge.set_client(client, mode, label)
            self.statusBar().showMessage(f"Connected to {label}", 5000)
            self.connected.emit()
            self.reattach()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, BrokerUnavailable | OSError | RuntimeError | TimeoutError):
                self._on_broker_error(str(exc))
                self.connect_failed.emit(str(exc))
                return
            raise exc

        self.bridge.run(connect, connected, failed)

    def reattach(self) -> None:
        """Follow the newest batch this broker still runs (the app was closed mid-batch)."""
        if self.current is not None:
            return
        pending = self.history.unfinished(self.bridge.broker_label)
        if pending:
            entry = pending[0]
            self.statusBar().showMessage(f"Reattached to batch {entry.label or entry.batch_id}", 8000)
            self.open_batch(entry.batch_id)

    # -- contracts -----------------------------------------------------------------------------------

    def load_paths(self, paths: Sequence[str]) -> None:
        from core.contracts.loader import load_paths

        self.drop_zone.counts.setText("Loading…")
        self.bridge.run(lambda: load_paths(list(paths)).items, self._on_loaded)

    def _on_loaded(self, items: Sequence[LoadItem]) -> None:
        self.drop_zone.add_items(items)
        settle_memory()
        rejected = sum(1 for i in items if not isinstance(i, Contract))
        self.statusBar().showMessage(f"Loaded {len(items) - rejected} contracts, {rejected} rejected", 5000)

    # -- run, cancel, retry --------------------------------------------------------------------------

    def run_batch(self) -> None:
        items = list(self.drop_zone.items)
        if not any(isinstance(i, Contract) for i in items):
            self.statusBar().showMessage("Nothing to run: add contracts first", 5000)
            return
        label = self.label_edit.text().strip() or time.strftime("Batch %Y-%m-%d %H:%M")
        self.launch(items, label)
        self.drop_zone.clear()
        self.label_edit.clear()

    def launch(self, items: Sequence[LoadItem], label: str) -> None:
        if self.bridge.client is None:
            self.banner.show_message(
                "Not connected to a broker yet.", "warning", "Retry", self.start_services
            )
            return
        ev = engine_values()
        broker = self.bridge.broker_label
        history = self.history

        def go(client: BatchClient) -> str:
            from core.engine.client import launch_in_subprocess

            # Dispatching runs in a process of its own: in this one it held the interpreter lock against
            # the GUI thread for seconds (py-spy), and its garbage triggered long full collections.
            meta = launch_in_subprocess(
                client.broker_url,
                items,
                label=label,
                soft_time_limit=ev["soft_time_limit"],
                time_limit=ev["time_limit"],
                deadline=ev["deadline"] or None,
                extra={"launched_by": "desktop"},
            )
            history.record_start(
                batch_id=meta.batch_id,
                label=meta.label,
                created_at=meta.created_at,
                created_ts=meta.created_ts,
                broker=broker,
                total=meta.total,
            )
            return meta.batch_id

        self.statusBar().showMessage(f"Launching {label}…")
        self.bridge.run(self.bridge.celery(go), self.open_batch, self._job_failed("Launch failed"))

    def open_batch(self, batch_id: str) -> None:
        """Show a batch (just launched, reattached or from history) and follow it live."""
        self.current = CurrentBatch(batch_id)
        self.models.source.set_rows([])
        self.grid.update_counts()
        self.report_view.clear()
        self._progress = None
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_text.clear()
        self.batch_label.setText(f"Batch {batch_id}: loading…")
        self.tabs.setCurrentIndex(TAB_TASKS)
        self.bridge.watch(batch_id)
        self._update_actions()

    def cancel_batch(self) -> None:
        cur = self.current
        if cur is None or cur.report is not None:
            return
        bid = cur.batch_id

        def done(n: int) -> None:
            self.statusBar().showMessage(f"Cancelled: {n} unfinished contracts revoked", 8000)
            self.bridge.poll_now()

        self.bridge.run(self.bridge.celery(lambda c: c.cancel(bid)), done, self._job_failed("Cancel failed"))

    def retry_failed(self) -> None:
        rows = [i for i, r in enumerate(self.models.source.rows) if r.outcome in RETRYABLE_OUTCOMES]
        if not rows:
            self.statusBar().showMessage(
                "Nothing to retry: no failed, timed-out, revoked or lost contracts", 5000
            )
            return
        self.retry_rows(rows)

    def retry_rows(self, rows: Sequence[int]) -> None:
        """Run the given contracts again as a new batch, read again from their original files."""
        from core.contracts.loader import load_paths

        chosen: list[TaskRow] = [self.models.source.row_at(r) for r in rows]
        wanted = {(r.source, r.name) for r in chosen if r.source}
        if not wanted:
            self.statusBar().showMessage("These contracts have no original file to retry from", 5000)
            return
        sources = sorted({s for s, _ in wanted})
        label = f"{self.current.label if self.current else 'batch'} (retry)"

        def reload() -> list[LoadItem]:
            items = load_paths(sources).items
            # A CSV/JSON file holds many contracts: only the entries that are being retried run again.
            return [i for i in items if (i.source, i.name) in wanted]

        self.bridge.run(reload, lambda items: self.launch(items, label), self._job_failed("Retry failed"))

    def revoke_rows(self, rows: Sequence[int], terminate: bool) -> None:
        cur = self.current
        if cur is None:
            return
        ids = [t for t in (self.models.source.row_at(r).task_id for r in rows) if t]
        bid = cur.batch_id

        def done(_: Any) -> None:
            verb = "Terminated" if terminate else "Revoked"
            self.statusBar().showMessage(f"{verb} {len(ids)} contracts", 5000)
            self.bridge.poll_now()

        self.bridge.run(
            self.bridge.celery(lambda c: c.revoke(bid, ids, terminate=terminate)),
            done,
            self._job_failed("Revoke failed"),
        )

    # -- live updates --------------------------------------------------------------------------------

    def _on_batch_loaded(self, loaded: LoadedBatch) -> None:
        cur = self.current
        if cur is None or cur.batch_id != loaded.batch_id:
            return
        cur.label, cur.created_ts, cur.state = loaded.label, loaded.created_ts, loaded.state
        if loaded.state not in ("final", "expired"):
            cur.seen_unfinished = True
        self.models.source.set_rows(loaded.rows)
        settle_memory()
        self.grid.update_counts()
        self.grid.update_detail()
        self.batch_label.setText(f"<b>{loaded.label or loaded.batch_id}</b> ({loaded.state})")
        self._update_actions()

    def _on_rows_changed(self, batch_id: str, updates: list[Any]) -> None:
        if self.current is None or self.current.batch_id != batch_id:
            return
        self.models.source.apply_updates(updates)
        self.grid.update_counts()
        selected = set(self.grid.selected_rows()[:1])
        pos = self.models.source.pos
        if selected and any(pos[u[0]] in selected for u in updates if 0 <= u[0] < len(pos)):
            self.grid.update_detail()

    def _on_progress(self, p: Progress) -> None:
        cur = self.current
        if cur is None or cur.batch_id != p.batch_id:
            return
        self._progress = p
        if p.state not in ("final", "expired"):
            cur.seen_unfinished = True
        cur.state = p.state
        self.progress_bar.setRange(0, max(1, p.total))
        self.progress_bar.setValue(p.done)
        self.batch_label.setText(f"<b>{cur.label or cur.batch_id}</b> ({p.state})")
        self._update_progress_text()
        self._update_actions()

    def _update_progress_text(self) -> None:
        p = self._progress
        cur = self.current
        if p is None or cur is None:
            return
        finished = cur.report is not None
        end = time.time()
        if finished and cur.summary is not None and cur.summary.wall_time_s is not None:
            elapsed = cur.summary.wall_time_s
        else:
            elapsed = end - p.created_ts if p.created_ts else 0.0
        parts = [f"{p.failures:,} failed", f"elapsed {_fmt_seconds(elapsed)}"]
        if not finished and 0 < p.done < p.total and elapsed > 0:
            parts.append(f"ETA {_fmt_seconds(elapsed / p.done * (p.total - p.done))}")
        elif finished:
            parts.append("final")
        self.progress_text.setText(" · ".join(parts))

    def _tick(self) -> None:
        self.models.source.tick_running()
        if self.current is not None and self.current.report is None:
            self._update_progress_text()

    def _on_report_ready(self, batch_id: str, report: dict[str, Any]) -> None:
        cur = self.current
        if cur is None or cur.batch_id != batch_id or cur.report is not None:
            return
        cur.report = report
        cur.state = "final"
        self.progress_bar.setValue(self.progress_bar.maximum())
        self._update_actions()
        self._notify_finished(cur, report)
        self.report_view.clear("Rendering the report…")

        def render() -> tuple[Summary, dict[str, Any]]:
            from core.reporting.charts import build_charts
            from core.reporting.summary import summarize

            summary = summarize(report)
            return summary, build_charts(summary)

        def show(result: tuple[Summary, dict[str, Any]]) -> None:
            if self.current is not cur:
                return
            summary, figures = result
            cur.summary = summary
            self._charts_pending = batch_id  # report_shown once the last chart is on its canvas
            self.report_view.show_report(report, summary, figures)
            self._update_progress_text()

        self.bridge.run(render, show)

    def _on_charts_ready(self) -> None:
        pending, self._charts_pending = self._charts_pending, None
        if pending and self.current is not None and self.current.batch_id == pending:
            self.report_shown.emit(pending)

    def _notify_finished(self, cur: CurrentBatch, report: dict[str, Any]) -> None:
        if not cur.seen_unfinished or cur.batch_id in self.notified:
            return
        self.notified.add(cur.batch_id)
        counts = report.get("counts") or {}
        ok = counts.get("succeeded", 0)
        text = f"{cur.label or cur.batch_id}: {ok} of {report.get('total', 0)} succeeded"
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage("Batch finished", text, self.ctx.icon, 8000)
        QApplication.alert(self)
        self.statusBar().showMessage(f"Batch finished: {text}", 15000)

    # -- health and errors ---------------------------------------------------------------------------

    def _on_health(self, h: Health) -> None:
        self.last_health = h
        where = "Local mode" if h.mode == "local" else f"Broker {h.broker}"
        if not h.reachable:
            self.health_label.setText(f"<span style='color:#d64541'>● {where}: unreachable</span>")
            return
        n = len(h.workers)
        colour = "#2e9e4f" if n else "#d39a1c"
        workers = f"{n} worker{'s' if n != 1 else ''}" if n else "no workers answering"
        self.health_label.setText(f"<span style='color:{colour}'>●</span> {where}: Redis OK · {workers}")
        self.health_label.setToolTip("\n".join(h.workers) or "no worker answered a ping")

    def _on_broker_error(self, message: str) -> None:
        self.health_label.setText("<span style='color:#d64541'>● broker unreachable</span>")
        self.banner.show_message(message, "error", "Retry", self._retry_broker)

    def _retry_broker(self) -> None:
        if self.bridge.client is None:
            self.start_services()
        else:
            self.banner.clear()
            self.bridge.poll_now()

    def _on_error(self, summary: str, details: str) -> None:
        self.banner.show_message(f"Unexpected error (logged): {summary}", "error")
        self.banner.setToolTip(details)

    def _job_failed(self, what: str) -> Callable[[BaseException], None]:
        def show(exc: BaseException) -> None:
            if isinstance(exc, ValueError | BrokerUnavailable | OSError | LookupError):
                self.banner.show_message(f"{what}: {exc}", "warning")
                self.statusBar().showMessage(f"{what}: {exc}", 8000)
            else:
                raise exc

        return show

    # -- report actions ------------------------------------------------------------------------------

    def export_report(self, out_dir: str | None = None) -> None:
        cur = self.current
        if cur is None or cur.report is None:
            return
        if out_dir is None:
            out_dir = QFileDialog.getExistingDirectory(self, "Export the report into")
            if not out_dir:
                return
        report = cur.report
        from core.reporting.exporter import export_report

        def done(paths: list[Path]) -> None:
            self.report_view.set_status(f"Exported {len(paths)} files to {out_dir}", True)

        def failed(exc: BaseException) -> None:
            self.report_view.set_status(f"Export failed: {exc}", False)

        self.report_view.set_status(f"Exporting to {out_dir}…")
        self.bridge.run(lambda: export_report(report, out_dir), done, failed)

    def _send_log(self, batch_id: str) -> Any:
        from core.mail.sends import FileSendLog, RedisSendLog, local_log_id

        client = self.bridge.client
        if client is not None and client.batch(batch_id) is not None:
            return RedisSendLog(client.redis, batch_id, ttl_s=client.settings.result_expires)
        return FileSendLog(local_log_id(batch_id))

    def send_report(self) -> None:
        cur = self.current
        if cur is None or cur.report is None:
            return
        if not email_configured():
            # First time: set up email, then send.
            self.show_settings(TAB_EMAIL, then=self._send_if_configured)
            return
        bid = cur.batch_id

        def previous() -> list[Any]:
            return self._send_log(bid).records()

        def decide(records: list[Any]) -> None:
            if records:
                from core.mail.service import already_sent_message

                question = already_sent_message(records).split(";")[0] + ". Send it again?"
                if not self.confirm("Send the report again?", question):
                    self.report_view.set_status("Not sent again.")
                    return
            self._do_send(cur, resend=bool(records))

        self.bridge.run(previous, decide, self._send_failed)

    def _send_if_configured(self) -> None:
        if email_configured():
            self.send_report()

    def _do_send(self, cur: CurrentBatch, resend: bool) -> None:
        from core.mail.service import send_report
        from core.mail.settings import resolve_settings

        report = cur.report
        assert report is not None
        bid = cur.batch_id
        self.report_view.send_button.setEnabled(False)
        self.report_view.set_status("Sending…")

        def send() -> Any:
            from core.reporting.exporter import build_bundle

            return send_report(
                report,
                settings=resolve_settings(),
                send_log=self._send_log(bid),
                resend=resend,
                bundle=build_bundle(report),
            )

        def done(record: Any) -> None:
            self.report_view.send_button.setEnabled(True)
            message = f"Sent to {', '.join(record.to)} at {record.sent_at}"
            self.report_view.set_status(message, True)
            self.statusBar().showMessage(message, 8000)
            self.send_finished.emit(True, message)

        self.bridge.run(send, done, self._send_failed)

    def _send_failed(self, exc: BaseException) -> None:
        from core.mail.errors import MailError

        self.report_view.send_button.setEnabled(self.current is not None and self.current.report is not None)
        if not isinstance(exc, MailError | OSError):
            raise exc
        message = f"Not sent: {exc}"
        self.report_view.set_status(message, False)
        self.send_finished.emit(False, message)

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question)
        return answer == QMessageBox.StandardButton.Yes

    # -- dialogs -------------------------------------------------------------------------------------

    def show_settings(self, tab: int = 0, then: Callable[[], None] | None = None) -> SettingsDialog:
        dialog = SettingsDialog(self.bridge, self, tab)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def saved(broker_changed: bool) -> None:
            if broker_changed:
                self.bridge.watch(None)
                self.current = None
                self.start_services()
            if then is not None:
                then()

        dialog.saved.connect(saved)
        dialog.open()
        self.settings_dialog = dialog
        return dialog

    def show_history(self) -> HistoryDialog:
        dialog = HistoryDialog(self.history, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_batch.connect(self.open_batch)
        dialog.open()
        return dialog

    def show_about(self) -> QMessageBox:
        return show_about(self, self.redis_version)

    def _focus_search(self) -> None:
        self.tabs.setCurrentIndex(TAB_TASKS)
        self.grid.search.setFocus()
        self.grid.search.selectAll()

    # -- state of the actions ------------------------------------------------------------------------

    def _update_actions(self) -> None:
        cur = self.current
        final = cur is not None and cur.report is not None
        running = cur is not None and not final and cur.state in ("open", "closing")
        self.act_run.setEnabled(bool(self.drop_zone.contracts))
        self.act_cancel.setEnabled(running)
        self.act_retry.setEnabled(final)
        self.act_export.setEnabled(final)
        self.act_send.setEnabled(final)

    # -- persistence ---------------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self.ctx.settings.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(QByteArray(geometry))
        else:
            self.resize(1320, 820)
        splitter = self.ctx.settings.value("window/splitter")
        if isinstance(splitter, QByteArray | bytes) and splitter:
            self.splitter.restoreState(QByteArray(splitter))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        # Closing never stops a batch: local services keep running and the next start reattaches.
        self.ctx.settings.setValue("window/geometry", self.saveGeometry())
        self.ctx.settings.setValue("window/splitter", self.splitter.saveState())
        self.grid.save_header()
        self.ctx.settings.sync()
        self._clock.stop()
        self.bridge.watch(None)
        if self.tray is not None:
            self.tray.hide()
        super().closeEvent(event)
