"""``contract-batch status|report|cancel|quarantine``: one batch, or the messages set aside."""

from __future__ import annotations

import json
import time

import click

from core.cli.common import (
    EXIT_NOT_FINAL,
    EXIT_USAGE,
    broker_option,
    client_for,
    emit_report,
    fail,
)
from core.engine import ledger
from core.printable import printable


@click.command("status")
@click.argument("batch_id")
@broker_option
@click.option("--json", "as_json", is_flag=True)
def status_command(batch_id: str, broker: str | None, as_json: bool) -> None:
    """Every contract of a batch with its Celery state and outcome (read in bulk from the frozen ids)."""
    client = client_for(broker)
    status = client.status(batch_id)
    if status is None:
        fail(f"no such batch: {batch_id}", EXIT_USAGE)
    data = status.to_json()
    if status.final:
        data["hooks"] = client.hooks(batch_id)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    counts: dict[str, int] = {}
    for c in data["contracts"]:
        key = c["outcome"] or (c["state"] or "").lower()
        counts[key] = counts.get(key, 0) + 1
    click.echo(f"batch {batch_id} ({data['state']}{', final' if data['final'] else ''}): "
               + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for c in data["contracts"]:
        click.echo(f"  {printable(c['name']):<40} {c['state'] or '-':<9} {c['outcome'] or '':<9} "
                   f"{printable(c['error'] or '')}"
                   .rstrip())


@click.command("report")
@click.argument("batch_id")
@broker_option
@click.option("--json", "as_json", is_flag=True)
def report_command(batch_id: str, broker: str | None, as_json: bool) -> None:
    """The batch's final report (exit 3 while it is not final yet)."""
    client = client_for(broker)
    if client.batch(batch_id) is None:
        fail(f"no such batch: {batch_id}", EXIT_USAGE)
    report = client.report(batch_id)
    if report is None:
        progress = client.progress(batch_id)
        fail(f"batch {batch_id} is not final yet ({progress.finished} of {progress.total} tasks done)",
             EXIT_NOT_FINAL)
    emit_report(report, as_json)


@click.command("cancel")
@click.argument("batch_id")
@broker_option
def cancel_command(batch_id: str, broker: str | None) -> None:
    """Revoke everything unfinished in a batch; its report still arrives, with them revoked."""
    client = client_for(broker)
    try:
        count = client.cancel(batch_id)
    except KeyError:
        fail(f"no such batch: {batch_id}", EXIT_USAGE)
    click.echo(f"revoked {count} unfinished task(s) of batch {batch_id}")


@click.command("quarantine")
@broker_option
@click.option("--json", "as_json", is_flag=True, help="Every record, with the message as received.")
@click.option("--limit", type=click.IntRange(1, ledger.QUARANTINE_MAX), default=50, show_default=True)
def quarantine_command(broker: str | None, as_json: bool, limit: int) -> None:
    """Malformed messages the workers set aside instead of running (newest first)."""
    client = client_for(broker)
    records = ledger.quarantined(client.redis, limit)
    if as_json:
        click.echo(json.dumps(records, indent=2))
        return
    if not records:
        click.echo("no malformed messages were set aside")
        return
    click.echo(f"{'WHEN (UTC)':<20} {'QUEUE':<24} {'SIZE':>8}  REASON")
    for r in records:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(float(r.get("at") or 0)))
        click.echo(f"{when:<20} {r.get('queue') or '?'!s:<24} {int(r.get('size') or 0):>8}  "
                   f"{_printable(str(r.get('reason')))}")


def _printable(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
