"""Email the report automatically when a batch ends: a report hook for the engine.

    CONTRACT_BATCH_REPORT_HOOKS=core.mail.hook:email_report contract-batch worker ...

The engine calls hooks worker-side, once per batch, right after the report is stored (see
``core.engine.report_hooks``). This hook sends with the same settings, keyring entry and send record as
``contract-batch send``, and never with ``resend``: if the final step runs again (a worker died after the
email went out), the send record in Redis makes the second run a no-op instead of a second email.

The worker's machine therefore needs the email settings (config file or ``CONTRACT_BATCH_SMTP_*``) and
the password in its own OS keyring. A failure raises, so the engine records the hook as failed with the
one-line reason, and the report can still be sent by hand (``contract-batch send BATCH``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from core.mail.errors import AlreadySent
from core.mail.sends import send_log_for
from core.mail.service import send_report
from core.mail.settings import resolve_settings

log = logging.getLogger(__name__)


def _broker_url() -> str:
    from core.engine.app import app

    # Inside a worker the Celery app is configured with the broker it consumes from: the report's Redis.
    configured = str(app.conf.get("broker_url") or "")
    if configured.startswith(("redis", "rediss", "redis+socket", "unix", "socket")):
        return configured
    from core.policy import broker_url

    return broker_url()


def email_report(report: Mapping[str, Any], *, broker_url: str | None = None) -> str:
    """Send ``report`` unless it was sent already; returns what happened, in one line."""
    from core.engine.broker import redis_client
    from core.engine.settings import EngineSettings

    batch_id = str(report.get("batch_id") or "")
    if not batch_id:
        raise ValueError("the report has no batch_id: cannot record the send")
    client = redis_client(broker_url or _broker_url())
    try:
        send_log = send_log_for(batch_id, redis=client, ttl_s=EngineSettings.from_env().result_expires)
        try:
            record = send_report(report, settings=resolve_settings(), send_log=send_log)
        except AlreadySent as exc:
            log.info("report of batch %s not emailed again: %s", batch_id, exc)
            return f"not sent again: {exc}"
    finally:
        client.close()
    log.info("report of batch %s emailed to %s", batch_id, ", ".join(record.to))
    return f"sent to {', '.join(record.to)}"
