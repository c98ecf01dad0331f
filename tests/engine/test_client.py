"""The client API: launch limits, cancel."""

from __future__ import annotations

import pytest

from core import Contract
from core.engine import ledger
from core.engine.broker import redis_client
from tests.engine.conftest import make_ledger


def test_time_limit_must_stay_below_the_visibility_timeout(redis_url: str) -> None:
    from core.engine.client import BatchClient
    from core.engine.settings import EngineSettings

    client = BatchClient(redis_url, EngineSettings(visibility_timeout=600, restore_interval=10))
    contract = Contract("a.txt", b"x", "text/plain")
    with pytest.raises(ValueError, match="visibility timeout"):
        client.launch([contract], time_limit=595)
    with pytest.raises(ValueError, match="must be below the hard one"):
        client.launch([contract], soft_time_limit=30, time_limit=20)
    assert client.launch([contract], time_limit=580).time_limit == 580


def test_cancel_does_not_relabel_a_finished_batch(redis_url: str) -> None:
    from core.engine.client import BatchClient

    r = redis_client(redis_url)
    make_ledger(r, "b4", ["b4-0"])
    ledger.transition(r, "b4", [ledger.STATE_OPEN], ledger.STATE_FINAL)
    assert BatchClient(redis_url).cancel("b4") == 0
    assert ledger.read_state(r, "b4") == ledger.STATE_FINAL
