"""The Qt binding itself must survive a long review session.

PySide6 6.12.0 on Python 3.11 loses a reference to ``True`` on every signal emit;
after about a thousand emits (a few hundred review actions) the process aborts
with "bool_dealloc". pyproject excludes it; this test catches any binding that
does the same.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_thousands_of_signal_emits_do_not_crash_the_app():
    code = textwrap.dedent(
        """
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QCoreApplication, QObject, Signal
        app = QCoreApplication([])
        class Model(QObject):
            patched = Signal(list)
            changed = Signal()
        m = Model()
        m.patched.connect(lambda ids: None)
        m.changed.connect(lambda: None)
        before = sys.getrefcount(True)
        for _ in range(5000):
            m.patched.emit(["a"])
            m.changed.emit()
        print(sys.getrefcount(True) - before)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert abs(int(proc.stdout.strip())) < 100, "signal emits leak references to True"
