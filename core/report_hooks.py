"""Report hooks: ``hook(report_dict)``, called once per batch after its report is stored (worker side)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from core.processors import resolve_callable

HOOKS_ENV = "CONTRACT_BATCH_REPORT_HOOKS"
log = logging.getLogger(__name__)

Hook = tuple[str, Callable[[dict[str, Any]], Any]]


def hook_specs_from_env() -> list[str]:
    return [s.strip() for s in os.environ.get(HOOKS_ENV, "").split(",") if s.strip()]


def load_hooks(specs: Sequence[str] | None = None) -> list[Hook]:
    return [(spec, resolve_callable(spec)) for spec in (hook_specs_from_env() if specs is None else specs)]


def run_hooks(hooks: Sequence[Hook], report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Call each hook; a hook that raises is logged and recorded, and the others still run."""
    results: list[dict[str, Any]] = []
    for spec, hook in hooks:
        start = time.perf_counter()
        try:
            hook(dict(report))
        except Exception as exc:
            log.exception("report hook %s failed for batch %s", spec, report.get("batch_id"))
            results.append({"hook": spec, "ok": False, "error": f"{type(exc).__name__}: {exc}"})
        else:
            results.append({"hook": spec, "ok": True, "error": None})
        results[-1]["runtime_s"] = round(time.perf_counter() - start, 4)
    return results
