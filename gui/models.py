"""The task grid's Qt models: one row per contract, updated in place from the poller's changed rows.

Measured on 10,000 rows, a QSortFilterProxyModel that sorts calls ``data()`` in Python about 2 n log n
times (about a second per sort, and again whenever many rows change). So the proxies only filter (one
``data()`` call per row, by regular expression or fixed string on one role), and sorting happens in the
source model: ``sorted()`` with a key over the rows (a few milliseconds), published as one layout change.
The view still talks to a QSortFilterProxyModel, whose ``sort()`` forwards to the source model.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from core.engine.rows import (  # noqa: F401 - the grid's row types, re-exported for the widgets
    QUEUED,
    RETRYING,
    RUNNING,
    UNFINISHED_CATEGORIES,
    RowUpdate,
    TaskRow,
    category_of,
)
from core.printable import printable
from core.reporting.wording import format_duration
from gui.categories import CATEGORIES, CATEGORY_BY_KEY, Category, category_icon  # noqa: F401
from gui.table_model import SORT_ROLE, SimpleTableModel  # noqa: F401 - re-exported for the dialogs

CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3

# The State column says where a contract is in words (queued, running, or its outcome); Celery's own
# state is in the detail pane. The reason comes early enough to be on screen at 1366 px.
COLUMNS: tuple[str, ...] = ("Name", "State", "Reason", "Tries", "Started", "Runtime", "Worker")
(COL_NAME, COL_STATE, COL_ERROR, COL_ATTEMPTS, COL_STARTED, COL_RUNTIME, COL_WORKER) = range(7)
COLUMN_WIDTHS: tuple[int, ...] = (230, 115, 300, 45, 70, 70, 120)

AnyIndex = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole

_CATEGORY_INT = int(CATEGORY_ROLE)
_SEARCH_INT = int(SEARCH_ROLE)
_SORT_INT = int(SORT_ROLE)
_DISPLAY_INT = int(Qt.ItemDataRole.DisplayRole)
_DECORATION_INT = int(Qt.ItemDataRole.DecorationRole)
_FOREGROUND_INT = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP_INT = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE_INT = int(Qt.ItemDataRole.AccessibleTextRole)

def _fmt_time(epoch: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch)) if epoch else ""


def _fmt_runtime(seconds: float | None) -> str:
    # "35 ms" rather than "0.0 s": most analyses take well under a second.
    return "" if seconds is None else format_duration(seconds)


def coalesce(indices: Iterable[int], gap: int = 0) -> list[tuple[int, int]]:
    """Sorted row indices as inclusive (first, last) ranges; neighbours closer than ``gap`` are merged."""
    ranges: list[tuple[int, int]] = []
    for i in sorted(set(indices)):
        if ranges and i <= ranges[-1][1] + 1 + gap:
            ranges[-1] = (ranges[-1][0], i)
        else:
            ranges.append((i, i))
    return ranges


# Beyond this many separate ranges, one dataChanged over their span is cheaper for the views and proxies.
MAX_RANGES = 64


class TaskTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[TaskRow] = []  # display (sorted) order
        self.pos: list[int] = []  # ledger index -> display row
        self.counts: Counter[str] = Counter()
        self._running: set[int] = set()  # ledger indices
        self.sort_column = -1  # -1: ledger (dispatch) order
        self.sort_order = Qt.SortOrder.AscendingOrder

    # -- loading -------------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[TaskRow]) -> None:
        # Runs on the GUI thread for every row of a batch as it appears: each row's category is worked
        # out once, and rows already in dispatch order are not sorted again.
        self.beginResetModel()
        self.rows = list(rows)
        for i, row in enumerate(self.rows):
            row.seq = i
        categories = [r.category for r in self.rows]
        self.counts = Counter(categories)
        self._running = {i for i, c in enumerate(categories) if c == RUNNING}
        if self.sort_column == -1 and not self._descending:
            self.pos = list(range(len(self.rows)))
        else:
            self.rows.sort(key=self._key(self.sort_column), reverse=self._descending)
            self.pos = [0] * len(self.rows)
            for i, row in enumerate(self.rows):
                self.pos[row.seq] = i
        self.endResetModel()

    # -- sorting -------------------------------------------------------------------------------------

    @property
    def _descending(self) -> bool:
        return self.sort_order == Qt.SortOrder.DescendingOrder

    def _key(self, column: int) -> Any:
        if column == COL_NAME:
            return lambda r: r.name.casefold()
        if column == COL_STATE:
            return lambda r: _CATEGORY_ORDER[r.category]
        if column == COL_ATTEMPTS:
            return lambda r: r.attempts
        if column == COL_STARTED:
            return lambda r: r.started_at or 0.0
        if column == COL_RUNTIME:
            return lambda r: self._runtime(r) or 0.0
        if column == COL_WORKER:
            return lambda r: r.worker or ""
        if column == COL_ERROR:
            return lambda r: r.error or ""
        return lambda r: r.seq

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self.resort()

    def resort(self) -> bool:
        """Put the rows in the current sort order; one layout change, and only if the order changed."""
        new_rows = sorted(self.rows, key=self._key(self.sort_column), reverse=self._descending)
        if all(a is b for a, b in zip(new_rows, self.rows, strict=True)):
            return False
        self.layoutAboutToBeChanged.emit()
        new_pos = [0] * len(new_rows)
        for i, row in enumerate(new_rows):
            new_pos[row.seq] = i
        persistent = self.persistentIndexList()
        moved = [self.index(new_pos[self.rows[p.row()].seq], p.column()) for p in persistent]
        self.rows, self.pos = new_rows, new_pos
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
        return True

    def apply_updates(self, updates: Sequence[RowUpdate]) -> list[tuple[int, int]]:
        """Write the changed rows and emit dataChanged once per coalesced range; the ranges emitted."""
        changed: list[int] = []
        rows = self.rows
        pos = self.pos
        counts = self.counts
        for index, state, outcome, error, attempts, worker, started_at, runtime_s, result in updates:
            if not 0 <= index < len(rows):
                continue
            row = rows[pos[index]]
            before = row.category
            row.state, row.outcome, row.error, row.attempts = state, outcome, error, attempts
            row.worker, row.started_at, row.runtime_s, row.result = worker, started_at, runtime_s, result
            after = row.category
            if before != after:
                counts[before] -= 1
                counts[after] += 1
                if after == RUNNING:
                    self._running.add(index)
                else:
                    self._running.discard(index)
            changed.append(pos[index])
        if changed and self.sort_column not in (-1, COL_NAME) and self.resort():
            return [(0, len(rows) - 1)]  # the layout change repaints everything
        ranges = coalesce(changed)
        if len(ranges) > MAX_RANGES:
            # Many scattered rows: a filtering proxy would insert and remove them one interval at a time,
            # each O(rows) in the view's header (measured: ~100 ms for 1,400 rows of 10,000). A layout
            # change makes it rebuild its mapping once instead; no row moves, so no persistent index does.
            self.relayout()
            return [(0, len(rows) - 1)]
        last_col = len(COLUMNS) - 1
        for first, last in ranges:
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_col))
        return ranges

    def relayout(self) -> None:
        """Tell the proxy and views that anything may have changed, as one layout change."""
        self.layoutAboutToBeChanged.emit()
        self.layoutChanged.emit()

    def tick_running(self) -> None:
        """Repaint the runtime of running rows (it grows with the clock, not with Redis)."""
        for first, last in coalesce(self.pos[i] for i in self._running):
            self.dataChanged.emit(self.index(first, COL_RUNTIME), self.index(last, COL_RUNTIME))

    def row_at(self, index: int) -> TaskRow:
        return self.rows[index]

    # -- Qt model API --------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def _runtime(self, row: TaskRow) -> float | None:
        if row.runtime_s is not None:
            return row.runtime_s
        if row.started_at is not None and row.outcome is None and row.state == "STARTED":
            return max(0.0, time.time() - row.started_at)
        return None

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        # Called once per row by each filter and per visible cell by the view: the filter roles come
        # first and roles are compared as plain ints (enum comparisons cost more in PySide6).
        if role == _CATEGORY_INT:
            return self.rows[index.row()].category
        if role == _SEARCH_INT:
            return self.rows[index.row()].search_text
        row = self.rows[index.row()]
        col = index.column()
        if role == _DISPLAY_INT:
            return self._display(row, col)
        if role == _DECORATION_INT:
            return category_icon(row.category) if col == COL_STATE else None
        if role == _SORT_INT:
            return self._sort_value(row, col)
        if role == _FOREGROUND_INT and col == COL_STATE:
            return QBrush(QColor(CATEGORY_BY_KEY[row.category].colour))
        if role == _TOOLTIP_INT and col in (COL_ERROR, COL_NAME):
            return printable(row.error or row.source) or None
        if role == _ACCESSIBLE_INT and col == COL_STATE:
            return CATEGORY_BY_KEY[row.category].label
        return None

    def _display(self, row: TaskRow, col: int) -> Any:
        if col == COL_NAME:
            # Qt cuts a string at the first byte that was not UTF-8 ("bad\xff.txt" showed as "bad").
            return printable(row.name)
        if col == COL_STATE:
            return CATEGORY_BY_KEY[row.category].label
        if col == COL_ATTEMPTS:
            return str(row.attempts) if row.task_id else ""
        if col == COL_STARTED:
            return _fmt_time(row.started_at)
        if col == COL_RUNTIME:
            return _fmt_runtime(self._runtime(row))
        if col == COL_WORKER:
            return row.worker or ""
        if col == COL_ERROR:
            return printable((row.error or "").split("\n", 1)[0])
        return None

    def _sort_value(self, row: TaskRow, col: int) -> Any:
        if col == COL_ATTEMPTS:
            return row.attempts
        if col == COL_STARTED:
            return row.started_at or 0.0
        if col == COL_RUNTIME:
            return self._runtime(row) or 0.0
        if col == COL_STATE:
            return _CATEGORY_ORDER[row.category]
        return self._display(row, col)


_CATEGORY_ORDER: dict[str, int] = {c.key: i for i, c in enumerate(CATEGORIES)}


class TaskFilterProxy(QSortFilterProxyModel):
    """The grid's sort/filter proxy: state categories (none chosen = all) and a case-insensitive search in
    name, worker and error.

    ``filterAcceptsRow`` reads the row objects directly: on 10,000 rows that is about twice as fast as
    Qt's regex filters, which call ``data()`` per row and per proxy. ``sort`` is forwarded to the source
    model (see the module docstring), so this proxy keeps its source's order.
    """

    def __init__(self, table: TaskTableModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.table = table
        self.categories: frozenset[str] = frozenset()
        self.needle = ""
        self.setDynamicSortFilter(True)

    # A new filter is announced as the source's layout change: Qt's own filter change would insert and
    # remove the affected rows interval by interval, which costs ~100 ms for scattered rows of 10,000.

    def set_categories(self, keys: Iterable[str]) -> None:
        self.categories = frozenset(keys)
        self.table.relayout()

    def set_search(self, text: str) -> None:
        self.needle = text.strip().casefold()
        self.table.relayout()

    def filterAcceptsRow(self, source_row: int, _parent: AnyIndex) -> bool:  # noqa: N802
        row = self.table.rows[source_row]
        if self.categories and row.category not in self.categories:
            return False
        return not self.needle or self.needle in row.search_text.casefold()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.table.sort(column, order)


class TaskGridModels:
    """The source model and its proxy, wired together: ``view_model`` is what the view shows."""

    def __init__(self, parent: Any = None) -> None:
        self.source = TaskTableModel(parent)
        self.view_model = TaskFilterProxy(self.source, parent)
        self.view_model.setSourceModel(self.source)

    def source_row(self, view_index: QModelIndex) -> int:
        return self.view_model.mapToSource(view_index).row()
