"""A small modal-looking window for a running core job: progress bar and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from curator.core.jobs import Progress
from curator.gui.session.workers import Worker
from curator.gui.widgets.progress_panel import ProgressPanel


class JobDialog(QDialog):
    """Shows a worker's progress; Cancel closes the job at its next yield."""

    def __init__(self, title: str, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(440)
        self.worker = worker
        lay = QVBoxLayout(self)
        self.panel = ProgressPanel(title, centred=False)
        self.panel.cancelRequested.connect(self.worker.cancel)
        lay.addWidget(self.panel)
        self.detail = self.panel.detail
        self.cancel_button = self.panel.cancel_button
        worker.progressed.connect(self.on_progress)
        worker.done.connect(self.accept)

    def open(self) -> None:
        """Show the dialog; a job that already finished closes it at once.

        A job can end before the dialog starts listening (the demo is reused in a few
        milliseconds): its ``done`` signal was delivered to nobody, so the dialog would
        wait for ever. ``Worker.is_done`` is set before the signal, so checking it after
        connecting misses nothing."""
        super().open()
        if self.worker.is_done:
            QTimer.singleShot(0, self.accept)

    def on_progress(self, p: Progress) -> None:
        self.panel.show_progress(p)

    def reject(self) -> None:  # Esc / window close = Cancel
        if self.worker.is_done or not self.worker.isRunning():
            super().reject()  # nothing left to cancel: just close
            return
        self.panel.cancel_button.click()
