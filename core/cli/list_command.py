"""``contract-batch list``: recent batches, newest first, from this machine's history and from the broker,
so a batch whose terminal closed is found again (its id, label, when, state and counts)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from core.cli.common import broker_option, client_for
from core.counts import BatchCounts
from core.engine import ledger
from core.engine.broker import mask, resolve_broker
from core.engine.rows import BATCH_STATE_LABELS
from core.local.history import HistoryStore
from core.outcome import Outcome
from core.printable import printable

if TYPE_CHECKING:
    from core.engine.client import BatchClient


def _counts_json(c: BatchCounts) -> dict[str, Any]:
    return {"total": c.total, "done": c.done, "succeeded": c.succeeded, "need_attention": c.needs_attention,
            "failed": c.failed, "unfinished": c.unfinished, "outcomes": dict(c.outcomes)}


def _broker_counts(client: BatchClient, batch_id: str, state: str) -> BatchCounts:
    """Counts of a batch this machine's history does not know, read from the broker (every contract)."""
    if state == ledger.STATE_FINAL:
        head = client.report_head(batch_id) or {}  # the counts without the contracts (1 GB at 100,000)
        return BatchCounts.from_mapping(head.get("counts") or {})
    entries = client.entries(batch_id)
    ids = [e.task_id for e in entries if e.task_id is not None]
    outcomes: list[str | None] = [Outcome.REJECTED] * (len(entries) - len(ids))
    outcomes += [s.outcome for s in client.snapshots(batch_id, ids)]
    return BatchCounts.of(outcomes)


def recent_batches(client: BatchClient | None, history: HistoryStore, limit: int) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for e in history.list(limit):
        found[e.batch_id] = {"batch_id": e.batch_id, "label": e.label, "created_at": e.created_at,
                             "created_ts": e.created_ts, "state": e.state, "broker": e.broker,
                             "counts": _counts_json(e.batch_counts), "source": "history"}
    if client is not None:
        for batch_id in ledger.recent_batches(client.redis, limit):
            read = client.batch(batch_id)
            if read is None:
                continue
            meta, state = read
            kept = found.get(batch_id)
            if kept is not None:
                kept["state"], kept["source"] = state, "history+broker"  # the broker's state is the live one
                if state != ledger.STATE_FINAL or kept["counts"]["unfinished"]:
                    kept["counts"] = _counts_json(_broker_counts(client, batch_id, state))
                continue
            found[batch_id] = {"batch_id": batch_id, "label": meta.label, "created_at": meta.created_at,
                               "created_ts": meta.created_ts, "state": state,
                               "broker": mask(client.broker_url),
                               "counts": _counts_json(_broker_counts(client, batch_id, state)),
                               "source": "broker"}
    rows = sorted(found.values(), key=lambda r: -float(r["created_ts"] or 0))[:limit]
    for row in rows:
        del row["created_ts"]
    return rows


@click.command("list")
@broker_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="How many batches, newest first.")
def list_command(broker: str | None, as_json: bool, limit: int) -> None:
    """Recent batches, newest first: this machine's history and the broker's batches."""
    client = client_for(broker)
    rows = recent_batches(client, HistoryStore(), limit)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        where = "local mode" if resolve_broker(broker).local else mask(client.broker_url)
        click.echo(f"no batches yet ({where})")
        return
    from core.reporting.wording import format_when

    click.echo(f"{'STARTED':<28} {'BATCH ID':<14} {'STATE':<10} {'CONTRACTS':>9} {'SUCCEEDED':>9} "
               f"{'ATTENTION':>9}  LABEL")
    for r in rows:
        c = r["counts"]
        try:
            when = format_when(datetime.fromisoformat(r["created_at"]).astimezone(UTC))
        except (TypeError, ValueError):
            when = "?"
        state = BATCH_STATE_LABELS.get(r["state"], r["state"])
        click.echo(f"{when:<28} {r['batch_id']:<14} {state:<10} {c['total']:>9,} {c['succeeded']:>9,} "
                   f"{c['need_attention']:>9,}  {printable(r['label'] or '')}".rstrip())
    if len(rows) == limit:
        click.echo(f"(the newest {limit}; --limit N for more)", err=True)
