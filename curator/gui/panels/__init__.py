"""Desktop app part 2: Pipeline, Duplicates and Readiness tabs, and the Export dialog.

``install_panels(window)`` is the one entry point: call it once after the
MainWindow is built (end of ``MainWindow.__init__``). It adds the tabs, enables
the Workspace menu's "Pipeline…" and "Export…" actions and hooks the panels
to the controller's signals (each panel connects itself in its constructor).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject

from curator.gui.panels.dashboard import DashboardPanel
from curator.gui.panels.duplicates_panel import DuplicatesPanel
from curator.gui.panels.export_dialog import ExportDialog
from curator.gui.panels.pipeline_panel import PipelinePanel

if TYPE_CHECKING:
    from curator.gui.main_window import MainWindow

__all__ = ["DashboardPanel", "DuplicatesPanel", "ExportDialog", "PipelinePanel", "install_panels", "open_export"]


def open_export(window: MainWindow) -> ExportDialog | None:
    """Open the export dialog for the window's workspace (one at a time)."""
    if window.controller.ws is None:
        return None
    old = getattr(window, "export_dialog", None)
    if isinstance(old, ExportDialog) and old.isVisible() and old.c.ws is window.controller.ws:
        old.raise_()
        old.activateWindow()
        return old
    dlg = ExportDialog(window.controller, window)
    window.export_dialog = dlg  # type: ignore[attr-defined]
    dlg.show()
    return dlg


class _CloseWatcher(QObject):
    """Stops the panels' pending timers when the window closes, so no worker starts
    after the controller has shut its pool down."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.window and event.type() == QEvent.Type.Close:
            self.window.dashboard._timer.stop()  # type: ignore[attr-defined]
            self.window.pipeline._timer.stop()  # type: ignore[attr-defined]
            dlg = getattr(self.window, "export_dialog", None)
            if isinstance(dlg, ExportDialog):
                dlg._timer.stop()
                dlg.close()
        return False


def install_panels(window: MainWindow) -> None:
    """Add the part-2 tabs to ``window`` and wire the Workspace menu actions."""
    if getattr(window, "panels_installed", False):
        return
    c = window.controller
    window.dashboard = DashboardPanel(c)  # type: ignore[attr-defined]
    window.pipeline = PipelinePanel(c)  # type: ignore[attr-defined]
    window.duplicates = DuplicatesPanel(c)  # type: ignore[attr-defined]
    window.add_panel(window.dashboard, "Readiness")  # type: ignore[attr-defined]
    window.add_panel(window.pipeline, "Pipeline")  # type: ignore[attr-defined]
    window.add_panel(window.duplicates, "Duplicates")  # type: ignore[attr-defined]
    for action, slot, tip in (
        (window.pipeline_action, lambda: window.tabs.setCurrentWidget(window.pipeline),  # type: ignore[attr-defined]
         "Tune and run dedup and the quality filters"),
        (window.export_action, lambda: open_export(window), "Write a validated fine-tuning set"),
    ):
        with contextlib.suppress(RuntimeError, TypeError):
            action.triggered.disconnect()
        action.triggered.connect(lambda _=False, s=slot: s())
        action.setToolTip(tip)
    window.pipeline_action.setShortcut("Ctrl+Shift+P")
    window.export_action.setShortcut("Ctrl+Shift+E")

    def on_workspace(on: bool) -> None:
        window.pipeline_action.setEnabled(on)
        window.export_action.setEnabled(on)

    c.workspaceOpened.connect(lambda _ws: on_workspace(True))
    on_workspace(c.ws is not None)
    window.installEventFilter(_CloseWatcher(window))
    window.panels_installed = True  # type: ignore[attr-defined]
