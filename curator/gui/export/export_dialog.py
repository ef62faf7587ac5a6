"""The Export dialog, mirroring `curator export`: options, pre-flight, progress, result.

Pre-flight (``curator.core.export.preflight``) runs in a worker whenever an
option changes and shows what would be written before anything is; Export
runs ``export_job`` in a worker with Cancel; the result page shows the
manifest and opens the folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from curator.core import records as R
from curator.core.errors import CuratorError
from curator.core.export import (
    FORMAT_INFO,
    FORMATS,
    ExportOptions,
    Preflight,
    export_job,
    preflight,
)
from curator.core.export.groups import LEAK_KEYS, describe_leakage
from curator.core.export.snippets import axolotl_yaml, llamafactory_dataset_info
from curator.core.export.targets import PROFILES, TARGETS
from curator.gui.session.controller import Controller
from curator.gui.session.workers import Worker, call_task
from curator.gui.widgets import theme
from curator.gui.widgets.plain import plain_label
from curator.gui.widgets.progress_panel import ProgressPanel

PREFLIGHT_DELAY_MS = 250
SHOW_PROBLEMS = 12


def _text_box(height: int = 150) -> QPlainTextEdit:
    t = QPlainTextEdit()
    t.setReadOnly(True)
    t.setFont(theme.mono_font())
    t.setMinimumHeight(height)
    return t


class ExportDialog(QDialog):
    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.c = controller
        self.setWindowTitle("Export")
        self.resize(860, 760)
        self.pre: Preflight | None = None
        self.manifest: dict[str, Any] | None = None
        self.worker: Worker | None = None
        self._gen = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREFLIGHT_DELAY_MS)
        self._timer.timeout.connect(self.run_preflight)
        lay = QVBoxLayout(self)
        self.pages = QStackedWidget()
        lay.addWidget(self.pages)
        self.pages.addWidget(self._options_page())
        self.pages.addWidget(self._progress_page())
        self.pages.addWidget(self._result_page())
        self._changed()

    # --- page 1: options and pre-flight --------------------------------------------------
    def _options_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(plain_label("Export a fine-tuning set", "title"))
        form = QFormLayout()
        self.target = QComboBox()  # the same profiles as `curator export --target`
        self.target.addItem("No particular trainer (choose the format)", None)
        for t in TARGETS:
            self.target.addItem(f"{PROFILES[t].title} — {PROFILES[t].format} + {PROFILES[t].config}", t)
        self.target.currentIndexChanged.connect(self._target_changed)
        self.format = QComboBox()
        for f in FORMATS:
            self.format.addItem(f"{f} — {FORMAT_INFO[f].description}", f)
        self.include = QComboBox()
        self.include.addItem("Approved records only", "approved")
        self.include.addItem("Approved + pending records that pass the filters", "passing")
        split_row = QHBoxLayout()
        self.split_on = QCheckBox("Hold out for validation")
        self.split = QDoubleSpinBox()
        self.split.setRange(0.01, 0.99)
        self.split.setSingleStep(0.05)
        self.split.setValue(0.1)
        self.split.setDecimals(2)
        self.seed = QDoubleSpinBox()  # 0 decimals: a whole number (styled like the split box)
        self.seed.setDecimals(0)
        self.seed.setRange(0, 2_000_000_000)
        self.seed.setFixedWidth(120)
        split_row.addWidget(self.split_on)
        split_row.addWidget(self.split)
        split_row.addWidget(plain_label("seed", "muted", wrap=False))
        split_row.addWidget(self.seed)
        split_row.addStretch(1)
        out_row = QHBoxLayout()
        ws = self.c.ws
        default = (ws.path.parent / f"{ws.path.stem}-export") if ws is not None else Path.home() / "curator-export"
        self.output = QLineEdit(str(default))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        out_row.addWidget(self.output, 1)
        out_row.addWidget(browse)
        self.skip_invalid = QCheckBox("Leave out invalid records (listed in manifest.json) instead of stopping")
        form.addRow("Trainer", self.target)
        form.addRow("Format", self.format)
        form.addRow("Selection", self.include)
        form.addRow("Split", split_row)
        form.addRow("Output folder", out_row)
        form.addRow("", self.skip_invalid)
        lay.addLayout(form)
        for sig in (self.target.currentIndexChanged, self.format.currentIndexChanged, self.include.currentIndexChanged, self.split_on.toggled,
                    self.split.valueChanged, self.seed.valueChanged, self.output.textChanged,
                    self.skip_invalid.toggled):
            sig.connect(lambda *_a: self._changed())
        lay.addWidget(plain_label("Pre-flight (nothing is written yet)", "h2"))
        self.summary = plain_label("Checking…", None)
        lay.addWidget(self.summary)
        self.problems = _text_box(90)
        self.problems.setPlaceholderText("No validation problems.")
        self.problems.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        lay.addWidget(self.problems)
        prow = QHBoxLayout()
        self.open_problems = QPushButton("Open invalid records")
        self.open_problems.setObjectName("link")
        self.open_problems.clicked.connect(self._open_problems)
        self.open_excluded = QPushButton("Open rejected records")
        self.open_excluded.setObjectName("link")
        self.open_excluded.clicked.connect(lambda: self.c.show_records(status=R.REJECTED))
        prow.addWidget(self.open_problems)
        prow.addWidget(self.open_excluded)
        prow.addStretch(1)
        lay.addLayout(prow)
        self.blocking = plain_label("", "error")
        lay.addWidget(self.blocking)
        lay.addWidget(plain_label("Trainer snippets (also written next to the data)", "h2"))
        self.snippets = QTabWidget()
        self.llama = _text_box()
        self.axolotl = _text_box()
        for box, name in ((self.llama, "LLaMA-Factory dataset_info.json"), (self.axolotl, "axolotl.yaml")):
            w = QWidget()
            wl = QVBoxLayout(w)
            wl.setContentsMargins(0, 4, 0, 0)
            wl.addWidget(box)
            copy = QPushButton("Copy")
            copy.clicked.connect(lambda _=False, b=box: QGuiApplication.clipboard().setText(b.toPlainText()))
            crow = QHBoxLayout()
            crow.addStretch(1)
            crow.addWidget(copy)
            wl.addLayout(crow)
            self.snippets.addTab(w, name)
        lay.addWidget(self.snippets, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        self.export_button = QPushButton("Export")
        self.export_button.setObjectName("primary")
        self.export_button.clicked.connect(self.start_export)
        buttons.addWidget(close)
        buttons.addWidget(self.export_button)
        lay.addLayout(buttons)
        return page

    def _target_changed(self) -> None:
        """A target picks its format; choosing another format afterwards wins (as --format does)."""
        t = self.target.currentData()
        if t is not None:
            self.format.setCurrentIndex(self.format.findData(PROFILES[t].format))

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Export to folder", self.output.text())
        if path:
            self.output.setText(path)

    def options(self) -> ExportOptions:
        return ExportOptions(
            output_dir=Path(self.output.text().strip() or "."),
            format=self.format.currentData(),
            include=self.include.currentData(),
            split=round(self.split.value(), 4) if self.split_on.isChecked() else None,
            seed=int(self.seed.value()),
            skip_invalid=self.skip_invalid.isChecked(),
            target=self.target.currentData(),
        )

    def _changed(self) -> None:
        self.split.setEnabled(self.split_on.isChecked())
        self.seed.setEnabled(self.split_on.isChecked())
        self.export_button.setEnabled(False)
        self.summary.setText("Checking…")
        try:
            opts = self.options()
        except CuratorError as exc:
            self.blocking.setText(str(exc))
            return
        self.llama.setPlainText(json.dumps(llamafactory_dataset_info(opts), indent=2))
        self.axolotl.setPlainText(axolotl_yaml(opts))
        self._timer.start()

    def run_preflight(self) -> Worker | None:
        ws = self.c.ws
        if ws is None:
            return None
        try:
            opts = self.options()
        except CuratorError as exc:
            self.blocking.setText(str(exc))
            return None
        self._gen += 1
        gen = self._gen
        w = Worker(call_task(lambda: preflight(ws, opts)))
        w.succeeded.connect(lambda pre: self._preflighted(gen, pre))
        w.failed.connect(lambda text: self.blocking.setText(text))
        return self.c.pool.start(w)

    def _preflighted(self, gen: int, pre: Preflight) -> None:
        if gen != self._gen:
            return
        self.pre = pre
        est = "" if pre.tokens_exact else " (estimated)"
        lines = [f"{pre.selected:,} records selected ({pre.options.include})."]
        for split, n in pre.counts.items():
            lines.append(f"  {split}: {n:,} records, ~{pre.tokens.get(split, 0):,} tokens{est}")
        if pre.excluded:
            lines.append("Excluded: " + ", ".join(f"{n:,} {why}" for why, n in sorted(pre.excluded.items())))
        if pre.options.split is not None:
            lines.append(f"Leakage: {describe_leakage(pre.leakage)}")
        if pre.invalid_records:
            lines.append(f"{pre.invalid_records:,} record(s) would be invalid {pre.options.format} lines:")
        lines += [f"Warning: {w}" for w in pre.warnings]
        self.summary.setText("\n".join(lines))
        shown = [f"{r[R.ID]}  {r['kind']}: {r['detail']}" for r in pre.problems.head(SHOW_PROBLEMS).iter_rows(named=True)]
        if pre.problems.height > SHOW_PROBLEMS:
            shown.append(f"… and {pre.problems.height - SHOW_PROBLEMS:,} more")
        self.problems.setPlainText("\n".join(shown))
        self.open_problems.setVisible(pre.invalid_records > 0)
        self.open_problems.setText(f"Open the {pre.invalid_records:,} invalid record(s) in the table")
        self.open_excluded.setVisible(pre.excluded.get("rejected", 0) > 0)
        reason = pre.blocking_reason
        if reason and pre.invalid_records and not pre.options.skip_invalid:
            reason = (f"{pre.invalid_records:,} record(s) would not be valid {pre.options.format} lines (listed "
                      "above). Fix or reject them, or tick \"Leave out invalid records\".")
        self.blocking.setText(f"Cannot export: {reason}" if reason else "")
        self.export_button.setEnabled(reason is None)

    def _open_problems(self) -> None:
        if self.pre is not None and self.pre.problems.height:
            self.c.show_records(ids=self.pre.problems.get_column(R.ID).unique(maintain_order=True).to_list())

    # --- page 2: progress ------------------------------------------------------------------
    def _progress_page(self) -> QWidget:
        self.progress_panel = ProgressPanel("Exporting…", title_style="title")
        self.progress_panel.cancelRequested.connect(self.cancel)
        return self.progress_panel

    def start_export(self) -> Worker | None:
        ws = self.c.ws
        if ws is None or self.worker is not None or self.pre is None or not self.pre.ok:
            return None
        opts = self.options()
        if opts != self.pre.options:  # an option moved since the pre-flight: check again first
            self._changed()
            return None
        self.pages.setCurrentIndex(1)
        self.progress_panel.start()
        w = self.c.job_worker(lambda: export_job(ws, opts))
        self.worker = w
        w.progressed.connect(self.progress_panel.show_progress)
        w.succeeded.connect(self._exported)
        w.failed.connect(self._failed)
        w.cancelled.connect(lambda: self._back("Export cancelled; nothing was written."))
        w.done.connect(self._done)
        return self.c.pool.start(w)

    def _done(self) -> None:
        self.worker = None

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def _failed(self, text: str) -> None:
        self._back(f"Export failed; nothing was written:\n{text}")

    def _back(self, text: str) -> None:
        self.pages.setCurrentIndex(0)
        self.blocking.setText(text)
        self._timer.start()

    # --- page 3: result ----------------------------------------------------------------------
    def _result_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(plain_label("Export written", "title"))
        self.result_label = plain_label("", None)
        lay.addWidget(self.result_label)
        lay.addWidget(plain_label("manifest.json", "h2"))
        self.manifest_box = _text_box(300)
        lay.addWidget(self.manifest_box, 1)
        row = QHBoxLayout()
        again = QPushButton("Export again…")
        again.clicked.connect(self._again)
        self.open_folder = QPushButton("Open folder")
        self.open_folder.clicked.connect(self.open_output)
        close = QPushButton("Close")
        close.setObjectName("primary")
        close.clicked.connect(self.accept)
        row.addWidget(again)
        row.addStretch(1)
        row.addWidget(self.open_folder)
        row.addWidget(close)
        lay.addLayout(row)
        return page

    def _again(self) -> None:
        self.pages.setCurrentIndex(0)
        self._changed()

    def _exported(self, manifest: dict[str, Any]) -> None:
        self.manifest = manifest
        root = self.options().output_dir.resolve()
        lines = [f"Exported {sum(manifest['counts'].values()):,} records as {manifest.get('format', '')} to {root}"]
        for f in manifest["files"]:
            tokens = manifest.get("tokens", {}).get(f["split"], {}).get("tokens", 0)
            lines.append(f"  {f['split']}: {f['records']:,} records, ~{tokens:,} tokens — {f['path']} ({f['bytes']:,} bytes)")
        leak = (manifest.get("split") or {}).get("leakage")
        if leak:
            ok = not any(leak.get(k) for k in LEAK_KEYS)
            lines.append(("Leakage check passed: " if ok else "Leakage found: ") + describe_leakage(leak))
        skipped = (manifest.get("invalid") or {}).get("skipped", 0)
        if skipped:
            lines.append(f"{skipped:,} invalid record(s) left out (listed in manifest.json)")
        self.result_label.setText("\n".join(lines))
        self.manifest_box.setPlainText(json.dumps(manifest, indent=2, ensure_ascii=False))
        self.pages.setCurrentIndex(2)

    def open_output(self) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.options().output_dir.resolve())))

    def closeEvent(self, e: Any) -> None:
        self.cancel()
        super().closeEvent(e)
