"""The contract value as it travels in a message."""

from __future__ import annotations

import json

from core import Contract


def test_contract_message_round_trip_carries_content_not_path() -> None:
    c = Contract("a.pdf", bytes(range(256)), "application/pdf", source="/home/me/secret/a.pdf")
    message = c.to_message()
    assert "source" not in message and "/home/me" not in json.dumps(message)
    assert Contract.from_message(message) == c


def test_a_contract_sent_by_reference_needs_its_stored_bytes() -> None:
    import pytest

    from core.contracts.contract import ContentMissing

    c = Contract("big.pdf", b"%PDF" + bytes(range(256)) * 100, "application/pdf", source="/home/me/big.pdf")
    message = c.to_message("7")
    assert message == {"name": "big.pdf", "media_type": "application/pdf", "content": "7",
                       "size": len(c.data)}
    assert Contract.from_message(message, c.data) == c
    for stored in (None, c.data[:-1]):  # gone (the batch ended), or not what was stored
        with pytest.raises(ContentMissing, match="no longer in Redis"):
            Contract.from_message(message, stored)
