"""The detail pane of one contract, rendered as the pane shows it and read back as a person would."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QTextBrowser
from pytestqt.qtbot import QtBot

from core.engine.rows import TaskRow
from gui.contract_detail import describe_row, raw_json
from tests.reporting.test_fields import RESULT, SENTENCE


def test_a_succeeded_contract_reads_as_a_person_reads_it(qtbot: QtBot) -> None:
    row = TaskRow("supply.pdf", "b-1", "/in/supply.pdf", state="SUCCESS", outcome="succeeded",
                  attempts=1, worker="celery@box", started_at=1_700_000_000.0, runtime_s=0.034,
                  result=RESULT)
    body, text = describe_row(row)
    pane = QTextBrowser()
    qtbot.addWidget(pane)
    pane.setHtml(body)
    shown = pane.toPlainText()
    assert "Succeeded · 1 try · 34 ms · on celery@box" in shown
    assert "€1,883,000" in shown and "Jul 11, 2006" in shown and "60 days" in shown
    for raw in ("null", "{", "[", "snake", "notice_period_days", "risk_flags", "expires_within"):
        assert raw not in shown, raw
    # Lists as lists: each party and each risk on a line of its own.
    assert "Acme Corp.\nGlobex Inc." in shown and "Expired\nRenews automatically\nNo end date" in shown
    # The shared sentence once, with the three fields it supports; whole, not cut mid-sentence.
    assert shown.count(SENTENCE) == 1 and "Title, Parties, Agreement date" in shown
    # Celery's state only among the technical details, after what matters.
    assert shown.index("Celery state") > shown.index("Where it says so")
    assert "SUCCESS" in shown and "(SUCCESS)" not in shown
    assert text.count(SENTENCE) == 1 and "Contract value: €1,883,000" in text
    # The raw result stays one click away.
    assert json.loads(raw_json(row))["result"] == RESULT


def test_a_load_rejection_says_it_was_not_sent(qtbot: QtBot) -> None:
    row = TaskRow("scan.pdf", None, "/in/scan.pdf", state="", outcome="rejected",
                  error="scanned PDF with no text layer")
    body, _text = describe_row(row)
    pane = QTextBrowser()
    qtbot.addWidget(pane)
    pane.setHtml(body)
    shown = pane.toPlainText()
    assert "Rejected · not sent: it could not be read" in shown
    assert "Reason" in shown and "scanned PDF with no text layer" in shown
    assert "Task id\nnot sent" in shown
