"""How the product starts itself and other programs, from source and as a frozen bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from core import runtime


def test_the_bundle_shows_the_face_its_name_asks_for() -> None:
    assert runtime.entry_for("/usr/bin/contract-batch", ["run", "x"]) == ("cli", ["run", "x"])
    assert runtime.entry_for("/usr/bin/contract-batch-gui", ["a.pdf"]) == ("gui", ["a.pdf"])
    assert runtime.entry_for("C:\\Apps\\CONTRACT-BATCH.EXE".replace("\\", "/"), []) == ("cli", [])
    # The app's own name (menu entries, a .app, Windows) is the window; --cli makes it the command line.
    assert runtime.entry_for("/opt/x/contract-batch-manager", []) == ("gui", [])
    assert runtime.entry_for("/opt/x/contract-batch-manager", ["--cli", "worker", "-c", "2"]) == (
        "cli", ["worker", "-c", "2"])


def test_a_bundle_starts_itself_as_the_cli_not_python(monkeypatch: pytest.MonkeyPatch) -> None:
    assert runtime.cli_argv() == [sys.executable, "-m", "core.cli"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/contract-batch-manager/contract-batch-manager")
    assert runtime.cli_argv() == ["/opt/contract-batch-manager/contract-batch-manager", runtime.CLI_FLAG]


def test_programs_outside_the_bundle_get_the_callers_library_path(monkeypatch: pytest.MonkeyPatch) -> None:
    bundle_env = {
        "LD_LIBRARY_PATH": "/opt/contract-batch-manager/_internal:/usr/local/lib",
        "LD_LIBRARY_PATH_ORIG": "/usr/local/lib",
        "QT_PLUGIN_PATH": "/opt/contract-batch-manager/_internal/PySide6/Qt/plugins",
        "HOME": "/home/u",
    }
    assert runtime.external_env(bundle_env) == bundle_env  # from source nothing is changed
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    cleaned = runtime.external_env(bundle_env)
    assert cleaned == {"LD_LIBRARY_PATH": "/usr/local/lib", "HOME": "/home/u"}
    # The bootloader's own value and no original: the variable goes entirely.
    assert "LD_LIBRARY_PATH" not in runtime.external_env({"LD_LIBRARY_PATH": "/opt/x/_internal"})


def test_an_upgrade_changes_the_build_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "contract-batch-manager"
    exe.write_bytes(b"version N")
    monkeypatch.setattr(sys, "executable", str(exe))
    before = runtime.build_id()
    assert before == runtime.build_id()  # stable while nothing changes
    replacement = tmp_path / "new"
    replacement.write_bytes(b"version N+1")
    os.replace(replacement, exe)  # what dpkg does: a new file under the old name
    assert runtime.build_id() != before


def test_a_bundle_keeps_matplotlibs_font_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "pyinstaller-temp"))
    runtime.prepare_frozen()
    assert os.environ["MPLCONFIGDIR"] == str(tmp_path / "pyinstaller-temp")  # from source: untouched
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    runtime.prepare_frozen()
    cache = Path(os.environ["MPLCONFIGDIR"])
    assert cache.name == "matplotlib" and "cache" in str(cache)
    assert cache.stat().st_mode & 0o777 == 0o700
