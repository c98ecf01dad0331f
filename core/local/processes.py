"""Processes local mode started, told apart from everyone else's on every platform (``psutil``).

A pid alone is not an identity: after a reboot, or a long time, it names someone else's process. A
record keeps the pid with the process's start time (which the operating system fixes when it creates
the process), and the version and executable identity of the installation that started it, so that an
upgraded app recognises the workers of the installation it replaced.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import psutil

# Start times are floats read from /proc or the kernel; the same process reads back the same value,
# but allow for rounding between psutil versions.
_START_TOLERANCE_S = 0.05


@dataclass(frozen=True, slots=True)
class ProcessRecord:
    pid: int
    started: float  # psutil's create_time(); 0.0 for a record written by an older release (a bare pid)
    build: str = ""  # core.runtime.build_id() of the installation that started it; "" when unknown

    @classmethod
    def of(cls, pid: int, build: str = "") -> ProcessRecord:
        try:
            started = psutil.Process(pid).create_time()
        except psutil.Error:
            started = 0.0
        return cls(pid, started, build)

    @classmethod
    def from_json(cls, raw: Any) -> ProcessRecord | None:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return cls(raw, 0.0)  # an older release's pid file: a list of bare pids
        if isinstance(raw, dict) and isinstance(raw.get("pid"), int):
            try:
                return cls(int(raw["pid"]), float(raw.get("started") or 0.0), str(raw.get("build") or ""))
            except (TypeError, ValueError):
                return None
        return None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def process(self, legacy_marker: str = "") -> psutil.Process | None:
        """The live process this record names, or None (gone, a zombie, or someone else's by now)."""
        try:
            proc = psutil.Process(self.pid)
            if proc.status() == psutil.STATUS_ZOMBIE:
                _reap(self.pid)
                return None
            if self.started:
                return proc if abs(proc.create_time() - self.started) <= _START_TOLERANCE_S else None
            # A bare pid from an older release: trust it only if its command line says what it is.
            cmdline = " ".join(proc.cmdline())
            return proc if legacy_marker and legacy_marker in cmdline else None
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return None

    def alive(self, legacy_marker: str = "") -> bool:
        return self.process(legacy_marker) is not None


def _reap(pid: int) -> None:
    """Collect a child of ours that exited, so it stops counting as a process."""
    if os.name == "nt":
        return
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


@dataclass
class Stopping:
    """Processes asked to stop, with the children they had then (a worker's pool)."""

    procs: list[psutil.Process] = field(default_factory=list)
    children: list[psutil.Process] = field(default_factory=list)


def request_stop(records: Sequence[ProcessRecord], legacy_marker: str = "") -> Stopping:
    """Ask each process to stop: SIGTERM makes Redis sync its file and a Celery worker stop taking
    messages and finish the contracts it is running (a warm shutdown)."""
    stopping = Stopping()
    for proc in (r.process(legacy_marker) for r in records):
        if proc is None:
            continue
        with contextlib.suppress(psutil.Error):
            stopping.children += proc.children(recursive=True)
            _ask_to_stop(proc)
            stopping.procs.append(proc)
    return stopping


def finish_stop(stopping: Stopping, timeout: float) -> None:
    """Wait up to ``timeout`` for the processes to exit, then kill what is left with its children."""
    _, survivors = psutil.wait_procs(stopping.procs, timeout=timeout)
    for proc in stopping.procs:
        _reap(proc.pid)
    kill([*survivors, *(c for c in stopping.children if _running(c))])


def stop(records: Sequence[ProcessRecord], timeout: float, legacy_marker: str = "") -> None:
    finish_stop(request_stop(records, legacy_marker), timeout)


def _ask_to_stop(proc: psutil.Process) -> None:
    if os.name == "nt":
        # Started in a process group of its own (core.runtime.detached): a console break reaches it,
        # where terminate() would be TerminateProcess, an outright kill.
        proc.send_signal(signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined]
    else:
        proc.terminate()


def kill(procs: Iterable[psutil.Process]) -> None:
    procs = list(procs)
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            for child in proc.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    child.kill()
            proc.kill()
    psutil.wait_procs(procs, timeout=10)
    for proc in procs:
        _reap(proc.pid)


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
