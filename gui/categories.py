"""The categories a task shows under in the grid (queued, running, retrying, then the six outcomes): their
labels, colours and the icons painted for them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from core.engine.rows import CATEGORY_LABELS, QUEUED, RETRYING, RUNNING
from core.outcome import Outcome


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    label: str
    colour: str  # the icon's fill; the glyph carries the meaning for those who cannot tell colours apart
    glyph: str


# Sidebar order: what is still moving first, then the six outcomes of core.outcome.
_L = CATEGORY_LABELS
CATEGORIES: tuple[Category, ...] = (
    Category(QUEUED, _L[QUEUED], "#8a8f98", "…"),
    Category(RUNNING, _L[RUNNING], "#2f7fd8", "▶"),
    Category(RETRYING, _L[RETRYING], "#b07ad8", "↻"),
    Category(Outcome.SUCCEEDED, _L[Outcome.SUCCEEDED], "#2e9e4f", "✓"),
    Category(Outcome.REJECTED, _L[Outcome.REJECTED], "#d39a1c", "!"),
    Category(Outcome.FAILED, _L[Outcome.FAILED], "#d64541", "✗"),
    Category(Outcome.TIMED_OUT, _L[Outcome.TIMED_OUT], "#e0742a", "⌛"),
    Category(Outcome.REVOKED, _L[Outcome.REVOKED], "#6d6d6d", "⊘"),
    Category(Outcome.LOST, _L[Outcome.LOST], "#8e3b8e", "?"),
)
CATEGORY_BY_KEY: dict[str, Category] = {c.key: c for c in CATEGORIES}


_icons: dict[str, QIcon] = {}


def category_icon(key: str) -> QIcon:
    """A filled circle with the category's glyph, painted once per category (needs a QGuiApplication)."""
    icon = _icons.get(key)
    if icon is None:
        cat = CATEGORY_BY_KEY[key]
        pixmap = QPixmap(32, 32)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QColor(cat.colour))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(1, 1, 30, 30)
        painter.setPen(QColor("white"))
        font = painter.font()
        font.setPixelSize(20)
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, cat.glyph)
        painter.end()
        icon = QIcon(pixmap)
        _icons[key] = icon
    return icon
