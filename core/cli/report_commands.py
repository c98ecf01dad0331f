"""Report commands of the CLI: ``export``, ``send``, ``email-setup``, ``email-test``.

Exit codes of ``send`` (and, where they apply, the others): 0 sent / done, 1 failed (one-line message on
stderr, no traceback), 2 bad usage (missing or invalid settings, addresses, options), 4 already sent
(``--resend`` needed).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click
import redis

from core import config, keyring_store
from core.cli.common import client_for
from core.engine.report_store import ReportGone
from core.mail import secrets
from core.mail.errors import AlreadySent, MailError, SentButNotRecorded, SettingsError
from core.mail.sends import SendLog, send_log_for
from core.mail.settings import (
    DEFAULT_PORTS,
    DEFAULT_SECURITY,
    ENV_PREFIX,
    SECURITY_CHOICES,
    resolve_settings,
    save_settings,
    stored_settings,
)
from core.mail.smtp import check_connection, passed_message
from core.reporting.source import ReportNotFound, load_report_file

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ALREADY_SENT = 4


def _die(message: str, code: int = EXIT_FAILED) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def _warn_ignored_password_env() -> None:
    if os.environ.get(ENV_PREFIX + "PASSWORD"):
        _warn(f"{ENV_PREFIX}PASSWORD is ignored: the SMTP password is only ever read from the OS keyring")


@dataclass
class _Loaded:
    head: dict[str, Any]  # the report without its contracts
    contracts: Callable[[], Iterable[Any]]  # its contracts, from the start at every call
    send_log_factory: Callable[[], SendLog]

    def report(self) -> dict[str, Any]:
        return {**self.head, "contracts": list(self.contracts())}


def _load(batch: str | None, broker: str | None, report_file: Path | None) -> _Loaded:
    """The report, from ``--report-file`` or from the broker's Redis (``--broker``), where it is read a
    part at a time as it is used (``core.engine.report_store``)."""
    if report_file is not None:
        try:
            report, raw = load_report_file(report_file)
        except ReportNotFound as exc:
            _die(str(exc))
        batch_id = str(report.get("batch_id") or "")
        if batch and batch_id and batch != batch_id:
            _die(f"{report_file} is the report of batch {batch_id}, not {batch}", EXIT_USAGE)
        contracts = report.get("contracts") or []
        head = {k: v for k, v in report.items() if k != "contracts"}
        return _Loaded(head, lambda: contracts, lambda: send_log_for(batch_id, report_bytes=raw))
    if not batch:
        _die("give a BATCH id, or --report-file FILE", EXIT_USAGE)
    # Same broker resolution as the engine commands (--broker, CONTRACT_BATCH_BROKER, settings, local
    # mode, whose server is started for this command if it was stopped).
    client = client_for(broker)
    try:
        stored = client.report_stream(batch)
    except (redis.RedisError, ValueError) as exc:
        _die(f"cannot read the report of batch {batch}: {exc}")
    if stored is None:
        _die(f"batch {batch} has no final report (unknown batch, or it has not finished yet)")
    ttl = client.settings.result_expires
    return _Loaded(*stored, lambda: send_log_for(batch, redis=client.redis, ttl_s=ttl))


def _source_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--as-of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Count 'expiring in the next N days' from this date (default: today, UTC).",
    )(f)
    f = click.option(
        "--report-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Use a saved final report (JSON) instead of reading it from Redis.",
    )(f)
    f = click.option(
        "--broker",
        envvar="CONTRACT_BATCH_BROKER",
        metavar="URL",
        help="Broker URL [env CONTRACT_BATCH_BROKER].",
    )(f)
    return click.argument("batch", required=False)(f)


def _as_date(value: Any) -> date | None:
    return value.date() if value is not None else None


@click.command("export")
@_source_options
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write report.pdf, contracts.csv, the chart PNGs and summary.html into.",
)
def export_command(
    batch: str | None, broker: str | None, report_file: Path | None, as_of: Any, out_dir: Path
) -> None:
    """Write a batch's report as PDF, CSV, chart PNGs and the HTML email body into --out DIR."""
    # Imported here: they bring matplotlib (half a second), which every other command can do without.
    from core.reporting.exporter import export_stream

    loaded = _load(batch, broker, report_file)
    started = time.perf_counter()
    try:
        paths = export_stream(loaded.head, loaded.contracts, out_dir, as_of=_as_date(as_of))
    except OSError as exc:
        _die(f"cannot write to {out_dir}: {exc.strerror or exc}")
    except (ReportGone, redis.RedisError) as exc:
        _die(f"cannot read the report: {exc}")
    for path in paths:
        click.echo(str(path))
    total = loaded.head.get("total")
    count = total if isinstance(total, int) else sum(1 for _ in loaded.contracts())
    click.echo(f"exported {count} contracts in {time.perf_counter() - started:.1f} s", err=True)


@click.command("send")
@_source_options
@click.option(
    "--to", "to", multiple=True, metavar="ADDR", help="Recipient (repeatable); replaces the stored ones."
)
@click.option("--resend", is_flag=True, help="Send even if this report was sent before.")
@click.option("-v", "--verbose", is_flag=True, help="Report each SMTP step on stderr.")
def send_command(
    batch: str | None,
    broker: str | None,
    report_file: Path | None,
    as_of: Any,
    to: tuple[str, ...],
    resend: bool,
    verbose: bool,
) -> None:
    """Email a batch's report (HTML with charts, PDF and CSV attached).

    Exit codes: 0 sent, 1 failed, 2 bad usage or settings, 4 already sent (use --resend).
    """
    _warn_ignored_password_env()
    try:
        settings = resolve_settings({"to": list(to)} if to else None)
        settings.require_server()
        settings.sender_mailbox()
        settings.recipient_mailboxes()
    except SettingsError as exc:
        _die(exc.for_cli(), EXIT_USAGE)
    loaded = _load(batch, broker, report_file)
    if not settings.encrypted:
        _warn("sending with plain SMTP (--security none): the report and any password travel unencrypted")

    def step(message: str) -> None:
        if verbose:
            click.echo(f"  {message}", err=True)

    from core.mail.service import send_report

    try:
        record = send_report(
            loaded.report(),
            settings=settings,
            send_log=loaded.send_log_factory(),
            resend=resend,
            on_step=step,
            as_of=_as_date(as_of),
        )
    except AlreadySent as exc:
        _die(str(exc), EXIT_ALREADY_SENT)
    except SentButNotRecorded as exc:
        _warn(str(exc))
        return
    except SettingsError as exc:
        _die(exc.for_cli(), EXIT_USAGE)
    except MailError as exc:
        _die(f"not sent: {exc}")
    except ReportGone as exc:
        _die(f"not sent: {exc}")
    except redis.RedisError as exc:
        _die(f"not sent: the send record in Redis could not be read or locked ({type(exc).__name__}: {exc})")
    except OSError as exc:
        _die(f"not sent: {exc.strerror or exc}")
    click.echo(f"sent to {', '.join(record.to)}: {record.subject}")


@click.command("email-setup")
@click.option("--host", help="SMTP server host name.")
@click.option(
    "--port", type=click.IntRange(1, 65535), help="SMTP port (default: 465 for ssl, 587 for starttls)."
)
@click.option(
    "--security", type=click.Choice(SECURITY_CHOICES), help="ssl (implicit TLS), starttls, or none."
)
@click.option("--user", help="SMTP user name for AUTH.")
@click.option("--from", "sender", metavar="ADDR", help="Sender address (From).")
@click.option(
    "--to", "to", multiple=True, metavar="ADDR", help="Default recipient (repeatable; replaces the list)."
)
@click.option(
    "--ca-file", type=click.Path(exists=True, dir_okay=False), help="CA bundle to verify the server with."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def email_setup_command(
    host: str | None,
    port: int | None,
    security: str | None,
    user: str | None,
    sender: str | None,
    to: tuple[str, ...],
    ca_file: str | None,
    password_stdin: bool,
) -> None:
    """Store the email settings (user config file) and the SMTP password (OS keyring only).

    Options not given keep their stored value. On a terminal the password is asked for without echo;
    elsewhere use --password-stdin. The password is never written to a file.
    """
    _warn_ignored_password_env()
    values = stored_settings()
    updates = {
        "host": host,
        "port": port,
        "security": security,
        "user": user,
        "from": sender,
        "to": list(to) if to else None,
        "ca_file": str(Path(ca_file).resolve()) if ca_file else None,
    }
    old_security = values.get("security", DEFAULT_SECURITY)
    values.update({k: v for k, v in updates.items() if v is not None})
    if security and port is None and values.get("port") == DEFAULT_PORTS.get(old_security):
        values.pop("port")  # switching mode: the old mode's standard port would be wrong for the new one
    try:
        save_settings(values)
        settings = resolve_settings(stored=values, environ={})
    except SettingsError as exc:
        _die(exc.for_cli(), EXIT_USAGE)

    click.echo(f"settings saved to {config.config_path()}")
    for key, value in settings.public_dict().items():
        shown = ", ".join(value) if isinstance(value, list) else value
        click.echo(f"  {key:9} {shown if shown not in (None, '') else '-'}")
    if not settings.encrypted:
        _warn("security 'none': the connection to the SMTP server will not be encrypted")
    if not settings.user or not settings.host:
        if password_stdin:
            _die("a password needs a user and a host: pass --user and --host", EXIT_USAGE)
        return
    try:
        # Before asking for the password: nobody should type it only to hear it cannot be stored.
        secrets.usable_backend()
        password: str | None = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                _die("--password-stdin: stdin had no password on its first line", EXIT_USAGE)
        elif _stdin_is_tty():
            prompt = f"SMTP password for {settings.user} on {settings.host} (empty: keep the stored one)"
            password = click.prompt(prompt, hide_input=True, default="", show_default=False) or None
        if password:
            backend = secrets.store_password(settings.user, settings.host, password)
            entry = f"{keyring_store.SERVICE} / {secrets.account(settings.user, settings.host)}"
            click.echo(f"  password  stored in the OS keyring ({backend}, entry {entry})")
        else:
            stored = secrets.has_password(settings.user, settings.host)
            state = (
                "already stored in the OS keyring"
                if stored
                else "NOT stored yet: rerun on a terminal or with --password-stdin"
            )
            click.echo(f"  password  {state}")
    except MailError as exc:
        _die(str(exc))


@click.command("email-test")
def email_test_command() -> None:
    """Connect to the SMTP server, do TLS and AUTH, and report each step (sends nothing)."""
    _warn_ignored_password_env()
    try:
        settings = resolve_settings()
        settings.require_server()
    except SettingsError as exc:
        _die(exc.for_cli(), EXIT_USAGE)
    overridden = [k for k, source in settings.sources.items() if source == "env"]
    if overridden:
        click.echo(f"using {', '.join(overridden)} from {ENV_PREFIX}* environment variables")
    if not settings.encrypted:
        _warn("security 'none': nothing on this connection is encrypted")

    def step(message: str) -> None:
        click.echo(f"  {message}")

    try:
        password = None
        if settings.user:
            step(f"reading the password for {settings.user} from the OS keyring")
            password = secrets.get_password(settings.user, settings.host or "")
            step("password found in the OS keyring")
        check_connection(settings, password, step)
    except MailError as exc:
        _die(f"FAILED: {exc}")
    click.echo(f"email-test: OK: {passed_message(settings)}")


def register(group: click.Group) -> None:
    """Add this module's commands to the main group."""
    for command in (export_command, send_command, email_setup_command, email_test_command):
        group.add_command(command)
