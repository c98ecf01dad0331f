"""A test processor that reads its instruction from the contract's name (``<instruction>-<anything>``).

ok        return a small result            reject     raise ContractRejected
raise     raise ValueError                 soft       sleep past the soft time limit
hard      ignore the soft limit, hang      slow<N>    sleep N seconds, then succeed
killonce  SIGKILL its own process once     killalways SIGKILL its own process every time
exit      os._exit(3) every time        killworker SIGKILL the whole worker, every time
Every run is logged as a file in $CB_TEST_MARKER_DIR, so tests can see what really ran.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded

from core import Contract, ContractRejected


def _markers() -> Path:
    return Path(os.environ["CB_TEST_MARKER_DIR"])


def _log_run(name: str) -> None:
    (_markers() / f"ran-{name}-{uuid.uuid4().hex[:8]}").touch()


def process(contract: Contract) -> dict[str, Any]:
    name = contract.name
    instruction = name.split("-", 1)[0].split(".", 1)[0]
    _log_run(name)
    if instruction == "ok":
        return {"name": name, "size": len(contract.data)}
    if instruction == "reject":
        raise ContractRejected(f"{name} is not a contract")
    if instruction == "raise":
        raise ValueError(f"boom in {name}")
    if instruction == "soft":
        time.sleep(60)
    if instruction == "hard":
        end = time.monotonic() + 60
        while time.monotonic() < end:
            try:
                time.sleep(0.05)
            except SoftTimeLimitExceeded:
                continue
    if instruction.startswith("slow"):
        time.sleep(float(instruction[4:] or 1))
        return {"name": name, "slept": True}
    if instruction == "killonce":
        marker = _markers() / f"killed-{name}"
        if not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return {"name": name, "survived": True}
    if instruction == "killalways":
        os.kill(os.getpid(), signal.SIGKILL)
    if instruction == "exit":
        os._exit(3)
    if instruction == "killworker":
        os.killpg(os.getpgid(0), signal.SIGKILL)
    raise AssertionError(f"unknown instruction in {name}")


def runs(markers: Path, name: str) -> int:
    """How many times the processor ran on ``name`` (``markers``: the test's marker dir)."""
    return sum(1 for _ in markers.glob(f"ran-{name}-*"))
