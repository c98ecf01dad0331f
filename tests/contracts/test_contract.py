"""The contract value as it travels in a message."""

from __future__ import annotations

import json

from core import Contract


def test_contract_message_round_trip_carries_content_not_path() -> None:
    c = Contract("a.pdf", bytes(range(256)), "application/pdf", source="/home/me/secret/a.pdf")
    message = c.to_message()
    assert "source" not in message and "/home/me" not in json.dumps(message)
    assert Contract.from_message(message) == c
