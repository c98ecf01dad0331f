"""What a worker loads: the app, its tasks and the watchdog bootstep.

``contract-batch worker`` runs this app; ``celery -A core.celery_app worker|flower|inspect`` (Celery's own
CLI, and Flower) gets it through that old path, configured from ``CONTRACT_BATCH_BROKER``. The app's
definition (``core.engine.app``) imports neither the tasks nor the watchdog, which both import it.
"""

from __future__ import annotations

import os

import core.engine.tasks  # noqa: F401 - registers the tasks on the app
from core.engine.app import app, configure_app
from core.engine.watchdog import WatchdogStep

app.steps["worker"].add(WatchdogStep)

if os.environ.get("CONTRACT_BATCH_BROKER"):
    configure_app(os.environ["CONTRACT_BATCH_BROKER"])

__all__ = ["app"]
