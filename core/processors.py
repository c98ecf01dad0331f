"""Compatibility: ``core.processors:analyze`` is the default processor's public name (``--processor``,
``CONTRACT_BATCH_PROCESSOR``, users' scripts). The processors live in ``core.engine.processors``."""

from core.engine.processors import analyze

__all__ = ["analyze"]
