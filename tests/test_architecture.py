"""The layering the product card fixes: core runs without Qt and never imports the gui package."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    proc = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Qt stays out of core, and core's layers (cli, mail, policy, engine | local | reporting, contracts,
    # the shared leaves) only import downwards.
    assert "2 kept, 0 broken" in proc.stdout


def test_core_imports_without_qt_in_a_fresh_interpreter() -> None:
    code = ("import sys, core, core.engine.client, core.cli, core.engine.worker_app, core.local.mode;"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'gui'))];"
            "print(bad); raise SystemExit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_is_clean() -> None:
    exe = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    proc = subprocess.run([exe, "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr


def test_the_type_checker_is_clean_on_core() -> None:
    """mypy, strict on core (pyproject.toml, [tool.mypy])."""
    exe = shutil.which("mypy") or str(Path(sys.executable).parent / "mypy")
    proc = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr


MAX_MODULE_LINES = 400


def test_modules_stay_small_and_say_what_they_hold() -> None:
    """Files of a few hundred lines, each opening with a docstring: the next engineer finds a noun by its
    file name and reads what it holds in one line."""
    too_long, undocumented = [], []
    for path in sorted([*(ROOT / "core").rglob("*.py"), *(ROOT / "gui").rglob("*.py")]):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())}")
        if path.name not in ("__init__.py", "__main__.py") and not text.lstrip().startswith(('"""', "'''")):
            undocumented.append(str(path.relative_to(ROOT)))
    assert not too_long, too_long
    assert not undocumented, undocumented


def _modules_in_the_documented_tree() -> set[str]:
    """The paths the tree at the top of docs/architecture.md names (a line may name several files)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("```\n", 2)[1]
    folders: list[str] = []
    named: set[str] = set()
    for line in block.splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // 2
        names = []
        for token in line.split():
            if not token.endswith((".py", "/")) or token.startswith("`"):
                break
            names.append(token)
        if names and names[0].endswith("/"):
            del folders[depth:]
            folders.append(names[0].rstrip("/"))
            continue
        for name in names:
            named.add("/".join([*folders[:depth], name]))
    return named


def test_the_architecture_page_names_every_module() -> None:
    documented = _modules_in_the_documented_tree()
    actual = {str(p.relative_to(ROOT)) for top in ("core", "gui") for p in (ROOT / top).rglob("*.py")
              if p.name != "__init__.py" and not (top == "core" and p.parent.name == "cli"
                                                   and p.name == "__main__.py")}
    assert not actual - documented, f"missing from docs/architecture.md: {sorted(actual - documented)}"
    assert not documented - actual, f"named but absent: {sorted(documented - actual)}"
