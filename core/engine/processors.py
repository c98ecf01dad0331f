"""Processors: ``process(contract) -> dict`` functions, chosen on the worker side by ``module:function``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from core.contracts.contract import Contract
from core.engine.plugins import add_plugin_dirs

DEFAULT_PROCESSOR = "core.processors:analyze"

Processor = Callable[[Contract], dict[str, Any]]


def resolve_callable(spec: str) -> Callable[..., Any]:
    """Import ``module:function`` (dotted attribute paths allowed after the colon), also from the plugin
    folders (``core.engine.plugins``)."""
    module_name, sep, attr_path = spec.partition(":")
    if not sep or not module_name or not attr_path:
        raise ValueError(f"expected 'module:function', got {spec!r}")
    add_plugin_dirs()
    target: Any = importlib.import_module(module_name)
    for attr in attr_path.split("."):
        target = getattr(target, attr)
    if not callable(target):
        raise TypeError(f"{spec} is not callable")
    function: Callable[..., Any] = target
    return function


def analyze(contract: Contract) -> dict[str, Any]:
    """The default processor: what the app understands in a contract (core.contracts.analysis,
    docs/analysis.md).

    Raises ContractRejected when the document cannot be read (encrypted, scanned, corrupt, zip bomb).
    """
    from core.contracts.analysis.contract_analysis import analyze_contract

    return analyze_contract(contract.data, contract.media_type)
