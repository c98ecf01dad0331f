"""``contract-batch status|report|cancel|quarantine``: one batch, or the messages set aside."""

from __future__ import annotations

import json
import time

import click

from core.cli.common import (
    EXIT_NO_REPORT,
    EXIT_NOT_FINAL,
    EXIT_USAGE,
    broker_option,
    client_for,
    emit_report_stream,
    fail,
)
from core.counts import BatchCounts, attention_words
from core.engine import ledger
from core.engine.report_store import ReportGone
from core.engine.rows import BATCH_STATE_LABELS, CATEGORY_LABELS, category_of
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
    rows = data["contracts"]
    counts = BatchCounts.of(c["outcome"] for c in rows)
    label = f" “{printable(status.meta.label)}”" if status.meta.label else ""
    state = BATCH_STATE_LABELS.get(data["state"], data["state"])
    click.echo(f"Batch {batch_id}{label}: {state}, {counts.done:,} of {counts.total:,} done, "
               f"{counts.succeeded:,} succeeded, {attention_words(counts.needs_attention)}")
    width = min(48, max([len(printable(c["name"])) for c in rows] + [8]))
    click.echo(f"  {'CONTRACT':<{width}}  {'STATE':<10} {'TRIES':>5}  REASON")
    for c in rows:
        name = printable(c["name"])
        name = name if len(name) <= width else name[: width - 1] + "…"
        words = CATEGORY_LABELS[category_of(c["state"], c["outcome"])]
        tries = str(c.get("attempts") or "-") if c["task_id"] else "-"
        reason = printable((c["error"] or "").split("\n", 1)[0])
        click.echo(f"  {name:<{width}}  {words:<10} {tries:>5}  {reason}".rstrip())


@click.command("report")
@click.argument("batch_id")
@broker_option
@click.option("--json", "as_json", is_flag=True)
def report_command(batch_id: str, broker: str | None, as_json: bool) -> None:
    """The batch's final report (exit 3 while it is not final yet)."""
    client = client_for(broker)
    if client.batch(batch_id) is None:
        fail(f"no such batch: {batch_id}", EXIT_USAGE)
    stream = client.report_stream(batch_id)
    if stream is None:
        status = client.status(batch_id)
        counts = BatchCounts.of(c["outcome"] for c in status.to_json()["contracts"]) if status else None
        done = f" ({counts.done:,} of {counts.total:,} contracts done)" if counts else ""
        fail(f"batch {batch_id} is not final yet{done}: see 'contract-batch status {batch_id}'",
             EXIT_NOT_FINAL)
    try:
        emit_report_stream(*stream, as_json)
    except ReportGone as exc:
        fail(str(exc), EXIT_NO_REPORT)


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
