"""The contracts panel: a drop target for files and folders, Add Files / Add Folder, and the load results.

Loading (reading and checking every file) runs on a background thread through the bridge; each file's
result appears as soon as it is known, rejected files with their reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.contracts.contract import Contract, LoadItem, LoadRejection, count_contracts
from gui.models import SimpleTableModel


def _status(item: LoadItem) -> str:
    return "ready" if isinstance(item, Contract) else f"rejected: {item.reason}"


def list_rows(items: Sequence[LoadItem]) -> list[tuple[str, str]]:
    """The list's row of each item: made by the loading job, off the GUI thread (for a folder of
    100,000 files this was 30-60 ms of the window's time)."""
    return [(i.name, _status(i)) for i in items]


class DropZone(QWidget):
    """Emits ``paths_dropped`` with local paths; ``set_items`` shows what loading them gave."""

    paths_dropped = Signal(object)  # list[str]
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setAccessibleName("Contracts drop zone")
        self.items: list[LoadItem] = []
        # Kept as items come, so that adding a folder of 100,000 files does not walk every item again
        # on the GUI thread for the list's rows and the counts.
        self._rows: list[tuple[str, str]] = []
        self.ready = 0  # how many items are contracts (the rest are load rejections)
        layout = QVBoxLayout(self)
        self.hint = QLabel("Drop contract files or folders here")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setMinimumHeight(44)
        self.hint.setStyleSheet(
            "QLabel { border: 2px dashed palette(mid); border-radius: 6px; padding: 6px; }"
        )
        layout.addWidget(self.hint)
        buttons = QHBoxLayout()
        self.add_files_button = QPushButton("Add Fi&les…")
        self.add_folder_button = QPushButton("Add F&older…")
        self.remove_button = QPushButton("&Remove")
        self.clear_button = QPushButton("Clear")
        for b, name in (
            (self.add_files_button, "Add contract files"),
            (self.add_folder_button, "Add a folder of contracts"),
            (self.remove_button, "Remove the selected contracts"),
            (self.clear_button, "Clear the contract list"),
        ):
            b.setAccessibleName(name)
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.model = SimpleTableModel(["File", "Load result"], parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("Loaded contracts")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setColumnWidth(0, 160)
        self.view.setWordWrap(False)
        layout.addWidget(self.view, 1)
        self.counts = QLabel()
        self.counts.setAccessibleName("Contract counts")
        layout.addWidget(self.counts)
        self.add_files_button.clicked.connect(self.add_files)
        self.add_folder_button.clicked.connect(self.add_folder)
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button.clicked.connect(self.clear)
        self._refresh()

    # -- contents ------------------------------------------------------------------------------------

    @property
    def contracts(self) -> list[Contract]:
        return [i for i in self.items if isinstance(i, Contract)]

    @property
    def rejections(self) -> list[LoadRejection]:
        return [i for i in self.items if isinstance(i, LoadRejection)]

    def add_items(self, items: Sequence[LoadItem], rows: Sequence[tuple[str, str]] | None = None) -> None:
        """Add what loading gave; ``rows``: ``list_rows(items)``, when the loading job made them."""
        rows = list_rows(items) if rows is None else rows
        if self.items:
            # The same file dropped twice is one contract: keep the first copy (by source and entry name).
            seen = {(i.source, i.name) for i in self.items}
            keep = [(i.source, i.name) not in seen or not i.source for i in items]
            items, rows = list(compress(items, keep)), list(compress(rows, keep))
        self._take(items, rows)
        self._refresh()

    def clear(self) -> list[list[Any]]:
        """Empty the list; returns the lists it held (its items and their rows), which the caller may
        free off the GUI thread."""
        held: list[list[Any]] = [self.items, self._rows]
        self._set_items([])
        return held

    def remove_selected(self) -> None:
        rows = {i.row() for i in self.view.selectionModel().selectedRows()}
        if rows:
            self._set_items([item for k, item in enumerate(self.items) if k not in rows])

    def _set_items(self, items: list[LoadItem]) -> None:
        self.items, self._rows, self.ready = [], [], 0
        self._take(items, list_rows(items))
        self._refresh()

    def _take(self, fresh: Sequence[LoadItem], rows: Sequence[tuple[str, str]]) -> None:
        self.items.extend(fresh)
        self._rows.extend(rows)
        self.ready += count_contracts(fresh)

    def _refresh(self) -> None:
        self.model.set_rows(self._rows)
        ok, bad = self.ready, len(self.items) - self.ready
        self.counts.setText(f"{ok + bad:,} files: {ok:,} ready, {bad:,} rejected")
        self.changed.emit()

    # -- dialogs -------------------------------------------------------------------------------------

    def add_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Add contracts")
        if files:
            self.paths_dropped.emit(files)

    def add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of contracts")
        if folder:
            self.paths_dropped.emit([folder])

    # -- drag and drop -------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths: list[str] = []
        bad: list[LoadItem] = []
        for url in event.mimeData().urls():
            if url.isLocalFile():
                paths.append(url.toLocalFile())
            else:
                # A web link or other non-file drop: a rejected row, not an error dialog.
                bad.append(LoadRejection(url.toString() or "(empty)", "not a local file", ""))
        if bad:
            self.add_items(bad)
        if paths:
            self.paths_dropped.emit(paths)
        event.acceptProposedAction()

    def selected_rows(self) -> list[int]:
        return sorted(i.row() for i in self.view.selectionModel().selectedRows())

    def index_of(self, row: int) -> QModelIndex:
        return self.model.index(row, 0)
