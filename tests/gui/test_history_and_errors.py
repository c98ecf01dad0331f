"""The history store, reopening a batch Redis no longer has, and exceptions in slots (logged and shown)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from core.engine.client import BatchClient
from core.local.history import HistoryStore
from core.reporting.sample import synthetic_report
from gui.history_view import HistoryDialog
from gui.main_window import MainWindow


def test_history_store_round_trip(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.record_start(
        batch_id="a1",
        label="first",
        created_at="2026-11-23T10:00:00+00:00",
        created_ts=1.0,
        broker="local",
        total=3,
    )
    store.record_start(
        batch_id="b2",
        label="second",
        created_at="2026-11-23T11:00:00+00:00",
        created_ts=2.0,
        broker="redis://h:6379/0",
        total=5,
    )
    assert [e.batch_id for e in store.list()] == ["b2", "a1"]
    assert [e.batch_id for e in store.unfinished("local")] == ["a1"]
    assert store.update("a1", state="final", counts={"succeeded": 3}, report={"batch_id": "a1"})
    assert not store.update("missing", state="final")
    entry = store.get("a1")
    assert entry is not None and entry.finished and entry.has_report and entry.counts == {"succeeded": 3}
    assert store.report("a1") == {"batch_id": "a1"}
    assert store.unfinished("local") == []
    # A second store on the same file (another app instance, the CLI) sees the same rows.
    assert HistoryStore(tmp_path / "h.sqlite3").get("b2") is not None


def test_reopen_a_batch_that_redis_has_expired(
    qtbot: QtBot, make_window: Callable[..., MainWindow], redis_url: str
) -> None:
    window = make_window()
    report = synthetic_report(40, seed=3, failure_rate=0.25, label="last quarter")
    bid = report["batch_id"]
    window.history.record_start(
        batch_id=bid,
        label="last quarter",
        created_at=report["created_at"],
        created_ts=1.7e9,
        broker="test",
        total=40,
        state="final",
    )
    window.history.update(bid, state="final", report=report)
    window.bridge.set_client(BatchClient(redis_url), "remote", "test")
    dialog = window.show_history()
    assert isinstance(dialog, HistoryDialog)
    assert dialog.model.rowCount() == 1 and dialog.model.rows[0][-1] == bid
    dialog.view.selectRow(0)
    dialog._open_selected()
    qtbot.waitUntil(lambda: len(window.models.source.rows) == 40, timeout=20_000)
    qtbot.waitUntil(lambda: window.report_view.summary is not None, timeout=60_000)
    assert window.report_view.summary is not None and window.report_view.summary.total == 40
    assert window.act_export.isEnabled()
    assert bid not in window.notified  # a reopened batch never notifies


@pytest.mark.qt_no_exception_capture  # the app's own hook is under test, not pytest-qt's
def test_an_exception_in_a_slot_is_logged_and_shown(
    qtbot: QtBot, make_window: Callable[..., MainWindow], caplog: pytest.LogCaptureFixture
) -> None:
    window = make_window()
    before = window.ctx.errors.count

    def broken() -> None:
        raise RuntimeError("a bug in a slot")

    QTimer.singleShot(0, broken)
    qtbot.waitUntil(lambda: window.ctx.errors.count > before, timeout=10_000)
    qtbot.waitUntil(window.banner.isVisible, timeout=10_000)
    assert "RuntimeError: a bug in a slot" in window.banner.label.text()
    assert "Traceback" in window.banner.toolTip()
    assert "a bug in a slot" in caplog.text
    # And a failing background job without its own error handler ends up there too.
    window.bridge.run(lambda: 1 / 0)
    qtbot.waitUntil(lambda: "ZeroDivisionError" in window.banner.label.text(), timeout=10_000)
    assert window.isVisible()
