"""Where processor and report-hook plugins (``module:function``) are imported from.

From source, any importable module works. A frozen bundle imports only what it carries, so plugins live
in folders added to the import path here: every folder in ``CONTRACT_BATCH_PLUGIN_PATH`` (separated like
PATH), then ``plugins/`` in the user data dir. A plugin module can import the standard library and
whatever the bundle ships (see packaging/README.md).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from core.config import data_dir

PLUGIN_PATH_ENV = "CONTRACT_BATCH_PLUGIN_PATH"


def plugin_dirs() -> list[Path]:
    raw = os.environ.get(PLUGIN_PATH_ENV, "")
    dirs = [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]
    return [*dirs, data_dir() / "plugins"]


def add_plugin_dirs() -> None:
    """Put the plugin folders that exist on the import path (once each, after the bundle's own)."""
    for folder in plugin_dirs():
        entry = str(folder.resolve())
        if folder.is_dir() and entry not in sys.path:
            sys.path.append(entry)
