"""What the window does with a final report: export it (PDF, CSV, PNGs, HTML) and send it by email, once
(a second send of the same report asks first), recording each send beside the report."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QStatusBar, QWidget

from core.engine.watch import ReportStream
from core.memory import collector_paused
from gui.app_context import CurrentBatch
from gui.bridge import Bridge
from gui.report_view import ReportView
from gui.settings_dialog import TAB_EMAIL, email_configured

SETUP_TO_SEND = ("Email is not set up yet. Fill in your email server and the From and To addresses, then "
                 "press Save: the report is sent as soon as they are saved.")


class ReportActions(QObject):
    send_finished = Signal(bool, str)  # ok, message

    def __init__(self, bridge: Bridge, report_view: ReportView, status: QStatusBar, dialog_parent: QWidget,
                 current: Callable[[], CurrentBatch | None],
                 show_settings: Callable[[int, Callable[[], None], str], Any]) -> None:
        super().__init__(dialog_parent)
        self.bridge, self.view, self.status, self.parent_widget = bridge, report_view, status, dialog_parent
        self.current, self.show_settings = current, show_settings
        # Replaceable in tests: asks the user a yes/no question (a second send of the same report).
        self.confirm: Callable[[str, str], bool] = self._ask

    # -- export --------------------------------------------------------------------------------------

    def export(self, out_dir: str | None = None) -> None:
        cur = self.current()
        if cur is None or cur.report is None:
            return
        if out_dir is None:
            out_dir = QFileDialog.getExistingDirectory(self.parent_widget, "Export the report into")
            if not out_dir:
                return
        bid, bridge, summary = cur.batch_id, self.bridge, cur.summary

        def done(paths: list[Path]) -> None:
            folder = Path(out_dir).resolve()
            names = ", ".join(p.name for p in paths[:2])
            self.view.set_status(
                f"Exported {len(paths)} files to {html.escape(str(folder))} ({html.escape(names)}, …). "
                f"<a href='{folder.as_uri()}'>Open the folder</a>", True, rich=True)
            self.status.showMessage(f"Exported {len(paths)} files to {folder}", 8000)

        def failed(exc: BaseException) -> None:
            self.view.set_status(f"Export failed: {exc}", False)

        self.view.set_status(f"Exporting to {out_dir}…")
        def export() -> list[Path]:
            from core.reporting.exporter import export_stream

            head, contracts = self._report(bridge, bid)
            # The summary on screen is reused: a second one of 100,000 rows added about 100 MB.
            with collector_paused(keep=False):
                return export_stream(head, contracts, out_dir, summary=summary)

        self.bridge.run(export, done, failed)

    def _report(self, bridge: Bridge, batch_id: str) -> ReportStream:
        """The report a part at a time (Redis while it has it, else the history's copy): a window that
        held the whole report to export it peaked over a gigabyte at 100,000 contracts."""
        from core.engine.watch import open_report

        stream = open_report(bridge.client, bridge.history, batch_id)
        if stream is None:
            raise LookupError(f"the report of batch {batch_id} is neither in the broker nor in the history")
        return stream

    # -- send ----------------------------------------------------------------------------------------

    def _send_log(self, batch_id: str) -> Any:
        from core.mail.sends import send_log_for

        client = self.bridge.client
        if client is not None and client.batch(batch_id) is not None:
            return send_log_for(batch_id, redis=client.redis, ttl_s=client.settings.result_expires)
        return send_log_for(batch_id)

    def send(self) -> None:
        cur = self.current()
        if cur is None or cur.report is None:
            return
        if not email_configured():
            # First time: set up email, then send (and say so: the dialog alone did not explain itself).
            self.show_settings(TAB_EMAIL, self._send_if_configured, SETUP_TO_SEND)
            return
        bid = cur.batch_id

        def previous() -> list[Any]:
            return list(self._send_log(bid).records())

        def decide(records: list[Any]) -> None:
            if records:
                from core.mail.service import already_sent_message

                question = already_sent_message(records).split(";")[0] + ". Send it again?"
                if not self.confirm("Send the report again?", question):
                    self.view.set_status("Not sent again.")
                    return
            self._do_send(cur, resend=bool(records))

        self.bridge.run(previous, decide, self._send_failed)

    def _send_if_configured(self) -> None:
        if email_configured():
            self.send()

    def _do_send(self, cur: CurrentBatch, resend: bool) -> None:
        from core.mail.service import send_report
        from core.mail.settings import resolve_settings

        bid = cur.batch_id
        self.view.send_button.setEnabled(False)
        self.view.set_status("Sending…")

        bridge, summary = self.bridge, cur.summary

        def send() -> Any:
            from core.reporting.exporter import bundle_stream

            head, contracts = self._report(bridge, bid)
            with collector_paused(keep=False):
                return send_report(head, settings=resolve_settings(), send_log=self._send_log(bid),
                                   resend=resend, bundle=bundle_stream(head, contracts, summary=summary))

        def done(record: Any) -> None:
            self.view.send_button.setEnabled(True)
            message = f"Sent to {', '.join(record.to)} at {record.sent_at}"
            self.view.set_status(message, True)
            self.status.showMessage(message, 8000)
            self.send_finished.emit(True, message)

        self.bridge.run(send, done, self._send_failed)

    def _send_failed(self, exc: BaseException) -> None:
        from core.mail.errors import MailError

        cur = self.current()
        self.view.send_button.setEnabled(cur is not None and cur.report is not None)
        if not isinstance(exc, MailError | OSError | LookupError):  # LookupError: the report is gone
            raise exc
        message = f"Not sent: {exc}"
        self.view.set_status(message, False)
        self.send_finished.emit(False, message)

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self.parent_widget, title, question)
        return answer == QMessageBox.StandardButton.Yes
