"""A batch's life in the window: contracts loaded, launched, followed live (rows, progress, report),
cancelled, retried, revoked; the report rendered; one notification when it ends."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QMessageBox,
    QStatusBar,
    QSystemTrayIcon,
    QTabWidget,
    QWidget,
)

from core.contracts.contract import Contract, LoadItem, count_contracts
from core.engine.broker import BrokerUnavailable
from core.engine.watch import BatchProgress, LoadedBatch
from core.memory import collector_paused, let_go, settle_memory
from core.outcome import RETRYABLE_OUTCOMES
from gui.app_context import AppContext, CurrentBatch
from gui.banner import Banner
from gui.drop_zone import DropZone, list_rows
from gui.models import UNFINISHED_CATEGORIES, TaskGridModels, TaskRow
from gui.progress_display import ProgressDisplay
from gui.report_view import ReportTables, ReportView, report_tables
from gui.settings_dialog import engine_values
from gui.task_grid import TaskGrid

if TYPE_CHECKING:
    from core.engine.client import BatchClient
    from core.reporting.summary import Summary

TAB_TASKS, TAB_REPORT = 0, 1


@dataclass
class BatchViews:
    """The widgets a batch is shown in (owned by the window)."""

    drop_zone: DropZone
    label_edit: QLineEdit
    models: TaskGridModels
    grid: TaskGrid
    report_view: ReportView
    tabs: QTabWidget
    progress: ProgressDisplay
    status: QStatusBar
    banner: Banner
    window: QWidget  # what QApplication.alert flashes when a batch ends
    show_contracts: Callable[[bool], None]  # unfold or fold the contracts panel


class BatchController(QObject):
    report_shown = Signal(str)  # batch id whose report view is complete (charts on screen)

    def __init__(self, ctx: AppContext, views: BatchViews, *, reconnect: Callable[[], None],
                 actions_changed: Callable[[], None], tray: QSystemTrayIcon | None) -> None:
        super().__init__(views.window)
        self.ctx, self.bridge, self.history, self.v = ctx, ctx.bridge, ctx.history, views
        self.reconnect, self.actions_changed, self.tray = reconnect, actions_changed, tray
        self.current: CurrentBatch | None = None
        self.notified: set[str] = set()
        self.charts_pending: str | None = None
        # Replaceable in tests: asks the user a yes/no question (cancelling a batch).
        self.confirm: Callable[[str, str], bool] = self._ask
        b = self.bridge
        b.batch_loaded.connect(self._on_batch_loaded)
        b.rows_changed.connect(self._on_rows_changed)
        b.progress.connect(self._on_progress)
        b.report_ready.connect(self._on_report_ready)
        views.report_view.charts_ready.connect(self._on_charts_ready)

    # -- contracts -----------------------------------------------------------------------------------

    def load_paths(self, paths: Sequence[str]) -> None:
        from core.contracts.loader import load_paths

        self.v.drop_zone.counts.setText("Loading…")

        def load() -> tuple[list[LoadItem], list[tuple[str, str]]]:
            # What is loaded stays in the contracts list, with the list's rows for it: built here, out
            # of the collector's way (a full collection amid 100,000 loaded files held the interpreter
            # lock for 61 ms) and off the GUI thread.
            with collector_paused(keep=True):
                items = load_paths(list(paths)).items
                return items, list_rows(items)

        self.bridge.run(load, self._on_loaded)

    def _on_loaded(self, loaded: tuple[list[LoadItem], list[tuple[str, str]]]) -> None:
        items, rows = loaded
        # Adding them makes a few objects per item still (the duplicate check, when the list has some):
        # without a collection, then frozen with the loaded items (``keep``).
        with collector_paused(keep=True):
            self.v.drop_zone.add_items(items, rows)
        self.v.show_contracts(True)
        ready = count_contracts(items)
        self.v.status.showMessage(f"Loaded {ready:,} contracts, {len(items) - ready:,} rejected", 5000)

    # -- run, cancel, retry --------------------------------------------------------------------------

    def run_batch(self) -> None:
        items = list(self.v.drop_zone.items)
        if not any(isinstance(i, Contract) for i in items):
            self.v.status.showMessage("Nothing to run: add contracts first", 5000)
            return
        label = self.v.label_edit.text().strip() or time.strftime("Batch %Y-%m-%d %H:%M")
        # Not connected: the list stays as it is for the next Run. Otherwise the launch job frees what the
        # list held (100,000 rows freed here took 20-50 ms of the window's time as Run was clicked).
        if self.launch(items, label, garbage=self.v.drop_zone.clear):
            self.v.label_edit.clear()

    def launch(
        self, items: Sequence[LoadItem], label: str, garbage: Callable[[], list[list[Any]]] | None = None
    ) -> bool:
        """Send ``items`` as a new batch on a job; False if not connected. ``garbage``, called once the
        launch is under way, gives lists for the job to free (``let_go``) after it has sent the batch."""
        if self.bridge.client is None:
            self.v.banner.show_message("Not connected to a broker yet.", "warning", "Retry", self.reconnect)
            return False
        ev = engine_values()
        held = garbage() if garbage is not None else []

        def go(client: BatchClient) -> str:
            from core.engine.client import launch_in_subprocess

            nonlocal items

            # Dispatching runs in a process of its own: in this one it held the interpreter lock against
            # the GUI thread for seconds (py-spy), and its garbage triggered long full collections.
            # Sending 100,000 items to it (multiprocessing's feeder thread pickles them) set off a 42 ms
            # full collection.
            with collector_paused(keep=False):
                meta = launch_in_subprocess(
                    client.broker_url, items, label=label, soft_time_limit=ev["soft_time_limit"],
                    time_limit=ev["time_limit"], deadline=ev["deadline"] or None,
                    extra={"launched_by": "desktop"},
                )
            # This job holds the last reference to the contracts (the list was cleared as Run was clicked).
            contracts, items = list(items), ()
            for each in (*held, contracts):
                let_go(each)
            return meta.batch_id  # it enters the history when the watch first loads it

        sent = count_contracts(items)
        self.v.status.showMessage(f"Launching {label}: sending {sent:,} contracts…")

        def launched(batch_id: str) -> None:
            # Replaces "Launching…", which otherwise stayed for the whole run.
            self.v.status.showMessage(f"Launched {label}: {sent:,} contracts sent", 8000)
            self.v.show_contracts(False)  # the grid gets the width while the batch runs
            self.open_batch(batch_id)

        self.bridge.run(self.bridge.celery(go), launched, self.job_failed("Launch failed"))
        return True

    def open_batch(self, batch_id: str) -> None:
        """Show a batch (just launched, reattached or from history) and follow it live."""
        self.current = CurrentBatch(batch_id)
        self.v.models.source.set_rows([])
        self.v.grid.update_counts()
        self.v.report_view.clear()
        self.v.progress.loading(batch_id)
        self.v.tabs.setCurrentIndex(TAB_TASKS)
        self.bridge.watch(batch_id)
        self.actions_changed()

    def reattach(self) -> None:
        """Follow the newest batch this broker still runs (the app was closed mid-batch)."""
        if self.current is not None:
            return
        pending = self.history.unfinished(self.bridge.broker_label)
        if pending:
            entry = pending[0]
            name = entry.label or entry.batch_id
            more = f" ({len(pending) - 1} more in History)" if len(pending) > 1 else ""
            self.v.banner.show_message(
                f"Reattached to batch “{name}”: it went on running while the app was closed{more}.", "info")
            self.v.status.showMessage(f"Reattached to batch {name}", 8000)
            self.v.show_contracts(False)
            self.open_batch(entry.batch_id)

    def cancel(self) -> None:
        cur = self.current
        if cur is None or cur.report is not None:
            return
        bid = cur.batch_id
        counts = self.v.models.source.counts
        unfinished = sum(counts.get(k, 0) for k in UNFINISHED_CATEGORIES)
        total = len(self.v.models.source.rows)
        question = (f"Cancel batch “{cur.label or bid}”? {unfinished:,} of {total:,} contracts are not "
                    "finished: they will be revoked, and running ones stopped. Finished results are kept, "
                    "and the report still comes.")
        if not self.confirm("Cancel the batch?", question):
            self.v.status.showMessage("Not cancelled: the batch goes on", 5000)
            return

        def done(n: int) -> None:
            self.v.status.showMessage(f"Cancelled: {n} unfinished contracts revoked", 8000)
            self.bridge.poll_now()

        self.bridge.run(self.bridge.celery(lambda c: c.cancel(bid)), done, self.job_failed("Cancel failed"))

    def retryable_rows(self) -> list[int]:
        """Rows Retry would run again: failed, timed out, revoked or lost, with a file to read again."""
        return [i for i, r in enumerate(self.v.models.source.rows)
                if r.outcome in RETRYABLE_OUTCOMES and r.source]

    def can_retry(self) -> bool:
        """Whether Retry has anything to run (what enables the action): the counts first, then the rows up
        to the first one retryable. Listing every retryable row took 37 ms at 100,000 rows, on the GUI
        thread, each time the actions were updated."""
        counts = self.v.models.source.counts
        if not any(counts.get(o, 0) for o in RETRYABLE_OUTCOMES):
            return False
        return any(r.outcome in RETRYABLE_OUTCOMES and r.source for r in self.v.models.source.rows)

    def retry_failed(self) -> None:
        rows = self.retryable_rows()
        if not rows:
            self.v.status.showMessage(
                "Nothing to retry: no failed, timed-out, revoked or lost contracts with a file to read", 5000)
            return
        self.retry_rows(rows)

    def retry_rows(self, rows: Sequence[int]) -> None:
        """Run the given contracts again as a new batch, read again from their original files."""
        from core.contracts.loader import load_paths

        chosen: list[TaskRow] = [self.v.models.source.row_at(r) for r in rows]
        wanted = {(r.source, r.name) for r in chosen if r.source}
        if not wanted:
            self.v.status.showMessage("These contracts have no original file to retry from", 5000)
            return
        sources = sorted({s for s, _ in wanted})
        label = f"{self.current.label if self.current else 'batch'} (retry)"

        def reload() -> list[LoadItem]:
            items = load_paths(sources).items
            # A CSV/JSON file holds many contracts: only the entries that are being retried run again.
            return [i for i in items if (i.source, i.name) in wanted]

        self.bridge.run(reload, lambda items: self.launch(items, label), self.job_failed("Retry failed"))

    def revoke_rows(self, rows: Sequence[int], terminate: bool) -> None:
        cur = self.current
        if cur is None:
            return
        ids = [t for t in (self.v.models.source.row_at(r).task_id for r in rows) if t]
        bid = cur.batch_id

        def done(_: Any) -> None:
            verb = "Terminated" if terminate else "Revoked"
            self.v.status.showMessage(f"{verb} {len(ids)} contracts", 5000)
            self.bridge.poll_now()

        self.bridge.run(self.bridge.celery(lambda c: c.revoke(bid, ids, terminate=terminate)), done,
                        self.job_failed("Revoke failed"))

    def job_failed(self, what: str) -> Callable[[BaseException], None]:
        def show(exc: BaseException) -> None:
            if isinstance(exc, ValueError | BrokerUnavailable | OSError | LookupError):
                self.v.banner.show_message(f"{what}: {exc}", "warning")
                self.v.status.showMessage(f"{what}: {exc}", 8000)
            else:
                raise exc

        return show

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self.v.window, title, question)
        return answer == QMessageBox.StandardButton.Yes

    # -- live updates --------------------------------------------------------------------------------

    def _on_batch_loaded(self, loaded: LoadedBatch) -> None:
        cur = self.current
        if cur is None or cur.batch_id != loaded.batch_id:
            return
        cur.label, cur.created_ts, cur.state = loaded.label, loaded.created_ts, loaded.state
        if loaded.state not in ("final", "expired"):
            cur.seen_unfinished = True
        self.v.models.source.set_rows(loaded.rows, loaded.numbered)
        settle_memory()
        self.v.grid.update_counts()
        self.v.grid.update_detail()
        self.v.progress.show_state(cur, loaded.state)
        self.actions_changed()

    def _on_rows_changed(self, batch_id: str, updates: list[Any]) -> None:
        if self.current is None or self.current.batch_id != batch_id:
            return
        with self.bridge.gui_busy():
            self.v.models.source.apply_updates(updates)
            self.v.grid.rows_changed()
        selected = set(self.v.grid.selected_rows()[:1])
        pos = self.v.models.source.pos
        if selected and any(pos[u[0]] in selected for u in updates if 0 <= u[0] < len(pos)):
            self.v.grid.update_detail()

    def _on_progress(self, p: BatchProgress) -> None:
        cur = self.current
        if cur is None or cur.batch_id != p.batch_id:
            return
        if p.state not in ("final", "expired"):
            cur.seen_unfinished = True
        cur.state = p.state
        self.v.progress.update(cur, p)
        self.actions_changed()

    def tick(self) -> None:
        self.v.models.source.tick_running()
        if self.current is not None and self.current.report is None:
            self.v.progress.refresh(self.current)

    def _on_report_ready(self, batch_id: str, report: dict[str, Any]) -> None:
        """``report`` is the report's head (no contracts): the summary reads them a part at a time, from
        Redis or from the history's copy, off this thread (``core.engine.watch.open_report``)."""
        cur = self.current
        if cur is None or cur.batch_id != batch_id or cur.report is not None:
            return
        cur.report = report
        cur.state = "final"
        self.v.progress.finished()
        self.actions_changed()
        self._notify_finished(cur, report)
        self.v.report_view.clear("Rendering the report…")
        bridge, history = self.bridge, self.history

        def render() -> tuple[Summary, dict[str, Any], ReportTables]:
            from core.engine.watch import open_report
            from core.reporting.charts import build_charts
            from core.reporting.summary import summarize_stream

            stream = open_report(bridge.client, history, batch_id)
            if stream is None:
                raise LookupError(f"the report of batch {batch_id} is neither in the broker nor in the "
                                  "history")
            head, contracts = stream
            # Rows without their results: the view, the charts and the PDF show none of them (the whole
            # report parsed for its summary was about a gigabyte at 100,000 contracts).
            with collector_paused(keep=True):
                summary = summarize_stream(head, contracts())
            figures = build_charts(summary)  # drawn by the report view's own render job
            return summary, figures, report_tables(summary)

        def show(result: tuple[Summary, dict[str, Any], ReportTables]) -> None:
            if self.current is not cur:
                return
            summary, figures, tables = result
            cur.summary = summary
            # The summary's rows (one per contract) live as long as the batch is shown: out of the
            # collector's full passes, as the whole parsed report was before.
            settle_memory()
            self.charts_pending = batch_id  # report_shown once every chart has its first image
            self.v.report_view.show_report(report, summary, figures, tables)
            self.v.progress.refresh(cur)

        def failed(exc: BaseException) -> None:
            if self.current is cur:
                self.v.report_view.clear(f"The report could not be read: {exc}")
            self.job_failed("Report")(exc)

        self.bridge.run(render, show, failed)

    def _on_charts_ready(self) -> None:
        pending, self.charts_pending = self.charts_pending, None
        if pending and self.current is not None and self.current.batch_id == pending:
            self.report_shown.emit(pending)

    def _notify_finished(self, cur: CurrentBatch, report: dict[str, Any]) -> None:
        if not cur.seen_unfinished or cur.batch_id in self.notified:
            return
        self.notified.add(cur.batch_id)
        from core.counts import BatchCounts, attention_words

        # The head's counts are the report's (``core.engine.final_report``); a report without them (hand-made)
        # is counted from the grid's rows, which the report settled.
        stored = report.get("counts")
        c = (BatchCounts.from_mapping(stored) if isinstance(stored, dict)
             else BatchCounts.of(r.outcome for r in self.v.models.source.rows))
        text = f"{cur.label or cur.batch_id}: {c.succeeded:,} of {c.total:,} succeeded"
        if c.needs_attention:
            text += f", {attention_words(c.needs_attention)}"
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage("Batch finished", text, self.ctx.icon, 8000)
        QApplication.alert(self.v.window)
        self.v.status.showMessage(f"Batch finished: {text}", 15000)
