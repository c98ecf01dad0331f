"""``contract-batch local start|stop|status``: the embedded server and local workers."""

from __future__ import annotations

import click

from core.cli.common import (
    EXIT_NO_REPORT,
    fail,
)
from core.local.mode import LocalMode
from core.policy import local_worker_count
from core.runtime import build_id


@click.group("local")
def local_group() -> None:
    """Local mode: the private Redis and worker processes the app starts by itself."""


@local_group.command("start")
@click.option("--concurrency", "-c", type=click.IntRange(1, 64), default=None)
def local_start(concurrency: int | None) -> None:
    """Start local Redis and a local worker (if not running) and leave them running."""
    local = LocalMode()
    try:
        started = local.ensure_running(concurrency or local_worker_count())
    except Exception as exc:
        fail(f"could not start local mode: {exc}", EXIT_NO_REPORT)
    click.echo(f"local server {'started' if started.redis else 'already running'} at {local.display_url}")
    pids = ", ".join(map(str, local.worker_pids())) or "none"
    click.echo(f"local worker {'started' if started.workers else 'already running'} "
               f"(pid {pids}); logs in {local.logs}")


@local_group.command("stop")
def local_stop() -> None:
    """Stop the local worker(s) and Redis (Redis keeps its data on disk)."""
    local = LocalMode()
    local.stop()
    click.echo("local mode stopped")


@local_group.command("status")
def local_status() -> None:
    """Whether local Redis and workers are running, and which installation started them."""
    local = LocalMode()
    servers = local.records("redis")
    state = "running" if local.redis_alive() else "stopped"
    what = f", {servers[0].build}" if servers and servers[0].build else ""
    click.echo(f"redis: {state} ({local.display_url}{what})")
    workers = local.records("workers")
    if not workers:
        click.echo("workers: stopped")
    for record in workers:
        mine = " (this installation)" if record.build == build_id() else " (another installation)"
        click.echo(f"worker: pid {record.pid}, {record.build or 'unknown version'}{mine}")
