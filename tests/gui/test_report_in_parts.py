"""The window with a final report stored in parts: it never holds the whole report. The poller hands over
the head, the Report tab's summary is read a part at a time, the history keeps a copy in parts, the rows
keep their results packed, and Export writes the same files as the whole report gives, from Redis and,
once Redis has expired the batch, from the history (docs/performance.md, "Scale")."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import redis
from pytestqt.qtbot import QtBot

from core.engine import ledger, report_store
from core.engine.client import BatchClient
from core.reporting.exporter import CSV_NAME, export_report
from gui.contract_detail import describe_row, raw_json
from gui.main_window import MainWindow
from tests.reporting.conftest import small_report
from tests.reporting.test_streamed_report import store_in_parts


def _export(qtbot: QtBot, window: MainWindow, out: Path) -> None:
    window.report_view.status.clear()
    window.export_report(str(out))
    qtbot.waitUntil(lambda: "Exported" in window.report_view.status.text(), timeout=60_000)


def test_a_final_report_in_parts_is_shown_kept_and_exported_a_part_at_a_time(
    qtbot: QtBot, make_window: Callable[..., MainWindow], redis_url: str, tmp_path: Path
) -> None:
    report = small_report(report_store.PART * 2 + 31)
    r = redis.Redis.from_url(redis_url)
    bid = store_in_parts(r, report)  # the batch open, its report already there (as the finalizer stages)
    window = make_window()
    window.bridge.set_client(BatchClient(redis_url), "remote", "test")
    window.batches.open_batch(bid)
    qtbot.waitUntil(lambda: len(window.models.source.rows) == len(report["contracts"]), timeout=20_000)
    r.hset(ledger.batch_key(bid), "state", ledger.STATE_FINAL)
    qtbot.waitUntil(lambda: window.report_view.summary is not None, timeout=60_000)

    cur = window.batches.current
    assert cur is not None and cur.report == report_store.report_views(report)[0]  # the head only
    summary = window.report_view.summary
    assert summary is not None and summary.total == len(report["contracts"])
    assert dict(summary.counts) == {o: n for o, n in report["counts"].items()}
    assert not any(row.result for row in summary.rows)  # the summary keeps no results
    attention = [c for c in report["contracts"] if c["outcome"] != "succeeded"]
    assert window.report_view.failures_model.rowCount() == len(attention)

    # The history: the head in the batch's record, the contracts in compressed parts, all read back.
    assert window.history.report(bid) == report
    with sqlite3.connect(window.history.path) as conn:
        parts = conn.execute("SELECT COUNT(*) FROM report_parts WHERE batch_id = ?", (bid,)).fetchone()[0]
    assert parts == 3

    # The rows: the report's outcomes, the results packed; the detail pane shows one unpacked.
    rows = window.models.source.rows
    assert [row.outcome for row in rows] == [c["outcome"] for c in report["contracts"]]
    k = next(i for i, c in enumerate(report["contracts"]) if c["result"] and i >= report_store.PART * 2)
    assert isinstance(rows[k].result, bytes)
    _html, text = describe_row(rows[k])
    assert "What the contract says" in text and report["contracts"][k]["result"]["title"] in text
    assert json.loads(raw_json(rows[k]))["result"] == report["contracts"][k]["result"]

    # Export from the window: the same CSV as the whole report's, from Redis, then from the history.
    export_report(report, tmp_path / "whole", as_of=summary.as_of)
    expected = (tmp_path / "whole" / CSV_NAME).read_bytes()
    _export(qtbot, window, tmp_path / "from-redis")
    assert (tmp_path / "from-redis" / CSV_NAME).read_bytes() == expected
    r.flushdb()
    r.close()
    _export(qtbot, window, tmp_path / "from-history")
    assert (tmp_path / "from-history" / CSV_NAME).read_bytes() == expected
    assert sorted(p.name for p in (tmp_path / "from-history").iterdir()) == sorted(
        p.name for p in (tmp_path / "whole").iterdir())
