"""``contract-batch run``: load contracts, launch a batch, and with --wait follow it to its report."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from core.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_NO_REPORT,
    EXIT_USAGE,
    broker_option,
    connect_client,
    emit_report,
    fail,
    positive_seconds,
)
from core.config import load_section
from core.engine.broker import BrokerChoice, mask, resolve_broker
from core.engine.outage import OUTAGE_ERRORS, through_outage
from core.local.mode import LocalMode, Started
from core.policy import local_worker_count
from core.printable import printable

if TYPE_CHECKING:
    from core.contracts.loader import LoadResult
    from core.counts import BatchCounts
    from core.engine.client import BatchClient
    from core.engine.ledger import BatchMeta
    from core.engine.watch import BatchWatch
    from core.local.history import HistoryStore

EARLY_ID_FROM = 1_000  # batches at least this big print their id before they are sent
PROGRESS_EVERY_S = 0.5


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
@click.option("-v", "--verbose", is_flag=True, help="With --wait: list every contract before the summary.")
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
    verbose: bool,
) -> None:
    """Run one task per contract found in PATHS (files or folders, walked in sorted order)."""
    from core.contracts.loader import load_paths

    try:
        loaded = load_paths(paths)
    except KeyboardInterrupt:
        click.echo("\ninterrupted while reading the contracts: nothing was launched", err=True)
        sys.exit(EXIT_INTERRUPTED)
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
                as_json, out, verbose)


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
    loaded: LoadResult, choice: BrokerChoice, local: LocalMode, started: Started, label: str,
    soft_time_limit: float | None, time_limit: float | None, deadline: float | None, wait: bool,
    as_json: bool, out: Path | None, verbose: bool = False,
) -> None:
    client = connect_client(choice, local)
    # What the desktop app's Settings chose, unless given here.
    engine_cfg = load_section("engine")
    soft_time_limit = soft_time_limit or positive_seconds(engine_cfg.get("soft_time_limit"))
    time_limit = time_limit or positive_seconds(engine_cfg.get("time_limit"))
    deadline = deadline or positive_seconds(engine_cfg.get("deadline"))
    def created(meta: BatchMeta) -> None:
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
    from core.engine.watch import BatchWatch
    from core.local.history import HistoryStore

    # The batch enters this machine's history (``contract-batch list``, the desktop app's History), and
    # its counts are followed as the window follows them (core.counts): one definition everywhere.
    history = HistoryStore()
    watch = BatchWatch(meta.batch_id)
    watcher = WorkerWatch(client, local if started.workers else None, watch, history)
    # Contracts already run while the rows are read: an outage now is waited out as one later is (under
    # load the test's Redis was killed here and the client quit with "lost the connection").
    through_outage(lambda: watch.load(client, history, "local" if choice.local else mask(client.broker_url)),
                   patience_s=None, on_wait=watcher.outage)
    if sys.stderr.isatty() and not as_json:
        watcher.bar = ProgressBar(watch, meta.label or meta.batch_id)
    bar = watcher.bar
    try:
        report = client.wait_report(meta.batch_id, on_poll=watcher.check, on_outage=watcher.outage)
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        click.echo(f"\ninterrupted; batch {meta.batch_id} goes on. "
                   f"Get its report with 'contract-batch report {meta.batch_id}'", err=True)
        sys.exit(EXIT_INTERRUPTED)
    from core.counts import BatchCounts

    counts = BatchCounts.of(c.get("outcome") for c in report.get("contracts") or [])
    history.update(meta.batch_id, state="final", counts=counts.as_mapping(), report=report)
    if bar is not None:
        bar.finish(counts)
    where = (f"Every contract: 'contract-batch report {meta.batch_id}'"
             + (f" or {out}/contracts.csv" if out is not None else "") + "; run with -v to list them here.")
    emit_report(report, as_json, every_contract=verbose, more="" if verbose else where)
    if choice.local:
        local.stop(started)
    if out is not None:
        try:
            write_outputs(report, out)
        except OSError as exc:
            fail(f"the report is above (and in 'contract-batch report {meta.batch_id}'), but writing "
                 f"{out} failed: {exc}", EXIT_NO_REPORT)


class ProgressBar:
    """The terminal's progress while ``run --wait`` waits: click's bar with percentage and ETA, counted as
    every other surface counts (load rejections included, ``core.counts``)."""

    def __init__(self, watch: BatchWatch, label: str) -> None:
        counts = watch.counts()
        self.shown = counts.done
        self.bar = click.progressbar(
            length=max(1, counts.total), label=printable(label)[:40], show_eta=True, show_percent=True,
            show_pos=True, file=sys.stderr, item_show_func=lambda text: text,
        )
        self.bar.__enter__()
        self.bar.update(self.shown, self._words(counts))

    @staticmethod
    def _words(counts: BatchCounts) -> str:
        from core.counts import attention_words

        return attention_words(counts.needs_attention) if counts.needs_attention else ""

    def show(self, counts: BatchCounts) -> None:
        self.bar.update(max(0, counts.done - self.shown), self._words(counts))
        self.shown = max(self.shown, counts.done)

    def finish(self, counts: BatchCounts) -> None:
        self.show(counts)
        self.close()

    def close(self) -> None:
        self.bar.__exit__(None, None, None)


class WorkerWatch:
    """While ``run --wait`` waits: say so when no worker is there, fail when our own local worker died."""

    GRACE_S = 15.0
    OUTAGE_EVERY_S = 15.0

    def __init__(self, client: BatchClient, local: LocalMode | None, watch: BatchWatch | None = None,
                 history: HistoryStore | None = None, bar: ProgressBar | None = None) -> None:
        self.client, self.local = client, local
        self.watch, self.history, self.bar = watch, history, bar
        self.next_progress = 0.0
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
        # Only for a terminal's bar: each poll reads every unfinished task's state.
        if self.bar is not None and self.watch is not None and self.history is not None \
                and now >= self.next_progress:
            self.next_progress = now + PROGRESS_EVERY_S
            try:
                progress = self.watch.poll(self.client, self.history, with_report=False).progress
            except OUTAGE_ERRORS:
                progress = None  # Redis went away between two reads: the wait rides it out
            if progress is not None:
                self.bar.show(progress.counts)
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
        from core.reporting.exporter import export_report
    except ImportError:
        return
    export_report(report, out)
