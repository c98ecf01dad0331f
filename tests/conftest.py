"""Fixtures shared by every test: isolated user dirs, a real private redis-server, offscreen Qt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
import redis

# Qt aborts without a display unless this is set before any QApplication exists.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

from core.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CUAD_DIR = SHARED / "contracts" / "cuad"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Config, data and keyring state never touch the real user's files."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    for var in ("CONTRACT_BATCH_BROKER", "CONTRACT_BATCH_PROCESSOR", "CONTRACT_BATCH_REPORT_HOOKS"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the session, on a free loopback port (never 6379)."""
    server = RedisServer(data_dir=tmp_path_factory.mktemp("redis"), appendonly=False).start()
    assert server.port != 6379
    yield server
    server.stop()


_db_numbers = count()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """A freshly emptied database of the session's server, one per test, so tests cannot see each other."""
    db = next(_db_numbers) % 16
    client = redis.Redis(host="127.0.0.1", port=redis_server.port, db=db)
    client.flushdb()
    client.close()
    return f"redis://127.0.0.1:{redis_server.port}/{db}"
