"""What this process is and how it starts others: from source or a frozen bundle, itself as a CLI,
programs that are not part of the bundle, and detached children on every platform.

In a PyInstaller bundle ``sys.executable`` is the app's own binary, not a Python interpreter, so
``sys.executable -m core.cli`` would hand ``-m`` to the app; the bundle instead understands a hidden first
argument, :data:`CLI_FLAG`, that makes it the command line whatever name it was started under.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from core.version import version

CLI_FLAG = "--cli"

# Set by PyInstaller's bootloader (and its Qt runtime hooks) for the bundle's own libraries and plugins.
# A program that is not part of the bundle (a system redis-server, a browser) must not inherit them: one
# loaded the bundle's libssl. The bootloader keeps the caller's values in ``<NAME>_ORIG``.
_BUNDLE_LIBRARY_VARS = ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "LIBPATH")
_BUNDLE_ONLY_VARS = (
    "QT_PLUGIN_PATH", "QML2_IMPORT_PATH", "QT_QPA_PLATFORM_PLUGIN_PATH", "QTWEBENGINEPROCESS_PATH",
    "PYTHONHOME", "PYTHONPATH", "_MEIPASS2", "_PYI_APPLICATION_HOME_DIR", "_PYI_ARCHIVE_FILE",
    "_PYI_PARENT_PROCESS_LEVEL", "_PYI_LINUX_PROCESS_NAME", "_PYI_SPLASH_IPC",
)  # fmt: skip


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def bundle_dir() -> Path | None:
    """The folder of a frozen bundle's own files (``_internal``), else None."""
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if is_frozen() and meipass else None


def cli_argv() -> list[str]:
    """The command that runs ``contract-batch`` with this very installation (source or bundle)."""
    if is_frozen():
        return [sys.executable, CLI_FLAG]
    return [sys.executable, "-m", "core.cli"]


def build_id() -> str:
    """This installation's identity: the version plus the executable (and, from source, the package).

    An upgrade replaces the executable (a new inode and mtime) even when someone reinstalls the same
    version, so a worker started by the old one is told apart from ours.
    """
    exe = Path(sys.executable).resolve()
    parts = [version(), str(exe)]
    try:
        stat = exe.stat()
        parts += [str(stat.st_ino), str(stat.st_mtime_ns)]
    except OSError:
        pass
    if not is_frozen():
        parts.append(str(Path(__file__).resolve().parent))
    return f"{version()}+{hashlib.sha256('|'.join(parts).encode()).hexdigest()[:12]}"


def external_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a program that is not part of this bundle: the caller's own library paths."""
    env = dict(os.environ if base is None else base)
    if not is_frozen():
        return env
    for name in _BUNDLE_LIBRARY_VARS:
        original = env.pop(f"{name}_ORIG", None)
        if original is not None:
            env[name] = original
        else:
            env.pop(name, None)
    for name in _BUNDLE_ONLY_VARS:
        env.pop(name, None)
    return env


def detached() -> dict[str, Any]:
    """``Popen`` keywords for a child that outlives this process and gets no terminal signals."""
    if os.name == "nt":
        flags = (
            subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
            | subprocess.DETACHED_PROCESS  # type: ignore[attr-defined]
            | subprocess.CREATE_NO_WINDOW  # type: ignore[attr-defined]
        )
        return {"creationflags": flags}
    return {"start_new_session": True}


def entry_for(argv0: str, args: list[str]) -> tuple[str, list[str]]:
    """Which face a bundle shows: ``("cli", args)`` when started as ``contract-batch`` (or with the hidden
    :data:`CLI_FLAG`), else ``("gui", args)`` (``contract-batch-gui``, the app's own name, a menu entry)."""
    if args[:1] == [CLI_FLAG]:
        return "cli", args[1:]
    name = Path(argv0).name.lower().removesuffix(".exe")
    return ("cli" if name == "contract-batch" else "gui"), args


def prepare_frozen() -> None:
    """What a bundle sets up before anything else is imported.

    PyInstaller's matplotlib hook gives each process a new temporary config dir, so matplotlib scanned the
    fonts again at every start (about 0.45 s); the user's cache dir keeps that cache between starts.
    """
    if not is_frozen():
        return
    from core.config import cache_dir, private_dir

    os.environ["MPLCONFIGDIR"] = str(private_dir(cache_dir() / "matplotlib"))
