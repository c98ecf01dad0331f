"""Sending one batch's report, start to end: what the CLI's ``send`` and the desktop's "Send report"
button both call, so the rules (validate first, never twice without ``resend``, record every send) live
in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from core.mail import secrets
from core.mail.compose import compose_report_email
from core.mail.errors import AlreadySent, SentButNotRecorded
from core.mail.sends import SendLog, SendRecord
from core.mail.settings import EmailSettings
from core.mail.smtp import Step, send_message
from core.reporting.exporter import ReportBundle, build_bundle


def _quiet(_message: str) -> None:
    pass


def already_sent_message(records: list[SendRecord]) -> str:
    last = records[-1]
    times = f"{len(records)} times, last" if len(records) > 1 else "once,"
    return f"this report was already sent {times} {last.describe()}; pass --resend to send it again"


def send_report(
    report: Mapping[str, Any],
    *,
    settings: EmailSettings,
    send_log: SendLog,
    resend: bool = False,
    on_step: Step = _quiet,
    get_password: Callable[[str, str], str] = secrets.get_password,
    as_of: date | None = None,
    bundle: ReportBundle | None = None,
) -> SendRecord:
    """Compose and send; returns the record written. Raises a ``MailError`` subclass on any failure,
    before connecting for everything that can be checked locally (settings, addresses, previous sends,
    keyring)."""
    settings.require_server()
    sender = settings.sender_mailbox()
    recipients = settings.recipient_mailboxes()
    previous = send_log.records()
    if previous and not resend:
        raise AlreadySent(already_sent_message(previous))
    password = get_password(settings.user, settings.host or "") if settings.user else None

    on_step("building the report (charts, PDF, CSV)")
    bundle = bundle or build_bundle(report, as_of=as_of)
    msg = compose_report_email(bundle, sender=sender, recipients=recipients)
    with send_log.lock():
        # Checked again under the lock: another process may have sent it while we were rendering.
        now_previous = send_log.records()
        if len(now_previous) > len(previous) and not resend:
            raise AlreadySent(already_sent_message(now_previous))
        send_message(settings, password, msg, sender, recipients, on_step)
        record = SendRecord.now(
            [r.addr_spec for r in recipients], str(msg["Subject"]), str(msg["Message-ID"])
        )
        try:
            send_log.append(record)
        except Exception as exc:
            # Sent is sent: report it as such, but say that the next send will not know about it.
            raise SentButNotRecorded(
                f"sent to {', '.join(record.to)}, but the send could not be recorded "
                f"({type(exc).__name__}): a later send will not see this one",
                record,
            ) from None
    return record
