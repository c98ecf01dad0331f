"""One answer per question that the window, the command line and the email hook all ask.

Each used to be answered in several places that could disagree (only the CLI honoured
``CONTRACT_BATCH_LOCAL_WORKERS``; four places decided which Redis holds a batch's report). This module sits
above the engine and local mode, which stay independent of each other (the import-linter layers).
"""

from __future__ import annotations

import os

from core.config import load_section
from core.engine.broker import BrokerChoice, resolve_broker
from core.local.mode import LocalMode

LOCAL_WORKERS_ENV = "CONTRACT_BATCH_LOCAL_WORKERS"
DEFAULT_LOCAL_WORKERS = 2


def broker_url(choice: BrokerChoice | None = None, *, option: str | None = None,
               local: LocalMode | None = None) -> str:
    """The Redis that holds batches (ledgers, results, reports): ``--broker``, else
    ``CONTRACT_BATCH_BROKER``, else the settings file, else local mode's own server.

    With local mode over TCP the URL carries the keyring's password: call it when about to connect.
    """
    choice = choice or resolve_broker(option)
    return choice.url or (local or LocalMode()).url


def local_worker_count() -> int:
    """Pool processes of local mode's worker: ``CONTRACT_BATCH_LOCAL_WORKERS``, else Settings, else 2."""
    raw = os.environ.get(LOCAL_WORKERS_ENV) or load_section("engine").get("local_workers")
    try:
        return max(1, int(raw)) if raw else DEFAULT_LOCAL_WORKERS
    except (TypeError, ValueError):
        return DEFAULT_LOCAL_WORKERS
