"""Engine commands: worker, run, status, report, cancel, local."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from core.config import load_section
from core.engine import ledger
from core.engine.broker import BrokerChoice, BrokerUnavailable, check_reachable, mask, resolve_broker
from core.engine.outage import OUTAGE_ERRORS
from core.engine.processors import DEFAULT_PROCESSOR, resolve_callable
from core.engine.report_hooks import HOOKS_ENV, hook_specs_from_env
from core.keyring_store import KeyringUnavailable
from core.local.mode import LocalMode, Started
from core.policy import broker_url, local_worker_count
from core.printable import printable
from core.runtime import build_id

EXIT_NO_REPORT = 1
EXIT_USAGE = 2
EXIT_NOT_FINAL = 3
EXIT_INTERRUPTED = 130
EARLY_ID_FROM = 1_000  # batches at least this big print their id before they are sent
POOL_ENV = "CONTRACT_BATCH_POOL"

broker_option = click.option(
    "--broker",
    metavar="URL",
    help="Redis URL, e.g. redis://host:6379/0 (default: $CONTRACT_BATCH_BROKER, the settings file, "
    "else local mode).",
)


def fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _positive(value: Any) -> float | None:
    """A positive number of seconds from the settings file, else None (0 means 'not set' there)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def connect_client(choice: BrokerChoice, local: LocalMode | None = None) -> Any:
    """A BatchClient for the chosen broker; exits 1 with a plain sentence when it cannot be reached."""
    from core.engine.client import BatchClient

    try:
        url = broker_url(choice, local=local)  # local TCP mode reads its password from the keyring
        check_reachable(url)
    except (BrokerUnavailable, KeyringUnavailable) as exc:
        hint = " (local mode: start it with 'contract-batch local start')" if choice.local else ""
        fail(f"{exc}{hint}", EXIT_NO_REPORT)
    return BatchClient(url)


# -- worker ------------------------------------------------------------------------------------------


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


# -- run ---------------------------------------------------------------------------------------------


def _print_progress(progress: Any) -> None:
    done = progress.finished
    running = progress.states.get("STARTED", 0)
    failed = progress.states.get("FAILURE", 0) + progress.states.get("REVOKED", 0)
    click.echo(f"\r{done}/{progress.total} done, {running} running, {failed} failed or revoked ",
               nl=False, err=True)


@click.command("run")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@broker_option
@click.option("--label", default="", help="A name for the batch, shown in reports.")
@click.option("--soft-time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds before a contract's task is asked to stop (timed_out).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds before a contract's worker process is killed (timed_out).")
@click.option("--deadline", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds from now; what has no outcome by then is reported lost.")
@click.option("--wait", is_flag=True, help="Wait for the final report and print it.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --wait: write report.json (and the exports) into this folder.")
def run_command(
    paths: tuple[Path, ...],
    broker: str | None,
    label: str,
    soft_time_limit: float | None,
    time_limit: float | None,
    deadline: float | None,
    wait: bool,
    as_json: bool,
    out: Path | None,
) -> None:
    """Run one task per contract found in PATHS (files or folders, walked in sorted order)."""
    from core.contracts.loader import load_paths

    loaded = load_paths(paths)
    for rejection in loaded.rejections:
        click.echo(f"rejected {printable(rejection.name)}: {printable(rejection.reason)}", err=True)
    if not loaded.items:
        fail("no contract files found in " + ", ".join(map(str, paths)), EXIT_USAGE)
    if not loaded.contracts:
        fail("nothing loadable: every file was rejected", EXIT_USAGE)
    choice = resolve_broker(broker)
    local = LocalMode()
    started = Started(False, False)
    if choice.local:
        try:
            started = local.ensure_running(local_worker_count())
        except Exception as exc:
            fail(f"could not start local mode: {exc}", EXIT_NO_REPORT)
    with _stopping_on_failure(local, started):
        _launch(loaded, choice, local, started, label, soft_time_limit, time_limit, deadline, wait,
                as_json, out)


@contextlib.contextmanager
def _stopping_on_failure(local: LocalMode, started: Started) -> Iterator[None]:
    """What this command started in local mode is stopped again when it fails; Ctrl-C (the batch goes
    on) and success leave that to the command."""
    try:
        yield
    except SystemExit as exc:
        if exc.code not in (None, 0, EXIT_INTERRUPTED) and (started.redis or started.workers):
            local.stop(started)
        raise
    except Exception:
        if started.redis or started.workers:
            local.stop(started)
        raise


def _launch(
    loaded: Any, choice: BrokerChoice, local: LocalMode, started: Started, label: str,
    soft_time_limit: float | None, time_limit: float | None, deadline: float | None, wait: bool,
    as_json: bool, out: Path | None,
) -> None:
    client = connect_client(choice, local)
    # What the desktop app's Settings chose, unless given here.
    engine_cfg = load_section("engine")
    soft_time_limit = soft_time_limit or _positive(engine_cfg.get("soft_time_limit"))
    time_limit = time_limit or _positive(engine_cfg.get("time_limit"))
    deadline = deadline or _positive(engine_cfg.get("deadline"))
    def created(meta: Any) -> None:
        if meta.dispatched >= EARLY_ID_FROM:  # a big batch takes a while to send: say which it is now
            click.echo(f"batch {meta.batch_id}: sending {meta.dispatched:,} contracts", err=True)

    try:
        meta = client.launch(
            loaded.items,
            label=label,
            soft_time_limit=soft_time_limit,
            time_limit=time_limit,
            deadline=deadline,
            on_created=created,
        )
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    if not wait:
        summary = {
            "batch_id": meta.batch_id,
            "total": meta.total,
            "dispatched": meta.dispatched,
            "rejected_at_load": meta.total - meta.dispatched,
            "label": meta.label,
            "broker": mask(client.broker_url),
        }
        if as_json:
            click.echo(json.dumps(summary))
        else:
            click.echo(meta.batch_id)
        if started.redis or started.workers:
            click.echo("local mode is running; stop it with 'contract-batch local stop'", err=True)
        return
    show_progress = sys.stderr.isatty() and not as_json
    watcher = WorkerWatch(client, local if started.workers else None)
    try:
        report = client.wait_report(
            meta.batch_id, on_progress=_print_progress if show_progress else None, on_poll=watcher.check,
            on_outage=watcher.outage,
        )
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted; batch {meta.batch_id} goes on. "
                   f"Get its report with 'contract-batch report {meta.batch_id}'", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if show_progress:
        # The report can land between two progress lines: end on the true final count.
        click.echo(f"\r{meta.dispatched}/{meta.dispatched} done, report ready" + " " * 30, err=True)
    emit_report(report, as_json)
    if choice.local:
        local.stop(started)
    if out is not None:
        try:
            write_outputs(report, out)
        except OSError as exc:
            fail(f"the report is above (and in 'contract-batch report {meta.batch_id}'), but writing "
                 f"{out} failed: {exc}", EXIT_NO_REPORT)


class WorkerWatch:
    """While ``run --wait`` waits: say so when no worker is there, fail when our own local worker died."""

    GRACE_S = 15.0
    OUTAGE_EVERY_S = 15.0

    def __init__(self, client: Any, local: LocalMode | None) -> None:
        self.client, self.local = client, local
        self.since = time.monotonic()
        self.next_check = self.since + self.GRACE_S
        self.warned = False
        self.down_since: float | None = None
        self.next_outage_note = 0.0

    def outage(self, seconds_down: float, exc: BaseException) -> None:
        """Redis is unreachable: the wait goes on, and the person is told so (not every retry)."""
        now = time.monotonic()
        if self.down_since is None:
            self.down_since = now - seconds_down
        if now >= self.next_outage_note:
            self.next_outage_note = now + self.OUTAGE_EVERY_S
            click.echo(f"\nRedis at {self.client.display_url} is unreachable ({type(exc).__name__}, "
                       f"{seconds_down:.0f} s); still waiting: the batch and its results are kept in "
                       "Redis. Ctrl-C leaves it running", err=True)

    def check(self) -> None:
        now = time.monotonic()
        if self.down_since is not None:
            click.echo(f"Redis is back after {now - self.down_since:.0f} s; waiting for the report", err=True)
            self.down_since, self.next_outage_note = None, 0.0
            self.next_check = now + self.GRACE_S  # workers reconnect too: give them the start's grace
        if now < self.next_check:
            return
        self.next_check = now + 10.0
        if self.local is not None and not self.local.worker_pids():
            fail(f"the local worker stopped; see {self.local.logs / 'worker.log'}", EXIT_NO_REPORT)
        try:
            answered = self.client.workers(timeout=1.0)
        except OUTAGE_ERRORS:
            return  # Redis went away between two reads: the next poll waits it out
        if not self.warned and not answered:
            self.warned = True
            click.echo(f"\nno worker answers on {self.client.display_url}: the batch waits for one "
                       "('contract-batch worker --broker URL'); Ctrl-C leaves it running", err=True)


def write_outputs(report: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    try:
        from core.reporting.exporter import export_report  # type: ignore[import-not-found]
    except ImportError:
        return
    export_report(report, out)


def emit_report(report: dict[str, Any], as_json: bool) -> None:
    from core.engine.final_report import format_report_text

    click.echo(json.dumps(report, indent=2) if as_json else format_report_text(report))


# -- status / report / cancel ------------------------------------------------------------------------


def _client_for(broker: str | None) -> Any:
    return connect_client(resolve_broker(broker))


@click.command("status")
@click.argument("batch_id")
@broker_option
@click.option("--json", "as_json", is_flag=True)
def status_command(batch_id: str, broker: str | None, as_json: bool) -> None:
    """Every contract of a batch with its Celery state and outcome (read in bulk from the frozen ids)."""
    client = _client_for(broker)
    status = client.status(batch_id)
    if status is None:
        fail(f"no such batch: {batch_id}", EXIT_USAGE)
    data = status.to_json()
    if status.final:
        data["hooks"] = client.hooks(batch_id)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    counts = {}
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
    client = _client_for(broker)
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
    client = _client_for(broker)
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
    client = _client_for(broker)
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


# -- local -------------------------------------------------------------------------------------------


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


def register(group: click.Group) -> None:
    for command in (worker_command, run_command, status_command, report_command, cancel_command,
                    quarantine_command, local_group):
        group.add_command(command)
