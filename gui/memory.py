"""Keeping long-lived objects out of the garbage collector's way."""

from __future__ import annotations

import gc


def settle_memory() -> None:
    """Move everything alive now out of the garbage collector's reach (``gc.freeze``).

    Measured during a live 10,000-contract batch: full collections walked every loaded contract, row and
    snapshot and held the GIL for up to 140 ms, stalling the GUI thread whichever thread triggered them.
    Frozen objects are still freed by reference counting; only cycles among them wait for unfreeze.
    """
    gc.freeze()
