"""Fixtures of the email tests: an in-memory keyring, a trustme CA, real aiosmtpd servers (TLS, STARTTLS,
AUTH), and the reports they send (from the reporting tests' fixtures)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import keyring
import pytest
import trustme
from aiosmtpd import smtp as aiosmtp
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from core.mail.settings import EmailSettings
from tests.mail.memory_keyring import MemoryKeyring
from tests.reporting.conftest import (  # noqa: F401 - the reports the email tests send
    AS_OF,
    bundle12,
    report12,
    report_file,
    small_report,
)

SMTP_USER = "reports@example.com"
SMTP_PASSWORD = "correct horse battery staple"
REFUSED = "nobody@example.com"


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test here gets a fresh in-memory keyring (a real backend object, selected the official way)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _no_smtp_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for suffix in ("HOST", "PORT", "SECURITY", "USER", "FROM", "TO", "CA_FILE", "PASSWORD"):
        monkeypatch.delenv(f"CONTRACT_BATCH_SMTP_{suffix}", raising=False)


# -------------------------------------------------------------------------------------------- reports


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(scope="session")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
    return ctx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------------------------- SMTP


@dataclass
class Received:
    envelope_from: str
    rcpt_tos: list[str]
    data: bytes

    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: aiosmtp.SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() == REFUSED:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: aiosmtp.SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.received.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), bytes(envelope.content))
        )
        return "250 Message accepted"


def authenticator(handler: Handler) -> Callable[..., AuthResult]:
    def check(
        server: aiosmtp.SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = data.login.decode() == SMTP_USER and data.password.decode() == SMTP_PASSWORD
        if ok:
            handler.logins.append(data.login.decode())
        # handled=False: aiosmtpd then answers 535 itself (handled=True would leave the client waiting).
        return AuthResult(success=ok, handled=False)

    return check


@dataclass
class SmtpServer:
    controller: Controller
    handler: Handler
    port: int
    security: str

    def settings(self, **overrides: Any) -> EmailSettings:
        values: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "security": self.security,
            "user": SMTP_USER,
            "sender": "Contract reports <reports@example.com>",
            "recipients": ("boss@example.com",),
            "ca_file": None,
            "timeout_s": 10.0,
        }
        values.update(overrides)
        return EmailSettings(**values)


@pytest.fixture
def smtp_factory(server_tls: ssl.SSLContext) -> Iterator[Callable[..., SmtpServer]]:
    started: list[Controller] = []

    def start(
        security: str = "starttls", data_size_limit: int = 33_554_432, tls: ssl.SSLContext | None = None,
        auth_required: bool = True,
    ) -> SmtpServer:
        context = tls or server_tls
        handler = Handler()
        port = free_port()
        kwargs: dict[str, Any] = {
            "hostname": "127.0.0.1",
            "port": port,
            "authenticator": authenticator(handler),
            "auth_required": auth_required,
            "data_size_limit": data_size_limit,
            "ready_timeout": 10.0,
        }
        if security == "ssl":
            # aiosmtpd only counts STARTTLS as TLS, hence auth_require_tls=False on an implicit-TLS port.
            kwargs.update(ssl_context=context, auth_require_tls=False)
        elif security == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            kwargs.update(auth_require_tls=False)
        controller = Controller(handler, **kwargs)
        controller.start()
        started.append(controller)
        return SmtpServer(controller, handler, port, security)

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def starttls_server(smtp_factory: Callable[..., SmtpServer]) -> SmtpServer:
    return smtp_factory("starttls")


@pytest.fixture
def ssl_server(smtp_factory: Callable[..., SmtpServer]) -> SmtpServer:
    return smtp_factory("ssl")


