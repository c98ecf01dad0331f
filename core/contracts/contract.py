"""The values that cross every boundary: a loaded contract, a load-time rejection, a business rejection."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any


class ContractRejected(Exception):
    """Raised by a processor when a contract is invalid: a business outcome, not a crash.

    The task that raises it still succeeds; the contract's outcome is ``rejected`` with ``reason``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Contract:
    """One contract's bytes, as a worker on another machine will receive them.

    ``source`` is the local path it was read from: kept for the desktop app (retry from the original
    file) but never sent to a worker, which gets the content only.
    """

    name: str
    data: bytes
    media_type: str
    source: str = field(default="", compare=False)

    def to_message(self, ref: str | None = None) -> dict[str, Any]:
        """The task's argument. ``ref``: the content is stored in Redis under this name (see
        ``core.engine.ledger``, ``batch:<id>:content``) and the message carries only the reference."""
        if ref is not None:
            return {"name": self.name, "media_type": self.media_type, "content": ref, "size": len(self.data)}
        # JSON is the only serializer we accept, so bytes travel as base64.
        return {
            "name": self.name,
            "media_type": self.media_type,
            "data": base64.b64encode(self.data).decode("ascii"),
        }

    @classmethod
    def from_message(cls, message: dict[str, Any], stored: bytes | None = None) -> Contract:
        """The contract of a task's argument; ``stored``: the content its reference names, as read."""
        if "content" in message:
            size = message.get("size")
            if stored is None or (isinstance(size, int) and len(stored) != size):
                raise ContentMissing(
                    "the contract's content is no longer in Redis (its batch ended, or the server lost it)"
                )
            data = stored
        else:
            data = base64.b64decode(message["data"])
        return cls(name=str(message["name"]), data=data, media_type=str(message["media_type"]))


class ContentMissing(LookupError):
    """A task whose contract's content, stored by reference, cannot be found."""


@dataclass(frozen=True, slots=True)
class LoadRejection:
    """A file (or one entry of a multi-contract file) that could not become a contract at load time."""

    name: str
    reason: str
    source: str = ""


LoadItem = Contract | LoadRejection


def count_contracts(items: Iterable[LoadItem]) -> int:
    """How many of ``items`` are contracts (the rest are load rejections), in one C-level pass: a Python
    test per item was 5 ms of the GUI thread per 100,000 loaded files."""
    return sum(map(isinstance, items, repeat(Contract)))
