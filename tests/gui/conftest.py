"""Fixtures of the desktop-app tests: a window on an isolated history and settings file, real local mode
(private Redis and a prefork worker running the engine's test processor), in-memory keyring, aiosmtpd."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from core.local.history import HistoryStore
from core.local.mode import LocalMode
from gui.app import create_context, gui_settings, make_application
from gui.main_window import AppContext, MainWindow
from tests.conftest import ROOT
from tests.engine.conftest import FAST_ENV, PROCESSOR

# The reporting tests' real SMTP servers, TLS CA and in-memory keyring, reused as they are.
from tests.mail.conftest import (  # noqa: F401
    _no_smtp_env,
    ca,
    ca_file,
    memory_keyring,
    server_tls,
    smtp_factory,
    starttls_server,
)

WORKERS = 2  # the machine has two cores


@pytest.fixture(scope="session")
def qapp_cls() -> type:
    from PySide6.QtWidgets import QApplication

    return QApplication


@pytest.fixture(scope="module")
def local_engine() -> Iterator[LocalMode]:
    """Local mode as the app runs it, once per module: a private Redis on a unix socket and one worker
    (concurrency 2) with the engine tests' processor, whose behaviour follows each file's name."""
    base = Path(tempfile.mkdtemp(prefix="cbm-gui-"))
    markers = base / "markers"
    markers.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        for key, value in FAST_ENV.items():
            mp.setenv(key, value)
        mp.setenv("CB_TEST_MARKER_DIR", str(markers))
        mp.setenv("PYTHONPATH", str(ROOT))
        local = LocalMode(base / "local")
        local.ensure_running(WORKERS, processor=PROCESSOR)
        try:
            yield local
        finally:
            local.stop()
            shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def fast_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client side sees the same short engine periods as the workers."""
    for key, value in FAST_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path, fast_env: None) -> Iterator[Callable[..., MainWindow]]:
    """Build a main window (several per test for reattach), all sharing one history and settings file;
    each is closed and its threads stopped at the end."""
    make_application()
    history = HistoryStore(tmp_path / "history.sqlite3")
    built: list[AppContext] = []

    def build(local: LocalMode | None = None, start: bool = False) -> MainWindow:
        ctx = create_context(
            history=history,
            settings=gui_settings(tmp_path / "gui.ini"),
            local=local or LocalMode(tmp_path / "unused-local"),
            poll_interval=0.2,
        )
        built.append(ctx)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        if start:
            window.start_services()
        return window

    yield build
    for ctx in built:
        ctx.bridge.shutdown()
        ctx.errors.uninstall()


def isolated_env(tmp: Path) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = str(tmp / var.lower())
    return env
