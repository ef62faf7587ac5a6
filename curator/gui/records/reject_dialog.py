"""Pick or type a rejection reason; keys 1-9 pick a numbered reason at once."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from curator.core.workspace import Workspace

DEFAULT_REASONS = [
    "off-topic",
    "low-quality answer",
    "wrong or outdated information",
    "contains personal data",
    "incomplete conversation",
    "wrong language",
    "unsafe or harmful",
    "duplicate",
    "formatting broken",
]
SETTING = "gui.reject_reasons"


def reasons(ws: Workspace | None) -> list[str]:
    """The numbered reasons (1-9) for this workspace."""
    saved = ws.get_setting(SETTING) if ws is not None else None
    if isinstance(saved, list) and saved:
        return [str(r) for r in saved][:9]
    return list(DEFAULT_REASONS)


class RejectDialog(QDialog):
    def __init__(self, choices: list[str], count: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reject")
        self.setMinimumWidth(440)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        lay.setSpacing(10)
        what = "this record" if count == 1 else f"{count:,} records"
        head = QLabel(f"Why reject {what}? Press 1-9 or type a reason.")
        head.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(head)
        self.list = QListWidget()
        self.list.setSpacing(3)  # room between the reasons: the list was cramped
        for i, r in enumerate(choices[:9], start=1):
            item = QListWidgetItem(f"{i}    {r}")
            item.setData(Qt.ItemDataRole.UserRole, r)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        rows = max(1, self.list.count())
        row_h = self.list.sizeHintForRow(0) + 2 * self.list.spacing()
        self.list.setFixedHeight(row_h * rows + 2 * self.list.frameWidth() + 6)
        # The list has focus and would eat a digit as "jump to the item starting with 3":
        # the dialog sees keys first, so a digit picks that reason and rejects at once.
        self.list.installEventFilter(self)
        self.list.itemActivated.connect(lambda _i: self.accept())
        lay.addWidget(self.list)
        self.typed = QLineEdit()
        self.typed.setPlaceholderText("Other reason… (Enter to reject)")
        self.typed.returnPressed.connect(self.accept)
        lay.addWidget(self.typed)
        row = QHBoxLayout()
        row.addStretch(1)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        ok = QPushButton("Reject")
        ok.setObjectName("reject")
        ok.setAutoDefault(False)
        ok.clicked.connect(self.accept)
        row.addWidget(cancel)
        row.addWidget(ok)
        lay.addLayout(row)
        self.list.setFocus()

    def reason(self) -> str:
        typed = self.typed.text().strip()
        if typed:
            return typed
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        is_key = obj is self.list and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
        if is_key and self._handle_key(event):  # type: ignore[arg-type]
            return True
        return super().eventFilter(obj, event)

    def _handle_key(self, e: QKeyEvent) -> bool:
        """A digit picks its reason and rejects; other printable keys start a typed reason."""
        text = e.text()
        if not self.typed.hasFocus() and text.isdigit() and text != "0":
            row = int(text) - 1
            if row < self.list.count():
                self.list.setCurrentRow(row)
                self.accept()
            return True
        if not self.typed.hasFocus() and text and text.isprintable() and not text.isspace():
            self.typed.setFocus()
            self.typed.setText(self.typed.text() + text)
            return True
        return False

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if self._handle_key(e):
            return
        super().keyPressEvent(e)
