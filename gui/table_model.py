"""Read-only table models: a table of strings (the contracts list, the history), and a filter that shows
some rows of a larger table, in its order, without Qt calling into Python once per row (the task grid's)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)

AnyIndex = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the value itself, for sorting
# Rows move, columns do not: the selection model then tracks one index per selected row, not per cell.
SORT_HINT = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
# PySide6 emits the layout signals with a hint only through this overload of theirs.
_LAYOUT_OVERLOAD = ("QList<QPersistentModelIndex>", "QAbstractItemModel::LayoutChangeHint")


def layout_about_to_change(model: QAbstractItemModel) -> None:
    model.layoutAboutToBeChanged[_LAYOUT_OVERLOAD].emit([], SORT_HINT)  # type: ignore[index]  # no stub


def layout_changed(model: QAbstractItemModel) -> None:
    model.layoutChanged[_LAYOUT_OVERLOAD].emit([], SORT_HINT)  # type: ignore[index]  # no stub


def coalesce(indices: Iterable[int], gap: int = 0) -> list[tuple[int, int]]:
    """Sorted row indices as inclusive (first, last) ranges; neighbours closer than ``gap`` are merged."""
    ranges: list[tuple[int, int]] = []
    for i in sorted(set(indices)):
        if ranges and i <= ranges[-1][1] + 1 + gap:
            ranges[-1] = (ranges[-1][0], i)
        else:
            ranges.append((i, i))
    return ranges


class SimpleTableModel(QAbstractTableModel):
    def __init__(
        self, headers: Sequence[str], rows: Sequence[Sequence[Any]] = (), parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.rows: list[Sequence[Any]] = list(rows)

    def set_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return "" if value is None else str(value)
        if role == SORT_ROLE:
            return value
        return None


class FilterableTable(QAbstractTableModel):
    """A table model ``RowFilterModel`` can filter: it answers a cell's roles in one call, and says which
    row is which across a re-sort (the selection follows its rows)."""

    def fill(self, row: int, column: int, roles: QModelRoleDataSpan | QModelRoleData) -> None:
        """Every role asked for of a cell."""
        raise NotImplementedError

    def row_ids(self, rows: Sequence[int]) -> list[int]:
        """Each row's identity, which a re-sort keeps."""
        raise NotImplementedError

    def rows_of(self, ids: Sequence[int]) -> list[int]:
        """The rows of these identities now."""
        raise NotImplementedError


class RowFilterModel(QAbstractTableModel):
    """The rows of a source table that ``accepted`` lets through, in the source's order.

    Not a QSortFilterProxyModel: that one calls ``filterAcceptsRow`` once per source row on every refresh
    and every filter change (about 65 ms at 100,000 rows in Python). Here ``visible`` lists the source rows
    shown, ``accepted`` works out a range of them in bulk, and a source change re-checks only its range.
    A change of the rows shown is one layout change that keeps persistent indexes (the selection, the
    current row) on the same source rows.
    """

    def __init__(self, source: FilterableTable, parent: Any = None) -> None:
        super().__init__(parent)
        self.source = source
        self.visible: list[int] | None = None  # ascending source rows; None: no filter, all of them
        self._saved: list[tuple[QModelIndex, int]] = []  # (index, source row id) over a layout change
        source.modelAboutToBeReset.connect(self.beginResetModel)
        source.modelReset.connect(self._source_reset)
        source.layoutAboutToBeChanged.connect(self._source_layout_about_to_change)
        source.layoutChanged.connect(self._source_layout_changed)
        source.dataChanged.connect(self._source_data_changed)

    # -- the filter, as subclasses define it ---------------------------------------------------------

    @property
    def filtering(self) -> bool:
        """Whether any row may be filtered out (none: every row is shown, and nothing is checked)."""
        return False

    def accepted(self, first: int, last: int) -> list[int]:
        """The source rows from ``first`` to ``last`` (inclusive) that pass the filter, ascending."""
        return list(range(first, last + 1))

    def refilter(self) -> None:
        """The filter changed: work out the rows shown again, as one layout change."""
        self._begin_layout()
        self._filter_all()
        self._end_layout()

    def _filter_all(self) -> None:
        self.visible = self.accepted(0, self.source.rowCount() - 1) if self.filtering else None

    # -- mapping -------------------------------------------------------------------------------------

    def sourceModel(self) -> FilterableTable:  # noqa: N802 - as QAbstractProxyModel names it
        return self.source

    def source_row(self, row: int) -> int:
        """The source row shown at ``row`` of this model."""
        return row if self.visible is None else self.visible[row]

    def source_rows(self, first: int, last: int) -> list[int]:
        """The source rows shown from ``first`` to ``last`` (inclusive), ascending."""
        return list(range(first, last + 1)) if self.visible is None else self.visible[first : last + 1]

    def row_of_source(self, source_row: int) -> int:
        """Where a source row is shown here; -1 when the filter hides it."""
        if self.visible is None:
            return source_row if 0 <= source_row < self.source.rowCount() else -1
        i = bisect_left(self.visible, source_row)
        return i if i < len(self.visible) and self.visible[i] == source_row else -1

    def mapToSource(self, index: AnyIndex) -> QModelIndex:  # noqa: N802 - as QAbstractProxyModel names it
        if not index.isValid():
            return QModelIndex()
        return self.source.index(self.source_row(index.row()), index.column())

    def mapFromSource(self, index: AnyIndex) -> QModelIndex:  # noqa: N802 - as QAbstractProxyModel names it
        row = self.row_of_source(index.row()) if index.isValid() else -1
        return QModelIndex() if row < 0 else self.index(row, index.column())

    # -- layout changes, keeping persistent indexes on their source rows -------------------------------

    def _begin_layout(self) -> None:
        layout_about_to_change(self)
        persistent = self.persistentIndexList()
        ids = self.source.row_ids([self.source_row(p.row()) for p in persistent])
        self._saved = list(zip(persistent, ids, strict=True))

    def _end_layout(self) -> None:
        saved, self._saved = self._saved, []
        old = [p for p, _ in saved]
        source_rows = self.source.rows_of([row_id for _, row_id in saved])
        # One persistent index per selected row (tens of thousands after a shift-click): createIndex, as
        # index() would ask Python for the row and column counts each time.
        invalid, create, row_of_source = QModelIndex(), self.createIndex, self.row_of_source
        new = []
        for p, source_row in zip(old, source_rows, strict=True):
            row = row_of_source(source_row)
            new.append(invalid if row < 0 else create(row, p.column()))
        self.changePersistentIndexList(old, new)
        layout_changed(self)

    def _source_layout_about_to_change(self, *_args: Any) -> None:
        self._begin_layout()

    def _source_layout_changed(self, *_args: Any) -> None:
        # Rows may have changed as well as moved (a refresh that re-sorted): filter them all again.
        self._filter_all()
        self._end_layout()

    def _source_reset(self) -> None:
        self._filter_all()
        self.endResetModel()

    def _source_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, *_roles: Any) -> None:
        first, last = top_left.row(), bottom_right.row()
        visible = self.visible
        if visible is None:
            lo, hi = first, last + 1
        else:
            lo, hi = bisect_left(visible, first), bisect_right(visible, last)
            accepted = self.accepted(first, last)
            if accepted != visible[lo:hi]:
                # Rows came into or left the filter: splice the range, as one layout change.
                self._begin_layout()
                visible[lo:hi] = accepted
                self._end_layout()
                return
        if lo < hi:
            self.dataChanged.emit(
                self.index(lo, top_left.column()), self.index(hi - 1, bottom_right.column())
            )

    # -- Qt model API --------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid():
            return 0
        return self.source.rowCount() if self.visible is None else len(self.visible)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.source.columnCount()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        return self.source.headerData(section, orientation, role)

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        return self.source.data(self.mapToSource(index), role)

    def multiData(self, index: AnyIndex, roles: QModelRoleDataSpan | QModelRoleData) -> None:  # noqa: N802
        self.source.fill(self.source_row(index.row()), index.column(), roles)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.source.sort(column, order)
