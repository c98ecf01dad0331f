"""What every engine command shares: exit codes, the --broker option, plain failures, connecting."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable, Iterable
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


def connect_client(choice: BrokerChoice, local: LocalMode | None = None, *, start_local: bool = False
                   ) -> BatchClient:
    """A BatchClient for the chosen broker; exits 1 with a plain sentence when it cannot be reached.

    ``start_local``: in local mode, a stopped private server is started for this command and stopped
    after it (its data is on disk): after ``run --wait`` has stopped local mode, ``status``, ``report``
    and ``export`` of that batch still work without ``local start``."""
    from core.engine.client import BatchClient

    if choice.local and start_local:
        mode = local or LocalMode()
        try:
            click.get_current_context().with_resource(mode.server_while_needed())
        except (OSError, RuntimeError) as exc:
            fail(f"could not start the local server: {exc}", EXIT_NO_REPORT)
        local = mode
    try:
        url = broker_url(choice, local=local)  # local TCP mode reads its password from the keyring
        check_reachable(url)
    except (BrokerUnavailable, KeyringUnavailable) as exc:
        hint = " (local mode: start it with 'contract-batch local start')" if choice.local else ""
        fail(f"{exc}{hint}", EXIT_NO_REPORT)
    return BatchClient(url)


def client_for(broker: str | None) -> BatchClient:
    """The client of a command that reads or acts on existing batches (local mode: started if needed)."""
    return connect_client(resolve_broker(broker), start_local=True)


def emit_report(report: dict[str, Any], as_json: bool, *, every_contract: bool = True,
                more: str = "") -> None:
    """The report as JSON, or as text with the summary last (``core.cli.report_text``)."""
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    from core.cli.report_text import report_text

    click.echo(report_text(report, every_contract=every_contract, more=more))


def emit_report_stream(head: dict[str, Any], contracts: Callable[[], Iterable[Any]], as_json: bool) -> None:
    """``emit_report`` of a report read a part at a time (``core.engine.report_store``), printing the
    same text: the JSON is written contract by contract, the summary keeps no results."""
    if not as_json:
        from core.cli.report_text import summary_text
        from core.reporting.summary import summarize_stream

        click.echo(summary_text(summarize_stream(head, contracts()), every_contract=True))
        return
    out = click.get_text_stream("stdout")
    # json.dumps(report, indent=2), with "contracts" last, written as it is read.
    opening = json.dumps(head, indent=2)[:-2] + ",\n" if head else "{\n"
    out.write(opening + '  "contracts": [')
    first = True
    for contract in contracts():
        out.write(("\n" if first else ",\n") + textwrap.indent(json.dumps(contract, indent=2), "    "))
        first = False
    out.write("]\n}\n" if first else "\n  ]\n}\n")
    out.flush()
