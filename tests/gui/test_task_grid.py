"""The task grid at a laptop's 1366 x 768, and as a person uses it during a run: what matters is on screen
(whole state buttons, the Reason column), runtimes in milliseconds, plain state words, and a context menu
whose counts follow the batch while it is open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QStyledItemDelegate
from pytestqt.qtbot import QtBot

from gui.main_window import MainWindow
from gui.models import COL_ERROR, COL_NAME, COL_RUNTIME, COL_STATE, COLUMNS
from tests.gui.test_models import finish, rows


def _at_laptop_size(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1366, 768)
    window.models.source.set_rows(rows(300))
    updates = [finish(i, "failed", runtime=0.035) for i in range(0, 300, 3)]
    updates += [finish(i, "succeeded", runtime=1234.5) for i in range(1, 300, 3)]
    window.models.source.apply_updates(updates)
    window.grid.update_counts()
    window.show_contracts(False)  # as during a run
    qtbot.waitUntil(lambda: window.grid.view.viewport().width() > 600, timeout=5_000)


def test_what_matters_is_on_screen_at_1366x768(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    _at_laptop_size(qtbot, window)
    for key, button in window.grid.state_buttons.items():
        # Whole, never "Succ...ed": the bar wraps instead of squeezing.
        assert button.width() >= button.sizeHint().width(), key
        assert button.isVisible()
    view = window.grid.view
    assert "Outcome" not in COLUMNS  # the State column says it
    reason_left = view.columnViewportPosition(COL_ERROR)
    assert reason_left >= 0 and reason_left + 150 <= view.viewport().width()
    model = view.model()
    assert model.index(0, COL_RUNTIME).data() == "35 ms"  # not "0.0 s"
    assert model.index(1, COL_RUNTIME).data() == "20 min 34 s"
    assert model.index(0, COL_STATE).data() == "Failed"
    assert model.index(2, COL_STATE).data() == "Queued"
    # Adding contracts brings the panel back.
    window.show_contracts(True)
    assert window.splitter.sizes()[0] > 0 and window.act_contracts.isChecked()


def test_the_context_menu_counts_follow_the_batch_while_open(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window()
    src = window.models.source
    src.set_rows(rows(10))
    window.grid.update_counts()
    window.grid.view.selectAll()
    seen: list[list[str]] = []
    chosen: list[object] = []
    window.grid.revoke_requested.connect(lambda r, terminate: chosen.append((list(r), terminate)))

    def while_open() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        seen.append([a.text() for a in menu.actions() if a.text()])
        # Five of the ten finish while the menu is open.
        src.apply_updates([finish(i) for i in range(5)])
        window.grid.rows_changed()
        seen.append([a.text() for a in menu.actions() if a.text()])
        menu.setActiveAction(menu.actions()[0])  # Revoke, chosen as a person would: Enter
        QTest.keyClick(menu, Qt.Key.Key_Return)

    QTimer.singleShot(200, while_open)
    window.grid._context_menu(QPoint(5, 5))
    assert seen[0][0] == "Revoke 10 unfinished" and seen[1][0] == "Revoke 5 unfinished"
    assert seen[1][2].startswith("Retry 0 ")
    # It revoked the five still unfinished, not the ten it saw when it opened.
    assert chosen == [([5, 6, 7, 8, 9], False)]


def test_the_selection_follows_its_contract_through_refreshes(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    """A selected contract stays selected (and its details shown) while refreshes re-sort the grid and
    filters change what it shows; a filter that hides it drops it from the selection."""
    window = make_window()
    grid, src = window.grid, window.models.source
    src.set_rows(rows(300))
    grid.update_counts()
    grid.view.sortByColumn(COL_STATE, Qt.SortOrder.AscendingOrder)
    view_model = window.models.view_model
    grid.view.selectRow(view_model.mapFromSource(src.index(src.pos[120], 0)).row())
    grid.view.setCurrentIndex(grid.view.selectionModel().selectedRows()[0])

    def selected_names() -> list[str]:
        return [src.row_at(r).name for r in grid.selected_rows()]

    assert selected_names() == ["contract-00120.pdf"]
    # Every other row fails, then row 120 succeeds: two re-sorts under the selection.
    src.apply_updates([finish(i, "failed") for i in range(0, 300, 2)])
    assert view_model.index(0, COL_STATE).data() == "Queued"
    src.apply_updates([finish(120, "succeeded")])
    window.grid.rows_changed()
    grid.update_detail()
    row = grid.view.selectionModel().selectedRows()[0].row()
    assert view_model.index(row, COL_STATE).data() == "Succeeded"
    assert selected_names() == ["contract-00120.pdf"]
    assert grid.view.currentIndex().row() == row
    assert "contract-00120.pdf" in grid.detail.toPlainText()
    assert grid.state_buttons["succeeded"].text() == "Succeeded 1"
    # A filter that shows it keeps it selected; a search that hides it drops it.
    grid.state_buttons["succeeded"].click()
    assert view_model.rowCount() == 1 and selected_names() == ["contract-00120.pdf"]
    grid.clear_filters()
    assert view_model.rowCount() == 300 and selected_names() == ["contract-00120.pdf"]
    view_model.set_search("contract-0012")  # 120 .. 129
    assert view_model.rowCount() == 10 and selected_names() == ["contract-00120.pdf"]
    view_model.set_search("contract-0013")
    assert selected_names() == []
    # The grid as painted after all this: the search's ten rows, sorted by state.
    view_model.set_search("contract-0012")
    grid.view.selectRow(0)
    names = [view_model.index(r, 0).data() for r in range(view_model.rowCount())]
    states = [view_model.index(r, COL_STATE).data() for r in range(view_model.rowCount())]
    assert states == ["Queued"] * 5 + ["Succeeded"] + ["Failed"] * 4
    assert names[5] == "contract-00120.pdf"


def test_selected_rows_are_whole_rows_under_sort_and_filter(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window()
    grid, src, view_model = window.grid, window.models.source, window.models.view_model
    src.set_rows(rows(60))
    grid.view.selectAll()
    assert grid.selected_rows() == list(range(60))
    src.apply_updates([finish(i, "failed") for i in range(0, 60, 3)])
    grid.state_buttons["failed"].click()
    grid.view.sortByColumn(COL_NAME, Qt.SortOrder.DescendingOrder)  # 57, 54, ... 0
    selection = grid.view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag
    last = len(COLUMNS) - 1
    # Overlapping ranges count each row once; a lone cell (set from code) is not a whole row.
    selection.select(QItemSelection(view_model.index(1, 0), view_model.index(4, last)), flags.ClearAndSelect)
    selection.select(QItemSelection(view_model.index(3, 0), view_model.index(6, last)), flags.Select)
    assert [src.row_at(r).name for r in grid.selected_rows()] == [
        f"contract-{i:05d}.pdf" for i in (54, 51, 48, 45, 42, 39)
    ]
    assert grid.selected_rows() == sorted(grid.selected_rows())
    selection.select(view_model.index(10, 2), flags.Select)
    assert len(grid.selected_rows()) == 6


def test_the_poller_waits_while_the_grid_paints_or_filters(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    """Each repaint of the grid, filter and poll's rows is busy work for the bridge: its ``gui_idle``
    event is clear meanwhile (the poller's pacer waits for it) and set again after."""
    window = make_window()
    _at_laptop_size(qtbot, window)
    idle = window.bridge.gui_idle
    filtered: list[bool] = []
    window.models.view_model.layoutChanged.connect(lambda *_: filtered.append(idle.is_set()))
    painted: list[bool] = []

    class Spy(QStyledItemDelegate):
        def paint(self, painter, option, index):  # type: ignore[no-untyped-def]
            painted.append(idle.is_set())
            super().paint(painter, option, index)

    view = window.grid.view
    spy = Spy(view)
    view.setItemDelegate(spy)
    window.show()
    qtbot.waitExposed(window)
    window.grid.state_buttons["failed"].click()
    assert filtered == [False]  # the filter ran as busy work
    assert idle.is_set()
    view.grab()  # paints it (offscreen) as a repaint on screen would
    assert painted and not any(painted)  # every cell was painted as busy work
    assert idle.is_set()
    with window.bridge.gui_busy():
        assert not idle.is_set()
    assert idle.is_set()
