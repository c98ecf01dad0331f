"""Past batches from the local history store; opening one shows its grid and report again."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.engine.rows import BATCH_STATE_LABELS
from core.local.history import HistoryEntry, HistoryStore
from core.reporting.wording import format_when
from gui.models import SimpleTableModel

HEADERS = ("Label", "Started", "Broker", "Contracts", "Succeeded", "Need attention", "State", "Batch id")


def history_row(e: HistoryEntry) -> tuple[str, ...]:
    c = e.batch_counts  # the same counts as the grid and the report (core.counts)
    return (
        e.label or "(no label)",
        format_when(datetime.fromtimestamp(e.created_ts, UTC)),
        e.broker,
        f"{c.total:,}",
        f"{c.succeeded:,}",
        f"{c.needs_attention:,}",
        BATCH_STATE_LABELS.get(e.state, e.state),
        e.batch_id,
    )


class HistoryDialog(QDialog):
    open_batch = Signal(str)

    def __init__(self, history: HistoryStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.setWindowTitle("Batch history")
        self.setAccessibleName("Batch history")
        self.resize(860, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Stored in {history.path}"))
        self.model = SimpleTableModel(HEADERS, parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("Past batches")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setColumnWidth(0, 200)
        self.view.setColumnWidth(1, 190)
        self.view.doubleClicked.connect(self._open_index)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Close
        )
        buttons.accepted.connect(self._open_selected)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.entries: list[HistoryEntry] = []
        self.refresh()

    def refresh(self) -> None:
        self.entries = self.history.list()
        self.model.set_rows([history_row(e) for e in self.entries])

    def _open_index(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.entries):
            self.open_batch.emit(self.entries[index.row()].batch_id)
            self.accept()

    def _open_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows:
            self._open_index(rows[0])
