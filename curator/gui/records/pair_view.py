"""A preference pair's two answers side by side: chosen and rejected, each editable.

The review pane shows the prompt as ordinary bubbles and this widget instead of the
last one. It only turns clicks into requests (swap, save an edit of either side);
approve ("keep this choice") and reject are the pane's usual buttons. Text is plain.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from curator.gui.records.bubbles import MessageBubble
from curator.gui.widgets import theme
from curator.gui.widgets.plain import plain_label

CHOSEN, REJECTED = "chosen", "rejected"


class PairView(QWidget):
    swapRequested = Signal()
    editSaved = Signal(str, str)  # side ("chosen" | "rejected"), new content

    def __init__(
        self,
        chosen: dict[str, Any],
        rejected: dict[str, Any],
        *,
        editable: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        head = QHBoxLayout()
        head.addWidget(plain_label("Preference pair: which answer is better?", "muted", wrap=False))
        head.addStretch(1)
        self.swap_button = QPushButton("⇄ Swap answers   S")
        self.swap_button.setObjectName("link")
        self.swap_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.swap_button.setToolTip("Make the rejected answer the chosen one (undo with Ctrl+Z)")
        self.swap_button.setEnabled(editable)
        self.swap_button.clicked.connect(self.swapRequested)
        head.addWidget(self.swap_button)
        outer.addLayout(head)
        row = QHBoxLayout()
        row.setSpacing(10)
        self.bubbles: dict[str, MessageBubble] = {}
        for side, msg, title, color in (
            (CHOSEN, chosen, "✓ CHOSEN", theme.OK),
            (REJECTED, rejected, "✕ REJECTED", theme.BAD),
        ):
            col = QVBoxLayout()
            col.setSpacing(2)
            label = plain_label(title, None, wrap=False)
            label.setStyleSheet(f"color: {color}; font-weight: 600;")
            col.addWidget(label)
            bubble = MessageBubble(0 if side == CHOSEN else 1, msg, editable=editable, pii=[])
            if bubble.train is not None:  # a pair's answers have no per-turn weight
                bubble.train.hide()
            bubble.editSaved.connect(lambda _i, text, s=side: self.editSaved.emit(s, text))
            col.addWidget(bubble, 1)
            row.addLayout(col, 1)
            self.bubbles[side] = bubble
        outer.addLayout(row)

    @property
    def editing(self) -> bool:
        return any(b.editing for b in self.bubbles.values())
