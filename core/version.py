"""The product's one version: the distribution's metadata, written from ``pyproject.toml`` at install.

``contract-batch --version``, ``contract-batch-gui --version``, the About dialog, the installers' package
version and local workers' identity all read it here, so they cannot disagree.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata

DISTRIBUTION = "contract-batch-manager"
# A checkout used without installing it (``python -m core.cli`` from the tree) has no metadata.
UNINSTALLED = "0+unknown"


@cache
def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return UNINSTALLED
