"""Regenerate docs/screenshots/panel_*.png (the part-2 panels) on the demo workspace.

    curator demo --no-gui -w /tmp/p2demo.curator
    Xvfb :98 -screen 0 1600x1000x24 &
    DISPLAY=:98 QT_QPA_PLATFORM=xcb python docs/screenshots/panel_screenshots.py /tmp/p2demo.curator

Works on a copy of the workspace: approves 300 passing records and rejects 25
flagged ones (so the dashboard has something to show), opens the main window
with the panels, moves the near-duplicate threshold to 0.90, selects a cluster
member, and exports with a 10% split.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QScrollArea

from curator.core import records as R
from curator.core import review
from curator.core.frame import is_flagged
from curator.core.workspace import Workspace
from curator.gui.main_window import MainWindow
from curator.gui.start.start_page import RecentWorkspaces
from curator.gui.widgets import theme

OUT = Path(__file__).resolve().parent


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def until(cond: Callable[[], bool], timeout: int = 30_000) -> None:
    t = 0
    while not cond() and t < timeout:
        wait(50)
        t += 50


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    ws_path = tmp / "demo.curator"
    shutil.copytree(sys.argv[1], ws_path)
    ws = Workspace.open(ws_path)
    f = ws.frame()
    review.approve(ws, f.filter(~is_flagged())[R.ID].head(300).to_list())
    review.reject(ws, f.filter(is_flagged())[R.ID].head(25).to_list(), "flagged by the filters")
    app = QApplication([])
    theme.apply(app)
    w = MainWindow(recent=RecentWorkspaces(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)))
    w.resize(1500, 920)
    w.show()
    w.open_workspace(ws_path)
    busy = w.controller.pool
    until(lambda: w.controller.loaded and not busy.busy)
    w.tabs.setCurrentWidget(w.dashboard)  # type: ignore[attr-defined]
    until(lambda: w.dashboard.computed is not None and w.dashboard.worker is None)  # type: ignore[attr-defined]
    wait(300)
    w.grab().save(str(OUT / "panel_dashboard.png"))
    w.dashboard.findChild(QScrollArea).widget().grab().save(str(OUT / "panel_dashboard_full.png"))  # type: ignore[attr-defined]
    w.tabs.setCurrentWidget(w.pipeline)  # type: ignore[attr-defined]
    until(lambda: not busy.busy)
    w.pipeline.cards["near_dedup"].editors["threshold"].slider.setValue(90)  # type: ignore[attr-defined]
    wait(400)
    until(lambda: not busy.busy)
    wait(200)
    w.grab().save(str(OUT / "panel_pipeline.png"))
    w.tabs.setCurrentWidget(w.duplicates)  # type: ignore[attr-defined]
    until(lambda: not busy.busy)
    wait(300)
    w.duplicates.member_table.selectRow(1)  # type: ignore[attr-defined]
    wait(200)
    w.grab().save(str(OUT / "panel_duplicates.png"))
    dlg = w.open_export()
    assert dlg is not None
    dlg.include.setCurrentIndex(1)
    dlg.split_on.setChecked(True)
    dlg.skip_invalid.setChecked(True)
    dlg.output.setText(str(tmp / "export"))
    wait(400)
    until(lambda: not busy.busy)
    wait(200)
    dlg.grab().save(str(OUT / "panel_export.png"))
    dlg.start_export()
    until(lambda: dlg.worker is None and dlg.pages.currentIndex() != 1)
    wait(200)
    dlg.grab().save(str(OUT / "panel_export_result.png"))
    dlg.close()
    w.close()
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
