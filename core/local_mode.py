"""Local mode, the embedded default: a private redis-server and local worker processes, started on demand.

Redis listens on a unix socket inside a directory only this user can enter (no port, no password to
keep), with append-only persistence in the user data dir so a restart loses nothing. Pid files let a
later command (or the desktop app) find, reuse and stop what an earlier one started.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis

from core.config import data_dir
from core.redis_server import RedisServer

NICE_ENV = "CONTRACT_BATCH_WORKER_NICE"
LOCAL_WORKER_NICENESS = 10
# sun_path is 108 bytes on Linux; leave room for the terminating NUL and some margin.
_MAX_SOCKET_PATH = 100


@dataclass(frozen=True, slots=True)
class Started:
    redis: bool
    workers: bool
    worker_pids: tuple[int, ...] = ()


# What each pid file's processes have in their command line: a pid file that outlived a reboot may
# name someone else's process by now, which must be neither trusted nor killed.
_MARKERS = {"redis": "redis-server", "workers": "core.cli"}


def _alive(pid: int, marker: str) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False  # gone, or another user's process: not ours either way
    # A zombie child still "exists"; reap it if it is ours.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done != 0:
            return False
    except ChildProcessError:
        pass
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.parent.exists():
        try:
            return marker in cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return False
    return True  # no /proc (macOS): the pid exists, which is all that can be told cheaply


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise starting and stopping across commands and the desktop app (two Redis on one file = harm)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        try:
            import fcntl
        except ImportError:  # Windows: no flock; local mode there relies on a single caller
            yield
            return
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class LocalMode:
    def __init__(self, base: Path | None = None) -> None:
        self.base = base or data_dir() / "local"

    @property
    def socket_path(self) -> Path:
        candidate = self.base / "run" / "redis.sock"
        if len(str(candidate)) <= _MAX_SOCKET_PATH:
            return candidate
        digest = hashlib.sha1(str(self.base).encode()).hexdigest()[:10]
        return Path(tempfile.gettempdir()) / f"cbm-{os.getuid()}-{digest}" / "redis.sock"

    @property
    def url(self) -> str:
        return f"redis+socket://{self.socket_path}"

    @property
    def logs(self) -> Path:
        return self.base / "logs"

    def _pidfile(self, name: str) -> Path:
        return self.base / f"{name}.pids"

    def _read_pids(self, name: str) -> list[int]:
        try:
            pids = json.loads(self._pidfile(name).read_text())
        except (OSError, ValueError):
            return []
        return [p for p in pids if isinstance(p, int) and _alive(p, _MARKERS[name])]

    def _write_pids(self, name: str, pids: list[int]) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self._pidfile(name).write_text(json.dumps(pids))

    # -- redis ---------------------------------------------------------------------------------------

    def redis_alive(self) -> bool:
        if not self.socket_path.exists():
            return False
        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=2)
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()

    def start_redis(self, timeout: float = 20.0) -> bool:
        """Start the private Redis unless it already runs; True when this call started it."""
        if self.redis_alive():
            return False
        sock_dir = self.socket_path.parent
        sock_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(sock_dir, 0o700)
        server = RedisServer(data_dir=self.base / "redis", unix_socket=self.socket_path, appendonly=True)
        server.start(timeout=timeout, detach=True)
        assert server.process is not None
        self._write_pids("redis", [server.process.pid])
        return True

    def stop_redis(self, timeout: float = 15.0) -> None:
        # SIGTERM makes redis fsync its append-only file before exiting.
        self._stop("redis", timeout)

    # -- workers -------------------------------------------------------------------------------------

    def worker_pids(self) -> list[int]:
        return self._read_pids("workers")

    def start_worker(
        self, concurrency: int = 2, processor: str | None = None, hooks: tuple[str, ...] = ()
    ) -> int:
        self.logs.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "core.cli", "worker", "--broker", self.url]
        cmd += ["--concurrency", str(concurrency)]
        if processor:
            cmd += ["--processor", processor]
        for hook in hooks:
            cmd += ["--report-hook", hook]
        # Local workers share the machine with the person using it: they yield the CPU to the window.
        env = {**os.environ, NICE_ENV: os.environ.get(NICE_ENV, str(LOCAL_WORKER_NICENESS))}
        log = open(self.logs / "worker.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env=env,
            )
        finally:
            log.close()
        self._write_pids("workers", [*self.worker_pids(), proc.pid])
        return proc.pid

    def stop_workers(self, timeout: float = 30.0, only: tuple[int, ...] | None = None) -> None:
        self._stop("workers", timeout, only)

    def _stop(self, name: str, timeout: float, only: tuple[int, ...] | None = None) -> None:
        marker = _MARKERS[name]
        running = self._read_pids(name)
        pids = [p for p in running if only is None or p in only]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        end = time.monotonic() + timeout
        while time.monotonic() < end and any(_alive(p, marker) for p in pids):
            time.sleep(0.1)
        for pid in pids:
            if _alive(pid, marker):
                # Each was started in a session of its own: its group is its pool processes.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
        self._write_pids(name, [p for p in running if p not in pids])

    # -- together ------------------------------------------------------------------------------------

    def ensure_running(
        self, concurrency: int = 2, processor: str | None = None, hooks: tuple[str, ...] = ()
    ) -> Started:
        with _locked(self.base / "lock"):
            started_redis = self.start_redis()
            if self.worker_pids():
                return Started(started_redis, False)
            pid = self.start_worker(concurrency, processor, hooks)
            return Started(started_redis, True, (pid,))

    def stop(self, started: Started | None = None) -> None:
        """Stop what ``started`` says was started (everything when None): workers first, then Redis.

        Redis is left running while other local workers (the desktop app's, another command's) use it.
        """
        with _locked(self.base / "lock"):
            if started is None:
                self.stop_workers()
                self.stop_redis()
                return
            if started.workers:
                self.stop_workers(only=started.worker_pids)
            if started.redis and not self.worker_pids():
                self.stop_redis()
