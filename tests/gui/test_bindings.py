"""The installed Qt bindings keep Python's reference counts: a long-running window depends on it.

PySide6-Essentials 6.12.0 returned None and True/False from void calls and signal emissions without a
new reference: every ``widget.update()`` or ``processEvents()`` took one from None's count, and a window
that ran long enough aborted with "Fatal Python error: none_dealloc". pyproject.toml excludes it; this
catches a version with the same defect before users do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def test_void_calls_and_emissions_keep_reference_counts() -> None:
    # In a child process: with the defect the interpreter aborts, which must fail this test, not the suite.
    code = textwrap.dedent(
        """
        import sys
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtWidgets import QApplication, QWidget

        app = QApplication([])
        widget = QWidget()

        class Emitter(QObject):
            fired = Signal(bool)

        emitter = Emitter()
        emitter.fired.connect(lambda flag: None)
        calls = 500
        before = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
        for _ in range(calls):
            app.processEvents()
            widget.update()
            emitter.fired.emit(True)
        after = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
        print(*(a - b for a, b in zip(after, before)))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert run.returncode == 0, f"the bindings crashed the interpreter: {run.stderr[-400:]}"
    drift = [int(x) for x in run.stdout.split()]
    # A few references may come and go with Qt's own objects; a defect shows as -500 or worse.
    assert all(abs(d) < 100 for d in drift), f"None/True/False reference counts drifted by {drift}"
