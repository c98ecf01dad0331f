"""A second start hands its files to the window already open; files given at start go to the list."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from gui.__main__ import _bring_files, parse_args
from gui.main_window import MainWindow
from gui.single_instance import InstanceServer, hand_over
from tests.conftest import ROOT

SAMPLES = ROOT / "resources" / "samples"


def test_a_second_start_hands_its_files_over(qtbot: QtBot) -> None:
    name = f"cbm-test-{uuid.uuid4().hex[:8]}"
    assert not hand_over(["/nowhere"], name)  # nobody listens: this start opens the window
    server = InstanceServer(name=name)
    assert server.listen()
    try:
        files = [str(SAMPLES / "contract-003.txt"), str(SAMPLES)]
        with qtbot.waitSignal(server.paths_received, timeout=10_000) as received:
            assert hand_over(files, name)
        assert received.args == [files]
    finally:
        server.close()


def test_garbage_on_the_socket_is_ignored(qtbot: QtBot) -> None:
    from PySide6.QtNetwork import QLocalSocket

    name = f"cbm-test-{uuid.uuid4().hex[:8]}"
    server = InstanceServer(name=name)
    assert server.listen()
    got: list[object] = []
    server.paths_received.connect(got.append)
    try:
        sock = QLocalSocket()
        sock.connectToServer(name)
        assert sock.waitForConnected(5000)
        sock.write(b"\xff{not json")
        sock.flush()
        sock.disconnectFromServer()
        qtbot.wait(300)
        assert got == []
        with qtbot.waitSignal(server.paths_received, timeout=10_000):
            assert hand_over(["/still/works"], name)
    finally:
        server.close()


def test_files_on_the_command_line_go_into_the_contracts_list(
    make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window = make_window()
    args = parse_args([str(SAMPLES / "contract-003.txt"), str(SAMPLES / "contract-004.html")])
    assert [Path(p).name for p in args.paths] == ["contract-003.txt", "contract-004.html"]
    _bring_files(window, args.paths)
    qtbot.waitUntil(lambda: len(window.drop_zone.contracts) == 2, timeout=30_000)
    assert sorted(c.name for c in window.drop_zone.contracts) == ["contract-003.txt", "contract-004.html"]
