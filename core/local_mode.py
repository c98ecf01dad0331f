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
from dataclasses import dataclass
from pathlib import Path

import redis

from core.config import data_dir
from core.redis_server import RedisServer

# sun_path is 108 bytes on Linux; leave room for the terminating NUL and some margin.
_MAX_SOCKET_PATH = 100


@dataclass(frozen=True, slots=True)
class Started:
    redis: bool
    workers: bool


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still "exists"; reap it if it is ours.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == 0


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
        return [p for p in pids if isinstance(p, int) and _alive(p)]

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
        log = open(self.logs / "worker.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        finally:
            log.close()
        self._write_pids("workers", [*self.worker_pids(), proc.pid])
        return proc.pid

    def stop_workers(self, timeout: float = 30.0) -> None:
        self._stop("workers", timeout)

    def _stop(self, name: str, timeout: float) -> None:
        pids = self._read_pids(name)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        end = time.monotonic() + timeout
        while time.monotonic() < end and any(_alive(p) for p in pids):
            time.sleep(0.1)
        for pid in pids:
            if _alive(pid):
                try:
                    os.killpg(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        self._write_pids(name, [])

    # -- together ------------------------------------------------------------------------------------

    def ensure_running(
        self, concurrency: int = 2, processor: str | None = None, hooks: tuple[str, ...] = ()
    ) -> Started:
        started_redis = self.start_redis()
        started_workers = False
        if not self.worker_pids():
            self.start_worker(concurrency, processor, hooks)
            started_workers = True
        return Started(started_redis, started_workers)

    def stop(self, started: Started | None = None) -> None:
        """Stop what ``started`` says was started (everything when None): workers first, then Redis."""
        if started is None or started.workers:
            self.stop_workers()
        if started is None or started.redis:
            self.stop_redis()
