"""The Readiness tab's "Baseline kit…" button: runs ``core.baseline.baseline_job`` (the
same job as `curator baseline`) in a worker, with progress and cancel, then says what
it wrote. The kit uses the tab's Count choice and the report on screen as its verdict."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QPushButton, QWidget

from curator.core.baseline import BaselineOptions, baseline_job
from curator.core.jobs import Progress
from curator.gui.session.controller import Controller
from curator.gui.session.workers import Worker

TOOLTIP = (
    "Write a prompt/RAG baseline kit: a held-out eval set, a few-shot system prompt and retrieval "
    "passages of the facts that change, to compare a fine-tuned model against (same as `curator baseline`)."
)


class BaselineKit:
    """Owns the button, the progress dialog and the worker of one Readiness tab."""

    def __init__(
        self,
        controller: Controller,
        parent: QWidget,
        include: Callable[[], str],
        verdict: Callable[[], dict[str, Any] | None],
    ) -> None:
        self.c = controller
        self.parent = parent
        self.include, self.verdict = include, verdict
        self.worker: Worker | None = None
        self.progress: QProgressDialog | None = None
        self.message = ""  # the last result or error, as shown
        self.button = QPushButton("Baseline kit…")
        self.button.setToolTip(TOOLTIP)
        self.button.clicked.connect(lambda: self.ask())

    def ask(self) -> Worker | None:
        if self.c.ws is None:
            return None
        start = str(Path(self.c.ws.path).parent / "baseline")
        folder = QFileDialog.getExistingDirectory(self.parent, "Folder for the baseline kit", start)
        return self.start(Path(folder), self.include(), self.verdict()) if folder else None

    def start(
        self, out: Path, include: str, verdict: dict[str, Any] | None = None
    ) -> Worker | None:
        """Run the kit job into ``out`` (replaced only when empty or an earlier Curator kit)."""
        ws = self.c.ws
        if ws is None or self.worker is not None:
            return None
        opts = BaselineOptions(output_dir=out, include=include)  # type: ignore[arg-type]
        w = self.c.job_worker(lambda: baseline_job(ws, opts, verdict=verdict))
        dlg = QProgressDialog("Writing the baseline kit…", "Cancel", 0, 0, self.parent)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(300)
        dlg.canceled.connect(w.cancel)
        self.progress, self.worker = dlg, w
        w.progressed.connect(self._progressed)
        w.succeeded.connect(lambda m: self._finish(self._summary(out, m), ok=True))
        w.failed.connect(
            lambda text: self._finish(f"The baseline kit was not written:\n{text}", ok=False)
        )
        w.cancelled.connect(lambda: self._finish("Cancelled; nothing was written.", ok=True))
        w.done.connect(self._done)
        self.button.setEnabled(False)
        return self.c.pool.start(w)

    def _progressed(self, p: Progress) -> None:
        if self.progress is None:
            return
        self.progress.setMaximum(p.total or 0)
        self.progress.setValue(min(p.done, p.total or 0))
        self.progress.setLabelText(f"{p.step}: {p.message}" if p.message else p.step)

    @staticmethod
    def _summary(out: Path, m: dict[str, Any]) -> str:
        ev, fs, ps = m["eval"], m["fewshot"], m["passages"]
        return (
            f"Baseline kit written to {out}:\n"
            f"• eval.jsonl: {ev['size']:,} held-out conversations\n"
            f"• fewshot_prompt.md: {fs['examples']} examples covering {fs['topics_covered']} of {fs['topics']} "
            f"topics, {fs['prompt_tokens']:,} of {fs['budget_tokens']:,} tokens\n"
            f"• retrieval/passages.jsonl: {ps['passages']:,} passages of facts that change\n"
            "README.md there says how to compare it with a fine-tuned model."
        )

    def _finish(self, text: str, *, ok: bool) -> None:
        self.message = text
        if self.progress is not None:
            self.progress.reset()
        box = QMessageBox(
            QMessageBox.Icon.Information if ok else QMessageBox.Icon.Warning,
            "Baseline kit",
            text,
            parent=self.parent,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()  # not exec(): the tab stays responsive and tests do not block

    def _done(self) -> None:
        self.worker = None
        self.progress = None
        self.button.setEnabled(True)
