"""Every number agrees, everywhere: one batch with every outcome (a file refused at load included) through
the real window on real local mode, then each place a count is shown, compared with the others: the grid's
state bar and "All", the progress bar and its text, History, the report view, the CLI's status, report and
list, the email's subject and body, the PDF and the CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pypdfium2
from pytestqt.qtbot import QtBot

from core import config
from core.local.mode import LocalMode
from core.outcome import ALL_OUTCOMES
from core.reporting.exporter import build_bundle
from core.reporting.wording import outcome_label
from gui.categories import CATEGORIES
from gui.history_view import HEADERS, history_row
from gui.main_window import MainWindow
from gui.models import RUNNING
from tests.engine.conftest import contract_files
from tests.engine.test_cli import cli
from tests.gui.test_end_to_end import BATCH_TIMEOUT_MS, started, wait_final

EXPECTED = {"succeeded": 1, "rejected": 2, "failed": 1, "timed_out": 1, "revoked": 1, "lost": 1}
TOTAL, SUCCEEDED, ATTENTION = 7, 1, 6


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def test_every_surface_shows_the_same_counts(
    qtbot: QtBot, make_window: Callable[..., MainWindow], local_engine: LocalMode, tmp_path: Path
) -> None:
    # Limits that time out "slow30-7" (running from the start) well before a deadline that finds the
    # message of "ok-8" gone (a broker losing it): that one is lost.
    config.save_section("engine", {"soft_time_limit": 6, "time_limit": 6.5, "deadline": 20})
    window = started(qtbot, make_window, local_engine)
    folder = tmp_path / "in"
    contract_files(folder / "a", "slow30-6.txt", "slow30-7.txt")  # first in path order: both processes
    contract_files(folder / "b", "ok-1.txt", "reject-2.txt", "raise-4.txt", "ok-8.txt")
    (folder / "empty-3.txt").write_text("")  # refused while loading: never sent, rejected in every count
    window.load_paths([str(folder)])
    qtbot.waitUntil(lambda: len(window.drop_zone.items) == TOTAL, timeout=20_000)
    window.label_edit.setText("every outcome")
    window.run_batch()
    src = window.models.source
    qtbot.waitUntil(lambda: window.current is not None and len(src.rows) == TOTAL, timeout=30_000)
    assert window.current is not None
    batch_id = window.current.batch_id
    # "Launching…" gives way once the batch is sent (it used to stay for the whole run).
    assert "Launching" not in window.statusBar().currentMessage()

    def row_of(name: str) -> int:
        return next(i for i, r in enumerate(src.rows) if r.name == name)

    qtbot.waitUntil(lambda: all(src.rows[row_of(n)].category == RUNNING for n in ("slow30-6.txt",
                                                                               "slow30-7.txt")),
                    timeout=60_000)
    # Both processes are busy (prefetch 1): the other messages wait in the queue. One of them is lost.
    assert window.bridge.client is not None
    queue = window.bridge.client.redis
    lost_id = src.rows[row_of("ok-8.txt")].task_id
    [message] = [m for m in queue.lrange("contract_batch", 0, -1)
                 if json.loads(m)["headers"]["id"] == lost_id]
    assert queue.lrem("contract_batch", 1, message) == 1
    window.revoke_rows([row_of("slow30-6.txt")], terminate=True)
    report = wait_final(qtbot, window)
    qtbot.waitUntil(lambda: window._charts_pending is None and window.report_view.summary is not None,
                    timeout=BATCH_TIMEOUT_MS)
    assert {o: n for o, n in report["counts"].items() if n} == EXPECTED, report["counts"]
    rows = {c["name"]: c["outcome"] for c in report["contracts"]}
    assert (rows["slow30-6.txt"], rows["slow30-7.txt"], rows["ok-8.txt"]) == ("revoked", "timed_out", "lost")

    # The grid: each state button, and "All".
    shown = {c.key: _number(window.grid.state_buttons[c.key].text()) for c in CATEGORIES}
    assert {k: n for k, n in shown.items() if n} == EXPECTED
    assert _number(window.grid.show_all.text()) == TOTAL
    # The progress bar counts every contract of the batch, and says how many need attention.
    assert window.progress_bar.value() == window.progress_bar.maximum() == TOTAL
    assert window.progress_bar.format() == f"{TOTAL} of {TOTAL} done"
    assert f"{ATTENTION} need attention" in window.progress_text.text()
    assert "failed" not in window.progress_text.text()  # "failed" is one outcome, not six

    # History.
    entry = window.history.get(batch_id)
    assert entry is not None
    row = dict(zip(HEADERS, history_row(entry), strict=True))
    assert (row["Contracts"], row["Succeeded"], row["Need attention"]) == (str(TOTAL), str(SUCCEEDED),
                                                                         str(ATTENTION))

    # The report view: the lead, the list of contracts that need attention, the key figures.
    view = window.report_view
    assert f"{SUCCEEDED} of {TOTAL} contracts succeeded; {ATTENTION} need attention." in view.lead.text()
    assert view.failures_model.rowCount() == ATTENTION
    assert view.failures_label.text() == f"<b>Need attention: {ATTENTION}</b>"
    grid = view.figures_grid
    figures = {grid.itemAtPosition(r, c).widget().text(): grid.itemAtPosition(r + 1, c).widget().text()
               for r in range(0, grid.rowCount(), 2) for c in range(grid.columnCount())
               if grid.itemAtPosition(r, c) is not None}
    assert figures["Contracts"] == f"<b>{TOTAL}</b>" and figures["Need attention"] == f"<b>{ATTENTION}</b>"
    for outcome, n in EXPECTED.items():
        assert figures[outcome_label(outcome)] == f"<b>{n}</b>", outcome

    # The command line, on the same broker.
    env = {"CONTRACT_BATCH_BROKER": local_engine.url}
    status = cli("status", batch_id, env=env, timeout=120)
    assert status.returncode == 0, status.stderr
    assert (f"{TOTAL} of {TOTAL} done, {SUCCEEDED} succeeded, {ATTENTION} need attention"
            in status.stdout.splitlines()[0])
    text = cli("report", batch_id, env=env, timeout=120)
    assert f"{SUCCEEDED} of {TOTAL} contracts succeeded; {ATTENTION} need attention." in text.stdout
    assert f"Need attention: {ATTENTION}" in text.stdout
    listed = cli("list", "--json", env=env, timeout=120)
    [mine] = [r for r in json.loads(listed.stdout) if r["batch_id"] == batch_id]
    assert mine["counts"]["total"] == TOTAL and mine["counts"]["need_attention"] == ATTENTION
    assert {o: n for o, n in mine["counts"]["outcomes"].items() if n} == EXPECTED

    # The email, the PDF and the CSV, built from the same report.
    bundle = build_bundle(report)
    assert bundle.summary.batch_counts.total == TOTAL
    from core.reporting.wording import subject_line

    assert f"{SUCCEEDED} of {TOTAL} succeeded, {ATTENTION} need attention" in subject_line(bundle.summary)
    assert f"Need attention: {ATTENTION}" in bundle.text()
    pdf = pypdfium2.PdfDocument(io.BytesIO(bundle.pdf))
    try:
        first = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert f"Need attention: {ATTENTION}" in first
    rows = list(csv.DictReader(io.StringIO(bundle.csv.decode("utf-8-sig"))))
    assert len(rows) == TOTAL
    for outcome in ALL_OUTCOMES:
        assert sum(r["Outcome"] == outcome_label(outcome) for r in rows) == EXPECTED.get(outcome, 0)
