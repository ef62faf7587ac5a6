"""GUI failures: a clear message in the window, a traceback in the terminal only when
asked for (``CURATOR_DEBUG=1``), whether the failure is in a worker or on the UI thread."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from faults_helpers import REPO

pytest.importorskip("pytestqt")

# The real app (run_app) with its window's warning box replaced by a print, and a slot
# on the UI thread that raises: what reaches the terminal, and what the window shows.
_APP = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
import curator.gui.widgets.plain as plain
from curator.gui import app as gui_app

def shown(parent, title, text):
    print("SHOWN: " + text, flush=True)
    QTimer.singleShot(0, app.quit)

plain.plain_warning = shown

def boom():
    raise RuntimeError("boom in a slot")

QTimer.singleShot(200, boom)
QTimer.singleShot(20000, app.quit)  # whatever happens, the app ends
sys.exit(gui_app.run_app())
"""


@pytest.mark.parametrize("debug", [False, True])
def test_an_exception_on_the_ui_thread_is_a_message_traceback_only_with_debug(debug):
    env = {k: v for k, v in os.environ.items() if k != "CURATOR_DEBUG"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    if debug:
        env["CURATOR_DEBUG"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _APP], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "SHOWN: Internal error: RuntimeError: boom in a slot" in done.stdout
    assert ("Traceback" in done.stderr) is debug, done.stderr
    assert ("boom in a slot" in done.stderr) is debug


@pytest.mark.parametrize("debug", [False, True])
def test_a_failing_worker_is_a_message_in_the_window_traceback_only_with_debug(
    qtbot, tmp_path, small_ws, monkeypatch, capfd, debug
):
    from gui_helpers import close_window, make_window

    from curator.gui import main_window
    from curator.gui.session import controller

    shown: list[str] = []
    monkeypatch.setattr(
        main_window, "plain_warning", lambda parent, title, text: shown.append(text)
    )
    if debug:
        monkeypatch.setenv("CURATOR_DEBUG", "1")
    else:
        monkeypatch.delenv("CURATOR_DEBUG", raising=False)
    w = make_window(qtbot, tmp_path, small_ws)
    capfd.readouterr()

    def broken(ws, spec):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(controller, "load", broken)
    w.controller.refresh()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "disk I/O error" in shown[0] and "bug in Curator" not in shown[0]
    err = capfd.readouterr().err
    assert ("Traceback" in err) is debug, err
    close_window(w)
