"""Sending against real SMTP servers (aiosmtpd) with real TLS (trustme): every failure the issue lists."""

from __future__ import annotations

import csv
import io
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pypdfium2
import pytest
import trustme

from core.mail.addresses import parse_mailbox, parse_recipients
from core.mail.compose import compose_report_email
from core.mail.errors import AuthError, ConnectError, MessageTooLarge, RecipientRefused, TLSError
from core.mail.smtp import check_connection, send_message
from core.reporting.charts import CHARTS
from core.reporting.exporter import ReportBundle
from tests.mail.conftest import REFUSED, SMTP_PASSWORD, SmtpServer, free_port

# aiosmtpd warns about AUTH on its implicit-TLS and plain test servers; both are deliberate here.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


def _message(bundle: ReportBundle, server: SmtpServer, to: tuple[str, ...] = ("boss@example.com",)) -> tuple:
    settings = server.settings(recipients=to)
    sender = settings.sender_mailbox()
    recipients = settings.recipient_mailboxes()
    return settings, sender, recipients, compose_report_email(bundle, sender=sender, recipients=recipients)


def check_report_message(msg: EmailMessage, bundle: ReportBundle) -> None:
    """The structure a mail client needs, checked on the message as the server received it."""
    assert msg.get_content_type() == "multipart/mixed"
    alternative, *attachments = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, related = alternative.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert "Key figures" in text.get_content()
    assert related.get_content_type() == "multipart/related"
    html, *images = related.iter_parts()
    assert html.get_content_type() == "text/html"
    body = html.get_content()
    # Every <img> resolves to exactly one inline image part by Content-ID, and every image is used.
    cids = {img["Content-ID"].strip("<>"): img for img in images}
    assert len(images) == len(CHARTS) == len(cids)
    referenced = {chunk.split('"', 1)[0] for chunk in body.split('src="cid:')[1:]}
    assert referenced == set(cids)
    for cid, image in cids.items():
        assert image.get_content_type() == "image/png"
        assert image.get_content_disposition() == "inline"
        assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n", cid
    by_name = {a.get_filename(): a for a in attachments}
    assert set(by_name) == {"report.pdf", "contracts.csv"}
    assert by_name["report.pdf"].get_content_type() == "application/pdf"
    assert by_name["report.pdf"].get_content_disposition() == "attachment"
    pdf = pypdfium2.PdfDocument(io.BytesIO(by_name["report.pdf"].get_content()))
    try:
        pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        # decisions and key figures, 3 chart pages, every contract that did not succeed, all contracts
        assert len(pages) == 6
        assert "Contract batch" in pages[0] and "Success rate" in pages[0] and "Need attention" in pages[0]
        assert "Charts" in pages[1] and "Every contract that did not succeed" in pages[4]
        assert "All contracts" in pages[5]
    finally:
        pdf.close()
    csv_text = by_name["contracts.csv"].get_content()
    csv_text = csv_text.decode("utf-8-sig") if isinstance(csv_text, bytes) else csv_text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(csv_text)))  # cells may hold line breaks (evidence)
    assert len(rows) == 1 + bundle.summary.total


def test_starttls_auth_send(starttls_server: SmtpServer, bundle12: ReportBundle, ca_file: str) -> None:
    _, sender, recipients, msg = _message(bundle12, starttls_server, ("boss@example.com", "cfo@example.com"))
    settings = starttls_server.settings(recipients=("boss@example.com", "cfo@example.com"), ca_file=ca_file)
    steps: list[str] = []
    send_message(settings, SMTP_PASSWORD, msg, sender, recipients, steps.append)

    assert starttls_server.handler.logins == ["reports@example.com"]
    [received] = starttls_server.handler.received
    assert received.rcpt_tos == ["boss@example.com", "cfo@example.com"]
    assert received.envelope_from == "reports@example.com"
    parsed = received.message()
    summary = bundle12.summary
    assert parsed["Subject"] == (
        f"Contract batch Q4 suppliers: {summary.succeeded} of 12 succeeded, "
        f"{12 - summary.succeeded} need{'s' if 12 - summary.succeeded == 1 else ''} attention, "
        f"{summary.with_risks} with risks to review"
    )
    check_report_message(parsed, bundle12)
    assert any(s.startswith("STARTTLS") for s in steps)
    assert any("certificate verified" in s for s in steps)
    assert not any(SMTP_PASSWORD in s for s in steps)


def test_implicit_tls_auth_send(ssl_server: SmtpServer, bundle12: ReportBundle, ca_file: str) -> None:
    _, sender, recipients, msg = _message(bundle12, ssl_server)
    settings = ssl_server.settings(ca_file=ca_file)
    steps: list[str] = []
    send_message(settings, SMTP_PASSWORD, msg, sender, recipients, steps.append)
    [received] = ssl_server.handler.received
    check_report_message(received.message(), bundle12)
    assert any("implicit TLS" in s for s in steps)


def test_connection_check_reports_each_step(starttls_server: SmtpServer, ca_file: str) -> None:
    steps: list[str] = []
    check_connection(starttls_server.settings(ca_file=ca_file), SMTP_PASSWORD, steps.append)
    text = "\n".join(steps)
    for expected in (
        "connecting to 127.0.0.1",
        "STARTTLS",
        "TLS established",
        "AUTH as",
        "AUTH accepted",
        "QUIT",
    ):
        assert expected in text
    assert not starttls_server.handler.received


def test_wrong_password(starttls_server: SmtpServer, ca_file: str) -> None:
    with pytest.raises(AuthError) as info:
        check_connection(starttls_server.settings(ca_file=ca_file), "wrong password")
    message = str(info.value)
    assert "rejected the login" in message and "reports@example.com" in message
    assert "wrong password" not in message


def test_refused_recipient_sends_nothing(
    starttls_server: SmtpServer, bundle12: ReportBundle, ca_file: str
) -> None:
    _, sender, recipients, msg = _message(bundle12, starttls_server, ("boss@example.com", REFUSED))
    settings = starttls_server.settings(ca_file=ca_file)
    with pytest.raises(RecipientRefused) as info:
        send_message(settings, SMTP_PASSWORD, msg, sender, recipients)
    assert REFUSED in str(info.value) and "550" in str(info.value)
    assert list(info.value.refused) == [REFUSED]
    assert starttls_server.handler.received == []  # all or nothing


def test_server_down(bundle12: ReportBundle) -> None:
    from core.mail.settings import EmailSettings

    settings = EmailSettings(host="127.0.0.1", port=free_port(), security="starttls", user="u", timeout_s=5)
    with pytest.raises(ConnectError, match="refused: is the SMTP server running"):
        check_connection(settings, "pw")


def test_certificate_not_trusted(starttls_server: SmtpServer, ssl_server: SmtpServer) -> None:
    # No --ca-file: the system trust store does not know the test CA.
    with pytest.raises(TLSError, match=r"not trusted.*--ca-file"):
        check_connection(starttls_server.settings(), SMTP_PASSWORD)
    with pytest.raises(TLSError, match="not trusted"):
        check_connection(ssl_server.settings(), SMTP_PASSWORD)
    assert starttls_server.handler.logins == [] and ssl_server.handler.logins == []


def test_certificate_of_other_ca_not_trusted(starttls_server: SmtpServer, tmp_path: Path) -> None:
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    with pytest.raises(TLSError, match="not trusted"):
        check_connection(starttls_server.settings(ca_file=str(other)), SMTP_PASSWORD)


def test_host_name_mismatch(smtp_factory: Callable[..., SmtpServer], ca: trustme.CA, ca_file: str) -> None:
    # A certificate from the trusted CA, but for another host name: verification must still fail.
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("mail.example.org").configure_cert(ctx)
    server = smtp_factory("starttls", tls=ctx)
    with pytest.raises(TLSError, match="not trusted"):
        check_connection(server.settings(ca_file=ca_file), SMTP_PASSWORD)
    assert server.handler.logins == []


def test_message_too_large(
    smtp_factory: Callable[..., SmtpServer], bundle12: ReportBundle, ca_file: str
) -> None:
    server = smtp_factory("starttls", data_size_limit=20_000)
    _, sender, recipients, msg = _message(bundle12, server)
    with pytest.raises(MessageTooLarge, match="accepts at most"):
        send_message(server.settings(ca_file=ca_file), SMTP_PASSWORD, msg, sender, recipients)
    assert server.handler.received == []


def test_plain_smtp_only_when_chosen(smtp_factory: Callable[..., SmtpServer], bundle12: ReportBundle) -> None:
    server = smtp_factory("none")
    settings = server.settings(security="none")
    steps: list[str] = []
    sender = parse_mailbox("reports@example.com")
    recipients = parse_recipients(["boss@example.com"])
    msg = compose_report_email(bundle12, sender=sender, recipients=recipients)
    send_message(settings, SMTP_PASSWORD, msg, sender, recipients, steps.append)
    assert any("WARNING: plain SMTP" in s for s in steps)
    assert len(server.handler.received) == 1


def test_starttls_required_but_not_offered(smtp_factory: Callable[..., SmtpServer]) -> None:
    server = smtp_factory("none")
    with pytest.raises(TLSError, match="does not offer STARTTLS"):
        check_connection(server.settings(security="starttls"), SMTP_PASSWORD)


def test_silent_server_times_out() -> None:
    import socket

    from core.mail.settings import EmailSettings

    # Accepts TCP connections (the kernel's backlog) but never sends the SMTP greeting.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        settings = EmailSettings(host="127.0.0.1", port=port, security="starttls", user="u", timeout_s=0.5)
        with pytest.raises(ConnectError, match=r"timed out after 0\.5 s"):
            check_connection(settings, "pw")


def test_tls_mismatch_gets_a_hint(starttls_server: SmtpServer, ca_file: str) -> None:
    settings = starttls_server.settings(ca_file=ca_file, security="ssl", timeout_s=5)
    with pytest.raises(TLSError, match="try --security starttls"):
        check_connection(settings, SMTP_PASSWORD)
