"""Shared pieces for the GUI tests: a window on a workspace, waiting helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from curator.core.workspace import Workspace
from curator.gui.main_window import MainWindow
from curator.gui.start.start_page import RecentWorkspaces


def make_window(qtbot: Any, tmp_path: Path, ws: Workspace | None = None) -> MainWindow:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(recent=RecentWorkspaces(store))
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitExposed(w)
    if ws is not None:
        assert w.open_workspace(ws.path)
        wait_loaded(qtbot, w)
    return w


def wait_loaded(qtbot: Any, w: MainWindow) -> None:
    c = w.controller
    qtbot.waitUntil(lambda: c.loaded and not c.pool.busy and w.records.pane.record is not None, timeout=10_000)


def close_window(w: MainWindow) -> None:
    w.close()
    assert not w.controller.pool.busy
