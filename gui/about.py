"""The About dialog: what this is, and the versions of Qt, Celery and Redis in use."""

from __future__ import annotations

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from core.version import version


def versions(redis_server: str | None = None) -> list[tuple[str, str]]:
    import celery  # imported here: Celery takes half a second, About is rarely opened
    import redis as redis_py

    return [
        ("Contract Batch Manager", version()),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Celery", celery.__version__),
        ("redis-py", redis_py.__version__),
        ("Redis server", redis_server or "not connected"),
    ]


def show_about(parent: QWidget | None, redis_server: str | None = None) -> QMessageBox:
    rows = "".join(f"<tr><td>{k}</td><td><b>{v}</b></td></tr>" for k, v in versions(redis_server))
    box = QMessageBox(parent)
    box.setWindowTitle("About Contract Batch Manager")
    box.setTextFormat(box.textFormat().RichText)
    box.setText(
        "<h3>Contract Batch Manager</h3><p>Drop contracts, run one task per contract, get one report.</p>"
        f"<table cellspacing='6'>{rows}</table>"
    )
    box.setAccessibleName("About Contract Batch Manager")
    box.setModal(False)
    box.show()
    return box
