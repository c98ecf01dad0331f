"""Settings: broker (local or a Redis URL), local workers, time limits and deadline, email.

Passwords (Redis, SMTP) go to the OS keyring only, through core's helpers; the settings file gets the
rest (``core.config`` refuses secret keys anyway). Test connection runs in the background and lists each
SMTP step as it happens.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
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
from core.mail.errors import MailError, NoPasswordStored
from core.mail.settings import (
    DEFAULT_PORTS,
    SECURITY_CHOICES,
    resolve_settings,
    save_settings,
    stored_settings,
)
from core.mail.smtp import check_connection
from gui.bridge import Bridge

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


class _StepRelay(QObject):
    step = Signal(str)


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

    def __init__(self, bridge: Bridge, parent: QWidget | None = None, tab: int = TAB_BROKER) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self._build_broker()
        self._build_engine()
        self._build_email()
        self.error = QLabel()
        self.error.setStyleSheet("color:#d64541")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.tabs.setCurrentIndex(tab)
        self.relay = _StepRelay(self)
        self.relay.step.connect(self.test_log.appendPlainText)

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
        form.addRow("Local worker processes", self.local_workers)
        form.addRow("Soft time limit per contract", self.soft_limit)
        form.addRow("Hard time limit per contract", self.hard_limit)
        form.addRow("Batch deadline (0 = none)", self.deadline)
        self.tabs.addTab(page, "&Engine")

    def _build_email(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        stored = stored_settings()
        self.host = QLineEdit(str(stored.get("host") or ""))
        self.host.setAccessibleName("SMTP host")
        self.security = QComboBox()
        self.security.addItems(list(SECURITY_CHOICES))
        self.security.setAccessibleName("SMTP security")
        self.security.setCurrentText(str(stored.get("security") or "starttls"))
        self.port = QSpinBox(minimum=1, maximum=65535)
        self.port.setValue(int(stored.get("port") or DEFAULT_PORTS[self.security.currentText()]))
        self.port.setAccessibleName("SMTP port")
        self.security.currentTextChanged.connect(self._security_changed)
        self.user = QLineEdit(str(stored.get("user") or ""))
        self.user.setAccessibleName("SMTP user")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("SMTP password")
        self.password.setPlaceholderText("kept in the OS keyring; empty: keep the stored one")
        self.sender = QLineEdit(str(stored.get("from") or ""))
        self.sender.setAccessibleName("From address")
        to = stored.get("to") or []
        self.recipients = QLineEdit(", ".join(to) if isinstance(to, list) else str(to))
        self.recipients.setAccessibleName("To addresses")
        self.recipients.setPlaceholderText("a@example.com, b@example.com")
        self.ca_file = QLineEdit(str(stored.get("ca_file") or ""))
        self.ca_file.setAccessibleName("CA file")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(browse)
        form.addRow("Host", self.host)
        form.addRow("Security", self.security)
        form.addRow("Port", self.port)
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        form.addRow("From", self.sender)
        form.addRow("To", self.recipients)
        form.addRow("CA file", ca_row)
        self.test_button = QPushButton("&Test connection")
        self.test_button.setAccessibleName("Test the SMTP connection")
        self.test_button.clicked.connect(self.test_connection)
        form.addRow(self.test_button)
        self.test_log = QPlainTextEdit()
        self.test_log.setReadOnly(True)
        self.test_log.setAccessibleName("Connection test steps")
        self.test_log.setMaximumBlockCount(200)
        form.addRow(self.test_log)
        self.tabs.addTab(page, "E&mail")

    def _security_changed(self, security: str) -> None:
        if self.port.value() in DEFAULT_PORTS.values():
            self.port.setValue(DEFAULT_PORTS[security])

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CA bundle", filter="Certificates (*.pem *.crt);;All (*)")
        if path:
            self.ca_file.setText(path)

    # -- values --------------------------------------------------------------------------------------

    def email_values(self) -> dict[str, Any]:
        return {
            "host": self.host.text().strip() or None,
            "port": self.port.value(),
            "security": self.security.currentText(),
            "user": self.user.text().strip() or None,
            "from": self.sender.text().strip() or None,
            "to": [t.strip() for t in self.recipients.text().split(",") if t.strip()],
            "ca_file": self.ca_file.text().strip() or None,
        }

    def save(self) -> None:
        try:
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
            values = self.email_values()
            if any(values[k] for k in ("host", "user", "from", "to")):
                save_settings(values)
            if self.password.text() and values["user"] and values["host"]:
                secrets.store_password(values["user"], values["host"], self.password.text())
        except (MailError, ValueError, OSError) as exc:
            self.error.setText(str(exc))
            return
        if self.soft_limit.value() >= self.hard_limit.value():
            self.error.setText("the soft time limit must be below the hard one")
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

    # -- test connection -----------------------------------------------------------------------------

    def test_connection(self) -> None:
        self.test_log.clear()
        values = self.email_values()
        typed = self.password.text()
        relay = self.relay

        def run() -> None:
            settings = resolve_settings(stored={k: v for k, v in values.items() if v}, environ={})
            settings.require_server()
            password = None
            if settings.user:
                if typed:
                    password = typed
                    relay.step.emit("ok  using the password typed above")
                else:
                    try:
                        password = secrets.get_password(settings.user, settings.host or "")
                        relay.step.emit("ok  password found in the OS keyring")
                    except NoPasswordStored as exc:
                        raise MailError(str(exc)) from None
            check_connection(settings, password, lambda m: relay.step.emit(f"ok  {m}"))

        def done(_: Any) -> None:
            self.test_button.setEnabled(True)
            self.test_log.appendPlainText("PASSED: the server accepted the connection and the login")

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            self.test_log.appendPlainText(f"FAILED: {exc}")

        self.test_button.setEnabled(False)
        self.test_log.appendPlainText(
            f"..  connecting to {values['host']}:{values['port']} ({values['security']})"
        )
        self.bridge.run(run, done, failed)
