"""A non-blocking message strip at the top of the window (broker unreachable, errors), with actions."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

_STYLES = {
    "error": "background:#f8d7da; color:#58151c; border:1px solid #f1aeb5;",
    "warning": "background:#fff3cd; color:#664d03; border:1px solid #ffe69c;",
    "info": "background:#cfe2ff; color:#052c65; border:1px solid #9ec5fe;",
}


class Banner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAccessibleName("Message banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(self.label.textInteractionFlags())
        layout.addWidget(self.label, 1)
        self.action = QPushButton()
        self.action.hide()
        layout.addWidget(self.action)
        self.close_button = QPushButton("Dismiss")
        self.close_button.setAccessibleName("Dismiss message")
        self.close_button.clicked.connect(self.hide)
        layout.addWidget(self.close_button)
        self._callback: Callable[[], None] | None = None
        self.action.clicked.connect(self._run_action)
        self.kind = ""
        self.hide()

    def show_message(
        self,
        text: str,
        kind: str = "error",
        action: str | None = None,
        callback: Callable[[], None] | None = None,
    ) -> None:
        self.kind = kind
        self.setStyleSheet(f"QFrame#banner {{{_STYLES.get(kind, _STYLES['info'])}}} QLabel {{border:none;}}")
        self.label.setText(text)
        self._callback = callback
        if action and callback:
            self.action.setText(action)
            self.action.setAccessibleName(action)
            self.action.show()
        else:
            self.action.hide()
        self.show()

    def clear(self, kind: str | None = None) -> None:
        if kind is None or self.kind == kind:
            self.hide()

    def _run_action(self) -> None:
        if self._callback is not None:
            self._callback()
