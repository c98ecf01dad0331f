"""Report hooks: ``hook(report_dict)``, called once per batch after its report is stored (worker side)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from core.engine.processors import resolve_callable

HOOKS_ENV = "CONTRACT_BATCH_REPORT_HOOKS"
log = logging.getLogger(__name__)

Hook = tuple[str, Callable[[dict[str, Any]], Any]]


def hook_specs_from_env() -> list[str]:
    return [s.strip() for s in os.environ.get(HOOKS_ENV, "").split(",") if s.strip()]


def load_hooks(specs: Sequence[str] | None = None) -> list[Hook]:
    return [(spec, resolve_callable(spec)) for spec in (hook_specs_from_env() if specs is None else specs)]


def load_hooks_lenient(specs: Sequence[str]) -> list[Hook]:
    """Like load_hooks, but a spec this process cannot import becomes a hook that fails with the reason."""
    hooks: list[Hook] = []
    for spec in specs:
        try:
            hooks.append((spec, resolve_callable(spec)))
        except Exception as exc:
            hooks.append((spec, _unloadable(spec, exc)))
    return hooks


def _unloadable(spec: str, exc: Exception) -> Callable[[dict[str, Any]], Any]:
    message = f"cannot load {spec} on this worker: {type(exc).__name__}: {exc}"

    def fail(report: dict[str, Any]) -> None:
        raise ImportError(message)

    return fail


def run_hook(spec: str, hook: Callable[[dict[str, Any]], Any], report: Mapping[str, Any]) -> dict[str, Any]:
    """Call one hook; what it raises is logged and recorded (SystemExit too: a hook must not stop us)."""
    start = time.perf_counter()
    try:
        hook(dict(report))
    except (Exception, SystemExit) as exc:
        log.exception("report hook %s failed for batch %s", spec, report.get("batch_id"))
        outcome = {"hook": spec, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
    else:
        outcome = {"hook": spec, "ok": True, "error": None}
    outcome["runtime_s"] = round(time.perf_counter() - start, 4)
    return outcome

