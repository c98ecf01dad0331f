"""Whole batches through the real window, against real local mode (private Redis, prefork worker):
final states in the grid, the report view's charts, Send to a real SMTP server, cancel and retry,
reattach after closing the window mid-batch."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from core import config
from core.local.mode import LocalMode
from core.mail import secrets
from core.reporting.charts import CHARTS
from gui.main_window import MainWindow
from gui.models import RUNNING
from gui.settings_dialog import SettingsDialog
from tests.engine.conftest import contract_files
from tests.mail.conftest import SMTP_PASSWORD, SMTP_USER, SmtpServer
from tests.mail.memory_keyring import MemoryKeyring

BATCH_TIMEOUT_MS = 120_000


def started(qtbot: QtBot, make_window: Callable[..., MainWindow], local: LocalMode) -> MainWindow:
    window = make_window(local=local, start=True)
    qtbot.waitUntil(lambda: window.bridge.client is not None, timeout=60_000)
    return window


def run(qtbot: QtBot, window: MainWindow, paths: list[Path], label: str) -> str:
    window.load_paths([str(p) for p in paths])
    qtbot.waitUntil(lambda: len(window.drop_zone.items) == len(paths), timeout=20_000)
    window.label_edit.setText(label)
    held: list[list[Any]] = []
    clear = window.drop_zone.clear

    def keep_what_clear_held() -> list[list[Any]]:
        held.extend(clear())
        return held[-2:]

    window.drop_zone.clear = keep_what_clear_held  # type: ignore[method-assign]
    try:
        window.run_batch()
    finally:
        del window.drop_zone.clear
    assert window.drop_zone.items == [] and window.drop_zone.model.rowCount() == 0
    qtbot.waitUntil(lambda: window.current is not None and window.models.source.rows != [], timeout=30_000)
    assert window.current is not None
    # The launch job let go of what the list held (its items and rows), not the GUI thread at Run.
    assert len(held) == 2 and held == [[], []]
    return window.current.batch_id


def outcomes(window: MainWindow) -> dict[str, str | None]:
    return {r.name: r.outcome for r in window.models.source.rows}


def wait_final(qtbot: QtBot, window: MainWindow) -> dict[str, Any]:
    qtbot.waitUntil(
        lambda: window.current is not None and window.current.report is not None, timeout=BATCH_TIMEOUT_MS
    )
    assert window.current is not None and window.current.report is not None
    # The window holds the report's head; the whole report is what its history kept (the poller writes it
    # there before the window hears the batch is final).
    report = window.history.report(window.current.batch_id)
    assert report is not None
    assert {k: v for k, v in report.items() if k != "contracts"} == window.current.report
    return report


def test_batch_end_to_end_with_report_and_send(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    local_engine: LocalMode,
    tmp_path: Path,
    starttls_server: SmtpServer,
    ca_file: str,
    memory_keyring: MemoryKeyring,
) -> None:
    window = started(qtbot, make_window, local_engine)
    files = contract_files(tmp_path / "in", "ok-1.txt", "ok-2.txt", "reject-3.txt", "raise-4.txt")
    empty = tmp_path / "in" / "empty-5.txt"
    empty.write_text("")
    batch_id = run(qtbot, window, [*files, empty], "end to end")
    view = window.report_view
    # A condition, not waitSignal: the report may already be on screen by the time we get here.
    qtbot.waitUntil(
        lambda: len(view.charts) == len(CHARTS) and window._charts_pending is None, timeout=BATCH_TIMEOUT_MS
    )
    assert outcomes(window) == {
        "ok-1.txt": "succeeded",
        "ok-2.txt": "succeeded",
        "reject-3.txt": "rejected",
        "raise-4.txt": "failed",
        "empty-5.txt": "rejected",
    }
    assert window.grid.state_buttons["succeeded"].text() == "Succeeded 2"
    # Every contract of the batch, the file refused at load included (tests/gui/test_counts_agree.py
    # compares every surface).
    assert window.progress_bar.value() == window.progress_bar.maximum() == 5
    assert "3 need attention" in window.progress_text.text()
    # The report view: key figures, every chart drawn (an image), the contracts that need attention.
    assert set(view.charts) == {c.name for c in CHARTS}
    assert all(c.image is not None for c in view.charts.values())
    assert view.failures_model.rowCount() == 3
    assert "2 of 5 contracts succeeded" in view.lead.text()
    entry = window.history.get(batch_id)
    assert entry is not None and entry.state == "final" and entry.counts["succeeded"] == 2
    assert entry.has_report
    qtbot.waitUntil(lambda: "worker" in window.health_label.text(), timeout=20_000)
    assert "Redis OK" in window.health_label.text()
    assert window.notified == {batch_id}  # one "batch finished" notification for this batch

    # Send: no email settings yet, so the first click opens them on the Email tab; saving sends.
    window.send_report()
    dialog: SettingsDialog = window.settings_dialog
    assert dialog.isVisible() and dialog.tabs.currentIndex() == 2
    assert dialog.reason and "not set up" in dialog.reason  # it says why it opened
    dialog.host.setText("127.0.0.1")
    dialog.security.setCurrentText("starttls")
    dialog.port.setValue(starttls_server.port)
    dialog.user.setText(SMTP_USER)
    dialog.password.setText(SMTP_PASSWORD)
    dialog.sender.setText("reports@example.com")
    dialog.recipients.setText("boss@example.com")
    dialog.ca_file.setText(ca_file)
    with qtbot.waitSignal(window.send_finished, timeout=60_000) as sent:
        dialog.save()
    assert sent.args[0] is True, sent.args
    assert len(starttls_server.handler.received) == 1
    assert "boss@example.com" in view.status.text()
    stored = json.loads(config.config_path().read_text())
    assert "password" not in json.dumps(stored).lower().replace("password_in_keyring", "")
    assert secrets.get_password(SMTP_USER, "127.0.0.1") == SMTP_PASSWORD

    # A second click asks first; "no" sends nothing, "yes" sends again.
    asked: list[str] = []
    window.confirm = lambda _title, question: asked.append(question) is None and False
    window.send_report()
    qtbot.waitUntil(lambda: "Not sent again" in view.status.text(), timeout=20_000)
    assert asked and "already sent" in asked[0]
    assert len(starttls_server.handler.received) == 1
    window.confirm = lambda _title, _question: True
    with qtbot.waitSignal(window.send_finished, timeout=60_000) as sent:
        window.send_report()
    assert sent.args[0] is True
    assert len(starttls_server.handler.received) == 2

    # Export writes the same files as the CLI.
    out = tmp_path / "export"
    window.export_report(str(out))
    qtbot.waitUntil(lambda: "Exported" in view.status.text(), timeout=60_000)
    assert "Open the folder" in view.status.text()  # it says where, and offers to open it
    assert (out / "report.pdf").is_file() and (out / "contracts.csv").is_file()
    assert len(list(out.glob("chart-*.png"))) == len(CHARTS)


def test_cancel_then_retry_as_a_new_batch(
    qtbot: QtBot, make_window: Callable[..., MainWindow], local_engine: LocalMode, tmp_path: Path
) -> None:
    window = started(qtbot, make_window, local_engine)
    names = [f"slow3-{i}.txt" for i in range(6)]
    first = run(qtbot, window, contract_files(tmp_path / "in", *names), "to cancel")
    qtbot.waitUntil(lambda: window.models.source.counts[RUNNING] >= 1, timeout=60_000)
    assert window.act_cancel.isEnabled()
    assert not window.act_retry.isEnabled()  # nothing to retry while it runs
    # Cancel asks first, saying how many contracts it would revoke; "no" leaves the batch running.
    asked: list[str] = []
    window.confirm = lambda _title, question: asked.append(question) is None and False
    window.act_cancel.trigger()
    assert asked and "of 6 contracts are not finished" in asked[0]
    assert window.current is not None and window.current.report is None
    assert "Not cancelled" in window.statusBar().currentMessage()
    window.confirm = lambda _title, _question: True
    window.act_cancel.trigger()
    report = wait_final(qtbot, window)
    assert report["counts"]["revoked"] >= 4, report["counts"]
    assert all(o in ("revoked", "succeeded") for o in outcomes(window).values())
    retried = {n for n, o in outcomes(window).items() if o == "revoked"}

    # Retry: the revoked contracts, read again from their files, as a new batch.
    assert window.act_retry.isEnabled()
    window.act_retry.trigger()
    qtbot.waitUntil(
        lambda: (
            window.current is not None
            and window.current.batch_id != first
            and len(window.models.source.rows) > 0
        ),
        timeout=30_000,
    )
    assert set(outcomes(window)) == retried
    second = window.current
    assert second is not None and second.label == "to cancel (retry)"
    # Revoke the selected (all) from the context menu's action, so the workers are free afterwards.
    window.grid.view.selectAll()
    window.revoke_rows(window.grid.selected_rows(), terminate=True)
    report = wait_final(qtbot, window)
    assert report["counts"]["revoked"] + report["counts"]["succeeded"] == len(retried)


def test_reattach_after_closing_the_window_mid_batch(
    qtbot: QtBot, make_window: Callable[..., MainWindow], local_engine: LocalMode, tmp_path: Path
) -> None:
    window = started(qtbot, make_window, local_engine)
    names = [f"slow1-{i}.txt" for i in range(8)]
    batch_id = run(qtbot, window, contract_files(tmp_path / "in", *names), "reattach")
    qtbot.waitUntil(lambda: window.models.source.counts["succeeded"] >= 1, timeout=60_000)
    assert window.current is not None and window.current.report is None
    window.close()
    window.bridge.shutdown()

    again = started(qtbot, make_window, local_engine)
    qtbot.waitUntil(lambda: again.current is not None, timeout=30_000)
    assert again.current is not None and again.current.batch_id == batch_id
    # It says so, in the window: the batch went on while the app was closed.
    assert again.banner.isVisible() and "Reattached to batch “reattach”" in again.banner.label.text()
    report = wait_final(qtbot, again)
    assert report["counts"]["succeeded"] == len(names)
    assert outcomes(again) == dict.fromkeys(names, "succeeded")
    entry = again.history.get(batch_id)
    assert entry is not None and entry.state == "final"


def test_settings_persist_with_passwords_only_in_the_keyring(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    memory_keyring: MemoryKeyring,
    ca_file: str,
) -> None:
    window = make_window()
    dialog = window.show_settings()
    dialog.remote_radio.setChecked(True)
    dialog.broker_url.setText("redis://cbm@127.0.0.1:1/0")
    dialog.broker_password.setText("redis-secret")
    dialog.local_workers.setValue(3)
    dialog.soft_limit.setValue(30)
    dialog.hard_limit.setValue(40)
    dialog.deadline.setValue(600)
    dialog.host.setText("smtp.example.com")
    dialog.security.setCurrentText("ssl")
    dialog.user.setText("me@example.com")
    dialog.password.setText("smtp-secret")
    dialog.sender.setText("me@example.com")
    dialog.recipients.setText("a@example.com, b@example.com")
    dialog.ca_file.setText(ca_file)
    dialog.save()
    assert not dialog.isVisible(), dialog.error.text()

    text = config.config_path().read_text()
    assert "redis-secret" not in text and "smtp-secret" not in text
    stored = json.loads(text)
    assert stored["broker"] == {"url": "redis://cbm@127.0.0.1:1/0", "password_in_keyring": True}
    assert stored["engine"]["local_workers"] == 3 and stored["engine"]["deadline"] == 600
    assert stored["email"]["port"] == 465 and stored["email"]["to"] == ["a@example.com", "b@example.com"]
    assert "redis-secret" in memory_keyring.entries.values()
    assert "smtp-secret" in memory_keyring.entries.values()

    reopened = window.show_settings()
    assert reopened.remote_radio.isChecked()
    assert reopened.broker_url.text() == "redis://cbm@127.0.0.1:1/0"
    assert reopened.broker_password.text() == ""  # never read back into the window
    assert reopened.host.text() == "smtp.example.com" and reopened.port.value() == 465
    assert reopened.soft_limit.value() == 30
    reopened.reject()

    # The new broker is unreachable: a non-blocking banner with Retry, the window keeps working.
    qtbot.waitUntil(window.banner.isVisible, timeout=30_000)
    assert "127.0.0.1:1" in window.banner.label.text()
    assert "redis-secret" not in window.banner.label.text()
    assert window.banner.action.text() == "Retry"
