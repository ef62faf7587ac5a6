"""Import dialog: detected format, live preview, mapping, progress, summary.

Built on ``curator.core.ingest`` (the same code the CLI uses): ``preview`` reads
only the head of the first source, re-run (debounced, in a worker) whenever an
option changes; ``import_job`` runs in a worker with a progress bar and Cancel;
the summary lists each file and every quarantined line with its reason.
"Database…" swaps the files for a query (``database_source.py``): the same
preview and job, via ``preview_database`` / ``import_database_job``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from curator.core import records as R
from curator.core.errors import CuratorError
from curator.core.ingest import (
    FORMATS,
    ImportOptions,
    ImportSummary,
    Preview,
    import_job,
    list_sources,
    preview,
)
from curator.core.ingest.database import DatabaseSource
from curator.core.ingest.database_job import import_database_job, preview_database
from curator.core.pipeline_tuning import unscored
from curator.gui.import_.database_source import DatabaseSourceDialog
from curator.gui.session.controller import Controller
from curator.gui.session.workers import Worker, call_task
from curator.gui.widgets.plain import plain_label, plain_tooltip
from curator.gui.widgets.progress_panel import ProgressPanel
from curator.gui.widgets.tables import fill_table, plain_table

PREVIEW_DEBOUNCE_MS = 300
PREVIEW_LIMIT = 20
_MAPPED = {"csv", "transcript", "json"}


_FIELDS = {
    "--role-map": "Role map", "--text-column": "Text column", "--speaker-column": "Speaker column",
    "--conversation-column": "Conversation column", "--time-column": "Time column",
    "--messages-field": "Messages field", "--role-field": "Role field", "--content-field": "Content field",
}


def gui_hint(error: str) -> str:
    """The core's message (written for the CLI) plus where to fix it in this dialog."""
    fields = [label for flag, label in _FIELDS.items() if flag in error]
    if not fields:
        return error
    return f"{error}\n→ Set “{fields[0]}” above; the preview updates as you type."


def preview_rows(p: Preview) -> list[list[Any]]:
    """The preview table's rows: one per message, the record's locator on its first."""
    rows: list[list[Any]] = []
    for rec in p.records.select(R.LOCATOR, R.MESSAGES).iter_rows():
        for i, m in enumerate(rec[1] or []):
            rows.append([rec[0] if i == 0 else "", m["role"], m["content"]])
    return rows


class ImportDialog(QDialog):
    runRequested = Signal()  # "Run the pipeline on them" after an import
    def __init__(self, controller: Controller, paths: list[Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Import")
        self.resize(980, 680)
        self.sources: list[Path] = []
        self.database: DatabaseSource | None = None  # set by "Database…": replaces the files
        self.last_preview: Preview | None = None
        self.summary: ImportSummary | None = None
        self.worker: Worker | None = None
        self._gen = 0
        lay = QVBoxLayout(self)
        self.pages = QStackedWidget()
        lay.addWidget(self.pages, 1)
        self.pages.addWidget(self._setup_page())
        # The progress and summary pages are built in the turns after the dialog opens (or
        # when first needed): all three in the constructor were one 50-70 ms slot.
        self._later_pages = [self._progress_page, self._summary_page]
        self._pages_timer = QTimer(self)
        self._pages_timer.setSingleShot(True)
        self._pages_timer.setInterval(0)
        self._pages_timer.timeout.connect(self._next_page)
        self._pages_timer.start()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(PREVIEW_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.update_preview)
        try:
            self.sources = list_sources(paths)
        except CuratorError as exc:
            self.error.setText(str(exc))
        names = ", ".join(p.name for p in self.sources[:4]) + (" …" if len(self.sources) > 4 else "")
        n = len(self.sources)
        self.files_label.setText(f"{n} file{'s' if n != 1 else ''}: {names}" if n else "No files to import.")
        self.import_button.setEnabled(bool(self.sources))
        if self.sources:
            self.update_preview()

    # --- pages --------------------------------------------------------------------
    def _next_page(self) -> None:
        if self._later_pages:
            self.pages.addWidget(self._later_pages.pop(0)())
        if self._later_pages:
            self._pages_timer.start()

    def _all_pages(self) -> None:
        """Build the pages still to come now (a slot about to use them)."""
        self._pages_timer.stop()
        while self._later_pages:
            self._next_page()

    def _setup_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.files_label = plain_label("", "h2")
        top = QHBoxLayout()
        top.addWidget(self.files_label, 1)
        database = QPushButton("Database…")
        database.setToolTip("Import the rows of a query or table (PostgreSQL or SQLite) instead")
        database.clicked.connect(self.choose_database)
        top.addWidget(database)
        lay.addLayout(top)
        row = QHBoxLayout()
        row.addWidget(QLabel("Format"))
        self.format = QComboBox()
        self.format.addItem("Detect automatically", "auto")
        for f in FORMATS:
            self.format.addItem(f, f)
        self.format.currentIndexChanged.connect(self._changed)
        row.addWidget(self.format)
        self.detected = plain_label("", "muted", wrap=False)
        row.addWidget(self.detected, 1)
        lay.addLayout(row)
        self.mapping = QGroupBox("How to read conversations")
        form = QFormLayout(self.mapping)
        self.conversation_column = self._column_combo()
        self.speaker_column = self._column_combo()
        self.text_column = self._column_combo()
        self.time_column = self._column_combo()
        self.messages_field = self._line("messages")
        self.role_field = self._line("role")
        self.content_field = self._line("content")
        self.role_map = self._line("e.g. Agent=assistant, Customer=user")
        self.speakers = plain_label("", "muted")
        self._csv_rows = [
            ("Conversation column", self.conversation_column), ("Speaker column", self.speaker_column),
            ("Text column", self.text_column), ("Time column", self.time_column),
        ]
        self._json_rows = [
            ("Messages field", self.messages_field), ("Role field", self.role_field),
            ("Content field", self.content_field),
        ]
        for label, w in self._csv_rows + self._json_rows:
            form.addRow(label, w)
        form.addRow("Role map", self.role_map)
        form.addRow("", self.speakers)
        self._form = form
        lay.addWidget(self.mapping)
        self.error = plain_label("", "error")
        lay.addWidget(self.error)
        self.preview_title = plain_label("Preview", "h2")
        lay.addWidget(self.preview_title)
        self.preview_table = plain_table(["Conversation", "Role", "Message"])
        self.preview_table.horizontalHeader().resizeSection(0, 130)
        self.preview_table.horizontalHeader().resizeSection(1, 90)
        lay.addWidget(self.preview_table, 1)
        self.preview_quarantine = plain_label("", "muted")
        lay.addWidget(self.preview_quarantine)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        self.import_button = QPushButton("Import")
        self.import_button.setObjectName("primary")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        buttons.addWidget(cancel)
        buttons.addWidget(self.import_button)
        lay.addLayout(buttons)
        return page

    def _progress_page(self) -> QWidget:
        self.progress_panel = ProgressPanel("Importing…")
        self.progress_panel.cancelRequested.connect(self.cancel_import)
        return self.progress_panel

    def _summary_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.summary_title = plain_label("", "title")
        lay.addWidget(self.summary_title)
        self.files_table = plain_table(["File", "Format", "Added", "Already there", "Quarantined", "Problem"])
        fh = self.files_table.horizontalHeader()
        for col, width in ((0, 260), (1, 90), (2, 90), (3, 110), (4, 110)):
            fh.resizeSection(col, width)
        lay.addWidget(self.files_table)
        self.quarantine_title = plain_label("", "h2")
        lay.addWidget(self.quarantine_title)
        self.quarantine_table = plain_table(["File", "Line", "Where", "Reason"])
        hh = self.quarantine_table.horizontalHeader()
        hh.resizeSection(0, 160)
        hh.resizeSection(1, 60)
        hh.resizeSection(2, 110)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.quarantine_table, 20)
        lay.addStretch(1)
        self.unscored_label = plain_label("", "h2")
        self.unscored_label.hide()
        lay.addWidget(self.unscored_label)
        row = QHBoxLayout()
        row.addStretch(1)
        self.run_button = QPushButton("Run the pipeline on them")
        self.run_button.setToolTip("Dedup and score the new records with the workspace's recipe "
                                   "(records scored before keep their cached scores)")
        self.run_button.clicked.connect(self._run_requested)
        self.run_button.hide()
        row.addWidget(self.run_button)
        self.done_button = QPushButton("Done")
        self.done_button.setObjectName("primary")
        self.done_button.clicked.connect(self.accept)
        row.addWidget(self.done_button)
        lay.addLayout(row)
        return page

    def _column_combo(self) -> QComboBox:
        c = QComboBox()
        c.setEditable(True)
        c.setMinimumWidth(220)
        edit = c.lineEdit()
        if edit is not None:
            edit.setPlaceholderText("detect")
        c.currentTextChanged.connect(self._changed)
        return c

    def _line(self, placeholder: str) -> QLineEdit:
        e = QLineEdit()
        e.setPlaceholderText(placeholder)
        e.textChanged.connect(self._changed)
        return e

    # --- options and preview ------------------------------------------------------
    def options(self) -> ImportOptions:
        """The options as set in the dialog (raises UsageError on a bad role map)."""

        def v(w: QComboBox | QLineEdit) -> str | None:
            text = (w.currentText() if isinstance(w, QComboBox) else w.text()).strip()
            return text or None

        return ImportOptions(
            format=self.format.currentData(),
            messages_field=v(self.messages_field), role_field=v(self.role_field),
            content_field=v(self.content_field), conversation_column=v(self.conversation_column),
            speaker_column=v(self.speaker_column), text_column=v(self.text_column),
            time_column=v(self.time_column), role_map=ImportOptions.parse_role_map(self.role_map.text()),
        )

    def choose_database(self) -> None:
        ask = DatabaseSourceDialog(self)
        if ask.exec() and ask.source is not None:
            self.database, self.sources = ask.source, []
            self.files_label.setText(f"Database: {ask.source.label}")
            self.update_preview()

    def _source_name(self) -> str:
        return self.database.label if self.database else self.sources[0].name

    def _changed(self, *_: Any) -> None:
        self._debounce.start()

    def update_preview(self) -> None:
        self._debounce.stop()
        if not self.sources and self.database is None:
            return
        try:
            opts = self.options()
        except CuratorError as exc:
            self.error.setText(str(exc))
            self.import_button.setEnabled(False)
            return
        self._gen += 1
        gen = self._gen
        path, db = (self.sources or [Path()])[0], self.database
        self.preview_title.setText(f"Preview of {self._source_name()} — reading…")
        def task() -> tuple[Preview, list[list[Any]]]:
            p = preview_database(db, opts, PREVIEW_LIMIT) if db else preview(path, opts, PREVIEW_LIMIT)
            return p, preview_rows(p)  # the table's rows made here: no Polars on the UI thread

        w = Worker(call_task(task))
        w.succeeded.connect(lambda res: self._show_preview(gen, *res))
        w.failed.connect(self.error.setText)
        self.controller.pool.start(w)

    def _show_preview(self, gen: int, p: Preview, rows: list[list[Any]] | None = None) -> None:
        if gen != self._gen:
            return
        self.last_preview = p
        chosen = self.format.currentData()
        self.detected.setText(f"detected: {p.format}" if chosen == "auto" else "")
        self.error.setText(gui_hint(p.error) if p.error else "")
        self.import_button.setEnabled((bool(self.sources) or self.database is not None) and not p.error)
        fmt = "csv" if self.database else p.format  # database rows map like a CSV log
        for _label, combo in self._csv_rows:
            self._form.setRowVisible(combo, fmt == "csv")
        for _label, line in self._json_rows:
            self._form.setRowVisible(line, fmt == "json")
        unusual = [sp for sp in p.speakers if sp.strip().lower() not in R.ROLES]
        self.mapping.setVisible(fmt in _MAPPED or bool(unusual))
        for combo in (self.conversation_column, self.speaker_column, self.text_column, self.time_column):
            if [combo.itemText(i) for i in range(combo.count())] != ["", *p.columns]:
                text = combo.currentText()
                combo.blockSignals(True)
                combo.clear()
                combo.addItems(["", *p.columns])
                combo.setEditText(text)
                combo.blockSignals(False)
        self.speakers.setText(f"Speakers found: {', '.join(p.speakers)}" if p.speakers else "")
        fill_table(self.preview_table, preview_rows(p) if rows is None else rows)
        n = p.records.height
        self.preview_title.setText(
            f"Preview of {self._source_name()}: first {n} conversation{'s' if n != 1 else ''} as they will be imported"
            if n else f"Preview of {self._source_name()}: no conversations read"
        )
        q = p.quarantine
        self.preview_quarantine.setText(
            f"{len(q)} line(s) in this part would be quarantined, e.g. {q[0].locator}: {q[0].reason}" if q else ""
        )

    # --- import ----------------------------------------------------------------------
    def start_import(self) -> None:
        ws = self.controller.ws
        if ws is None or not (self.sources or self.database):
            return
        try:
            opts = self.options()
        except CuratorError as exc:
            self.error.setText(str(exc))
            return
        sources, db = list(self.sources), self.database
        self._all_pages()
        self.pages.setCurrentIndex(1)
        self.progress_panel.start()
        self.worker = self.controller.job_worker(
            lambda: import_database_job(ws, db, opts) if db else import_job(ws, sources, opts)
        )
        self.worker.progressed.connect(self.progress_panel.show_progress)
        self.worker.succeeded.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.worker.cancelled.connect(self._cancelled)
        self.controller.pool.start(self.worker)

    def cancel_import(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def _cancelled(self) -> None:
        self._all_pages()
        self.worker = None
        self.pages.setCurrentIndex(0)
        self.progress_panel.start()
        self.error.setText("Import cancelled. Files already finished stay imported; nothing half-written was published.")
        self.controller.refresh()

    def _failed(self, text: str) -> None:
        self.worker = None
        self.pages.setCurrentIndex(0)
        self.error.setText(text)

    def _finished(self, summary: ImportSummary) -> None:
        self._all_pages()
        self.worker = None
        self.summary = summary
        files = summary.files
        self.summary_title.setText(
            f"Imported {summary.added:,} conversation{'s' if summary.added != 1 else ''}"
            + (f", {summary.quarantined:,} line(s) quarantined" if summary.quarantined else "")
            + (f", {summary.failed} file(s) failed" if summary.failed else "")
        )
        fill_table(self.files_table, [
            [f.source, f.format or "", f"{f.added:,}", f"{f.skipped_existing:,}", f"{f.quarantined:,}",
             f.error or ("already imported" if f.already_imported else "")]
            for f in files
        ])
        entries = [(f.source, q) for f in files for q in f.quarantine]
        q_rows = [[src, q.line, q.locator, q.reason] for src, q in entries]
        self.quarantine_title.setText(
            f"Quarantined lines ({len(q_rows):,}) — kept in the workspace, never silently dropped"
            if q_rows else "No lines were quarantined."
        )
        fill_table(self.quarantine_table, q_rows)
        for r, (_src, q) in enumerate(entries):
            item = self.quarantine_table.item(r, 3)
            if item is not None and q.raw:
                item.setToolTip(plain_tooltip(f"{q.reason}\n\nThe line as read:\n{q.raw[:1500]}"))
        self.files_table.setFixedHeight(min(170, 30 + 24 * max(1, len(files))))
        self.quarantine_table.setVisible(bool(q_rows))
        self.pages.setCurrentIndex(2)
        self.controller.refresh()
        if summary.added:
            ws = self.controller.ws
            w = Worker(call_task(lambda: unscored(ws) if ws is not None else 0))
            w.succeeded.connect(lambda n: self._show_unscored(summary.added, int(n)))
            self.controller.pool.start(w)

    def _show_unscored(self, added: int, n: int) -> None:
        """Say what the new records are: new and not yet looked at by dedup and filters."""
        self._all_pages()
        if n == 0:
            self.unscored_label.setText(f"{added:,} new record{'s' if added != 1 else ''}, already scored.")
            self.run_button.hide()
        else:
            self.unscored_label.setText(
                f"{added:,} new record{'s' if added != 1 else ''}; {n:,} not scored yet: the flags, the "
                "Pipeline page and the Readiness tab describe only the records scored before. "
                "Run the pipeline to dedup and score them."
            )
            self.run_button.show()
            self.run_button.setDefault(True)
        self.unscored_label.show()

    def _run_requested(self) -> None:
        self.accept()
        self.runRequested.emit()

    def reject(self) -> None:
        if self.worker is not None:
            self.cancel_import()
            return
        super().reject()
