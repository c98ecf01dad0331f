"""The grid models on 10,000 rows: coalesced dataChanged, state filter, search, sort, remembered header."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from gui.main_window import MainWindow
from gui.models import (
    COL_NAME,
    COL_RUNTIME,
    COL_STATE,
    RUNNING,
    TaskGridModels,
    TaskRow,
    coalesce,
)

N = 10_000


def rows(n: int = N) -> list[TaskRow]:
    return [TaskRow(f"contract-{i:05d}.pdf", f"b-{i}", f"/in/contract-{i:05d}.pdf") for i in range(n)]


def finish(i: int, outcome: str = "succeeded", runtime: float = 1.0) -> tuple:
    state = "SUCCESS" if outcome in ("succeeded", "rejected") else "FAILURE"
    error = None if outcome == "succeeded" else f"{outcome} because {i}"
    return (i, state, outcome, error, 1, "w1@host", 1_700_000_000.0 + i, runtime, None)


def test_coalesce_ranges() -> None:
    assert coalesce([5, 1, 2, 3, 9, 10]) == [(1, 3), (5, 5), (9, 10)]
    assert coalesce([]) == []


def test_updates_emit_one_signal_per_range(qtbot: QtBot) -> None:
    models = TaskGridModels()
    models.source.set_rows(rows(100))
    seen: list[tuple[int, int]] = []
    models.source.dataChanged.connect(lambda a, b, _roles=(): seen.append((a.row(), b.row())))
    models.source.apply_updates([finish(i) for i in (1, 2, 3, 50, 51)])
    assert seen == [(1, 3), (50, 51)]
    assert models.source.counts["succeeded"] == 5
    assert models.source.counts["queued"] == 95


def test_filter_search_and_sort_on_10000_rows(qtbot: QtBot) -> None:
    models = TaskGridModels()
    models.source.set_rows(rows())
    view = models.view_model
    view.sort(COL_NAME, Qt.SortOrder.DescendingOrder)
    updates = [finish(i, "failed" if i % 10 == 0 else "succeeded", runtime=i / 100) for i in range(N)]
    started = time.perf_counter()
    models.source.apply_updates(updates)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"one 10,000-row refresh took {elapsed:.2f} s"
    assert view.rowCount() == N
    assert view.index(0, COL_NAME).data() == "contract-09999.pdf"

    models.view_model.set_categories({"failed"})
    assert view.rowCount() == N // 10
    assert {view.index(r, COL_STATE).data() for r in range(view.rowCount())} == {"Failed"}
    models.view_model.set_categories({"failed", "succeeded"})
    assert view.rowCount() == N
    models.view_model.set_categories(set())

    view.set_search("contract-0999")
    assert view.rowCount() == 10
    view.set_search("BECAUSE 99")  # case-insensitive, searches the error column too
    assert view.rowCount() == 11  # "because 99", "because 990" .. "because 999" (failed rows are i % 10 == 0)
    view.set_search("")

    view.sort(COL_RUNTIME, Qt.SortOrder.DescendingOrder)  # numeric, not text order
    assert view.index(0, COL_NAME).data() == "contract-09999.pdf"
    assert view.index(1, COL_NAME).data() == "contract-09998.pdf"
    # Sorting keeps up with live changes (dynamic sort): a row that gets slower moves to the top.
    models.source.apply_updates([finish(5, runtime=10_000.0)])
    assert view.index(0, COL_NAME).data() == "contract-00005.pdf"


def test_running_rows_tick_and_icons(qtbot: QtBot) -> None:
    models = TaskGridModels()
    models.source.set_rows(rows(10))
    models.source.apply_updates([(3, "STARTED", None, None, 1, "w@h", time.time() - 5, None, None)])
    assert models.source.counts[RUNNING] == 1
    index = models.source.index(3, COL_STATE)
    assert index.data() == "Running"
    assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()  # colour and icon, not colour alone
    assert models.source.index(3, COL_RUNTIME).data().endswith(" s")
    seen: list[QModelIndex] = []
    models.source.dataChanged.connect(lambda a, _b, _r=(): seen.append(a))
    models.source.tick_running()
    assert [(i.row(), i.column()) for i in seen] == [(3, COL_RUNTIME)]


def test_state_bar_filters_and_header_is_remembered(
    qtbot: QtBot, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    window.models.source.set_rows(rows(200))
    window.models.source.apply_updates([finish(i, "failed") for i in range(0, 200, 4)])
    window.grid.update_counts()
    button = window.grid.state_buttons["failed"]
    assert button.text() == "Failed 50"
    button.click()
    assert window.grid.view.model().rowCount() == 50
    window.grid.show_all.click()
    assert window.grid.view.model().rowCount() == 200
    header = window.grid.view.horizontalHeader()
    header.resizeSection(COL_NAME, 333)
    header.moveSection(COL_RUNTIME, 0)
    window.grid.view.sortByColumn(COL_RUNTIME, Qt.SortOrder.DescendingOrder)
    window.close()
    again = make_window()
    h2 = again.grid.view.horizontalHeader()
    assert h2.sectionSize(COL_NAME) == 333
    assert h2.visualIndex(COL_RUNTIME) == 0
    assert h2.sortIndicatorSection() == COL_RUNTIME
    assert h2.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
