"""A wheel of the project carries what the app needs at run time beside its code: the icons, the desktop
entry, the AppStream metadata and the sample contracts (``--self-test`` runs those)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

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
    assert "gui/resources.py" in names and "core/client.py" in names
