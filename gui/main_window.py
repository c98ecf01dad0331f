"""The main window: contracts on the left, the live task grid and the report on the right, progress below,
broker health in the status bar. It lays out the widgets and the actions and wires them to the parts that
do the work (``gui.connection``, ``gui.batch_controller``, ``gui.report_actions``); it decides nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
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

from core.contracts.contract import LoadItem
from core.memory import settle_memory
from core.reporting import wording
from gui.about import show_about
from gui.app_context import AppContext, CurrentBatch
from gui.banner import Banner
from gui.batch_controller import TAB_REPORT, TAB_TASKS, BatchController, BatchViews
from gui.connection import Connection
from gui.drop_zone import DropZone
from gui.history_view import HistoryDialog
from gui.models import TaskGridModels
from gui.progress_display import ProgressDisplay
from gui.report_actions import ReportActions
from gui.report_view import ReportView
from gui.settings_dialog import SettingsDialog
from gui.task_grid import TaskGrid

__all__ = ["TAB_REPORT", "TAB_TASKS", "AppContext", "MainWindow", "settle_memory"]


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
        self.setWindowTitle("Contract Batch Manager")
        self.setWindowIcon(ctx.icon)
        self.setMinimumSize(960, 600)
        self.setAccessibleName("Contract Batch Manager")
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(ctx.icon, self)
            self.tray.setToolTip("Contract Batch Manager")
            self.tray.show()
        self._build()
        self._parts()
        self._connect_signals()
        self._restore_geometry()
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self.batches.tick)
        self._clock.start()
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
        self.grid = TaskGrid(self.models, self.ctx.settings, busy=self.bridge.gui_busy)
        self.report_view = ReportView(self.bridge.run)  # its charts are drawn on the bridge's jobs
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
        self._contracts_width = 270
        self.setAcceptDrops(True)  # files dropped anywhere on the window load, panel folded or not
        outer.addWidget(self.splitter, 1)

        prog = QHBoxLayout()
        self.batch_label = QLabel("No batch yet: drop contracts and press Run.")
        self.batch_label.setAccessibleName("Current batch")
        prog.addWidget(self.batch_label)
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Batch progress")
        self.progress_bar.setFormat("")
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
        self.act_contracts = self._action("Contracts Panel", "F9", lambda: self.show_contracts(
            self.act_contracts.isChecked()), "Show or hide the contracts panel")
        self.act_contracts.setCheckable(True)
        self.act_contracts.setChecked(True)
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
        self.menuBar().addMenu("&View").addAction(self.act_contracts)
        tools = self.menuBar().addMenu("&Tools")
        tools.addAction(self.act_settings)
        tools.addAction(self.act_search)
        self.menuBar().addMenu("&Help").addAction(self.act_about)

    def _parts(self) -> None:
        views = BatchViews(
            self.drop_zone, self.label_edit, self.models, self.grid, self.report_view, self.tabs,
            ProgressDisplay(self.batch_label, self.progress_bar, self.progress_text), self.statusBar(),
            self.banner, self, self.show_contracts,
        )
        self.batches = BatchController(self.ctx, views, reconnect=self.start_services,
                                       actions_changed=self._update_actions, tray=self.tray)
        self.connection = Connection(self.ctx, self.banner, self.health_label, self.statusBar(),
                                     reattach=self.batches.reattach, parent=self)
        self.reports = ReportActions(self.bridge, self.report_view, self.statusBar(), self,
                                     current=lambda: self.batches.current, show_settings=self.show_settings)

    def _connect_signals(self) -> None:
        self.connection.connected.connect(self.connected)
        self.connection.connect_failed.connect(self.connect_failed)
        self.batches.report_shown.connect(self.report_shown)
        self.reports.send_finished.connect(self.send_finished)
        self.ctx.errors.error.connect(self._on_error)
        self.drop_zone.paths_dropped.connect(self.load_paths)
        self.drop_zone.changed.connect(self._update_actions)
        self.grid.revoke_requested.connect(self.revoke_rows)
        self.grid.retry_requested.connect(self.retry_rows)
        self.report_view.export_requested.connect(self.export_report)
        self.report_view.send_requested.connect(self.send_report)

    # -- what the parts do, under the window's names (menus, tests, the self-test) --------------------

    def start_services(self) -> None:
        self.connection.start()
        self.bridge.run(wording.warm_up)

    def reattach(self) -> None:
        self.batches.reattach()

    def load_paths(self, paths: Sequence[str]) -> None:
        self.batches.load_paths(paths)

    def run_batch(self) -> None:
        self.batches.run_batch()

    def launch(self, items: Sequence[LoadItem], label: str) -> None:
        self.batches.launch(items, label)

    def open_batch(self, batch_id: str) -> None:
        self.batches.open_batch(batch_id)

    def cancel_batch(self) -> None:
        self.batches.cancel()

    def retry_failed(self) -> None:
        self.batches.retry_failed()

    def retry_rows(self, rows: Sequence[int]) -> None:
        self.batches.retry_rows(rows)

    def revoke_rows(self, rows: Sequence[int], terminate: bool) -> None:
        self.batches.revoke_rows(rows, terminate)

    def export_report(self, out_dir: str | None = None) -> None:
        self.reports.export(out_dir)

    def send_report(self) -> None:
        self.reports.send()

    @property
    def current(self) -> CurrentBatch | None:
        return self.batches.current

    @current.setter
    def current(self, value: CurrentBatch | None) -> None:
        self.batches.current = value

    @property
    def notified(self) -> set[str]:
        return self.batches.notified

    @property
    def confirm(self) -> Callable[[str, str], bool]:
        return self.reports.confirm

    @confirm.setter
    def confirm(self, ask: Callable[[str, str], bool]) -> None:
        self.reports.confirm = ask
        self.batches.confirm = ask

    def show_contracts(self, shown: bool) -> None:
        """Unfold or fold the contracts panel: folded while a batch runs (the grid needs the width on a
        1366 px screen), unfolded when contracts are added."""
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if shown and sizes[0] == 0:
            self.splitter.setSizes([self._contracts_width, max(0, total - self._contracts_width)])
        elif not shown and sizes[0] > 0:
            self._contracts_width = sizes[0]
            self.splitter.setSizes([0, total])
        self.act_contracts.setChecked(shown)

    def dragEnterEvent(self, event: Any) -> None:  # noqa: N802
        self.drop_zone.dragEnterEvent(event)

    def dropEvent(self, event: Any) -> None:  # noqa: N802
        self.drop_zone.dropEvent(event)

    @property
    def redis_version(self) -> str | None:
        return self.connection.redis_version

    @property
    def _charts_pending(self) -> str | None:
        return self.batches.charts_pending

    def _on_error(self, summary: str, details: str) -> None:
        self.banner.show_message(f"Unexpected error (logged): {summary}", "error")
        self.banner.setToolTip(details)

    # -- dialogs -------------------------------------------------------------------------------------

    def show_settings(self, tab: int = 0, then: Callable[[], None] | None = None,
                      reason: str | None = None) -> SettingsDialog:
        dialog = SettingsDialog(self.bridge, self, tab, reason)
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
        self.act_run.setEnabled(self.drop_zone.ready > 0)
        self.act_cancel.setEnabled(running)
        # Retry only when there is something to retry from its file (it said Retry with nothing to retry).
        self.act_retry.setEnabled(final and self.batches.can_retry())
        self.act_export.setEnabled(final)
        self.act_send.setEnabled(final)

    # -- persistence ---------------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self.ctx.settings.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(QByteArray(geometry))
        else:
            # The first start fits the screen: 1320 x 820 was taller than a 1366 x 768 laptop's.
            screen = self.screen().availableGeometry()
            self.resize(min(1320, screen.width()), min(820, screen.height()))
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
