"""A small modal-looking window for a running core job: progress bar and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from curator.core.jobs import Progress
from curator.gui.review_pane import plain_label
from curator.gui.workers import Worker


class JobDialog(QDialog):
    """Shows a worker's progress; Cancel closes the job at its next yield."""

    def __init__(self, title: str, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(440)
        self.worker = worker
        lay = QVBoxLayout(self)
        lay.addWidget(plain_label(title, "h2"))
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        lay.addWidget(self.bar)
        self.detail = plain_label("Starting…", "muted")
        lay.addWidget(self.detail)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel)
        row.addWidget(self.cancel_button)
        lay.addLayout(row)
        worker.progressed.connect(self.on_progress)
        worker.done.connect(self.accept)

    def on_progress(self, p: Progress) -> None:
        if p.fraction is not None:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(p.fraction * 1000))
        else:
            self.bar.setRange(0, 0)
        total = f" / {p.total:,}" if p.total else ""
        self.detail.setText(f"{p.step}: {p.done:,}{total}" + (f" — {p.message}" if p.message else ""))

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.detail.setText("Cancelling…")
        self.worker.cancel()

    def reject(self) -> None:  # Esc / window close = Cancel
        self._cancel()
