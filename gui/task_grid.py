"""The live task grid: a state bar (count per state, click to filter), search, the sorted table, a detail
pane for the selected contract and a context menu (revoke / terminate / retry the selected)."""

from __future__ import annotations

import html
import json
import time
from typing import Any

from PySide6.QtCore import QByteArray, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
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

from gui.models import (
    CATEGORIES,
    CATEGORY_BY_KEY,
    COL_ERROR,
    COL_NAME,
    TaskGridModels,
    TaskRow,
    category_icon,
)

SETTINGS_KEY = "grid/header"


def describe_row(row: TaskRow) -> tuple[str, str]:
    """The detail pane's (HTML, plain text) for one contract: state, full error, fields with evidence."""
    cat = CATEGORY_BY_KEY[row.category]
    facts: list[tuple[str, str]] = [
        ("Contract", row.name),
        ("State", cat.label + (f" ({row.state})" if row.state else "")),
        ("Outcome", (row.outcome or "not finished").replace("_", " ")),
        ("Attempts", str(row.attempts)),
        ("Worker", row.worker or "-"),
        (
            "Started",
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row.started_at)) if row.started_at else "-",
        ),
        ("Runtime", f"{row.runtime_s:.2f} s" if row.runtime_s is not None else "-"),
        ("Task id", row.task_id or "not dispatched"),
        ("Source", row.source or "-"),
    ]
    text = [f"{k}: {v}" for k, v in facts]
    parts = ["<table cellspacing='4'>"]
    parts += [f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts]
    parts.append("</table>")
    if row.error:
        parts.append(f"<h4>Error</h4><pre style='white-space:pre-wrap'>{html.escape(row.error)}</pre>")
        text += ["", "Error:", row.error]
    result = row.result if isinstance(row.result, dict) else None
    if result:
        evidence = result.get("evidence") if isinstance(result.get("evidence"), dict) else {}
        parts.append("<h4>Extracted fields</h4><table cellspacing='4' border='0'>")
        text += ["", "Extracted fields:"]
        for key, value in result.items():
            if key == "evidence":
                continue
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            parts.append(f"<tr><th align='left' valign='top'>{html.escape(key)}</th><td>{html.escape(shown)}")
            text.append(f"{key}: {shown}")
            quote = evidence.get(key)
            if quote:
                parts.append(f"<br><i style='color:gray'>“{html.escape(str(quote))}”</i>")
                text.append(f"    evidence: {quote}")
            parts.append("</td></tr>")
        parts.append("</table>")
    return "".join(parts), "\n".join(text)


class TaskGrid(QWidget):
    revoke_requested = Signal(object, bool)  # source rows, terminate
    retry_requested = Signal(object)  # source rows (list[int])

    def __init__(self, models: TaskGridModels, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.models = models
        self.settings = settings
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        # State bar: one checkable button per state; checked ones filter the grid (none checked = all).
        bar = QHBoxLayout()
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
        bar.addStretch(1)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, worker, error…  (Ctrl+F)")
        self.search.setAccessibleName("Search contracts")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        # Typing stays instant on 10,000 rows: the filter runs once the user pauses.
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(lambda: models.view_model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        layout.addLayout(search_row)
        layout.addLayout(bar)

        self.view = QTableView()
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
        for col, width in enumerate((230, 125, 85, 65, 70, 70, 120, 300)):
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
        detail_box = QWidget()
        dl = QVBoxLayout(detail_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.detail, 1)
        dl.addWidget(self.copy_button)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(detail_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 420])
        layout.addWidget(splitter, 1)
        self._detail_text = ""

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
        self.show_all.setText(f"All {len(self.models.source.rows):,}")

    def _apply_categories(self) -> None:
        chosen = [k for k, b in self.state_buttons.items() if b.isChecked()]
        self.models.view_model.set_categories(chosen)

    def clear_filters(self) -> None:
        for b in self.state_buttons.values():
            b.blockSignals(True)
            b.setChecked(False)
            b.blockSignals(False)
        self._apply_categories()
        self.search.clear()

    # -- selection, details --------------------------------------------------------------------------

    def selected_rows(self) -> list[int]:
        rows = {self.models.source_row(i) for i in self.view.selectionModel().selectedRows()}
        return sorted(r for r in rows if r >= 0)

    def update_detail(self) -> None:
        rows = self.selected_rows()
        if not rows:
            self.detail.setHtml("<i>Select a contract to see its details.</i>")
            self._detail_text = ""
            return
        row = self.models.source.row_at(rows[0])
        body, self._detail_text = describe_row(row)
        self.detail.setHtml(body)

    def copy_detail(self) -> None:
        if self._detail_text:
            QGuiApplication.clipboard().setText(self._detail_text)

    def _context_menu(self, pos: QPoint) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        menu = QMenu(self)
        n = len(rows)
        unfinished = [r for r in rows if self.models.source.row_at(r).outcome is None]
        revoke = menu.addAction(f"Revoke {len(unfinished)} unfinished")
        terminate = menu.addAction(f"Terminate {len(unfinished)} unfinished (kill running)")
        retry = menu.addAction(f"Retry {n} selected")
        menu.addSeparator()
        copy = menu.addAction("Copy details")
        revoke.setEnabled(bool(unfinished))
        terminate.setEnabled(bool(unfinished))
        chosen = menu.exec(self.view.viewport().mapToGlobal(pos))
        if chosen is revoke:
            self.revoke_requested.emit(unfinished, False)
        elif chosen is terminate:
            self.revoke_requested.emit(unfinished, True)
        elif chosen is retry:
            self.retry_requested.emit(rows)
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
