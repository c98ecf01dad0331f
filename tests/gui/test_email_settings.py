"""The email settings as a desktop user meets them: Save never closes on settings that would fail later
(it names the field to fix, marks it and moves the focus there, and stays open), Test connection says what
to type rather than "None:587" or a command to run, and claims only what it proved (a server that asked
for no login did not accept one). ``focusWidget()``: offscreen windows are never active, so hasFocus()
would always be False."""

from __future__ import annotations

import json
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from core import config
from gui.main_window import MainWindow
from gui.report_actions import SETUP_TO_SEND
from gui.settings_dialog import TAB_EMAIL, TAB_ENGINE
from tests.mail.conftest import SmtpServer
from tests.mail.memory_keyring import MemoryKeyring


def test_save_with_nothing_typed_when_sending_stays_open_and_says_why(
    qtbot: QtBot, make_window: Callable[..., MainWindow], memory_keyring: MemoryKeyring
) -> None:
    window = make_window()
    dialog = window.show_settings(TAB_EMAIL, lambda: None, SETUP_TO_SEND)
    dialog.save()
    assert dialog.isVisible()  # it used to close and send nothing, silently
    assert "Host" in dialog.error.text() and "From" in dialog.error.text()
    assert dialog.tabs.currentIndex() == TAB_EMAIL and dialog.focusWidget() is dialog.host
    assert not config.load_section("email")


def test_save_names_the_field_to_fix(
    qtbot: QtBot, make_window: Callable[..., MainWindow], memory_keyring: MemoryKeyring
) -> None:
    window = make_window()
    dialog = window.show_settings()
    dialog.host.setText("smtp.example.com")
    dialog.save()  # a host alone: From is missing
    assert dialog.isVisible() and dialog.tabs.currentIndex() == TAB_EMAIL
    assert "From" in dialog.error.text() and "email-setup" not in dialog.error.text()
    assert dialog.focusWidget() is dialog.sender and "d64541" in dialog.sender.styleSheet()

    dialog.sender.setText("reports@example.com")
    dialog.recipients.setText("boss at example.com, cfo@example.com")
    dialog.save()
    assert dialog.isVisible() and "boss at example.com" in dialog.error.text()
    assert dialog.focusWidget() is dialog.recipients

    dialog.recipients.setText("boss@example.com")
    dialog.user.setText("reports@example.com")  # a login, but no password typed or stored
    dialog.save()
    assert dialog.isVisible() and "password" in dialog.error.text().lower()
    assert dialog.focusWidget() is dialog.password

    dialog.password.setText("secret")
    dialog.soft_limit.setValue(50)
    dialog.hard_limit.setValue(40)
    dialog.save()
    assert dialog.isVisible() and dialog.tabs.currentIndex() == TAB_ENGINE and "soft" in dialog.error.text()

    dialog.hard_limit.setValue(60)
    dialog.save()
    assert not dialog.isVisible(), dialog.error.text()
    stored = json.loads(config.config_path().read_text())["email"]
    assert stored["host"] == "smtp.example.com" and stored["to"] == ["boss@example.com"]


def test_test_connection_without_a_host_says_what_to_type(
    qtbot: QtBot, make_window: Callable[..., MainWindow], memory_keyring: MemoryKeyring
) -> None:
    window = make_window()
    dialog = window.show_settings(TAB_EMAIL)
    dialog.test_connection()
    log = dialog.test_log.toPlainText()
    assert "None" not in log and "contract-batch" not in log and "Not tested" in log
    assert "Host" in dialog.error.text() and dialog.focusWidget() is dialog.host


def test_a_server_without_login_is_not_said_to_accept_one(
    qtbot: QtBot, make_window: Callable[..., MainWindow], memory_keyring: MemoryKeyring,
    smtp_factory: Callable[..., SmtpServer], ca_file: str,
) -> None:
    server = smtp_factory("starttls", auth_required=False)
    window = make_window()
    dialog = window.show_settings(TAB_EMAIL)
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(server.port)
    dialog.ca_file.setText(ca_file)
    dialog.test_connection()
    qtbot.waitUntil(lambda: "PASSED" in dialog.test_log.toPlainText() or "FAILED" in
                    dialog.test_log.toPlainText(), timeout=30_000)
    log = dialog.test_log.toPlainText()
    assert "PASSED" in log, log
    assert "no login was tried" in log and "login of" not in log
    assert "TLS" in log.splitlines()[-1]

    dialog.user.setText("nobody@example.com")
    dialog.test_connection()  # a user, no password anywhere: say where to type it
    qtbot.waitUntil(lambda: "FAILED" in dialog.test_log.toPlainText(), timeout=30_000)
    assert "type it in Password" in dialog.test_log.toPlainText() and dialog.focusWidget() is dialog.password
