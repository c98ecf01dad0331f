"""Builds the object graph once (history store, bridge, settings, error reporter, local mode) and hands
it to the window: nothing in ``gui`` looks anything up globally."""

from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QLocale, QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from core.config import data_dir, private_dir
from core.local.history import HistoryStore
from core.local.mode import LocalMode
from core.reporting.wording import LOCALE_ENV
from gui.app_context import AppContext
from gui.bridge import Bridge
from gui.errors import ErrorReporter
from gui.main_window import MainWindow
from gui.resources import icon_paths

APP_ID = "contract-batch-manager"
# How long a background thread running Python may keep the interpreter lock while the GUI thread waits.
# Qt calls into Python once per model cell and role while painting, and each call must take the lock
# back: at CPython's default 5 ms, a grid repaint beside a busy poller lost tens of milliseconds.
GUI_SWITCH_INTERVAL_S = 0.001


def app_icon() -> QIcon:
    icon = QIcon()
    for path in icon_paths():
        icon.addFile(str(path))
    return icon


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName("Contract Batch Manager")
    app.setOrganizationName(APP_ID)
    # Matches resources/contract-batch-manager.desktop, so desktops group the window under our icon.
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    # Money and dates in the system's locale: Qt knows it on every platform (Windows and macOS do not
    # say it through LANG). core.reporting.wording reads it from here; local workers inherit it.
    if not os.environ.get(LOCALE_ENV):
        system = QLocale.system().name()
        if system and system not in ("C", "POSIX"):
            os.environ[LOCALE_ENV] = system
    return app


def gui_settings(path: Path | None = None) -> QSettings:
    """Window geometry and grid columns (not the engine or email settings: those live in core.config)."""
    if path is not None:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, APP_ID, "gui")


def setup_logging() -> Path:
    logs = private_dir(data_dir() / "logs")
    path = logs / "gui.log"
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=2, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path


def create_context(
    *,
    broker_option: str | None = None,
    history: HistoryStore | None = None,
    settings: QSettings | None = None,
    local: LocalMode | None = None,
    poll_interval: float = 0.3,
) -> AppContext:
    history = history or HistoryStore()
    errors = ErrorReporter()
    errors.install()
    return AppContext(
        history=history,
        bridge=Bridge(history, interval=poll_interval),
        settings=settings or gui_settings(),
        errors=errors,
        local=local or LocalMode(),
        broker_option=broker_option,
        icon=app_icon(),
    )


def build_window(ctx: AppContext, *, start: bool = True) -> MainWindow:
    window = MainWindow(ctx)
    if start:
        window.start_services()
    return window


def shutdown(window: MainWindow) -> None:
    window.close()
    window.ctx.bridge.shutdown()
    window.ctx.errors.uninstall()
