"""A wheel of the project carries what the app needs at run time beside its code: the icons, the desktop
entry, the AppStream metadata and the sample contracts (``--self-test`` runs those)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_the_resources(tmp_path: Path) -> None:
    # Built from a copy, so the checkout gets no build/ or egg-info from the test.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("core", "gui", "resources"):
        shutil.copytree(ROOT / package, src / package, ignore=ignore)
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        check=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    (wheel,) = out.glob("contract_batch_manager-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected_from_checkout = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert expected_from_checkout, "resources/ is empty in the checkout"
    missing = sorted(expected_from_checkout - names)
    assert not missing, f"not in the wheel: {missing}"
    assert "resources/samples/contract-001.pdf" in names
    assert "resources/icons/contract-batch-manager-256.png" in names
    assert "gui/resources.py" in names and "core/engine/client.py" in names


def test_the_shipped_menu_entry_and_metadata_validate() -> None:
    # .ci/run installs both validators (desktop-file-utils, appstream); the .deb's build runs them too.
    entry = ROOT / "resources" / "contract-batch-manager.desktop"
    metainfo = ROOT / "resources" / "io.github.contractbatch.Manager.metainfo.xml"
    validators = (["desktop-file-validate", str(entry)],
                  ["appstreamcli", "validate", "--no-net", str(metainfo)])
    for command in validators:
        if shutil.which(command[0]) is None:
            pytest.skip(f"{command[0]} not installed (apt-get install desktop-file-utils appstream)")
        proc = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    # The menu entry opens files with the app, which takes them (gui.__main__.parse_args).
    assert "Exec=contract-batch-gui %F" in entry.read_text()


def _filters():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import bundle_filters
    finally:
        sys.path.pop(0)
    return bundle_filters


def test_the_bundle_leaves_out_plugins_and_what_only_they_needed() -> None:
    f = _filters()
    plugins = "PySide6/Qt/plugins/"
    entries = [
        (f"{plugins}platforms/libqxcb.so", "/v/libqxcb.so", "BINARY"),
        (f"{plugins}platforms/libqoffscreen.so", "/v/libqoffscreen.so", "BINARY"),
        (f"{plugins}platformthemes/libqgtk3.so", "/v/libqgtk3.so", "BINARY"),
        (f"{plugins}platforms/libqvnc.so", "/v/libqvnc.so", "BINARY"),
        ("libgtk-3.so.0", "/lib/x86_64-linux-gnu/libgtk-3.so.0", "BINARY"),  # only the GTK theme's
        ("libssl.so.3", "/lib/x86_64-linux-gnu/libssl.so.3", "BINARY"),  # the system's: a Depends
        ("libpython3.11.so.1.0", "/py/lib/libpython3.11.so.1.0", "BINARY"),  # the build's own: kept
        ("libX11.so.6", "/lib/x86_64-linux-gnu/libX11.so.6", "BINARY"),  # the desktop's: a Depends
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/v/libQt6Gui.so.6", "BINARY"),
        ("_ssl.cpython-311-x86_64-linux-gnu.so", "/py/_ssl.so", "EXTENSION"),
    ]
    imports = {
        "/v/libqgtk3.so": ["libgtk-3.so.0", "libQt6Gui.so.6", "libX11.so.6"],
        "/v/libqxcb.so": ["libQt6Gui.so.6", "libX11.so.6"],
        "/py/_ssl.so": ["libssl.so.3"],
    }
    kept = [e[0] for e in f.trim_binaries(entries, lambda path: imports.get(path, []))]
    assert kept == [
        f"{plugins}platforms/libqxcb.so", f"{plugins}platforms/libqoffscreen.so", "libpython3.11.so.1.0",
        "PySide6/Qt/lib/libQt6Gui.so.6", "_ssl.cpython-311-x86_64-linux-gnu.so",
    ]
    assert not f.keep_data("PySide6/Qt/translations/qtbase_de.qm")
    assert not f.keep_data("matplotlib/mpl-data/fonts/ttf/STIXGeneral.ttf")
    assert f.keep_data("matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf")
    assert f.keep_data("resources/samples/contract-001.pdf")
    # Babel's locale data: root, and every variant of a kept language; other languages are left out.
    assert f.keep_data("babel/locale-data/root.dat") and f.keep_data("babel/locale-data/de_AT.dat")
    assert f.keep_data("babel/locale-data/zh_Hant_TW.dat") and f.keep_data("babel/global.dat")
    assert not f.keep_data("babel/locale-data/sw_KE.dat")
