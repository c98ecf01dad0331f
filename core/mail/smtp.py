"""Talking to the SMTP server: connect, TLS, EHLO, AUTH, send; each step reported, each failure turned
into one specific ``MailError`` with a hint.

- ``ssl``: implicit TLS (port 465, RFC 8314); ``starttls``: plain connect then STARTTLS (587), refusing
  to continue if the server does not offer it; ``none``: plain SMTP, only when chosen explicitly (the CLI
  warns).
- Certificates are always verified (``ssl.create_default_context``: chain and host name). ``ca_file``
  replaces the system trust store with the given CA bundle, for servers behind a private CA.
- The message goes out only when every recipient was accepted: RCPT replies are checked before DATA, and
  a refusal resets the transaction, so a report never reaches half of its recipients.
- The password is passed to ``smtplib`` and nothing else; debug output is never enabled (smtplib's debug
  log would print the AUTH exchange).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

from core.mail.addresses import Mailbox
from core.mail.errors import (
    AuthError,
    ConnectError,
    MailError,
    MessageTooLarge,
    RecipientRefused,
    SendFailed,
    TLSError,
)
from core.mail.settings import EmailSettings

Step = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


def _reply(resp: bytes | str) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return " ".join(text.split())[:300]


def tls_context(settings: EmailSettings) -> ssl.SSLContext:
    try:
        # cafile given: only that bundle is trusted (the private CA case); otherwise the system store.
        return ssl.create_default_context(cafile=settings.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise TLSError(f"cannot load CA file {settings.ca_file}: {exc}") from None


@contextmanager
def _translated(settings: EmailSettings, stage: str) -> Iterator[None]:
    """Turn whatever smtplib/ssl/socket raise during ``stage`` into a MailError with a hint."""
    where = f"{settings.host}:{settings.port}"
    try:
        yield
    except MailError:
        raise
    except (smtplib.SMTPServerDisconnected, ConnectionResetError, ssl.SSLEOFError) as exc:
        if "timed out" in str(exc):
            # smtplib reports a read timeout as "Connection unexpectedly closed: timed out".
            raise ConnectError(
                f"timed out after {settings.timeout_s:g} s during {stage} with {where}: the server accepted "
                "the connection but did not answer (is it an SMTP server?)"
            ) from None
        if settings.security == "ssl" and "TLS" in stage:
            # A plain-SMTP port hangs up on a TLS ClientHello: the usual cause is ssl vs starttls.
            raise TLSError(
                f"{where} closed the connection during the TLS handshake; if it expects STARTTLS "
                "(usually port 587), try --security starttls"
            ) from None
        raise ConnectError(f"{where} closed the connection during {stage} ({type(exc).__name__})") from None
    except ssl.SSLCertVerificationError as exc:
        raise TLSError(
            f"the certificate of {where} is not trusted ({exc.verify_message or exc.reason}); if the server "
            "uses a private CA, pass its certificate with --ca-file"
        ) from None
    except ssl.SSLError as exc:
        hint = ""
        if settings.security == "ssl" and settings.port != 465:
            hint = f"; port {settings.port} usually speaks STARTTLS: try --security starttls"
        elif settings.security == "starttls" and settings.port == 465:
            hint = "; port 465 speaks implicit TLS: try --security ssl"
        raise TLSError(
            f"TLS handshake with {where} failed during {stage} ({exc.reason or exc}){hint}"
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise AuthError(
            f"the server rejected the login of {settings.user!r} ({exc.smtp_code} {_reply(exc.smtp_error)}): "
            "check the user name, and store the right password with `contract-batch email-setup`"
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendFailed(f"{where} does not support {stage}: {exc}") from None
    except smtplib.SMTPConnectError as exc:
        raise ConnectError(
            f"{where} refused the session ({exc.smtp_code} {_reply(exc.smtp_error)})"
        ) from None
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code == 552:
            raise MessageTooLarge(
                f"{where} refused the message as too large ({_reply(exc.smtp_error)})"
            ) from None
        raise SendFailed(
            f"{where} answered {exc.smtp_code} {_reply(exc.smtp_error)} during {stage}"
        ) from None
    except smtplib.SMTPException as exc:
        raise SendFailed(f"SMTP error with {where} during {stage}: {exc}") from None
    except ConnectionRefusedError:
        raise ConnectError(
            f"connection to {where} refused: is the SMTP server running, and are host and port right?"
        ) from None
    except TimeoutError:
        raise ConnectError(
            f"timed out after {settings.timeout_s:g} s during {stage} with {where}: "
            "check host, port and any firewall"
        ) from None
    except socket.gaierror as exc:
        raise ConnectError(f"cannot resolve SMTP host {settings.host!r} ({exc.strerror})") from None
    except OSError as exc:
        raise ConnectError(f"network error during {stage} with {where}: {exc.strerror or exc}") from None


def connect(settings: EmailSettings, on_step: Step = _quiet) -> smtplib.SMTP:
    """An open, EHLO'd session, encrypted unless ``security`` is ``none``. Caller closes it."""
    settings.require_server()
    host = settings.host or ""
    where = f"{settings.host}:{settings.port}"
    context = tls_context(settings) if settings.encrypted else None
    conn: smtplib.SMTP
    if settings.security == "ssl":
        on_step(f"connecting to {where} with implicit TLS")
        with _translated(settings, "connect and TLS handshake"):
            conn = smtplib.SMTP_SSL(host, settings.port, timeout=settings.timeout_s, context=context)
    else:
        on_step(f"connecting to {where}")
        with _translated(settings, "connect"):
            conn = smtplib.SMTP(host, settings.port, timeout=settings.timeout_s)
    try:
        with _translated(settings, "EHLO"):
            conn.ehlo()
        if settings.security == "starttls":
            on_step("STARTTLS")
            if not conn.has_extn("starttls"):
                raise TLSError(
                    f"{where} does not offer STARTTLS, so the connection cannot be encrypted; use "
                    "--security ssl if it speaks implicit TLS (usually port 465)"
                )
            with _translated(settings, "STARTTLS handshake"):
                conn.starttls(context=context)
                conn.ehlo()  # capabilities change after TLS (AUTH is often only offered now)
        if settings.encrypted:
            sock = conn.sock
            version = sock.version() if isinstance(sock, ssl.SSLSocket) else "?"
            suite = sock.cipher() if isinstance(sock, ssl.SSLSocket) else None
            cipher = suite[0] if suite else "?"
            trust = f"CA file {settings.ca_file}" if settings.ca_file else "system trust store"
            on_step(
                f"TLS established ({version}, {cipher}); certificate verified for {settings.host} ({trust})"
            )
        else:
            on_step("WARNING: plain SMTP: nothing on this connection is encrypted")
    except BaseException:
        _close(conn)
        raise
    return conn


def login(conn: smtplib.SMTP, settings: EmailSettings, password: str | None, on_step: Step = _quiet) -> None:
    if not settings.user:
        on_step("no user configured: continuing without AUTH")
        return
    if password is None:
        raise AuthError("a user is configured but no password was given")
    if not conn.has_extn("auth"):
        raise AuthError(
            f"{settings.host}:{settings.port} does not offer AUTH"
            + (" before TLS: use --security starttls or ssl" if not settings.encrypted else "")
        )
    on_step(f"AUTH as {settings.user}")
    with _translated(settings, "AUTH"):
        conn.login(settings.user, password)
    on_step("AUTH accepted")


def _close(conn: smtplib.SMTP) -> None:
    with suppress(smtplib.SMTPException, OSError):
        conn.quit()
    with suppress(OSError):
        conn.close()


def check_connection(settings: EmailSettings, password: str | None, on_step: Step = _quiet) -> None:
    """Connect, TLS, EHLO, AUTH, NOOP, QUIT: raises on the first failing step."""
    conn = connect(settings, on_step)
    try:
        login(conn, settings, password, on_step)
        with _translated(settings, "NOOP"):
            code, resp = conn.noop()
        if code != 250:
            raise SendFailed(f"server answered NOOP with {code} {_reply(resp)}")
        size = conn.esmtp_features.get("size")
        if size and size.isdigit() and int(size):
            on_step(f"server accepts messages up to {int(size) / 1e6:.1f} MB")
    finally:
        _close(conn)
    on_step("QUIT")


def passed_message(settings: EmailSettings) -> str:
    """What a passed ``check_connection`` proved, and nothing more (the CLI's email-test and the desktop's
    Test connection say the same): a server that asked for no login did not accept one."""
    proved = ["the server accepted the connection"]
    if settings.encrypted:
        proved.append("TLS")
    if settings.user:
        proved.append(f"the login of {settings.user}")
    text = ", ".join(proved[:-1]) + " and " + proved[-1] if len(proved) > 1 else proved[0]
    if not settings.user:
        text += " (no login was tried: no user is set)"
    return text + "; nothing was sent"


def send_message(
    settings: EmailSettings,
    password: str | None,
    msg: EmailMessage,
    sender: Mailbox,
    recipients: Sequence[Mailbox],
    on_step: Step = _quiet,
) -> None:
    """Send ``msg`` to every recipient or to none (see module docstring)."""
    data = msg.as_bytes(policy=SMTP_POLICY)
    conn = connect(settings, on_step)
    try:
        login(conn, settings, password, on_step)
        size = conn.esmtp_features.get("size", "")
        limit = int(size) if size.isdigit() else 0
        if limit and len(data) > limit:
            raise MessageTooLarge(
                f"the message is {len(data) / 1e6:.1f} MB but {settings.host} accepts at most "
                f"{limit / 1e6:.1f} MB: send fewer attachments (e.g. export and share report.pdf instead)"
            )
        options = [f"SIZE={len(data)}"] if limit or conn.has_extn("size") else []
        on_step(f"MAIL FROM {sender.addr_spec} ({len(data) / 1e6:.2f} MB)")
        with _translated(settings, "MAIL FROM"):
            code, resp = conn.mail(sender.addr_spec, options)
        if code == 552:
            raise MessageTooLarge(f"{settings.host} refused the message as too large ({_reply(resp)})")
        if code != 250:
            raise SendFailed(f"{settings.host} refused sender {sender.addr_spec}: {code} {_reply(resp)}")
        refused: dict[str, tuple[int, str]] = {}
        for rcpt in recipients:
            with _translated(settings, "RCPT TO"):
                code, resp = conn.rcpt(rcpt.addr_spec)
            if code not in (250, 251):
                refused[rcpt.addr_spec] = (code, _reply(resp))
        if refused:
            with suppress(smtplib.SMTPException, OSError):
                conn.rset()
            detail = "; ".join(f"{addr}: {code} {text}" for addr, (code, text) in refused.items())
            raise RecipientRefused(
                f"the server refused {len(refused)} of {len(recipients)} recipient(s), "
                f"nothing was sent ({detail})",
                refused,
            )
        on_step(f"RCPT TO accepted for {len(recipients)} recipient(s)")
        with _translated(settings, "DATA"):
            conn.data(data)
        on_step("message accepted by the server")
    finally:
        _close(conn)
