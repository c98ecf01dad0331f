"""Broker settings: a Redis password lives only in the keyring; local mode is private to the user."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from core.config import config_path, save_section
from core.engine.broker import (
    KEYRING_SERVICE,
    BrokerUnavailable,
    check_reachable,
    mask,
    redis_password_user,
    resolve_broker,
)
from core.local.mode import LocalMode
from core.local.server import RedisServer
from tests.mail.memory_keyring import MemoryKeyring


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def password_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(data_dir=tmp_path / "redis", appendonly=False, password="kr-s3cret").start()
    try:
        yield server
    finally:
        server.stop()


def test_redis_password_comes_from_the_keyring_only(memory_keyring: MemoryKeyring,
                                                    password_redis: RedisServer) -> None:
    url = f"redis://127.0.0.1:{password_redis.port}/0"
    save_section("broker", {"url": url, "password_in_keyring": True})
    with pytest.raises(BrokerUnavailable) as no_password:
        check_reachable(resolve_broker(None).url or "")
    assert "kr-s3cret" not in str(no_password.value)

    memory_keyring.set_password(KEYRING_SERVICE, redis_password_user(url), "kr-s3cret")
    choice = resolve_broker(None)
    assert choice.source == "config" and choice.url is not None
    check_reachable(choice.url)  # authenticated with the keyring's password
    assert mask(choice.url) == f"redis://:***@127.0.0.1:{password_redis.port}/0"
    assert "kr-s3cret" not in config_path().read_text()
    assert json.loads(config_path().read_text())["broker"] == {"url": url, "password_in_keyring": True}


def test_keyring_is_not_consulted_for_other_urls(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(KEYRING_SERVICE, "redis:elsewhere:6379", "pw")
    assert resolve_broker("redis://elsewhere:6379/0").url == "redis://elsewhere:6379/0"


def test_local_mode_socket_is_private_to_the_user(tmp_path: Path) -> None:
    local = LocalMode(tmp_path / "local")
    try:
        assert local.start_redis() is True
        assert local.start_redis() is False  # reused, not started twice
        mode = stat.S_IMODE(os.stat(local.socket_path.parent).st_mode)
        assert mode == 0o700
        assert local.url.startswith("redis+socket://")
        check_reachable(local.url)
    finally:
        local.stop()
    assert not local.redis_alive()


def test_stale_pid_files_never_point_at_someone_elses_process(tmp_path: Path) -> None:
    local = LocalMode(tmp_path / "local")
    local.base.mkdir(parents=True)
    # After a reboot the recorded pids may belong to anything: here, this very test process.
    (local.base / "workers.pids").write_text(json.dumps([os.getpid()]))
    (local.base / "redis.pids").write_text(json.dumps([os.getpid()]))
    assert local.worker_pids() == []
    local.stop()  # must not signal this process
    assert json.loads((local.base / "workers.pids").read_text()) == []


def test_local_workers_yield_the_cpu_to_the_window(tmp_path: Path) -> None:
    import psutil

    local = LocalMode(tmp_path / "local")
    try:
        started = local.ensure_running(concurrency=1)
        pid = started.worker_pids[0]
        from tests.engine.conftest import wait_for

        expected = os.nice(0) + 10

        def settled() -> bool:
            # The worker and the pool process it forks both run at the lower priority. (While it imports,
            # before it lowers its priority, the worker may briefly run a helper program: not a pool.)
            try:
                worker = psutil.Process(pid)
                children = worker.children()
                niced = [worker.nice(), *(c.nice() for c in children)]
            except psutil.NoSuchProcess:
                return False  # a helper exited while being looked at
            return bool(children) and all(n == expected for n in niced)

        wait_for(settled, timeout=60, what="the worker and its pool at niceness +10")
    finally:
        local.stop()


@pytest.mark.parametrize("url", ["redis://localhost:notaport/0", "redis://:s3cret@localhost:99999/0",
                                 "redis://localhost:6390/0?socket_timeout=abc", "http://example.com",
                                 "redis://host/0\r\nX"])
def test_a_broken_broker_url_is_one_line_and_exit_2(url: str) -> None:
    from tests.engine.test_cli import cli

    proc = cli("status", "somebatch", "--broker", url)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "s3cret" not in proc.stderr
