"""The user's settings file (JSON, in the platform's config dir) and where local data lives.

Secrets never go here: the SMTP and Redis passwords live in the OS keyring (``core.secrets``).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "contract-batch-manager"

# Keys that must never be written to the settings file, whatever a caller passes.
_SECRET_KEYS = frozenset({"password", "smtp_password", "redis_password"})


def config_dir() -> Path:
    """The settings folder: created private to the user (and refused if someone else owns it)."""
    return private_dir(Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)))


def data_dir() -> Path:
    """History, logs, send records, local mode: created private to the user, like the settings."""
    return private_dir(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))


def config_path() -> Path:
    return config_dir() / "config.json"


def load_config() -> dict[str, Any]:
    """The whole settings file as a dict of sections; ``{}`` when there is none or it is unreadable."""
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_section(section: str) -> dict[str, Any]:
    value = load_config().get(section)
    return dict(value) if isinstance(value, dict) else {}


def save_section(section: str, values: dict[str, Any]) -> None:
    """Replace one section, atomically, keeping the others."""
    leaked = _SECRET_KEYS.intersection(values)
    if leaked:
        raise ValueError(f"refusing to write secrets to the settings file: {sorted(leaked)}")
    config = load_config()
    config[section] = values
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(config, fh, indent=2, sort_keys=True)
    os.replace(tmp, path)


def cache_dir() -> Path:
    return private_dir(Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)))


class NotPrivate(RuntimeError):
    """A directory the product keeps private data in belongs to someone else: refuse to use it."""


def private_dir(path: Path) -> Path:
    """``path`` as a directory only this user can enter (0700 on POSIX), created if needed.

    One that exists but belongs to another user is refused: someone who created it first could read or
    replace what goes in (a socket, a log of contract results).
    """
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        stat = path.lstat()
        if stat.st_uid != os.getuid() or not path.is_dir() or path.is_symlink():
            raise NotPrivate(f"{path} belongs to another user (or is a link): refusing to use it")
        if stat.st_mode & 0o077:
            os.chmod(path, 0o700)
    return path
