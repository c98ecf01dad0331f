"""Real QDropEvents with file URLs on the contracts panel: files, a folder, and things that are not files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gui.main_window import MainWindow
from gui.resources import samples_dir
from tests.engine.conftest import contract_files


def drop(widget: object, urls: list[QUrl]) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls(urls)
    pos = QPointF(10, 10)
    actions = Qt.DropAction.CopyAction
    # Qt's own signatures: a drag-enter event takes an integer point, a drop event a float one.
    enter = QDragEnterEvent(
        pos.toPoint(), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), "the drop zone refused a drag with file URLs"
    event = QDropEvent(pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    return event


def test_drop_files_shows_each_load_result(
    qtbot: QtBot, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    files = contract_files(tmp_path / "in", "a.txt", "b.txt")
    empty = tmp_path / "in" / "empty.txt"
    empty.write_text("")
    drop(window.drop_zone, [QUrl.fromLocalFile(str(p)) for p in [*files, empty]])
    qtbot.waitUntil(lambda: len(window.drop_zone.items) == 3, timeout=10_000)
    model = window.drop_zone.model
    shown = {model.rows[i][0]: model.rows[i][1] for i in range(model.rowCount())}
    assert shown["a.txt"] == "ready"
    assert shown["empty.txt"].startswith("rejected: ")
    assert "3 files: 2 ready, 1 rejected" in window.drop_zone.counts.text()
    assert window.act_run.isEnabled()


def test_drop_folder_and_non_file_urls(
    qtbot: QtBot, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    event = drop(
        window.drop_zone, [QUrl.fromLocalFile(str(samples_dir())), QUrl("https://example.com/x.pdf")]
    )
    assert event.isAccepted()
    qtbot.waitUntil(lambda: len(window.drop_zone.contracts) >= 5, timeout=10_000)
    names = {i.name: i for i in window.drop_zone.items}
    assert "contract-001.pdf" in names
    assert names["broken-unsupported.rtf"].reason.startswith("unsupported file type")  # type: ignore[union-attr]
    assert names["https://example.com/x.pdf"].reason == "not a local file"  # type: ignore[union-attr]
    # Dropping the same folder again adds nothing twice.
    before = len(window.drop_zone.items)
    drop(window.drop_zone, [QUrl.fromLocalFile(str(samples_dir()))])
    qtbot.wait(300)
    qtbot.waitUntil(lambda: window.drop_zone.counts.text() != "Loading…", timeout=10_000)
    assert len(window.drop_zone.items) == before
    # The list's rows (made by the loading job) still match the items one for one.
    assert [row[0] for row in window.drop_zone.model.rows] == [i.name for i in window.drop_zone.items]
    window.drop_zone.view.selectRow(0)
    window.drop_zone.remove_selected()
    assert len(window.drop_zone.items) == before - 1
    window.drop_zone.clear()
    assert not window.drop_zone.items
    assert not window.act_run.isEnabled()


def test_run_while_not_connected_keeps_the_list(
    qtbot: QtBot, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = make_window()  # services not started: no broker
    files = contract_files(tmp_path / "in", "a.txt", "b.txt")
    drop(window.drop_zone, [QUrl.fromLocalFile(str(p)) for p in files])
    qtbot.waitUntil(lambda: len(window.drop_zone.items) == 2, timeout=10_000)
    window.label_edit.setText("kept")
    window.run_batch()
    assert "Not connected" in window.banner.label.text()
    assert [i.name for i in window.drop_zone.items] == ["a.txt", "b.txt"]
    assert window.drop_zone.model.rowCount() == 2 and window.label_edit.text() == "kept"
    assert window.act_run.isEnabled()
