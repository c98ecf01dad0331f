"""The task grid's Qt models: one row per contract, updated in place from the poller's changed rows.

``TaskTableModel`` holds every row in dispatch order and the display order as a list of ledger indexes,
sorted over one list of keys (``sorted(key=keys.__getitem__)``: no Python call per comparison) and
published as one layout change; it keeps each row's category in a list, which the counts, the state sort
and the state filter read. ``TaskFilterProxy`` is what the view shows: the rows in the chosen states and
search (``gui.table_model.RowFilterModel``: no Python call per row from Qt either).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import compress
from typing import Any, cast

from PySide6.QtCore import (
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from core.engine.category_codes import CategoryCodes
from core.engine.rows import (  # noqa: F401 - the grid's row types, re-exported for the widgets
    QUEUED,
    RETRYING,
    RUNNING,
    UNFINISHED_CATEGORIES,
    Numbered,
    RowUpdate,
    TaskRow,
    category_of,
    number_rows,
    positions,
)
from core.printable import printable
from core.reporting.wording import format_duration
from gui.categories import CATEGORIES, CATEGORY_BY_KEY, Category, category_icon  # noqa: F401
from gui.table_model import (  # noqa: F401 - re-exported for the dialogs and tests
    DISPLAY,
    AnyIndex,
    FilterableTable,
    RowFilterModel,
    SimpleTableModel,
    coalesce,
    layout_about_to_change,
    layout_changed,
)

# The State column says where a contract is in words (queued, running, or its outcome); Celery's own
# state is in the detail pane. The reason comes early enough to be on screen at 1366 px.
COLUMNS: tuple[str, ...] = ("Name", "State", "Reason", "Tries", "Started", "Runtime", "Worker")
(COL_NAME, COL_STATE, COL_ERROR, COL_ATTEMPTS, COL_STARTED, COL_RUNTIME, COL_WORKER) = range(7)
COLUMN_WIDTHS: tuple[int, ...] = (230, 115, 300, 45, 70, 70, 120)
LAST_COLUMN = len(COLUMNS) - 1

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


# Beyond this many separate ranges, one dataChanged over their span is cheaper for the views: each
# signal costs a Python-to-C++ round trip and a repaint request, and the view repaints only what it shows.
MAX_RANGES = 64
# Beyond this many changed rows (a poll that catches up) their ranges are not worked out: sorting them
# alone would cost more than it saves, and one dataChanged covers every row.
MAX_COALESCED = 4 * 1024


class TaskTableModel(FilterableTable):
    """Every row of the batch, in display (sorted) order: ``row_at(i)`` is ``ledger[order[i]]``. Rows are
    updated in place from the poller's rows."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.ledger: list[TaskRow] = []  # ledger (dispatch) order
        self.order: list[int] = []  # display row -> ledger index
        self._rows: list[TaskRow] | None = []  # display order; None: not built since the last sort
        self._pos: list[int] | None = []  # ledger index -> display row; None: not built since then
        self.categories: list[str] = []  # ledger index -> category, as of the last update
        self.codes = CategoryCodes()  # the same as bytes, for the state filter
        self.counts: Counter[str] = Counter()
        self._running: set[int] = set()  # ledger indices
        self._names: list[str] | None = None  # casefolded names by ledger index, once sorted or searched
        self.sort_column = -1  # -1: ledger (dispatch) order
        self.sort_order = Qt.SortOrder.AscendingOrder
        self._descending = False
        self.dispatch_order = True  # unsorted: a row's ledger index is its display row

    def set_rows(self, rows: Sequence[TaskRow], numbered: Numbered | None = None) -> None:
        """Every row of a batch as it appears; ``numbered``: ``number_rows`` of them, done by the poller."""
        self.beginResetModel()
        self.ledger = list(rows)
        self.categories, self.counts = numbered if numbered is not None else number_rows(self.ledger)
        self._running = positions(self.categories, RUNNING, self.counts[RUNNING])
        self._names = None
        self._set_order(self._sorted(range(len(self.ledger))))
        self.endResetModel()

    def _set_order(self, order: list[int]) -> None:
        # The rows in display order and their inverse are built when first read, not on every re-sort:
        # a re-sort of 100,000 rows spends 10 ms on them, and the grid itself reads only ``order``.
        self.order = order
        self._rows = self._pos = None
        self.codes.reorder()

    @property
    def rows(self) -> list[TaskRow]:
        """Every row, in display order."""
        if self._rows is None:
            self._rows = list(map(self.ledger.__getitem__, self.order))
        return self._rows

    @property
    def pos(self) -> list[int]:
        """Ledger index -> display row."""
        if self._pos is None:
            pos = [0] * len(self.order)
            for display, ledger_index in enumerate(self.order):
                pos[ledger_index] = display
            self._pos = pos
        return self._pos

    def row_ids(self, rows: Sequence[int]) -> list[int]:
        """A row's identity across re-sorts is its ledger index."""
        return list(map(self.order.__getitem__, rows))

    def rows_of(self, ledger_indexes: Sequence[int]) -> list[int]:
        """The display rows of ledger indexes. A few (the selection, after a re-sort) are searched for in
        ``order`` rather than building the whole inverse, while it is not built anyway."""
        if self._pos is None and len(ledger_indexes) <= 8:
            return [self.order.index(i) for i in ledger_indexes]
        return list(map(self.pos.__getitem__, ledger_indexes))

    # -- sorting -------------------------------------------------------------------------------------

    def _sort_keys(self, column: int) -> list[Any] | None:
        """Each row's sort key by ledger index (None: dispatch order), built as one list: a C-level
        ``keys.__getitem__`` then serves the sort, where a lambda per row cost a Python call each."""
        ledger = self.ledger
        if column == COL_NAME:
            return self.folded_names()
        if column == COL_STATE:
            return list(map(_CATEGORY_ORDER.__getitem__, self.categories))
        if column == COL_ATTEMPTS:
            return [r.attempts for r in ledger]
        if column == COL_STARTED:
            return [r.started_at or 0.0 for r in ledger]
        if column == COL_RUNTIME:
            runtime = self._runtime  # only for unfinished rows: it reads the clock
            return [r.runtime_s if r.runtime_s is not None else runtime(r) or 0.0 for r in ledger]
        if column == COL_WORKER:
            return [r.worker or "" for r in ledger]
        if column == COL_ERROR:
            return [r.error or "" for r in ledger]
        return None

    def folded_names(self) -> list[str]:
        """Each row's name, casefolded, by ledger index: names never change, so once per batch."""
        if self._names is None:
            self._names = [r.name.casefold() for r in self.ledger]
        return self._names

    def search(self, display_rows: Iterable[int], needle: str) -> list[int]:
        """The display rows whose name, worker or error contain ``needle`` (casefolded)."""
        ledger, order = self.ledger, self.order
        if "\n" in needle:  # it could span two fields of the search text
            return [r for r in display_rows if needle in ledger[order[r]].search_text.casefold()]
        names = self.folded_names()
        found: list[int] = []
        for r in display_rows:
            i = order[r]
            if needle in names[i]:
                found.append(r)
                continue
            row = ledger[i]
            worker, error = row.worker, row.error
            if (worker and needle in worker.casefold()) or (error and needle in error.casefold()):
                found.append(r)
        return found

    def _sorted(self, order: Iterable[int]) -> list[int]:
        """``order`` (ledger indices) in the current sort order; equal keys keep their order in it."""
        keys = self._sort_keys(self.sort_column)
        if keys is None:
            return sorted(order, reverse=self._descending)
        return sorted(order, key=keys.__getitem__, reverse=self._descending)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.dispatch_order = column == -1 and not self._descending
        self.resort()

    def resort(self) -> bool:
        """Put the rows in the current sort order; one layout change, and only if the order changed."""
        new_order = self._sorted(self.order)
        if new_order == self.order:
            return False
        layout_about_to_change(self)
        persistent = self.persistentIndexList()
        ledger_indexes = [self.order[p.row()] for p in persistent]
        self._set_order(new_order)
        rows = self.rows_of(ledger_indexes)
        moved = [self.createIndex(row, p.column()) for row, p in zip(rows, persistent, strict=True)]
        self.changePersistentIndexList(persistent, moved)
        layout_changed(self)
        return True

    # -- live updates --------------------------------------------------------------------------------

    def apply_updates(self, updates: Sequence[RowUpdate]) -> list[tuple[int, int]]:
        """Write the changed rows and emit dataChanged once per coalesced range (one over them all when
        there are many, none when they were re-sorted: the layout change repaints); the ranges emitted."""
        ledger = self.ledger
        categories = self.categories
        n = len(ledger)
        # A few rows: their counts change by difference. Many: counting every row again, in C, costs
        # less than keeping the difference row by row in Python.
        many = len(updates) > MAX_COALESCED
        touched = set() if many else {u[0] for u in updates if 0 <= u[0] < n}
        before = Counter(map(categories.__getitem__, touched))
        changed: list[int] = []  # ledger indices, in the order of the updates
        changed_append = changed.append
        # The hot loop of a refresh (100,000 rows when a poll catches up): attributes are written
        # straight from the tuple, and nothing else is done per row that can be done in bulk after.
        for update in updates:
            index = update[0]
            if not 0 <= index < n:
                continue
            row = ledger[index]
            (_, row.state, row.outcome, row.error, row.attempts, row.worker, row.started_at,
             row.runtime_s, row.result) = update  # fmt: skip
            categories[index] = category_of(update[1], update[2])
            changed_append(index)
        if not changed:
            return []
        self.codes.changed(categories, changed)
        if many:
            self.counts.clear()
            self.counts.update(categories)
            if self._running or self.counts[RUNNING]:
                self._running = set(compress(range(n), map(RUNNING.__eq__, categories)))
        else:
            after = Counter(map(categories.__getitem__, touched))
            self.counts.subtract(before)
            self.counts.update(after)
            if before[RUNNING] or after[RUNNING]:
                self._running.difference_update(touched)
                self._running.update(i for i in touched if categories[i] == RUNNING)
        if self.sort_column not in (-1, COL_NAME) and self.resort():
            return [(0, n - 1)]  # the layout change repaints everything
        if many:
            ranges = [(0, n - 1)]
        else:
            ranges = coalesce(changed if self.dispatch_order else self.rows_of(changed))
            if len(ranges) > MAX_RANGES:
                ranges = [(ranges[0][0], ranges[-1][1])]
        for first, last in ranges:
            self.dataChanged.emit(self.index(first, 0), self.index(last, LAST_COLUMN))
        return ranges

    def tick_running(self) -> None:
        """Repaint the runtime of running rows (it grows with the clock, not with Redis)."""
        for first, last in coalesce(self.rows_of(list(self._running))):
            self.dataChanged.emit(self.index(first, COL_RUNTIME), self.index(last, COL_RUNTIME))

    def row_at(self, index: int) -> TaskRow:
        return self.ledger[self.order[index]]

    # -- Qt model API --------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.order)

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
        return self._cell(self.row_at(index.row()), index.column(), role)

    def fill(self, display_row: int, col: int, roles: QModelRoleDataSpan | QModelRoleData) -> None:
        """Every role the view asks for of a cell, in one call: painting a cell asks for seven, and each
        ``data()`` call from C++ costs more than the answer (half the time of a repaint)."""
        row = self.ledger[self.order[display_row]]
        cell = self._cell
        # A span iterates over its roles at run time; the stubs do not say so.
        items = [roles] if isinstance(roles, QModelRoleData) else cast("Iterable[QModelRoleData]", roles)
        for item in items:
            value = cell(row, col, item.role())
            if value is None:
                item.clearData()
            else:
                item.setData(value)

    def _cell(self, row: TaskRow, col: int, role: int) -> Any:
        # Roles are compared as plain ints (enum comparisons cost more in PySide6).
        if role == _DISPLAY_INT:
            return self._display(row, col)
        if role == _DECORATION_INT:
            return category_icon(row.category) if col == COL_STATE else None
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


_CATEGORY_ORDER: dict[str, int] = {c.key: i for i, c in enumerate(CATEGORIES)}


class TaskFilterProxy(RowFilterModel):
    """What the view shows: the source rows in the chosen state categories (none chosen = all) whose
    name, worker or error contain the search, case-insensitively; in the source's (sorted) order.
    ``sort`` is forwarded to the source model."""

    def __init__(self, table: TaskTableModel, parent: Any = None) -> None:
        super().__init__(table, parent)
        self.table = table
        self.categories: frozenset[str] = frozenset()
        self.needle = ""

    def set_categories(self, keys: Iterable[str]) -> None:
        self.categories = frozenset(keys)
        self.refilter()

    def set_search(self, text: str) -> None:
        self.needle = text.strip().casefold()
        self.refilter()

    @property
    def filtering(self) -> bool:
        return bool(self.categories or self.needle)

    def accepted(self, first: int, last: int) -> list[int]:
        table = self.table
        shown: Iterable[int] = range(first, last + 1)
        if self.categories:
            order = None if table.dispatch_order else table.order
            shown = table.codes.rows_in(self.categories, table.categories, first, last, order)
        if self.needle:
            shown = table.search(shown, self.needle)
        return list(shown)


class TaskGridModels:
    """The source model and its filter, wired together: ``view_model`` is what the view shows."""

    def __init__(self, parent: Any = None) -> None:
        self.source = TaskTableModel(parent)
        self.view_model = TaskFilterProxy(self.source, parent)

    def source_row(self, view_index: QModelIndex) -> int:
        return self.view_model.source_row(view_index.row()) if view_index.isValid() else -1
