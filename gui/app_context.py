"""What the window's parts share, built once by ``gui.app`` and passed down (no global registries): the
context of the app, and the batch on screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon

from core.local.history import HistoryStore
from core.local.mode import LocalMode, Started
from gui.bridge import Bridge
from gui.errors import ErrorReporter

if TYPE_CHECKING:
    from core.reporting.summary import Summary


@dataclass
class AppContext:
    history: HistoryStore
    bridge: Bridge
    settings: QSettings
    errors: ErrorReporter
    local: LocalMode
    broker_option: str | None = None
    icon: QIcon = field(default_factory=QIcon)
    started: Started | None = None  # what this process started in local mode (the self-test stops it)


@dataclass
class CurrentBatch:
    batch_id: str
    label: str = ""
    created_ts: float = 0.0
    state: str = "open"
    report: dict[str, Any] | None = None
    summary: Summary | None = None
    seen_unfinished: bool = False  # only a batch seen running here gets a "finished" notification
