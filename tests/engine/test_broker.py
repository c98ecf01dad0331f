"""Which broker, and its password never shown."""

from __future__ import annotations

import pytest

from core.config import save_section
from core.engine.broker import mask, resolve_broker


def test_scrub_hides_passwords_in_messages() -> None:
    from core.engine.broker import scrub

    text = "Error 111 connecting to redis://:pw@h:1/0 and rediss://user:p%40ss@other:6380/2."
    assert scrub(text) == "Error 111 connecting to redis://:***@h:1/0 and rediss://user:***@other:6380/2."


def test_mask_hides_passwords() -> None:
    assert mask("redis://:pw@host:6379/0") == "redis://:***@host:6379/0"
    assert mask("redis://user:pw@host/1") == "redis://user:***@host/1"
    assert mask("redis://host:6379/0") == "redis://host:6379/0"


def test_broker_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_broker(None).local
    save_section("broker", {"url": "redis://cfg:1/0"})
    assert resolve_broker(None).source == "config"
    monkeypatch.setenv("CONTRACT_BATCH_BROKER", "redis://env:1/0")
    assert resolve_broker(None).url == "redis://env:1/0"
    assert resolve_broker("redis://opt:1/0").source == "option"
