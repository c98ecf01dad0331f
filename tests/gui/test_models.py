"""The grid models on 10,000 rows: coalesced dataChanged, state filter, search, sort, remembered header;
and against a reference through many random refreshes, sorts and filters."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

import gui.models
from core.engine import category_codes
from gui.main_window import MainWindow
from gui.models import (
    CATEGORIES,
    CATEGORY_BY_KEY,
    COL_ATTEMPTS,
    COL_ERROR,
    COL_NAME,
    COL_RUNTIME,
    COL_STARTED,
    COL_STATE,
    COL_WORKER,
    COLUMNS,
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


# -- the models against a reference, through many refreshes, sorts and filters ---------------------------

OUTCOMES = ("succeeded", "rejected", "failed", "timed_out", "revoked", "lost")
CATEGORY_RANK = {c.key: i for i, c in enumerate(CATEGORIES)}
# What each column sorts by, worked out here from the row alone (running rows get no start time in these
# updates, so no key moves with the clock).
SORT_KEYS: dict[int, Callable[[TaskRow], Any]] = {
    COL_NAME: lambda r: r.name.casefold(),
    COL_STATE: lambda r: CATEGORY_RANK[r.category],
    COL_ERROR: lambda r: r.error or "",
    COL_ATTEMPTS: lambda r: r.attempts,
    COL_STARTED: lambda r: r.started_at or 0.0,
    COL_RUNTIME: lambda r: r.runtime_s or 0.0,
    COL_WORKER: lambda r: r.worker or "",
}


def random_update(rng: random.Random, i: int) -> tuple:
    kind = rng.random()
    worker = f"W{rng.randint(1, 3)}@host"
    if kind < 0.15:
        return (i, "STARTED", None, None, 1, worker, None, None, None)
    if kind < 0.2:
        return (i, "RETRY", None, "Retry because of x", 2, worker, 1_700_000_000.0, None, None)
    outcome = rng.choice(OUTCOMES)
    state = "SUCCESS" if outcome in ("succeeded", "rejected") else "FAILURE"
    error = None if outcome == "succeeded" else f"{outcome} because {rng.randint(0, 9)}"
    started = 1_700_000_000.0 + rng.randint(0, 50)
    return (i, state, outcome, error, rng.randint(1, 3), worker, started, rng.randint(0, 20) / 4, None)


def check_grid(models: TaskGridModels) -> None:
    """What the view model shows is every row that passes the filters (and only those), in the sort
    order, each cell saying what its row says; the counts are those of the rows."""
    src, view = models.source, models.view_model
    ledger = src.ledger
    wanted = {
        r.name
        for r in ledger
        if (not view.categories or r.category in view.categories)
        and (not view.needle or view.needle in r.search_text.casefold())
    }
    shown = [models.source_row(view.index(i, 0)) for i in range(view.rowCount())]
    assert shown == sorted(set(shown)), "the filter keeps the source's order"
    rows = [src.row_at(s) for s in shown]
    assert {r.name for r in rows} == wanted and len(rows) == len(wanted)
    for i, row in enumerate(rows):
        assert view.index(i, COL_NAME).data() == row.name
        assert view.index(i, COL_STATE).data() == CATEGORY_BY_KEY[row.category].label
        assert view.mapFromSource(view.mapToSource(view.index(i, COL_STATE))).row() == i
    everything = [src.row_at(i) for i in range(src.rowCount())]
    if src.sort_column == -1:
        seqs = [r.seq for r in everything]
        assert seqs == sorted(seqs, reverse=src.sort_order == Qt.SortOrder.DescendingOrder)
    else:
        keys = [SORT_KEYS[src.sort_column](r) for r in everything]
        assert keys == sorted(keys, reverse=src.sort_order == Qt.SortOrder.DescendingOrder)
    assert +src.counts == Counter(r.category for r in ledger)
    assert [src.row_at(src.pos[r.seq]) for r in ledger] == ledger


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_refreshes_sorts_and_filters_agree_with_the_rows(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    # A small threshold, so that both kinds of refresh run: a few rows changed, and a poll that catches up.
    monkeypatch.setattr(gui.models, "MAX_COALESCED", 40)
    # And both ways the state filter's codes follow a refresh: written row by row, or built again.
    monkeypatch.setattr(category_codes, "REBUILD_AT", 60)
    rng = random.Random(seed)
    n = 400
    models = TaskGridModels()
    models.source.set_rows(rows(n))
    for _step in range(80):
        action = rng.random()
        if action < 0.35:
            indexes = [rng.randrange(n) for _ in range(rng.randint(1, 12))]  # repeats included
            models.source.apply_updates([random_update(rng, i) for i in indexes])
        elif action < 0.5:
            chosen = rng.sample(range(n), rng.randint(41, n))
            models.source.apply_updates([random_update(rng, i) for i in chosen] + [finish(n + 5)])
        elif action < 0.7:
            order = rng.choice([Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
            models.view_model.sort(rng.choice([-1, *SORT_KEYS]), order)
        elif action < 0.85:
            models.view_model.set_categories(rng.sample([c.key for c in CATEGORIES], rng.randint(0, 3)))
        else:
            models.view_model.set_search(rng.choice(["", "contract-00", " BECAUSE 3 ", "w2@", "nothing"]))
        check_grid(models)


def test_many_updates_to_one_row_count_once(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same row twice in one poll, in both kinds of refresh: counts and running rows follow its last
    state."""
    for threshold in (4096, 1):
        monkeypatch.setattr(gui.models, "MAX_COALESCED", threshold)
        models = TaskGridModels()
        models.source.set_rows(rows(10))
        started = (3, "STARTED", None, None, 1, "w@h", None, None, None)
        models.source.apply_updates([started, finish(3), started, (4, *started[1:])])
        assert +models.source.counts == Counter({"queued": 8, RUNNING: 2})
        models.source.apply_updates([finish(3), finish(4), finish(3)])
        assert +models.source.counts == Counter({"queued": 8, "succeeded": 2})
        ticked: list[QModelIndex] = []
        models.source.dataChanged.connect(lambda a, _b, _r=(), seen=ticked: seen.append(a))
        models.source.tick_running()
        assert ticked == []  # no row runs any more


def test_a_cell_painted_says_what_data_says(qtbot: QtBot) -> None:
    """The view asks for a cell's roles in one multiData call: the delegate gets what data() answers."""
    models = TaskGridModels()
    models.source.set_rows(rows(20))
    models.source.apply_updates([finish(i, "failed", runtime=0.035) for i in range(0, 20, 2)])
    models.view_model.set_categories({"failed"})
    delegate = QStyledItemDelegate()
    for col in range(len(COLUMNS)):
        index = models.view_model.index(3, col)
        option = QStyleOptionViewItem()
        delegate.initStyleOption(option, index)
        assert option.text == index.data()
        if col == COL_STATE:  # colour and icon, as data() gives them
            colour = index.data(Qt.ItemDataRole.ForegroundRole).color()
            assert option.palette.color(QPalette.ColorRole.Text) == colour
            assert not option.icon.isNull()
    assert models.view_model.index(3, COL_NAME).data() == "contract-00006.pdf"
    assert models.view_model.index(3, COL_STATE).data() == "Failed"


def test_rows_numbered_off_the_gui_thread_load_as_rows_numbered_by_the_model(qtbot: QtBot) -> None:
    """The opening of a batch takes the categories and counts the poller's thread worked out
    (``number_rows``): the running rows (ticked), counts, order and filters are those of rows the model
    numbers itself."""
    from core.engine.rows import number_rows

    def batch() -> list[TaskRow]:
        made = rows(50)
        for i in (4, 17, 49):
            made[i].state = "STARTED"
        for i in range(20, 30):
            made[i].state, made[i].outcome = "SUCCESS", "succeeded"
        made[31].state, made[31].outcome = "FAILURE", "failed"
        return made

    given, own = TaskGridModels(), TaskGridModels()
    shipped = batch()
    given.source.set_rows(shipped, number_rows(shipped))
    own.source.set_rows(batch())
    for models in (given, own):
        assert models.source.counts == Counter({"queued": 36, "succeeded": 10, "running": 3, "failed": 1})
        assert models.source._running == {4, 17, 49}
        assert [r.seq for r in models.source.ledger] == list(range(50))
        models.view_model.set_categories({RUNNING, "failed"})
    assert given.source.categories == own.source.categories

    def shown(models: TaskGridModels) -> list[str]:
        return [models.view_model.index(r, COL_NAME).data() for r in range(models.view_model.rowCount())]

    assert shown(given) == shown(own) == [f"contract-{i:05d}.pdf" for i in (4, 17, 31, 49)]
