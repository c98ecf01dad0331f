"""Exceptions raised in slots and job callbacks: logged with their traceback and shown, never swallowed.

PySide6 hands an exception escaping a slot to ``sys.excepthook``; the hook installed here logs it and
forwards a one-line summary to the window (a non-modal banner), so the event loop keeps running.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Signal

log = logging.getLogger("gui")


class ErrorReporter(QObject):
    error = Signal(str, str)  # one-line summary, full traceback

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.count = 0
        self._previous: Callable[..., object] | None = None

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self.handle

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook = self._previous
            self._previous = None

    def handle(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            if self._previous is not None:
                self._previous(exc_type, exc, tb)
            return
        self.count += 1
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unhandled exception in the GUI\n%s", details)
        self.error.emit(f"{exc_type.__name__}: {exc}", details)
