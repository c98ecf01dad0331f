"""Local mode, the embedded default: a private Redis-compatible server and local worker processes, started
on demand.

The server listens on a unix socket inside a directory only this user can enter (no port, no password to
keep); where unix sockets are not available (Windows) it listens on loopback TCP with a generated password
kept in the OS keyring. Its append-only data lives in the user data dir, so a restart loses nothing.
Pid files let a later command (or the desktop app) find, reuse and stop what an earlier one started, and
tell the workers of another installation (an upgrade) from this one's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis
from filelock import FileLock

from core.config import data_dir, private_dir
from core.keyring_store import KeyringUnavailable, get_secret, set_secret
from core.local import processes
from core.local.processes import ProcessRecord
from core.local.server import RedisServer, free_port
from core.local.server_binaries import server_for
from core.runtime import build_id, cli_argv, detached

log = logging.getLogger(__name__)

NICE_ENV = "CONTRACT_BATCH_WORKER_NICE"
LOCAL_WORKER_NICENESS = 10
TRANSPORT_ENV = "CONTRACT_BATCH_LOCAL_TRANSPORT"  # "unix" or "tcp"; forced in tests of the portable path
# After an upgrade, how long the previous installation's workers may finish the contracts they run.
UPGRADE_DRAIN_S = 60.0
# sun_path is 108 bytes on Linux (104 on macOS); leave room for the terminating NUL and some margin.
_MAX_SOCKET_PATH = 100
_PORT_ATTEMPTS = 5
# What an older release's pid files (bare pids) name: such a pid is trusted only if this is in its command
# line. Records written now carry the process's start time instead.
_LEGACY_MARKERS = {"redis": "redis-server", "workers": "core.cli"}


def default_transport() -> str:
    forced = os.environ.get(TRANSPORT_ENV, "").strip().lower()
    if forced in ("unix", "tcp"):
        return forced
    return "unix" if os.name == "posix" else "tcp"


@dataclass(frozen=True, slots=True)
class Started:
    redis: bool
    workers: bool
    worker_pids: tuple[int, ...] = ()


class LocalMode:
    def __init__(self, base: Path | None = None, transport: str | None = None) -> None:
        self.base = base or data_dir() / "local"
        self.transport = transport or default_transport()
        self._password: str | None = None

    # -- where things are -----------------------------------------------------------------------------

    def _run_dir(self, create: bool) -> Path:
        """The socket's directory: in the data dir, or where that path is too long for a socket, a
        directory with an unpredictable name under the temp dir, recorded so later commands find it."""
        preferred = self.base / "run"
        if len(str(preferred / "redis.sock")) <= _MAX_SOCKET_PATH:
            return private_dir(preferred) if create else preferred
        record = self.base / "run-dir"
        try:
            recorded = Path(record.read_text(encoding="utf-8").strip())
        except OSError:
            recorded = None
        if recorded is not None and recorded.is_dir():
            return private_dir(recorded)  # refuses one that is not ours
        if not create:
            return recorded or Path(tempfile.gettempdir()) / "cbm-not-started"
        fresh = Path(tempfile.mkdtemp(prefix="cbm-"))  # 0700, a name nobody could have taken first
        private_dir(self.base)
        record.write_text(str(fresh), encoding="utf-8")
        return fresh

    @property
    def socket_path(self) -> Path:
        return self._run_dir(create=False) / "redis.sock"

    @property
    def _account(self) -> str:
        return "local-redis:" + hashlib.sha256(str(self.base.resolve()).encode()).hexdigest()[:16]

    def _port(self) -> int:
        try:
            return int(json.loads((self.base / "endpoint.json").read_text(encoding="utf-8"))["port"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0

    def password(self, create: bool = False) -> str:
        """Local TCP mode's server password, from the keyring (generated there on first start)."""
        if self._password is None:
            what = "local mode's server password (used where unix sockets are not available)"
            self._password = get_secret(self._account, what)
            if self._password is None and create:
                generated = secrets.token_urlsafe(32)
                set_secret(self._account, generated, what)
                self._password = generated
        return self._password or ""

    @property
    def url(self) -> str:
        if self.transport == "unix":
            return f"redis+socket://{self.socket_path}"
        return f"redis://:{self.password()}@127.0.0.1:{self._port()}/0"

    @property
    def display_url(self) -> str:
        if self.transport == "unix":
            return self.url
        return f"redis://127.0.0.1:{self._port()} (password in the keyring)"

    @property
    def logs(self) -> Path:
        return self.base / "logs"

    # -- pid files -----------------------------------------------------------------------------------

    def _pidfile(self, name: str) -> Path:
        return self.base / f"{name}.pids"

    def records(self, name: str) -> list[ProcessRecord]:
        """The live processes a pid file names (dead ones and strangers left out)."""
        try:
            raw = json.loads(self._pidfile(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        found = [ProcessRecord.from_json(r) for r in (raw if isinstance(raw, list) else [])]
        return [r for r in found if r is not None and r.alive(_LEGACY_MARKERS[name])]

    def _write_records(self, name: str, records: list[ProcessRecord]) -> None:
        private_dir(self.base)
        path = self._pidfile(name)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps([r.to_json() for r in records]), encoding="utf-8")
        os.replace(tmp, path)

    # -- the server ----------------------------------------------------------------------------------

    def redis_alive(self) -> bool:
        if self.transport == "unix":
            if not self.socket_path.exists():
                return False
            client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=2)
        else:
            port = self._port()
            if not port:
                return False
            try:
                password = self.password()
            except KeyringUnavailable:
                return False
            client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=2)
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()

    def start_redis(self, timeout: float = 20.0) -> bool:
        """Start the private server unless it already runs; True when this call started it."""
        if self.redis_alive():
            return False
        data = self.base / "redis"
        binary = server_for(data)  # refuses data only a newer server can read, before touching it
        if self.transport == "unix":
            server = RedisServer(data_dir=data, unix_socket=self._run_dir(create=True) / "redis.sock",
                                 binary=binary)
            server.start(timeout=timeout, detach=True)
        else:
            password = self.password(create=True)
            for attempt in range(_PORT_ATTEMPTS):
                server = RedisServer(data_dir=data, port=free_port(), password=password, binary=binary)
                try:
                    server.start(timeout=timeout, detach=True)
                    break
                except RuntimeError:  # the port was taken between choosing and binding it
                    if attempt == _PORT_ATTEMPTS - 1:
                        raise
            private_dir(self.base)
            (self.base / "endpoint.json").write_text(json.dumps({"port": server.port}), encoding="utf-8")
        assert server.process is not None
        self._write_records("redis", [ProcessRecord.of(server.process.pid, binary.label)])
        return True

    def stop_redis(self, timeout: float = 15.0) -> None:
        # SIGTERM makes the server fsync its append-only file before exiting.
        processes.stop(self.records("redis"), timeout, _LEGACY_MARKERS["redis"])
        self._write_records("redis", self.records("redis"))

    # -- workers -------------------------------------------------------------------------------------

    def worker_pids(self) -> list[int]:
        return [r.pid for r in self.records("workers")]

    def start_worker(
        self, concurrency: int = 2, processor: str | None = None, hooks: tuple[str, ...] = ()
    ) -> int:
        cmd = [*cli_argv(), "worker", "--local-dir", str(self.base), "--local-transport", self.transport]
        cmd += ["--concurrency", str(concurrency)]
        if processor:
            cmd += ["--processor", processor]
        for hook in hooks:
            cmd += ["--report-hook", hook]
        # Local workers share the machine with the person using it: they yield the CPU to the window.
        env = {**os.environ, NICE_ENV: os.environ.get(NICE_ENV, str(LOCAL_WORKER_NICENESS))}
        logs = private_dir(self.logs)
        fd = os.open(logs / "worker.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=fd, stderr=subprocess.STDOUT, env=env, **detached()
            )
        finally:
            os.close(fd)
        self._write_records("workers", [*self.records("workers"), ProcessRecord.of(proc.pid, build_id())])
        return proc.pid

    def stop_workers(self, timeout: float = 30.0, only: tuple[int, ...] | None = None) -> None:
        running = self.records("workers")
        chosen = [r for r in running if only is None or r.pid in only]
        processes.stop(chosen, timeout, _LEGACY_MARKERS["workers"])
        self._write_records("workers", self.records("workers"))

    # -- together ------------------------------------------------------------------------------------

    def _lock(self) -> FileLock:
        """Serialise starting and stopping across commands and the desktop app (two servers on one
        data directory would corrupt it)."""
        private_dir(self.base)
        return FileLock(str(self.base / "lock"))

    def ensure_running(
        self, concurrency: int = 2, processor: str | None = None, hooks: tuple[str, ...] = ()
    ) -> Started:
        with self._lock():
            started_redis = self.start_redis()
            ours = build_id()
            workers = self.records("workers")
            outdated = [r for r in workers if r.build != ours]
            # Asked first, so they take no new contract; they finish what they run while ours starts.
            draining = processes.request_stop(outdated, _LEGACY_MARKERS["workers"])
            if outdated:
                log.info("restarting %d local worker(s) of another installation", len(outdated))
            try:
                if len(outdated) < len(workers):
                    result = Started(started_redis, False)
                else:
                    pid = self.start_worker(concurrency, processor, hooks)
                    result = Started(started_redis, True, (pid,))
            except BaseException:
                if started_redis:  # leave nothing behind that no one will stop
                    self.stop_redis()
                raise
            finally:
                processes.finish_stop(draining, UPGRADE_DRAIN_S)
            self._write_records("workers", self.records("workers"))
            return result

    @contextlib.contextmanager
    def server_while_needed(self) -> Iterator[bool]:
        """The private server for a command that reads batches: started if it was stopped (the data is
        on disk), and stopped again afterwards unless workers use it. Yields whether it was started."""
        with self._lock():
            started = self.start_redis()
        try:
            yield started
        finally:
            if started:
                self.stop(Started(True, False))

    def stop(self, started: Started | None = None) -> None:
        """Stop what ``started`` says was started (everything when None): workers first, then the server.

        The server is left running while other local workers (the desktop app's, another command's) use it.
        """
        with self._lock():
            if started is None:
                self.stop_workers()
                self.stop_redis()
                return
            if started.workers:
                self.stop_workers(only=started.worker_pids)
            if started.redis and not self.worker_pids():
                self.stop_redis()
