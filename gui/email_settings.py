"""The Email tab of Settings: the SMTP server and addresses, checked field by field (the field at fault is
marked and focused, in words a desktop user acts on), and a connection test that lists each step as it
happens and claims only what it proved (``core.mail.smtp.passed_message``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from core.mail import secrets
from core.mail.errors import MailError, NoPasswordStored, SettingsError
from core.mail.settings import (
    DEFAULT_PORTS,
    SECURITY_CHOICES,
    EmailSettings,
    resolve_settings,
    stored_settings,
)
from core.mail.smtp import check_connection, passed_message
from gui.bridge import Bridge

REQUIRED_TO_SEND = ("host", "from", "to")


class _StepRelay(QObject):
    step = Signal(str)


class EmailPage(QWidget):
    def __init__(self, bridge: Bridge, error: QLabel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge, self.error = bridge, error
        form = QFormLayout(self)
        stored = stored_settings()
        self.host = QLineEdit(str(stored.get("host") or ""))
        self.host.setAccessibleName("SMTP host")
        self.host.setPlaceholderText("smtp.example.com")
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
        self.user.setPlaceholderText("empty if the server asks for no login")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("SMTP password")
        self.password.setPlaceholderText("kept in the OS keyring; empty: keep the stored one")
        self.sender = QLineEdit(str(stored.get("from") or ""))
        self.sender.setAccessibleName("From address")
        self.sender.setPlaceholderText("reports@example.com")
        to = stored.get("to") or []
        self.recipients = QLineEdit(", ".join(to) if isinstance(to, list) else str(to))
        self.recipients.setAccessibleName("To addresses")
        self.recipients.setPlaceholderText("a@example.com, b@example.com")
        self.ca_file = QLineEdit(str(stored.get("ca_file") or ""))
        self.ca_file.setAccessibleName("CA file")
        self.ca_file.setPlaceholderText("empty: the system's trusted certificates")
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
        self.test_log.setPlaceholderText("Test connection connects, encrypts and logs in; it sends nothing.")
        form.addRow(self.test_log)
        self.fields: dict[str, QWidget] = {
            "host": self.host, "port": self.port, "security": self.security, "user": self.user,
            "password": self.password, "from": self.sender, "to": self.recipients, "ca_file": self.ca_file,
        }
        self.relay = _StepRelay(self)
        self.relay.step.connect(self.test_log.appendPlainText)

    def _security_changed(self, security: str) -> None:
        if self.port.value() in DEFAULT_PORTS.values():
            self.port.setValue(DEFAULT_PORTS[security])

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CA bundle", filter="Certificates (*.pem *.crt);;All (*)")
        if path:
            self.ca_file.setText(path)

    # -- values and checks ---------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {
            "host": self.host.text().strip() or None,
            "port": self.port.value(),
            "security": self.security.currentText(),
            "user": self.user.text().strip() or None,
            "from": self.sender.text().strip() or None,
            "to": [t.strip() for t in self.recipients.text().split(",") if t.strip()],
            "ca_file": self.ca_file.text().strip() or None,
        }

    def typed_anything(self) -> bool:
        values = self.values()
        return any(values[k] for k in ("host", "user", "from", "to"))

    def check(self, *, need_password: bool) -> EmailSettings:
        """The typed settings, complete and valid, or ``SettingsError`` naming the field at fault."""
        values = self.values()
        missing = [k for k in REQUIRED_TO_SEND if not values[k]]
        if len(missing) == len(REQUIRED_TO_SEND):
            raise SettingsError("Fill in the email server (Host), From and To to send reports.", field="host")
        settings = resolve_settings(stored={k: v for k, v in values.items() if v}, environ={})
        settings.require_server()
        settings.sender_mailbox()
        settings.recipient_mailboxes()
        if need_password and settings.user and not self.password.text():
            try:
                stored = secrets.has_password(settings.user, settings.host or "")
            except MailError:
                stored = False
            if not stored:
                raise SettingsError(f"No password is stored for {settings.user}: type it in Password (it is "
                                    "kept in the OS keyring).", field="password")
        return settings

    def show_error(self, exc: SettingsError) -> bool:
        """Say what is wrong and mark the field; True when a field of this page was at fault."""
        for widget in self.fields.values():
            widget.setStyleSheet("")
        text = str(exc)
        self.error.setText(text[:1].upper() + text[1:])
        widget = self.fields.get(exc.field or "")
        if widget is None:
            return False
        widget.setStyleSheet("border:1px solid #d64541")
        widget.setFocus()
        return True

    # -- test connection -----------------------------------------------------------------------------

    def test_connection(self) -> None:
        self.test_log.clear()
        self.error.clear()
        values = self.values()
        if not values["host"]:
            self.show_error(SettingsError("Type the email server's name in Host first (for example "
                                          "smtp.example.com).", field="host"))
            self.test_log.appendPlainText("Not tested: no server (Host) is set.")
            return
        typed = self.password.text()
        relay = self.relay

        def run() -> EmailSettings:
            settings = resolve_settings(stored={k: v for k, v in values.items() if v}, environ={})
            password = None
            if settings.user:
                if typed:
                    password = typed
                    relay.step.emit("ok  using the password typed above")
                else:
                    try:
                        password = secrets.get_password(settings.user, settings.host or "")
                        relay.step.emit("ok  password found in the OS keyring")
                    except NoPasswordStored:
                        raise SettingsError(f"no password is stored for {settings.user}: type it in Password",
                                            field="password") from None
            check_connection(settings, password, lambda m: relay.step.emit(f"ok  {m}"))
            return settings

        def done(settings: EmailSettings) -> None:
            self.test_button.setEnabled(True)
            self.test_log.appendPlainText(f"PASSED: {passed_message(settings)}.")

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            if not isinstance(exc, MailError | OSError):
                raise exc
            self.test_log.appendPlainText(f"FAILED: {exc}")
            if isinstance(exc, SettingsError):
                self.show_error(exc)

        self.test_button.setEnabled(False)
        where = f"{values['host']}:{values['port']} ({values['security']})"
        self.test_log.appendPlainText(f"..  connecting to {where}")
        self.bridge.run(run, done, failed)
