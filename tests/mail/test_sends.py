"""The per-batch send record: refusal without resend, the lock, a record that cannot be written."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from core.mail.errors import AlreadySent, SendInProgress, SentButNotRecorded
from core.mail.sends import FileSendLog, RedisSendLog, SendRecord, local_log_id
from core.mail.service import send_report
from core.reporting.exporter import ReportBundle
from tests.mail.conftest import SMTP_PASSWORD, SmtpServer

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


class BrokenLog(FileSendLog):
    def append(self, record: SendRecord) -> None:
        raise redis.ConnectionError("gone")


def _send(
    server: SmtpServer, ca_file: str, log: Any, bundle: ReportBundle, report: dict, **kw: Any
) -> SendRecord:
    return send_report(
        report,
        settings=server.settings(ca_file=ca_file),
        send_log=log,
        get_password=lambda _u, _h: SMTP_PASSWORD,
        bundle=bundle,
        **kw,
    )


def test_redis_log_refuses_second_send_and_locks(
    starttls_server: SmtpServer, ca_file: str, redis_url: str, bundle12: ReportBundle, report12: dict
) -> None:
    client = redis.Redis.from_url(redis_url)
    log = RedisSendLog(client, "b1", ttl_s=3600)
    first = _send(starttls_server, ca_file, log, bundle12, report12)
    assert log.records() == [first]
    with pytest.raises(AlreadySent, match="already sent once"):
        _send(starttls_server, ca_file, log, bundle12, report12)
    assert len(starttls_server.handler.received) == 1

    with log.lock(), pytest.raises(SendInProgress):
        _send(starttls_server, ca_file, log, bundle12, report12, resend=True)
    _send(starttls_server, ca_file, log, bundle12, report12, resend=True)  # lock released
    assert len(log.records()) == 2 and len(starttls_server.handler.received) == 2
    client.close()


def test_file_log_lock_and_damaged_entries(tmp_path: Any) -> None:
    log = FileSendLog("x", tmp_path)
    with log.lock(), pytest.raises(SendInProgress), log.lock():
        pass
    log.path.write_text('[{"sent_at": "t", "to": ["a@b.c"], "subject": "s"}, {"broken": 1}]')
    assert [r.to for r in log.records()] == [["a@b.c"]]
    assert local_log_id("").startswith("file-") and local_log_id("../etc/passwd") == ".._etc_passwd"


def test_sent_but_not_recorded_says_so(
    starttls_server: SmtpServer, ca_file: str, tmp_path: Any, bundle12: ReportBundle, report12: dict
) -> None:
    with pytest.raises(SentButNotRecorded, match="could not be recorded") as info:
        _send(starttls_server, ca_file, BrokenLog("x", tmp_path), bundle12, report12)
    assert len(starttls_server.handler.received) == 1
    assert isinstance(info.value.record, SendRecord)


def test_report_hook_sends_once(
    starttls_server: SmtpServer,
    ca_file: str,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    report12: dict,
    bundle12: ReportBundle,
) -> None:
    from core.mail import secrets
    from core.mail.hook import email_report

    env = {
        "HOST": "127.0.0.1",
        "PORT": str(starttls_server.port),
        "USER": "reports@example.com",
        "FROM": "reports@example.com",
        "TO": "boss@example.com",
        "CA_FILE": ca_file,
    }
    for key, value in env.items():
        monkeypatch.setenv(f"CONTRACT_BATCH_SMTP_{key}", value)
    secrets.store_password("reports@example.com", "127.0.0.1", SMTP_PASSWORD)
    # The hook renders as of today; hand it the bundle already rendered (as of AS_OF) to save a second.
    monkeypatch.setattr("core.mail.service.build_bundle", lambda report, as_of=None: bundle12)

    assert email_report(report12, broker_url=redis_url) == "sent to boss@example.com"
    # The final step ran again: no second email.
    assert email_report(report12, broker_url=redis_url).startswith("not sent again")
    assert len(starttls_server.handler.received) == 1
    client = redis.Redis.from_url(redis_url)
    assert client.llen(f"contract_batch:batch:{report12['batch_id']}:sends") == 1
    client.close()
