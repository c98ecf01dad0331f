"""Fault injection for the crash tests: the only way to make the report step fail on purpose.

``CONTRACT_BATCH_FAULTS=finalize-raise-once:DIR`` (or ``finalize-exit-once:DIR``) makes the first
finalization of each batch raise (or kill its process) after it claimed the batch and before it stored the
report; a marker file in DIR makes it happen once. Unset in normal use, and then a single dict lookup.
"""

from __future__ import annotations

import os
from pathlib import Path

FAULTS_ENV = "CONTRACT_BATCH_FAULTS"


class InjectedFault(RuntimeError):
    pass


def maybe_inject(point: str, key: str) -> None:
    spec = os.environ.get(FAULTS_ENV)
    if not spec:
        return
    for item in spec.split(","):
        name, _, directory = item.partition(":")
        kind, _, mode = name.rpartition("-once")[0].rpartition("-")
        if kind != point or not directory:
            continue
        marker = Path(directory) / f"{point}-{key}"
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            continue
        os.close(fd)
        if mode == "exit":
            os._exit(17)
        raise InjectedFault(f"injected fault at {point} for {key}")
