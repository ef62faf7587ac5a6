"""The "?" overlay: every keyboard shortcut on one card over the window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

SHORTCUTS: list[tuple[str, str]] = [
    ("A", "Approve and go to the next record"),
    ("R  or  X", "Reject (pick or type a reason)"),
    ("1 – 9", "Reject with numbered reason"),
    ("Space", "Skip to the next record"),
    ("J  or  ↓", "Next record"),
    ("K  or  ↑", "Previous record"),
    ("E", "Edit the last assistant message (a pair's chosen answer)"),
    ("S", "Preference pair: swap chosen and rejected"),
    ("Ctrl+Enter / Esc", "Save / cancel an edit"),
    ("Ctrl+D", "Redact PII and secrets (placeholders; original kept)"),
    ("Ctrl+Z", "Undo the last action"),
    ("Ctrl+Shift+Z", "Redo"),
    ("/", "Search text"),
    ("Ctrl+I", "Import files"),
    ("?  or  F1", "Show or hide this list"),
]


class HelpOverlay(QWidget):
    """Covers its parent with a dim backdrop; any key or click closes it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        card = QFrame()
        card.setObjectName("card")
        card.setMinimumWidth(460)
        grid = QGridLayout(card)
        grid.setContentsMargins(24, 20, 24, 20)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(8)
        title = QLabel("Keyboard shortcuts")
        title.setObjectName("title")
        grid.addWidget(title, 0, 0, 1, 2)
        for i, (keys, what) in enumerate(SHORTCUTS, start=1):
            k = QLabel(keys)
            k.setStyleSheet("font-family: monospace; font-weight: 700;")
            k.setTextFormat(Qt.TextFormat.PlainText)
            w = QLabel(what)
            w.setTextFormat(Qt.TextFormat.PlainText)
            grid.addWidget(k, i, 0)
            grid.addWidget(w, i, 1)
        foot = QLabel("Press any key to close")
        foot.setObjectName("muted")
        grid.addWidget(foot, len(SHORTCUTS) + 1, 0, 1, 2)
        outer.addWidget(card)
        parent.installEventFilter(self)
        self.hide()

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
        else:
            parent = self.parentWidget()
            if parent is not None:
                self.setGeometry(parent.rect())
            self.show()
            self.raise_()
            self.setFocus()

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ShortcutOverride:  # while open, keys close it, never act
            e.accept()
            return True
        return super().event(e)

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        parent = self.parentWidget()
        if parent is not None and obj is parent and e.type() == QEvent.Type.Resize:
            self.setGeometry(parent.rect())
        return False

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(15, 23, 42, 110))

    def keyPressEvent(self, e: object) -> None:
        self.hide()

    def mousePressEvent(self, e: QMouseEvent) -> None:
        self.hide()
