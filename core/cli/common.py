"""What every engine command shares: exit codes, the --broker option, plain failures, connecting."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from core.engine.broker import BrokerChoice, BrokerUnavailable, check_reachable, resolve_broker
from core.keyring_store import KeyringUnavailable
from core.local.mode import LocalMode
from core.policy import broker_url

if TYPE_CHECKING:
    # Imported when used: the client pulls in Celery (~0.6 s), which many commands never need.
    from core.engine.client import BatchClient

EXIT_NO_REPORT = 1
EXIT_USAGE = 2
EXIT_NOT_FINAL = 3
EXIT_INTERRUPTED = 130

broker_option = click.option(
    "--broker",
    metavar="URL",
    help="Redis URL, e.g. redis://host:6379/0 (default: $CONTRACT_BATCH_BROKER, the settings file, "
    "else local mode).",
)


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def positive_seconds(value: Any) -> float | None:
    """A positive number of seconds from the settings file, else None (0 means 'not set' there)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def connect_client(choice: BrokerChoice, local: LocalMode | None = None) -> BatchClient:
    """A BatchClient for the chosen broker; exits 1 with a plain sentence when it cannot be reached."""
    from core.engine.client import BatchClient

    try:
        url = broker_url(choice, local=local)  # local TCP mode reads its password from the keyring
        check_reachable(url)
    except (BrokerUnavailable, KeyringUnavailable) as exc:
        hint = " (local mode: start it with 'contract-batch local start')" if choice.local else ""
        fail(f"{exc}{hint}", EXIT_NO_REPORT)
    return BatchClient(url)


def client_for(broker: str | None) -> BatchClient:
    return connect_client(resolve_broker(broker))


def emit_report(report: dict[str, Any], as_json: bool) -> None:
    from core.engine.final_report import format_report_text

    click.echo(json.dumps(report, indent=2) if as_json else format_report_text(report))
