"""The live task grid: a state bar (count per state, click to filter; it wraps rather than truncating),
search, the sorted table, a detail pane for the selected contract (``gui.contract_detail``) and a context
menu (revoke / terminate / retry the selected) whose counts follow the grid while it is open."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any, cast

from PySide6.QtCore import QByteArray, QItemSelectionRange, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.outcome import RETRYABLE_OUTCOMES
from gui.contract_detail import describe_row, raw_json
from gui.flow_layout import flow_container
from gui.models import (
    CATEGORIES,
    COL_ERROR,
    COL_NAME,
    COLUMN_WIDTHS,
    TaskGridModels,
    category_icon,
)

SETTINGS_KEY = "grid/header-v2"  # v2: the Outcome column went (the State column says it)
# Work of the window during which the poller waits (``gui.bridge.Bridge.gui_busy``).
Busy = Callable[[], contextlib.AbstractContextManager[None]]


class GridView(QTableView):
    """The table, painted as busy work: a repaint calls into Python once per cell and role."""

    def __init__(self, busy: Busy) -> None:
        super().__init__()
        self._busy = busy

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        with self._busy():
            super().paintEvent(event)


class TaskGrid(QWidget):
    revoke_requested = Signal(object, bool)  # source rows, terminate
    retry_requested = Signal(object)  # source rows (list[int])

    def __init__(self, models: TaskGridModels, settings: QSettings, parent: QWidget | None = None,
                 busy: Busy = contextlib.nullcontext) -> None:
        super().__init__(parent)
        self.models = models
        self.busy = busy
        self.settings = settings
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        # State bar: one checkable button per state; checked ones filter the grid (none checked = all).
        bar_box, bar = flow_container()
        self.state_buttons: dict[str, QToolButton] = {}
        for cat in CATEGORIES:
            b = QToolButton()
            b.setCheckable(True)
            b.setIcon(category_icon(cat.key))
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setAccessibleName(f"Filter: {cat.label}")
            b.toggled.connect(self._apply_categories)
            self.state_buttons[cat.key] = b
            bar.addWidget(b)
        self.show_all = QPushButton("All")
        self.show_all.setAccessibleName("Show all states")
        self.show_all.clicked.connect(self.clear_filters)
        bar.addWidget(self.show_all)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, worker, error…  (Ctrl+F)")
        self.search.setAccessibleName("Search contracts")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        # Typing stays instant on 10,000 rows: the filter runs once the user pauses.
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        layout.addLayout(search_row)
        layout.addWidget(bar_box)

        self.view = GridView(busy)
        self.view.setAccessibleName("Task grid")
        self.view.setModel(models.view_model)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        # Fixed row height: the view never measures 10,000 rows' contents.
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate(COLUMN_WIDTHS):
            self.view.setColumnWidth(col, width)
        self.view.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # dispatch order until the user sorts
        self.restore_header()
        header.sectionResized.connect(lambda *_: self._save_timer.start())
        header.sectionMoved.connect(lambda *_: self._save_timer.start())
        header.sortIndicatorChanged.connect(lambda *_: self._save_timer.start())
        self._save_timer = QTimer(self, singleShot=True, interval=300)
        self._save_timer.timeout.connect(self.save_header)

        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.update_detail())

        self.detail = QTextBrowser()
        self.detail.setAccessibleName("Contract details")
        self.detail.setOpenLinks(False)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setAccessibleName("Copy the selected contract's details")
        self.copy_button.clicked.connect(self.copy_detail)
        self.copy_json_button = QPushButton("Copy JSON")
        self.copy_json_button.setAccessibleName("Copy the selected contract's raw result as JSON")
        self.copy_json_button.clicked.connect(self.copy_json)
        detail_box = QWidget()
        dl = QVBoxLayout(detail_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.detail, 1)
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_button)
        copy_row.addWidget(self.copy_json_button)
        dl.addLayout(copy_row)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(detail_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([860, 380])
        layout.addWidget(splitter, 1)
        self._detail_text = ""
        self._detail_json = ""
        self._menu_update: Any = None  # refreshes an open context menu's counts as rows change

        self.copy_action = QAction("Copy", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.triggered.connect(self.copy_detail)
        self.view.addAction(self.copy_action)
        self.update_counts()

    # -- state bar -----------------------------------------------------------------------------------

    def update_counts(self) -> None:
        counts = self.models.source.counts
        for cat in CATEGORIES:
            self.state_buttons[cat.key].setText(f"{cat.label} {counts.get(cat.key, 0):,}")
        self.show_all.setText(f"All {len(self.models.source.ledger):,}")

    def _apply_categories(self) -> None:
        chosen = [k for k, b in self.state_buttons.items() if b.isChecked()]
        with self.busy():
            self.models.view_model.set_categories(chosen)

    def _apply_search(self) -> None:
        with self.busy():
            self.models.view_model.set_search(self.search.text())

    def clear_filters(self) -> None:
        for b in self.state_buttons.values():
            b.blockSignals(True)
            b.setChecked(False)
            b.blockSignals(False)
        self._apply_categories()
        self.search.clear()

    # -- selection, details --------------------------------------------------------------------------

    def selected_rows(self) -> list[int]:
        """The selected contracts' source rows, ascending. Read from the selection's ranges of whole rows:
        one index per selected row took seconds with all of 100,000 selected, on every poll."""
        selection = self.view.selectionModel()
        last_column = self.models.view_model.columnCount() - 1
        spans: list[tuple[int, int]] = []
        # A selection iterates over its ranges at run time; the stubs do not say so.
        for span in cast("Iterable[QItemSelectionRange]", selection.selection()):
            if span.left() != 0 or span.right() != last_column:
                # Cells rather than whole rows (set from code): count rows as Qt does, all columns or none.
                rows = {self.models.source_row(i) for i in selection.selectedRows()}
                return sorted(r for r in rows if r >= 0)
            spans.append((span.top(), span.bottom()))
        selected: list[int] = []
        end = -1  # spans may overlap: each row once
        for top, bottom in sorted(spans):
            if bottom > end:
                selected += self.models.view_model.source_rows(max(top, end + 1), bottom)
                end = bottom
        return selected

    def update_detail(self) -> None:
        rows = self.selected_rows()
        if not rows:
            self.detail.setHtml("<i>Select a contract to see its details.</i>")
            self._detail_text = self._detail_json = ""
            return
        row = self.models.source.row_at(rows[0])
        body, self._detail_text = describe_row(row)
        self._detail_json = raw_json(row)
        scrolled = self.detail.verticalScrollBar().value()
        self.detail.setHtml(body)
        self.detail.verticalScrollBar().setValue(scrolled)  # a live update keeps the reader's place

    def copy_detail(self) -> None:
        if self._detail_text:
            QGuiApplication.clipboard().setText(self._detail_text)

    def copy_json(self) -> None:
        if self._detail_json:
            QGuiApplication.clipboard().setText(self._detail_json)

    def rows_changed(self) -> None:
        """The grid's rows changed (a poll): counts, and an open context menu's counts, follow."""
        self.update_counts()
        if self._menu_update is not None:
            self._menu_update()

    def _choices(self) -> tuple[list[int], list[int], list[int]]:
        """(selected, unfinished among them, retryable among them), as the rows are now."""
        rows = self.selected_rows()
        src = self.models.source
        unfinished = [r for r in rows if src.row_at(r).outcome is None and src.row_at(r).task_id]
        retryable = [r for r in rows if src.row_at(r).outcome in RETRYABLE_OUTCOMES and src.row_at(r).source]
        return rows, unfinished, retryable

    def _context_menu(self, pos: QPoint) -> None:
        if not self.selected_rows():
            return
        menu = QMenu(self)
        revoke = menu.addAction("")
        terminate = menu.addAction("")
        retry = menu.addAction("")
        menu.addSeparator()
        copy = menu.addAction("Copy details")

        def refresh() -> None:
            # While the menu is open the batch goes on: its counts are those of this moment, not of the
            # moment it opened (it said "Revoke 5" for five contracts that had succeeded meanwhile).
            _rows, unfinished, retryable = self._choices()
            revoke.setText(f"Revoke {len(unfinished):,} unfinished")
            terminate.setText(f"Terminate {len(unfinished):,} unfinished (stop running ones now)")
            retry.setText(f"Retry {len(retryable):,} failed, timed out, revoked or lost")
            revoke.setEnabled(bool(unfinished))
            terminate.setEnabled(bool(unfinished))
            retry.setEnabled(bool(retryable))

        refresh()
        self._menu_update = refresh
        try:
            chosen = menu.exec(self.view.viewport().mapToGlobal(pos))
        finally:
            self._menu_update = None
        _rows, unfinished, retryable = self._choices()  # act on what they are now
        if chosen is revoke and unfinished:
            self.revoke_requested.emit(unfinished, False)
        elif chosen is terminate and unfinished:
            self.revoke_requested.emit(unfinished, True)
        elif chosen is retry and retryable:
            self.retry_requested.emit(retryable)
        elif chosen is copy:
            self.copy_detail()

    # -- remembered header ---------------------------------------------------------------------------

    def save_header(self) -> None:
        self.settings.setValue(SETTINGS_KEY, self.view.horizontalHeader().saveState())
        self.settings.sync()

    def restore_header(self) -> None:
        state: Any = self.settings.value(SETTINGS_KEY)
        if isinstance(state, QByteArray | bytes) and state:
            self.view.horizontalHeader().restoreState(QByteArray(state))
            header = self.view.horizontalHeader()
            self.models.view_model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def error_column_width(self) -> int:
        return self.view.columnWidth(COL_ERROR)
