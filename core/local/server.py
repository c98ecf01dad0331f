"""Run a private Redis-compatible server: for local mode and for the tests.

Which binary runs is decided in ``core.local.server_binaries``. A password, when there is one, reaches the
server on its standard input (``redis-server -`` reads configuration from there): never on the command
line, where every user of the machine can read it, and never in a file.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from core.local.server_binaries import (
    DataRecord,
    RedisServerNotFound,
    ServerBinary,
    best_server,
    find_redis_server,
)
from core.runtime import detached, external_env

__all__ = ["RedisServer", "RedisServerNotFound", "find_redis_server", "free_port"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """A server child process listening on a unix socket (private dir) or a loopback port."""

    data_dir: Path
    port: int = 0
    unix_socket: Path | None = None
    appendonly: bool = True
    password: str | None = None
    binary: ServerBinary | None = None  # None: the best available
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.unix_socket is not None:
            return f"redis+socket://{self.unix_socket}"
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        binary = self.binary or best_server()
        args = [
            binary.path,
            "-",  # the rest of the configuration (the password) comes on standard input
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
        return args

    def start(self, timeout: float = 20.0, detach: bool = False) -> RedisServer:
        """Start and wait until it answers. ``detach``: keep running after this process exits."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        if self.binary is None:
            self.binary = best_server()
        if self.unix_socket is None and self.port == 0:
            self.port = free_port()
        options: dict[str, Any] = detached() if detach else {}
        if os.name == "posix":
            options["umask"] = 0o077  # what the server writes (its append-only folder, its log): ours only
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL if detach else subprocess.PIPE,
            env=external_env(),
            **options,
        )
        assert self.process.stdin is not None
        config = f'requirepass "{self.password}"\n' if self.password else ""
        self.process.stdin.write(config.encode())
        self.process.stdin.close()
        self.wait_ready(timeout)
        # Only now: a server that failed to start must not claim the data as its own.
        DataRecord.of(self.binary).write(self.data_dir)
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
            client = self.client()
            try:
                if client.ping():
                    return
            except redis.RedisError as exc:
                last = exc
            finally:
                client.close()
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
