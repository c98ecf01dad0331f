"""Fixtures shared by every test: isolated user dirs, a real private redis-server, offscreen Qt."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
import redis

# Qt aborts without a display unless this is set before any QApplication exists.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

from core.local.server import RedisServer

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
    # Numbers and dates in one known locale and time zone, whatever the machine's (tests of other
    # locales set their own).
    monkeypatch.setenv("CONTRACT_BATCH_LOCALE", "en_US")
    monkeypatch.setenv("TZ", "UTC")


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


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private D-Bus session with an unlocked gnome-keyring: a real Secret Service for keyring tests.

    Started by the tests themselves (never the user's own session), so ``python -m pytest`` exercises the
    real keyring wherever ``dbus-daemon`` and ``gnome-keyring-daemon`` are installed (CI installs them).
    Yields the bus address; skips with the reason when they are missing.
    """
    import shutil
    import subprocess

    missing = [b for b in ("dbus-daemon", "gnome-keyring-daemon") if shutil.which(b) is None]
    if missing:
        pytest.skip(f"no real Secret Service here: {', '.join(missing)} not installed "
                    "(apt-get install dbus gnome-keyring)")
    home = tmp_path_factory.mktemp("keyring-home")
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "HOME": str(home),
           "XDG_DATA_HOME": str(home / "data"), "XDG_RUNTIME_DIR": str(home)}
    try:
        # --unlock reads the login password from stdin, so no prompt is ever shown.
        subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"], input="ci-password",
                       env=env, capture_output=True, text=True, timeout=30, check=True)
        # The daemon forks and registers on the bus after the command returns: wait until a secret can
        # really be stored (under load, the first tests once ran before it answered).
        probe = ("from keyring.backends import SecretService as s; k = s.Keyring(); "
                 "k.set_password('cbm-probe', 'p', 'x'); k.delete_password('cbm-probe', 'p')")
        deadline = time.monotonic() + 60
        while subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                             timeout=60, check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("gnome-keyring did not start answering within 60 s")
            time.sleep(0.2)
        yield address
    finally:
        # gnome-keyring-daemon leaves with the session bus.
        bus.terminate()
        bus.wait(10)
