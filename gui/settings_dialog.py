"""Settings: broker (local or a Redis URL), local workers, time limits and deadline, email
(``gui.email_settings``).

Passwords (Redis, SMTP) go to the OS keyring only, through core's helpers; the settings file gets the
rest (``core.config`` refuses secret keys anyway). Save checks what was typed and stays open, naming the
field to fix, rather than closing on settings that would fail later.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core import config
from core.engine.broker import KEYRING_SERVICE, redis_password_user
from core.engine.settings import EngineSettings
from core.mail import secrets
from core.mail.errors import MailError, SettingsError
from core.mail.settings import resolve_settings, save_settings
from gui.bridge import Bridge
from gui.email_settings import EmailPage

TAB_BROKER, TAB_ENGINE, TAB_EMAIL = range(3)


def engine_values() -> dict[str, Any]:
    """The ``engine`` section with defaults filled in (what Run uses)."""
    d = EngineSettings.from_env()
    raw = config.load_section("engine")
    return {
        "local_workers": int(raw.get("local_workers") or 2),
        "soft_time_limit": float(raw.get("soft_time_limit") or d.soft_time_limit),
        "time_limit": float(raw.get("time_limit") or d.time_limit),
        "deadline": float(raw.get("deadline") or 0.0),  # 0: no deadline
    }


def email_configured() -> bool:
    try:
        s = resolve_settings()
        s.require_server()
        s.sender_mailbox()
        s.recipient_mailboxes()
    except MailError:
        return False
    return True


def _strip_password(url: str) -> tuple[str, str | None]:
    """A Redis URL without its password, and that password (it belongs in the keyring)."""
    parts = urlsplit(url)
    if not parts.password:
        return url, None
    user = parts.username or ""
    netloc = (f"{user}@" if user else "") + (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), parts.password


class SettingsDialog(QDialog):
    saved = Signal(bool)  # True when the broker settings changed (the app reconnects)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None, tab: int = TAB_BROKER,
                 reason: str | None = None) -> None:
        """``reason``: why the dialog opened (e.g. Send report with no email set up); shown at the top,
        and it makes the email settings required on Save."""
        super().__init__(parent)
        self.bridge = bridge
        self.reason = reason
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        if reason:
            why = QLabel(reason)
            why.setWordWrap(True)
            why.setAccessibleName("Why these settings are needed")
            why.setStyleSheet("background:#fff4d6;color:#222;padding:6px;border-radius:3px")
            layout.addWidget(why)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.error = QLabel()
        self.error.setStyleSheet("color:#d64541")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("What to fix")
        self._build_broker()
        self._build_engine()
        self._build_email()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.tabs.setCurrentIndex(tab)

    # -- tabs ----------------------------------------------------------------------------------------

    def _build_broker(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        cfg = config.load_section("broker")
        url = str(cfg.get("url") or "")
        self.local_radio = QRadioButton("Local (private Redis and workers on this computer)")
        self.remote_radio = QRadioButton("Redis server")
        group = QButtonGroup(page)
        group.addButton(self.local_radio)
        group.addButton(self.remote_radio)
        self.broker_url = QLineEdit(url if url and url != "local" else "")
        self.broker_url.setPlaceholderText("redis://host:6379/0")
        self.broker_url.setAccessibleName("Redis URL")
        self.broker_password = QLineEdit()
        self.broker_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.broker_password.setAccessibleName("Redis password")
        self.broker_password.setPlaceholderText(
            "stored in the OS keyring" if cfg.get("password_in_keyring") else "none (optional)"
        )
        (self.remote_radio if url and url != "local" else self.local_radio).setChecked(True)
        self.local_radio.toggled.connect(self._sync_broker)
        form.addRow(self.local_radio)
        form.addRow(self.remote_radio)
        form.addRow("URL", self.broker_url)
        form.addRow("Password", self.broker_password)
        self._sync_broker()
        self.tabs.addTab(page, "&Broker")

    def _sync_broker(self) -> None:
        remote = self.remote_radio.isChecked()
        self.broker_url.setEnabled(remote)
        self.broker_password.setEnabled(remote)

    def _build_engine(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        values = engine_values()
        self.local_workers = QSpinBox(minimum=1, maximum=64, value=values["local_workers"])
        self.local_workers.setAccessibleName("Local worker processes")
        self.soft_limit = QDoubleSpinBox(
            minimum=1, maximum=86400, decimals=0, value=values["soft_time_limit"]
        )
        self.soft_limit.setSuffix(" s")
        self.soft_limit.setAccessibleName("Soft time limit per contract")
        self.hard_limit = QDoubleSpinBox(minimum=2, maximum=86400, decimals=0, value=values["time_limit"])
        self.hard_limit.setSuffix(" s")
        self.hard_limit.setAccessibleName("Hard time limit per contract")
        self.deadline = QDoubleSpinBox(minimum=0, maximum=7 * 86400, decimals=0, value=values["deadline"])
        self.deadline.setSuffix(" s")
        self.deadline.setSpecialValueText("none")
        self.deadline.setAccessibleName("Batch deadline")
        form.addRow("Local worker processes (contracts run at once)", self.local_workers)
        form.addRow("Soft time limit per contract", self.soft_limit)
        form.addRow("Hard time limit per contract", self.hard_limit)
        form.addRow("Batch deadline (0 = none)", self.deadline)
        self.tabs.addTab(page, "&Engine")

    def _build_email(self) -> None:
        self.email = EmailPage(self.bridge, self.error)
        self.tabs.addTab(self.email, "E&mail")
        # The page's fields under the dialog's names (tests and callers fill them in).
        e = self.email
        self.host, self.security, self.port, self.user = e.host, e.security, e.port, e.user
        self.password, self.sender, self.recipients = e.password, e.sender, e.recipients
        self.ca_file, self.test_log, self.test_button = e.ca_file, e.test_log, e.test_button

    def email_values(self) -> dict[str, Any]:
        return self.email.values()

    def test_connection(self) -> None:
        self.email.test_connection()

    def _fail(self, exc: SettingsError) -> None:
        if self.email.show_error(exc):
            self.tabs.setCurrentIndex(TAB_EMAIL)

    def save(self) -> None:
        if self.soft_limit.value() >= self.hard_limit.value():
            self.tabs.setCurrentIndex(TAB_ENGINE)
            self.error.setText("The soft time limit must be below the hard one.")
            return
        # Email must be complete when the dialog opened to send a report, or when some of it was typed:
        # a Save that kept half a setup (or nothing, when sending) would fail later, far from here.
        email_wanted = self.reason is not None or self.email.typed_anything()
        try:
            if email_wanted:
                self.email.check(need_password=True)
            broker_changed = self._save_broker()
            config.save_section(
                "engine",
                {
                    "local_workers": self.local_workers.value(),
                    "soft_time_limit": self.soft_limit.value(),
                    "time_limit": self.hard_limit.value(),
                    "deadline": self.deadline.value() or None,
                },
            )
            values = self.email.values()
            if email_wanted:
                save_settings(values)
            if self.password.text() and values["user"] and values["host"]:
                secrets.store_password(values["user"], values["host"], self.password.text())
        except SettingsError as exc:
            self._fail(exc)
            return
        except (MailError, ValueError, OSError) as exc:
            self.error.setText(str(exc))
            return
        self.saved.emit(broker_changed)
        self.accept()

    def _save_broker(self) -> bool:
        before = config.load_section("broker")
        if self.local_radio.isChecked():
            new: dict[str, Any] = {"url": "local"}
        else:
            url, embedded = _strip_password(self.broker_url.text().strip())
            if not url.startswith(("redis://", "rediss://", "redis+socket://", "unix://")):
                raise ValueError("the broker URL must start with redis:// or rediss://")
            password = self.broker_password.text() or embedded
            keep = bool(before.get("password_in_keyring")) and before.get("url") == url
            if password:
                secrets.usable_backend().set_password(KEYRING_SERVICE, redis_password_user(url), password)
            new = {"url": url, "password_in_keyring": bool(password) or keep}
        if (before.get("url") or "local") == new["url"] and not self.broker_password.text():
            return False  # unchanged: no reconnect
        config.save_section("broker", new)
        return True
