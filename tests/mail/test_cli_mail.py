"""``email-setup``, ``email-test`` and ``send`` end to end, against real aiosmtpd servers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keyring
import pytest
import redis
from click.testing import CliRunner, Result
from keyring.backends import fail

from core import config
from core.cli import main
from core.mail import secrets
from tests.mail.conftest import SMTP_PASSWORD, SMTP_USER, SmtpServer, free_port, small_report
from tests.mail.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def configure(
    server: SmtpServer, ca_file: str, monkeypatch: pytest.MonkeyPatch, store_password: bool = True
) -> None:
    """Settings through the environment overrides (what a CI job or a container would do)."""
    for key, value in {
        "HOST": "127.0.0.1",
        "PORT": str(server.port),
        "SECURITY": server.security,
        "USER": SMTP_USER,
        "FROM": "Contract reports <reports@example.com>",
        "TO": "boss@example.com,cfo@example.com",
        "CA_FILE": ca_file,
    }.items():
        monkeypatch.setenv(f"CONTRACT_BATCH_SMTP_{key}", value)
    if store_password:
        secrets.store_password(SMTP_USER, "127.0.0.1", SMTP_PASSWORD)


@pytest.fixture
def tiny_report_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(small_report(4)), encoding="utf-8")
    return path


def test_email_setup_stores_password_in_keyring_only(memory_keyring: MemoryKeyring, ca_file: str) -> None:
    result = run(
        "email-setup",
        *("--host", "smtp.example.com", "--port", "587", "--security", "starttls", "--user", "alice"),
        *("--from", "reports@example.com", "--to", "a@example.com", "--to", "b@example.com"),
        *("--ca-file", ca_file, "--password-stdin"),
        stdin="hunter2 with spaces\n",
    )
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert "stored in the OS keyring" in result.output
    assert memory_keyring.entries == {
        ("contract-batch-manager", "smtp:alice@smtp.example.com"): "hunter2 with spaces"
    }
    stored = json.loads(config.config_path().read_text())["email"]
    assert stored == {
        "host": "smtp.example.com",
        "port": 587,
        "security": "starttls",
        "user": "alice",
        "from": "reports@example.com",
        "to": ["a@example.com", "b@example.com"],
        "ca_file": str(Path(ca_file).resolve()),
    }
    assert "hunter2" not in config.config_path().read_text()

    # Later changes keep what was not given; no TTY and no --password-stdin leaves the password alone.
    again = run("email-setup", "--to", "c@example.com")
    assert again.exit_code == 0 and "already stored" in again.output
    assert json.loads(config.config_path().read_text())["email"]["to"] == ["c@example.com"]


def test_email_setup_prompts_without_echo_on_a_tty(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.cli import report_commands

    monkeypatch.setattr(report_commands, "_stdin_is_tty", lambda: True)
    result = run("email-setup", "--host", "smtp.example.com", "--user", "bob", stdin="typed secret\n")
    assert result.exit_code == 0, result.output
    assert "SMTP password for bob on smtp.example.com" in result.output
    assert "typed secret" not in result.output  # hide_input: CliRunner echoes only what click echoes
    assert memory_keyring.entries[("contract-batch-manager", "smtp:bob@smtp.example.com")] == "typed secret"


def test_email_setup_without_keyring_says_what_to_do(memory_keyring: MemoryKeyring) -> None:
    keyring.set_keyring(fail.Keyring())
    result = CliRunner().invoke(
        main, ["email-setup", "--host", "h.example.com", "--user", "u", "--password-stdin"], input="pw\n"
    )
    assert result.exit_code == 1
    assert "no usable OS keyring" in result.output and "PYTHON_KEYRING_BACKEND" in result.output
    assert "pw" not in config.config_path().read_text().replace("port", "")


def test_email_setup_refuses_bad_addresses() -> None:
    result = CliRunner().invoke(main, ["email-setup", "--host", "h", "--to", "a@example.com\r\nBcc: x@y.com"])
    assert result.exit_code == 2 and "control character" in result.output
    assert not config.config_path().exists()


def test_email_test_reports_steps(
    starttls_server: SmtpServer, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(starttls_server, ca_file, monkeypatch)
    result = run("email-test")
    assert result.exit_code == 0, result.output
    for expected in ("password found in the OS keyring", "STARTTLS", "certificate verified", "AUTH accepted"):
        assert expected in result.output
    assert SMTP_PASSWORD not in result.output
    assert f"OK: the server accepted the connection, TLS and the login of {SMTP_USER}" in result.output


def test_email_test_claims_no_login_a_server_did_not_ask_for(
    smtp_factory: Any, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_factory("starttls", auth_required=False)
    configure(server, ca_file, monkeypatch, store_password=False)
    monkeypatch.delenv("CONTRACT_BATCH_SMTP_USER")
    result = run("email-test")
    assert result.exit_code == 0, result.output
    assert "no login was tried: no user is set" in result.output and "login of" not in result.output


def test_email_test_failures_are_one_clear_line(
    starttls_server: SmtpServer, ca_file: str, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    configure(starttls_server, ca_file, monkeypatch, store_password=False)
    no_password = CliRunner().invoke(main, ["email-test"])
    assert no_password.exit_code == 1 and "no SMTP password stored" in no_password.output

    secrets.store_password(SMTP_USER, "127.0.0.1", "not the password")
    wrong = CliRunner().invoke(main, ["email-test"])
    assert wrong.exit_code == 1 and "rejected the login" in wrong.output
    assert "not the password" not in wrong.output and "Traceback" not in wrong.output

    monkeypatch.setenv("CONTRACT_BATCH_SMTP_PORT", str(free_port()))
    down = CliRunner().invoke(main, ["email-test"])
    assert down.exit_code == 1 and "refused" in down.output and "Traceback" not in down.output


def test_send_from_report_file_once_then_resend(
    starttls_server: SmtpServer, ca_file: str, monkeypatch: pytest.MonkeyPatch, tiny_report_file: Path
) -> None:
    configure(starttls_server, ca_file, monkeypatch)
    first = run("send", "--report-file", str(tiny_report_file), "-v")
    assert first.exit_code == 0, first.output
    assert "sent to boss@example.com, cfo@example.com: Contract batch Q4 suppliers:" in first.output
    [received] = starttls_server.handler.received
    assert received.message()["To"] == "boss@example.com, cfo@example.com"

    again = CliRunner().invoke(main, ["send", "--report-file", str(tiny_report_file)])
    assert again.exit_code == 4
    assert "already sent once" in again.output and "--resend" in again.output
    assert len(starttls_server.handler.received) == 1

    resent = run("send", "--report-file", str(tiny_report_file), "--resend", "--to", "audit@example.com")
    assert resent.exit_code == 0, resent.output
    assert starttls_server.handler.received[-1].rcpt_tos == ["audit@example.com"]
    batch_id = json.loads(tiny_report_file.read_text())["batch_id"]
    records = json.loads((config.data_dir() / "sends" / f"{batch_id}.json").read_text())
    assert [r["to"] for r in records] == [["boss@example.com", "cfo@example.com"], ["audit@example.com"]]
    assert all(
        r["sent_at"] and r["subject"].startswith("Contract batch") and r["message_id"] for r in records
    )


def test_send_from_redis_records_beside_the_report(
    ssl_server: SmtpServer, ca_file: str, monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    configure(ssl_server, ca_file, monkeypatch)
    report: dict[str, Any] = small_report(4)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.set(f"contract_batch:batch:{report['batch_id']}:report", json.dumps(report))
    result = run("send", report["batch_id"], "--broker", redis_url)
    assert result.exit_code == 0, result.output
    [record] = [
        json.loads(x) for x in client.lrange(f"contract_batch:batch:{report['batch_id']}:sends", 0, -1)
    ]
    assert record["to"] == ["boss@example.com", "cfo@example.com"]
    assert record["message_id"] == ssl_server.handler.received[0].message()["Message-ID"]
    assert client.ttl(f"contract_batch:batch:{report['batch_id']}:sends") > 0  # expires with the report
    again = CliRunner().invoke(main, ["send", report["batch_id"], "--broker", redis_url])
    assert again.exit_code == 4
    client.close()


def test_send_refuses_bad_recipients_before_connecting(
    starttls_server: SmtpServer, ca_file: str, monkeypatch: pytest.MonkeyPatch, tiny_report_file: Path
) -> None:
    configure(starttls_server, ca_file, monkeypatch)
    for bad in ("boss@example.com\r\nBcc: everyone@example.com", "not-an-address"):
        result = CliRunner().invoke(main, ["send", "--report-file", str(tiny_report_file), "--to", bad])
        assert result.exit_code == 2, result.output
    assert starttls_server.handler.logins == [] and starttls_server.handler.received == []


def test_send_failure_exit_1_and_nothing_recorded(
    starttls_server: SmtpServer, ca_file: str, monkeypatch: pytest.MonkeyPatch, tiny_report_file: Path
) -> None:
    configure(starttls_server, ca_file, monkeypatch)
    result = CliRunner().invoke(
        main, ["send", "--report-file", str(tiny_report_file), "--to", "nobody@example.com"]
    )
    assert result.exit_code == 1
    assert result.output.startswith("error: not sent: the server refused 1 of 1 recipient")
    assert not (config.data_dir() / "sends").exists() or not any((config.data_dir() / "sends").glob("*.json"))


def test_send_plain_smtp_warns(
    smtp_factory: Any, monkeypatch: pytest.MonkeyPatch, tiny_report_file: Path
) -> None:
    server = smtp_factory("none")
    configure(server, "", monkeypatch)
    monkeypatch.delenv("CONTRACT_BATCH_SMTP_CA_FILE")
    result = run("send", "--report-file", str(tiny_report_file))
    assert result.exit_code == 0, result.output
    assert "plain SMTP" in result.output
