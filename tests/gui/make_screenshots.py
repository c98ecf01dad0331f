"""Render the screenshots of ``docs/screenshots/`` from the real window, at a laptop's 1366x768:
``main-window-running.png`` (mid-run, a contract selected), ``detail-pane.png`` (the detail of a contract
with extracted fields), ``report-view.png`` and ``email-settings.png`` (Settings, Email tab, after a
connection test against nothing).

    python -m tests.gui.make_screenshots [--out docs/screenshots] [--size 1366x768]

Runs offscreen in local mode (its own private Redis and worker in a temporary data dir) on copies of the
sample contracts, with a processor that takes a second or two per contract so the grid is caught
mid-run. Also the worker's processor (``tests.gui.make_screenshots:slow_analyze``): top-level imports stay
light because the worker imports this module.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def slow_analyze(contract: Any) -> dict[str, Any]:
    """The real analysis, after a pause that depends on the name (stable between runs)."""
    from core.engine.processors import analyze

    name = contract.name
    if "scanned-archive" in name:
        time.sleep(30)  # past the soft time limit set below: timed out
    if "legacy-import" in name:
        raise RuntimeError("upstream conversion service answered 503 Service Unavailable")
    time.sleep(0.6 + (zlib.crc32(name.encode()) % 100) / 45)
    return analyze(contract)


NAMES = [
    "acme-supply-agreement",
    "globex-master-services",
    "initech-nda",
    "umbrella-distribution",
    "stark-licensing",
    "wayne-consulting",
    "hooli-saas-subscription",
    "vandelay-import-export",
    "wonka-manufacturing",
    "tyrell-maintenance",
    "cyberdyne-support",
    "soylent-catering",
    "oscorp-research",
    "gringotts-escrow",
    "monarch-logistics",
    "nakatomi-lease",
]


def prepare(folder: Path) -> None:
    samples = ROOT / "resources" / "samples"
    good = [
        "contract-001.pdf",
        "contract-002.docx",
        "contract-003.txt",
        "contract-004.html",
        "contract-005.md",
    ]
    folder.mkdir(parents=True)
    n = 0
    for round_ in range(3):
        for base in NAMES:
            sample = good[n % len(good)]
            suffix = Path(sample).suffix
            shutil.copy(samples / sample, folder / f"{base}-{2024 + round_}{suffix}")
            n += 1
    shutil.copy(samples / "contract-001.pdf", folder / "scanned-archive-1998.pdf")
    shutil.copy(samples / "contract-002.docx", folder / "legacy-import-2003.docx")
    shutil.copy(samples / "broken-corrupt.pdf", folder / "fax-scan-damaged.pdf")
    shutil.copy(samples / "broken-empty.txt", folder / "notes-empty.txt")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--size", default="1366x768", help="the window's size, WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    base = Path(tempfile.mkdtemp(prefix="cbm-shots-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[var] = str(base / var.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["PYTHONPATH"] = str(ROOT)
    folder = base / "Q4 supplier contracts"
    prepare(folder)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from core import config
    from core.local.mode import LocalMode
    from gui.app import create_context, make_application

    config.save_section("engine", {"local_workers": 2, "soft_time_limit": 6, "time_limit": 9})
    app = make_application()
    local = LocalMode(base / "local")
    local.ensure_running(2, processor="tests.gui.make_screenshots:slow_analyze")
    from gui.main_window import TAB_REPORT, MainWindow

    ctx = create_context(local=local)
    window = MainWindow(ctx)
    window.resize(width, height)
    window.show()
    args.out.mkdir(parents=True, exist_ok=True)
    state = {"running_shot": False, "ok": False}

    def loaded() -> None:
        if window.drop_zone.items and window.current is None and not window.label_edit.text():
            window.label_edit.setText("Q4 supplier contracts")
            window.run_batch()

    def poll() -> None:
        src = window.models.source
        done = sum(v for k, v in src.counts.items() if k not in ("queued", "running", "retrying"))
        if not state["running_shot"] and src.rows and done >= len(src.rows) * 0.45 and src.counts["running"]:
            for i, row in enumerate(src.rows):
                if row.outcome == "succeeded" and isinstance(row.result, dict) and row.result.get("parties"):
                    window.grid.view.selectRow(window.models.view_model.mapFromSource(src.index(i, 0)).row())
                    break
            app.processEvents()
            window.grab().save(str(args.out / "main-window-running.png"))
            window.grid.detail.parentWidget().grab().save(str(args.out / "detail-pane.png"))
            state["running_shot"] = True
            print("main-window-running.png, detail-pane.png", file=sys.stderr)

    def shown(_batch: str) -> None:
        window.tabs.setCurrentIndex(TAB_REPORT)

        def shoot() -> None:
            window.grab().save(str(args.out / "report-view.png"))
            print("report-view.png", file=sys.stderr)
            window.send_report()  # no email set up yet: Settings opens on Email, saying why
            dialog = window.settings_dialog
            dialog.test_connection()  # nothing typed yet: what does a first-time user see?
            QTimer.singleShot(1500, lambda: shoot_dialog(dialog))

        def shoot_dialog(dialog: Any) -> None:
            dialog.grab().save(str(args.out / "email-settings.png"))
            print("email-settings.png", file=sys.stderr)
            dialog.reject()
            state["ok"] = True
            app.quit()

        QTimer.singleShot(1500, shoot)

    window.connected.connect(lambda: window.load_paths([str(folder)]))
    window.drop_zone.changed.connect(loaded)
    window.report_shown.connect(shown)
    timer = QTimer(interval=200)
    timer.timeout.connect(poll)
    timer.start()
    QTimer.singleShot(300_000, app.quit)
    window.start_services()
    QApplication.instance().exec()  # type: ignore[union-attr]
    timer.stop()
    window.close()
    ctx.bridge.shutdown()
    local.stop()
    shutil.rmtree(base, ignore_errors=True)
    return 0 if state["ok"] and state["running_shot"] else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip finalisation: PySide6 has crashed tearing down Qt objects at exit
