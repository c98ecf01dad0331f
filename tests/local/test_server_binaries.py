"""Which server opens the local data: the one that wrote it, never an older one that would open it empty."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.local import server_binaries
from core.local.mode import LocalMode
from core.local.server_binaries import SERVER_ENV, DataRecord, IncompatibleLocalData, best_server, server_for


@pytest.fixture(autouse=True)
def _fresh_server_list() -> Iterator[None]:
    server_binaries.available_servers.cache_clear()
    yield
    server_binaries.available_servers.cache_clear()


def fake_server(folder: Path, banner: str) -> Path:
    """A program that answers --version like a server of another release (it never serves)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "redis-server"
    path.write_text(f"#!/bin/sh\necho '{banner}'\n")
    path.chmod(0o755)
    return path


def test_the_packaged_server_is_found_first_and_knows_its_version() -> None:
    server = best_server()
    assert server.family in ("valkey", "redis") and server.version >= (6, 0, 0)
    assert server.source != "PATH", "the shipped server comes before whatever PATH has"


def test_a_directory_is_opened_by_the_server_that_wrote_it(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "redis"
    data.mkdir()
    real = best_server()
    DataRecord.of(real).write(data)
    newer = fake_server(tmp_path / "newer", f"{real.family.capitalize()} server v=99.0.0 sha=0")
    monkeypatch.setenv("PATH", f"{newer.parent}{os.pathsep}{os.environ['PATH']}")
    assert server_for(data).path == real.path  # the writer, although a newer one is available


def test_data_of_a_newer_server_is_refused_not_opened_empty(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Written by the real packaged server; then only an old Redis 6.2 is left on the machine.
    local = LocalMode(tmp_path / "local")
    try:
        local.start_redis()
        client = local_client(local)
        client.set("contract_batch:batches-kept", "yes")
        client.close()
    finally:
        local.stop()
    before = sorted(p.relative_to(local.base) for p in (local.base / "redis").rglob("*"))
    old = fake_server(tmp_path / "old", "Redis server v=6.2.14 sha=40305114:0 malloc=libc bits=64")
    monkeypatch.setenv(SERVER_ENV, str(old))
    server_binaries.available_servers.cache_clear()
    with pytest.raises(IncompatibleLocalData) as refused:
        local.start_redis()
    message = str(refused.value)
    assert "Redis 6.2.14" in message and "Nothing was changed" in message
    assert DataRecord.read(local.base / "redis") is not None
    assert sorted(p.relative_to(local.base) for p in (local.base / "redis").rglob("*")) == before
    assert not local.redis_alive()


def test_a_directory_without_a_record_but_with_redis_7_files(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # An earlier release kept no record; Redis 7 and Valkey keep the append-only file in a folder.
    data = tmp_path / "redis"
    (data / "appendonlydir").mkdir(parents=True)
    old = fake_server(tmp_path / "old", "Redis server v=6.2.14 sha=0")
    monkeypatch.setenv(SERVER_ENV, str(old))
    with pytest.raises(IncompatibleLocalData, match=r"Redis 7\.0\.0"):
        server_for(data)


def test_valkey_reads_what_redis_up_to_7_2_wrote() -> None:
    valkey = server_binaries.ServerBinary("/x", "valkey", (9, 1, 2), "bundle")
    assert valkey.can_open(DataRecord("redis", (7, 0, 15)))
    assert valkey.can_open(DataRecord("valkey", (8, 0, 0)))
    assert not valkey.can_open(DataRecord("redis", (7, 4, 0)))
    assert not valkey.can_open(DataRecord("valkey", (9, 2, 0)))
    redis7 = server_binaries.ServerBinary("/y", "redis", (7, 0, 15), "PATH")
    assert not redis7.can_open(DataRecord("valkey", (9, 1, 2)))


def local_client(local: LocalMode):  # type: ignore[no-untyped-def]
    import redis

    return redis.Redis(unix_socket_path=str(local.socket_path), socket_timeout=5)
