"""Compatibility: ``celery -A core.celery_app flower`` (the README's Flower command, users' scripts).

The app lives in ``core.engine.app``; what a worker loads, in ``core.engine.worker_app``.
"""

from core.engine.worker_app import app

__all__ = ["app"]
