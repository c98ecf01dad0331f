"""The report email: one ``EmailMessage``, built from the same bundle the exporter writes.

Structure (what mail clients expect for "HTML with inline images, plus attachments"):

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain                      key figures, failures, expiring soon
    │   └── multipart/related
    │       ├── text/html                   <img src="cid:chart-outcomes.…@contract-batch-manager">
    │       └── image/png × charts          Content-ID matching each <img>, Content-Disposition: inline
    ├── application/pdf   report.pdf        (attachment)
    └── text/csv          contracts.csv     (attachment)
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from core.mail.addresses import Mailbox
from core.reporting.charts import CHARTS
from core.reporting.exporter import ATTACHMENTS_NOTE, CSV_NAME, PDF_NAME, ReportBundle, chart_filename
from core.reporting.summary import subject_line

CID_DOMAIN = "contract-batch-manager"
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f]+")


def _header_text(text: str) -> str:
    # Report text (labels, batch ids) is user data: no control character may reach a header.
    return _HEADER_UNSAFE.sub(" ", text).strip()


def compose_report_email(
    bundle: ReportBundle,
    *,
    sender: Mailbox,
    recipients: Sequence[Mailbox],
    subject: str | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    if not recipients:
        raise ValueError("no recipients")
    summary = bundle.summary
    msg = EmailMessage()
    msg["Subject"] = _header_text(subject or subject_line(summary))
    msg["From"] = sender.header()
    msg["To"] = ", ".join(r.header() for r in recipients)
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    domain = sender.addr_spec.rpartition("@")[2] or CID_DOMAIN
    msg["Message-ID"] = make_msgid(idstring="report", domain=domain)
    # RFC 3834: tells vacation responders and ticket systems not to answer a machine-sent report.
    msg["Auto-Submitted"] = "auto-generated"
    if summary.batch_id:
        msg["X-Contract-Batch-Id"] = _header_text(summary.batch_id)

    # Short, unique Content-IDs: short enough that the header is never folded (some clients mishandle a
    # folded Content-ID), random so that two reports in one mailbox never share an id.
    token = secrets.token_hex(6)
    cids = {spec.name: f"<{spec.name}.{token}@{CID_DOMAIN}>" for spec in CHARTS}
    msg.set_content(bundle.text(attachments=ATTACHMENTS_NOTE), subtype="plain", charset="utf-8")
    msg.add_alternative(
        bundle.html(image_src=lambda name: "cid:" + cids[name][1:-1], attachments=ATTACHMENTS_NOTE),
        subtype="html",
        charset="utf-8",
    )
    parts = msg.get_payload()
    assert isinstance(parts, list)
    html_part = parts[1]
    assert isinstance(html_part, EmailMessage)  # the HTML alternative just added
    for spec in CHARTS:
        html_part.add_related(
            bundle.chart_pngs[spec.name],
            maintype="image",
            subtype="png",
            cid=cids[spec.name],
            filename=chart_filename(spec.name),
            disposition="inline",
        )
    msg.add_attachment(bundle.pdf, maintype="application", subtype="pdf", filename=PDF_NAME)
    msg.add_attachment(bundle.csv, maintype="text", subtype="csv", filename=CSV_NAME)
    return msg
