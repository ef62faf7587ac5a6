"""The main window: start page or an open workspace (tabs), menus, shortcuts.

The window builds every screen itself (Records, Readiness, Pipeline, Duplicates) as
members; the screens know only the controller (``session/controller.py``), never the
window, so there is no import circle between them.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
)

from curator.core.errors import CuratorError
from curator.core.jobs import Job
from curator.core.tokens import warm_encoding
from curator.core.workspace import Workspace
from curator.gui.duplicates.duplicates_panel import DuplicatesPanel
from curator.gui.export.export_dialog import ExportDialog
from curator.gui.import_.import_dialog import ImportDialog
from curator.gui.pipeline.pipeline_panel import PipelinePanel
from curator.gui.readiness.dashboard import DashboardPanel
from curator.gui.records import bulk
from curator.gui.records.help_overlay import HelpOverlay
from curator.gui.records.records_tab import RecordsTab
from curator.gui.session.controller import Controller
from curator.gui.session.workers import keep_out_of_gc
from curator.gui.start.start_page import RecentWorkspaces, StartPage
from curator.gui.widgets import theme
from curator.gui.widgets.job_dialog import JobDialog
from curator.gui.widgets.plain import mnemonic_safe, plain_warning

APP_NAME = "Curator"
REVIEWER_KEY = "reviewer"  # in the user's Curator settings
GEOMETRY_KEY = "window/geometry"
COLUMNS_KEY = "window/records_columns"
DEMO_PATH = Path.home() / ".curator" / "demo.curator"


def demo_available() -> bool:
    return importlib.util.find_spec("curator.core.demo") is not None


class MainWindow(QMainWindow):
    def __init__(self, recent: RecentWorkspaces | None = None) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.resize(1500, 920)  # fitted to the screen in showEvent (a 1280-px laptop too)
        self.setAcceptDrops(True)
        self._fitted = False
        icon = theme.app_icon()
        self.setWindowIcon(icon)
        app = QApplication.instance()
        if isinstance(app, QApplication) and app.windowIcon().isNull():
            app.setWindowIcon(icon)  # dialogs and message boxes inherit the application's icon
        # The token counter's BPE is built here, before the window takes input: tiktoken
        # builds it in Rust holding the GIL (0.1-0.4 s), which in a worker froze the UI
        # thread mid-opening; here it is part of start-up (first paint stays < 1 s).
        warm_encoding()
        self.controller = Controller(self)
        self.recent = recent or RecentWorkspaces()
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.start_page = StartPage(self.recent, demo_available())
        self.stack.addWidget(self.start_page)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.records = RecordsTab(self.controller)
        self.dashboard = DashboardPanel(self.controller)
        self.pipeline = PipelinePanel(self.controller)
        self.duplicates = DuplicatesPanel(self.controller)
        for widget, title in (
            (self.records, "Records"),
            (self.dashboard, "Readiness"),
            (self.pipeline, "Pipeline"),
            (self.duplicates, "Duplicates"),
        ):
            self.tabs.addTab(widget, mnemonic_safe(title))
        self.stack.addWidget(self.tabs)
        self.export_dialog: ExportDialog | None = None
        self.busy_label = QLabel("")
        self.statusBar().addPermanentWidget(self.busy_label)
        self.reviewer_label = QLabel("")
        self.reviewer_label.setObjectName("muted")
        self.reviewer_label.setToolTip("Recorded with every review action (Edit → Reviewer name…)")
        self.statusBar().addPermanentWidget(self.reviewer_label)
        self.controller.reviewerChanged.connect(
            lambda name: self.reviewer_label.setText(f"Reviewer: {name}")
        )
        self.controller.set_reviewer(str(self.recent.store.value(REVIEWER_KEY, "") or ""))
        self.help = HelpOverlay(self)
        self.import_dialog: ImportDialog | None = None
        self.job_dialog: JobDialog | None = None
        self._build_menus()
        sp = self.start_page
        sp.openRequested.connect(self.open_workspace)
        sp.newRequested.connect(self.new_workspace)
        sp.browseRequested.connect(self.browse_workspace)
        sp.demoRequested.connect(self.open_demo)
        c = self.controller
        c.loadingChanged.connect(lambda on: self.busy_label.setText("Working…" if on else ""))
        c.errorOccurred.connect(lambda text: plain_warning(self, APP_NAME, text))
        c.showRecordsRequested.connect(lambda: self.tabs.setCurrentWidget(self.records))
        c.jobRequested.connect(self._run_job)
        self.records.importRequested.connect(self.import_files)
        self.records.message.connect(lambda text: self.statusBar().showMessage(text, 4000))
        c.deltaApplied.connect(self._report_skipped)
        self._set_workspace_actions(False)
        self._restore_state()
        keep_out_of_gc("window")

    def _report_skipped(self, delta: object) -> None:
        """Say when a bulk action left records alone that another process had decided."""
        skipped = getattr(delta, "skipped", ())
        if skipped:
            self.statusBar().showMessage(
                f"{len(skipped):,} record(s) left as they were: another Curator process decided "
                "them after this window read them. The view is being re-read.",
                8000,
            )

    # --- menus and keys ----------------------------------------------------------
    def _action(
        self,
        menu: Any,
        text: str,
        slot: Callable[[], Any],
        keys: list[str] | None = None,
        review: bool = False,
    ) -> QAction:
        a = QAction(text, self)
        if keys:
            a.setShortcuts([QKeySequence(k) for k in keys])
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.triggered.connect(lambda _=False: slot())
        if menu is not None:
            menu.addAction(a)
        self.addAction(a)
        if review:
            self._review_actions.append(a)
        return a

    def _build_menus(self) -> None:
        self._review_actions: list[QAction] = []
        r = self.records
        m = self.menuBar().addMenu("&File")
        self._action(m, "New workspace…", self.new_workspace, ["Ctrl+N"])
        self._action(m, "Open workspace…", self.browse_workspace, ["Ctrl+O"])
        self.recent_menu = m.addMenu("Open recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.import_action = self._action(
            m, "Import files…", self.import_files, ["Ctrl+I"], review=True
        )
        self._action(m, "Import from a database…", self.import_database, review=True)
        self.close_action = self._action(
            m, "Close workspace", self.close_workspace, ["Ctrl+W"], review=True
        )
        m.addSeparator()
        self._action(m, "Quit", self.close, ["Ctrl+Q"])
        m = self.menuBar().addMenu("&Edit")
        self.undo_action = self._action(m, "Undo", r.undo, ["Ctrl+Z"], review=True)
        self.redo_action = self._action(m, "Redo", r.redo, ["Ctrl+Shift+Z", "Ctrl+Y"], review=True)
        self._action(m, "Edit message", r.edit, ["E"], review=True)
        self._action(m, "Redact PII and secrets", r.redact, ["Ctrl+D"], review=True)
        self._action(m, "Search", r.filter_bar.focus_search, ["/"], review=True)
        m.addSeparator()
        self._action(m, "Reviewer name…", self.ask_reviewer)
        m = self.menuBar().addMenu("&Review")
        self._action(m, "Approve", r.approve, ["A"], review=True)
        self._action(m, "Reject…", r.reject_dialog_open, ["R", "X"], review=True)
        self._action(m, "Skip", r.skip, ["Space"], review=True)
        self._action(m, "Swap pair answers", r.swap_pair, ["S"], review=True)
        self._action(m, "Next record", r.next, ["J", "Down"], review=True)
        self._action(m, "Previous record", r.previous, ["K", "Up"], review=True)
        sub = m.addMenu("Reject with reason")
        for n in range(1, 10):
            self._action(
                sub, f"Reason {n}", functools.partial(r.reject_number, n), [str(n)], review=True
            )
        m.addSeparator()
        self._action(
            m, "Approve selected…", lambda: self.bulk("approve", selection=True), review=True
        )
        self._action(
            m, "Reject selected…", lambda: self.bulk("reject", selection=True), review=True
        )
        self._action(
            m,
            "Approve all in this view…",
            lambda: self.bulk("approve", selection=False),
            review=True,
        )
        self._action(
            m, "Reject all in this view…", lambda: self.bulk("reject", selection=False), review=True
        )
        m = self.menuBar().addMenu("&Workspace")
        self._action(m, "Reload", self.controller.refresh, ["F5"], review=True)
        m.addSeparator()
        self.pipeline_action = self._action(
            m, "Pipeline…", self.show_pipeline, ["Ctrl+Shift+P"], review=True
        )
        self.pipeline_action.setToolTip("Tune and run dedup and the quality filters")
        self.export_action = self._action(
            m, "Export…", self.open_export, ["Ctrl+Shift+E"], review=True
        )
        self.export_action.setToolTip("Write a validated fine-tuning set")
        m.setToolTipsVisible(True)
        m = self.menuBar().addMenu("&Help")
        self._action(m, "Keyboard shortcuts", self.help.toggle, ["?", "Shift+?", "F1"])
        self._action(m, "About Curator", self.about)

    def _set_workspace_actions(self, on: bool) -> None:
        for a in self._review_actions:
            a.setEnabled(on)

    def _fill_recent(self) -> None:
        """File > Open recent: the start page's list, newest first."""
        self.recent_menu.clear()
        paths = self.recent.paths()
        for p in paths:
            a = self.recent_menu.addAction(mnemonic_safe(f"{p.name}   {p.parent}"))
            a.triggered.connect(lambda _=False, path=p: self.open_workspace(path))
        if not paths:
            self.recent_menu.addAction("No recent workspaces").setEnabled(False)

    def about(self) -> QMessageBox:
        """Help > About: version, licence, where the data lives."""
        from curator import DIST_NAME, __version__

        box = QMessageBox(
            QMessageBox.Icon.NoIcon, f"About {APP_NAME}", "", QMessageBox.StandardButton.Ok, self
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        box.setText(
            f"{APP_NAME} {__version__}  ({DIST_NAME})\n\n"
            "Turns conversation logs into a clean, schema-validated fine-tuning set, and says "
            "honestly whether it is ready.\n\nLicence: Apache-2.0. Everything runs offline; review "
            "decisions are journaled in each workspace's curator.db."
        )
        box.open()
        self.about_box = box
        return box

    # --- window state ----------------------------------------------------------------
    def _restore_state(self) -> None:
        """Window geometry and the records table's column widths, as the user left them."""
        geo = self.recent.store.value(GEOMETRY_KEY)
        if geo is not None and self.restoreGeometry(geo):  # type: ignore[arg-type]
            self._fitted = True
        cols = self.recent.store.value(COLUMNS_KEY)
        if cols is not None:
            self.records.table.horizontalHeader().restoreState(cols)  # type: ignore[arg-type]

    def _save_state(self) -> None:
        self.recent.store.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.recent.store.setValue(COLUMNS_KEY, self.records.table.horizontalHeader().saveState())

    # --- reviewer ------------------------------------------------------------------
    def set_reviewer(self, name: str) -> None:
        """Remember the reviewer name (blank: the OS user) and use it from the next action on."""
        self.recent.store.setValue(REVIEWER_KEY, name.strip())
        self.controller.set_reviewer(name)

    def ask_reviewer(self) -> None:
        name, ok = QInputDialog.getText(
            self,
            "Reviewer name",
            "Name recorded with each review action (blank: your OS user name):",
            text=str(self.recent.store.value(REVIEWER_KEY, "") or ""),
        )
        if ok:
            self.set_reviewer(name)
            self.statusBar().showMessage(f"Reviewing as {self.controller.reviewer}", 4000)

    # --- workspaces ----------------------------------------------------------------
    def open_workspace(self, path: Path, create: bool = False) -> bool:
        try:
            ws = Workspace.open(path, create=create)
        except CuratorError as exc:
            plain_warning(self, APP_NAME, str(exc))
            return False
        self.recent.add(ws.path)
        self.setWindowTitle(f"{APP_NAME} — {ws.name}")
        self.stack.setCurrentWidget(self.tabs)
        self.tabs.setCurrentWidget(self.records)
        self._set_workspace_actions(True)
        self.controller.open_workspace(ws)
        self.records.table.setFocus()
        return True

    def new_workspace(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "New workspace",
            str(Path.home() / "data.curator"),
            "Curator workspace (*.curator)",
        )
        if path:
            p = Path(path)
            if p.suffix != ".curator":
                p = p.with_name(p.name + ".curator")
            self.open_workspace(p, create=True)

    def browse_workspace(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open workspace", str(Path.home()))
        if path:
            self.open_workspace(Path(path))

    def close_workspace(self) -> None:
        self.controller.shutdown()
        self.controller.ws = None
        self.controller.loaded = False
        self.setWindowTitle(APP_NAME)
        self._set_workspace_actions(False)
        self.start_page.reload()
        self.stack.setCurrentWidget(self.start_page)

    def open_demo(self) -> None:
        """Build the demo workspace from the sample data in a worker (or reuse it), then open it."""
        from curator.core import demo  # type: ignore[attr-defined]

        target = Path(getattr(demo, "DEFAULT_DEMO_PATH", DEMO_PATH)).expanduser()
        worker = self.controller.job_worker(lambda: demo.build_demo(target))
        worker.succeeded.connect(
            lambda res: self.open_workspace(Path(getattr(res, "path", target)))
        )
        worker.failed.connect(lambda text: plain_warning(self, APP_NAME, text))
        self.job_dialog = JobDialog("Building the demo workspace", worker, self)
        self.controller.pool.start(worker)
        self.job_dialog.open()

    # --- jobs, import, bulk --------------------------------------------------------------
    def _run_job(self, factory: Callable[[], Job[Any]], title: str, on_success: Any) -> None:
        worker = self.controller.job_worker(factory)
        if on_success is not None:
            worker.succeeded.connect(on_success)
        worker.failed.connect(lambda text: plain_warning(self, title, text))
        worker.done.connect(self.controller.refresh)
        self.job_dialog = JobDialog(title, worker, self)
        self.controller.pool.start(worker)
        self.job_dialog.open()

    def import_files(self, paths: list[Path] | None = None) -> None:
        if paths is None:
            names, _ = QFileDialog.getOpenFileNames(self, "Import conversations", str(Path.home()))
            paths = [Path(n) for n in names]
        if not paths:
            return
        if self.controller.ws is None:
            QMessageBox.information(
                self, APP_NAME, "Create or open a workspace first; then drop the files again."
            )
            self.new_workspace()
            if self.controller.ws is None:
                return
        self.import_dialog = ImportDialog(self.controller, paths, self)
        self.import_dialog.runRequested.connect(self.run_pipeline)
        self.import_dialog.open()

    def import_database(self) -> None:
        """The import dialog with a PostgreSQL/SQLite query as its source."""
        if self.controller.ws is None:
            QMessageBox.information(
                self, APP_NAME, "Create or open a workspace first; then import into it."
            )
            return
        self.import_dialog = ImportDialog(self.controller, [], self)
        self.import_dialog.runRequested.connect(self.run_pipeline)
        self.import_dialog.open()
        self.import_dialog.choose_database()

    def show_pipeline(self) -> None:
        self.tabs.setCurrentWidget(self.pipeline)

    def open_export(self) -> ExportDialog | None:
        """Open the export dialog for the open workspace (one at a time)."""
        if self.controller.ws is None:
            return None
        old = self.export_dialog
        if old is not None and old.isVisible() and old.c.ws is self.controller.ws:
            old.raise_()
            old.activateWindow()
            return old
        self.export_dialog = ExportDialog(self.controller, self)
        self.export_dialog.show()
        return self.export_dialog

    def run_pipeline(self) -> None:
        """The Pipeline tab, running the workspace's recipe (after an import's "Run")."""
        self.tabs.setCurrentWidget(self.pipeline)
        if self.pipeline.worker is None:
            self.pipeline.run()

    def bulk(self, action: str, selection: bool) -> None:
        if selection:
            ids = self.records.selected_ids()
            scope = "the selected rows"
        else:
            ids = bulk.ids_in_view(self.controller)
            scope = f"everything in {self.controller.spec.describe()}"
        again = None if selection else (lambda: bulk.ids_in_view(self.controller))
        bulk.run_bulk(self, self.controller, action, ids, scope, ids_now=again)

    # --- Qt events --------------------------------------------------------------------
    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in e.mimeData().urls() if u.isLocalFile()]
        if paths:
            e.acceptProposedAction()
            self.import_files(paths)

    def showEvent(self, e: QShowEvent) -> None:
        """The first show fits the window into the screen (a 1280x720 laptop included)."""
        if not self._fitted:
            self._fitted = True
            screen = self.screen()
            if screen is not None:
                avail = screen.availableGeometry()
                self.resize(min(self.width(), avail.width()), min(self.height(), avail.height()))
        super().showEvent(e)

    def closeEvent(self, e: QCloseEvent) -> None:
        # Pending panel timers would start workers after the pool shut down.
        self.dashboard._timer.stop()
        self.pipeline._timer.stop()
        if self.export_dialog is not None:
            self.export_dialog._timer.stop()
            self.export_dialog.close()
        self._save_state()
        self.controller.shutdown()
        super().closeEvent(e)
