"""One progress display for every running core job: title, bar, step line, Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from curator.core.jobs import Progress
from curator.gui.widgets.plain import plain_label


def describe(p: Progress) -> str:
    """'step: done / total — message', as the user reads it."""
    total = f" / {p.total:,}" if p.total else ""
    return f"{p.step}: {p.done:,}{total}" + (f" — {p.message}" if p.message else "")


class ProgressPanel(QWidget):
    """Shows a job's Progress; Cancel emits ``cancelRequested`` (the owner cancels the worker)."""

    cancelRequested = Signal()

    def __init__(
        self, title: str, title_style: str = "h2", centred: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.default_title = title
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        if centred:
            lay.addStretch(1)
        self.title = plain_label(title, title_style)
        lay.addWidget(self.title)
        self.bar = QProgressBar()
        lay.addWidget(self.bar)
        self.detail = plain_label("", "muted")
        lay.addWidget(self.detail)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel)
        row.addWidget(self.cancel_button)
        lay.addLayout(row)
        if centred:
            lay.addStretch(2)
        self.start()

    def start(self) -> None:
        """Back to 'just started': busy bar, Cancel enabled."""
        self.title.setText(self.default_title)
        self.bar.setRange(0, 0)
        self.detail.setText("Starting…")
        self.cancel_button.setEnabled(True)

    def show_progress(self, p: Progress) -> None:
        if p.fraction is not None:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(p.fraction * 1000))
        else:
            self.bar.setRange(0, 0)
        self.detail.setText(describe(p))

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.detail.setText("Cancelling…")
        self.cancelRequested.emit()
