"""Process identity: a pid with its start time, so a recycled pid is never trusted, signalled or killed."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil

from core.local import processes
from core.local.processes import ProcessRecord


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_record_names_its_process_and_no_other() -> None:
    proc = _sleeper()
    try:
        record = ProcessRecord.of(proc.pid, "0.1.0+abc")
        assert record.alive()
        assert ProcessRecord.from_json(record.to_json()) == record
        # The same pid with another start time: what a pid file that outlived a reboot points at.
        assert not ProcessRecord(proc.pid, record.started - 100.0).alive()
    finally:
        proc.kill()
        proc.wait()
    assert not record.alive()


def test_bare_pids_of_an_older_release_need_their_marker() -> None:
    mine = ProcessRecord.from_json(os.getpid())
    assert mine is not None and mine.started == 0.0
    assert not mine.alive("core.cli")  # this test process is not a worker
    assert mine.alive("pytest") or mine.alive("python")


def test_stop_asks_then_kills_what_ignores_it_with_its_children() -> None:
    code = ("import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)")
    stubborn = subprocess.Popen([sys.executable, "-c", code])
    try:
        parent = psutil.Process(stubborn.pid)
        deadline = time.monotonic() + 30
        while not parent.children() and time.monotonic() < deadline:
            time.sleep(0.05)
        [child] = parent.children()
        processes.stop([ProcessRecord.of(stubborn.pid)], timeout=1.0)
        assert stubborn.wait(10) is not None
        assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
    finally:
        if stubborn.poll() is None:
            stubborn.kill()
