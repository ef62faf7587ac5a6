"""Chat bubbles: record text shown strictly as plain text, PII spans highlighted.

``PlainTextView`` is a QTextEdit that never accepts rich text and sizes itself
to its document, so a conversation reads as a column of bubbles. Highlights
are QTextCharFormats applied to the plain-text document (still plain text).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from curator.gui.widgets import theme

LONG_TEXT = 20_000  # characters shown before "Show full text"


def search_spans(text: str, needle: str | None) -> list[tuple[int, int, str]]:
    """Where the (case-insensitive, literal) search text occurs: the table's search rule."""
    if not needle or not text:
        return []
    low, n = text.lower(), needle.lower()
    out, i = [], low.find(n)
    while i >= 0 and len(out) < 500:
        out.append((i, i + len(n), "search match"))
        i = low.find(n, i + len(n))
    return out


def utf16_offset(text: str, index: int) -> int:
    """Qt cursor positions count UTF-16 units; Python indexes code points."""
    return len(text[:index].encode("utf-16-le")) // 2


class PlainTextView(QTextEdit):
    """Read-only (until edited) plain text that grows to fit its content."""

    saveRequested = Signal()  # Ctrl+Enter while editing
    cancelRequested = Signal()  # Esc while editing

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setReadOnly(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.viewport().setAutoFillBackground(False)
        self.setObjectName("bubbleText")  # styled by theme.stylesheet() (one parse, not per widget)
        self.document().setDocumentMargin(2)
        # The text first, then the fitting: laid out here, before the layout gives the view
        # its width, the document was wrapped at a default width only to be redone on resize.
        self._hold_fit = False
        self.setPlainText(text)
        self.document().contentsChanged.connect(self._fit)

    def set_editing(self, editing: bool) -> None:
        self.setReadOnly(not editing)
        flags = (
            Qt.TextInteractionFlag.TextEditorInteraction
            if editing
            else Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.setTextInteractionFlags(flags)
        self.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if editing
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self._fit()

    def highlight(
        self, spans: list[tuple[int, int, str]], colour: str = theme.HIGHLIGHT_PII
    ) -> None:
        """Background-colour [start, end) code-point spans, with a tooltip name."""
        text = self.toPlainText()
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(colour))
        self._hold_fit = True  # a background colour per span changes no height: no re-fit per span
        try:
            self._highlight(text, fmt, spans)
        finally:
            self._hold_fit = False

    def _highlight(
        self, text: str, fmt: QTextCharFormat, spans: list[tuple[int, int, str]]
    ) -> None:
        for start, end, name in spans:
            a, b = utf16_offset(text, max(0, start)), utf16_offset(text, min(len(text), end))
            if b <= a:
                continue
            cur = QTextCursor(self.document())
            cur.setPosition(a)
            cur.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
            f = QTextCharFormat(fmt)
            f.setToolTip(name)
            cur.mergeCharFormat(f)

    def resizeEvent(self, e: Any) -> None:
        super().resizeEvent(e)
        self._fit()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if not self.isReadOnly():
            ctrl = e.modifiers() & Qt.KeyboardModifier.ControlModifier
            if ctrl and e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.saveRequested.emit()
                return
            if e.key() == Qt.Key.Key_Escape:
                self.cancelRequested.emit()
                return
        super().keyPressEvent(e)

    def _fit(self) -> None:
        if self._hold_fit:
            return
        doc = self.document()
        doc.setTextWidth(self.viewport().width())
        h = int(doc.size().height()) + 4
        if not self.isReadOnly():
            h = min(max(h + 12, 90), 420)
        if h != self.height():
            self.setFixedHeight(h)


class MessageBubble(QFrame):
    """One message: role, text, and for editable views Edit / train toggle."""

    editSaved = Signal(int, str)  # message index, new content
    trainToggled = Signal(int, bool)

    def __init__(
        self,
        index: int,
        msg: dict[str, Any],
        *,
        editable: bool,
        pii: list[tuple[int, int, str]],
        search: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.index = index
        self.role = str(msg.get("role") or "?")
        self._content = str(msg.get("content") or "")
        self.setObjectName("bubble")
        self.setProperty("role", self.role if self.role in theme.BUBBLES else "tool")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 8)
        lay.setSpacing(2)
        head = QHBoxLayout()
        head.setSpacing(8)
        title = self.role + (f" · {msg['name']}" if msg.get("name") else "")
        role = QLabel(title.upper())
        role.setTextFormat(Qt.TextFormat.PlainText)
        role.setObjectName("roleLabel")
        role.setProperty("role", self.property("role"))
        head.addWidget(role)
        head.addStretch(1)
        self.train: QCheckBox | None = None
        if self.role == "assistant" and editable:
            self.train = QCheckBox("train on this turn")
            self.train.setChecked(msg.get("weight") != 0)
            self.train.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.train.setToolTip(
                "Unchecked: the turn stays as context but gets weight 0 in the export"
            )
            self.train.toggled.connect(lambda on: self.trainToggled.emit(self.index, on))
            head.addWidget(self.train)
        self.edit_button: QPushButton | None = None
        if editable:
            self.edit_button = QPushButton("Edit")
            self.edit_button.setObjectName("link")
            self.edit_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.edit_button.clicked.connect(self.start_edit)
            head.addWidget(self.edit_button)
        lay.addLayout(head)
        shown = self._content
        self.truncated = len(shown) > LONG_TEXT
        if self.truncated:
            shown = shown[:LONG_TEXT]
        self.text = PlainTextView(shown)
        if pii:
            self.text.highlight(pii)
        self.search_hits = search_spans(shown, search)
        if self.search_hits:
            self.text.highlight(self.search_hits, theme.HIGHLIGHT_SEARCH)
        lay.addWidget(self.text)
        extra = []
        if msg.get("tool_calls"):
            extra.append(f"tool calls: {msg['tool_calls']}")
        if msg.get("tool_call_id"):
            extra.append(f"tool call id: {msg['tool_call_id']}")
        if extra:
            lab = QLabel("\n".join(extra))
            lab.setTextFormat(Qt.TextFormat.PlainText)
            lab.setWordWrap(True)
            lab.setObjectName("muted")
            lay.addWidget(lab)
        if self.truncated:
            more = QPushButton(f"Show full text ({len(self._content):,} characters)")
            more.setObjectName("link")
            more.clicked.connect(lambda: self._show_full(more))
            lay.addWidget(more)
        self.edit_bar: QWidget | None = None  # built on first edit: most bubbles never need it
        self.text.saveRequested.connect(self.save_edit)
        self.text.cancelRequested.connect(self.cancel_edit)

    def _show_full(self, button: QPushButton) -> None:
        self.text.setPlainText(self._content)
        self.truncated = False
        button.hide()

    def _build_edit_bar(self) -> QWidget:
        bar_widget = QWidget()
        bar = QHBoxLayout(bar_widget)
        bar.setContentsMargins(0, 4, 0, 0)
        hint = QLabel("Ctrl+Enter saves · Esc cancels · the original is kept")
        hint.setObjectName("muted")
        bar.addWidget(hint)
        bar.addStretch(1)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.cancel_edit)
        save = QPushButton("Save")
        save.setObjectName("primary")
        save.clicked.connect(self.save_edit)
        bar.addWidget(cancel)
        bar.addWidget(save)
        layout = self.layout()
        assert layout is not None
        layout.addWidget(bar_widget)
        return bar_widget

    @property
    def editing(self) -> bool:
        return not self.text.isReadOnly()

    def start_edit(self) -> None:
        if self.edit_button is None:
            return
        self.text.setPlainText(self._content)
        self.text.set_editing(True)
        if self.edit_bar is None:
            self.edit_bar = self._build_edit_bar()
        self.edit_bar.show()
        self.text.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.text.moveCursor(QTextCursor.MoveOperation.End)

    def save_edit(self) -> None:
        if not self.editing:
            return
        new = self.text.toPlainText()
        self.text.set_editing(False)
        if self.edit_bar is not None:
            self.edit_bar.hide()
        if new != self._content:
            self.editSaved.emit(self.index, new)

    def cancel_edit(self) -> None:
        if not self.editing:
            return
        self.text.setPlainText(self._content[:LONG_TEXT] if self.truncated else self._content)
        self.text.set_editing(False)
        if self.edit_bar is not None:
            self.edit_bar.hide()
