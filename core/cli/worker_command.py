"""``contract-batch worker``: a Celery worker for contract batches, on any broker or for local mode."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import click

from core.cli.common import (
    EXIT_NO_REPORT,
    EXIT_USAGE,
    broker_option,
    fail,
)
from core.engine import ledger
from core.engine.broker import BrokerUnavailable, check_reachable, mask, resolve_broker
from core.engine.processors import DEFAULT_PROCESSOR, resolve_callable
from core.engine.report_hooks import HOOKS_ENV, hook_specs_from_env
from core.keyring_store import KeyringUnavailable
from core.local.mode import LocalMode
from core.runtime import build_id

POOL_ENV = "CONTRACT_BATCH_POOL"


def default_pool() -> str:
    """Celery's prefork pool where processes can fork (its time limits and terminate need it), else the
    threads pool (Windows)."""
    return os.environ.get(POOL_ENV) or ("prefork" if os.name == "posix" else "threads")


def _lower_priority(nice: str | None) -> None:
    if not nice:
        return
    if hasattr(os, "nice"):
        os.nice(int(nice))  # inherited by the pool processes forked below
    else:
        import psutil

        psutil.Process().nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)  # type: ignore[attr-defined]


@click.command("worker")
@broker_option
@click.option("--concurrency", "-c", type=click.IntRange(1, 256), default=None, help="Pool processes.")
@click.option("--processor", metavar="MODULE:FUNCTION", envvar="CONTRACT_BATCH_PROCESSOR",
              help=f"process(contract) -> dict (default {DEFAULT_PROCESSOR}).")
@click.option("--report-hook", "report_hooks", metavar="MODULE:FUNCTION", multiple=True,
              help=f"hook(report) called once per batch; repeatable (also ${HOOKS_ENV}, comma-separated).")
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@click.option("--hostname", "-n", default=None, help="Node name (default cb<pid>@<host>).")
@click.option("--pool", type=click.Choice(["prefork", "threads", "solo"]), default=None,
              help=f"Celery pool (default prefork, threads where processes cannot fork; ${POOL_ENV}).")
# Local mode starts its workers with these: the URL (with TCP, its password) is found, not passed.
@click.option("--local-dir", type=click.Path(file_okay=False, path_type=Path), default=None, hidden=True)
@click.option("--local-transport", type=click.Choice(["unix", "tcp"]), default=None, hidden=True)
def worker_command(
    broker: str | None,
    concurrency: int | None,
    processor: str | None,
    report_hooks: tuple[str, ...],
    loglevel: str,
    hostname: str | None,
    pool: str | None,
    local_dir: Path | None,
    local_transport: str | None,
) -> None:
    """Run a Celery worker for contract batches (events on, so Flower can watch it)."""
    if local_dir is not None:
        try:
            url = LocalMode(local_dir, local_transport).url
        except KeyringUnavailable as exc:
            fail(str(exc), EXIT_NO_REPORT)
    else:
        choice = resolve_broker(broker)
        local = LocalMode()
        if choice.local:
            local.start_redis()
        url = choice.url or local.url
    hooks = list(report_hooks) or hook_specs_from_env()
    for spec in [processor or DEFAULT_PROCESSOR, *hooks]:
        try:
            resolve_callable(spec)
        except Exception as exc:
            fail(f"cannot load {spec}: {exc}", EXIT_USAGE)
    try:
        check_reachable(url)
    except BrokerUnavailable as exc:
        fail(str(exc), EXIT_NO_REPORT)
    _lower_priority(os.environ.get("CONTRACT_BATCH_WORKER_NICE"))
    # Pool processes are forked from this one and read their processor and hooks from the environment.
    if processor:
        os.environ["CONTRACT_BATCH_PROCESSOR"] = processor
    os.environ[HOOKS_ENV] = ",".join(hooks)
    from core.engine.app import CONTROL_QUEUE, TASK_QUEUE, configure_app
    from core.engine.worker_app import app as worker_app

    app = configure_app(url)
    assert app is worker_app  # the same app, now with its tasks and the watchdog bootstep
    if hooks:
        # Finalizers on workers started without hooks use these, so hooks do not depend on who finalizes.
        ledger.publish_hook_specs(app.backend.client, hooks)
    argv = [
        "worker",
        "--pool", pool or default_pool(),
        "--task-events",
        "--queues", f"{TASK_QUEUE},{CONTROL_QUEUE}",
        "--loglevel", loglevel,
        "--hostname", hostname or f"cb{os.getpid()}@{socket.gethostname()}",
    ]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    click.echo(f"Contract Batch Manager {build_id()}: worker pid {os.getpid()} for {mask(url)}", err=True)
    app.worker_main(argv)
