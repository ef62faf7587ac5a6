"""The review pane: one conversation as bubbles, its flags, duplicate and repairs.

It renders what the controller says about a record and turns clicks into
requests (approve, reject, skip, edit, revert, train toggle, open keeper); the
records tab carries them out through the controller and moves on.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from curator.core import records as R
from curator.gui.records.bubbles import MessageBubble
from curator.gui.records.pair_view import PairView
from curator.gui.widgets import theme
from curator.gui.widgets.plain import plain_label

MAX_BUBBLES = 80  # a longer conversation shows a "Show all" button first


def _clear(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.hide()
            w.deleteLater()
        elif item.layout() is not None:
            _clear(item.layout())
            item.layout().deleteLater()


class ReviewPane(QWidget):
    approveRequested = Signal()
    rejectRequested = Signal()
    skipRequested = Signal()
    editSaved = Signal(str, int, str)  # id, message index, content
    trainToggled = Signal(str, int, bool)
    revertRequested = Signal(str)
    keeperRequested = Signal(str)
    swapRequested = Signal(str)  # preference pair id
    pairEditSaved = Signal(str, str, str)  # id, "chosen" | "rejected", content

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(380)
        self.record: dict[str, Any] | None = None
        self.search: str | None = None  # the table's search text, highlighted in the bubbles
        self.showing_original = False
        self._show_all = False
        self.bubbles: list[MessageBubble] = []
        self.pair_view: PairView | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setObjectName("h2")
        self.header.setWordWrap(True)
        self.subheader = plain_label("", "muted")
        outer.addWidget(self.header)
        outer.addWidget(self.subheader)
        self.info = QVBoxLayout()
        self.info.setSpacing(4)
        outer.addLayout(self.info)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.bubble_box = QVBoxLayout(body)
        self.bubble_box.setContentsMargins(0, 0, 6, 0)
        self.bubble_box.setSpacing(8)
        self.scroll_area.setWidget(body)
        outer.addWidget(self.scroll_area, 1)
        self.empty = plain_label("", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.empty, 1)
        self.state_label = plain_label("", None)
        outer.addWidget(self.state_label)
        actions = QHBoxLayout()
        self.approve_button = QPushButton("✓ Approve   A")
        self.approve_button.setObjectName("approve")
        self.reject_button = QPushButton("✕ Reject…   R")
        self.reject_button.setObjectName("reject")
        self.skip_button = QPushButton("Skip   Space")
        for b in (self.approve_button, self.reject_button, self.skip_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumHeight(32)
            actions.addWidget(b)
        self.approve_button.clicked.connect(self.approveRequested)
        self.reject_button.clicked.connect(self.rejectRequested)
        self.skip_button.clicked.connect(self.skipRequested)
        self.action_bar = QWidget()
        self.action_bar.setLayout(actions)
        actions.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.action_bar)
        self.show_record(None, "Select a record in the table to review it.")

    # --- rendering --------------------------------------------------------------
    def show_record(
        self, rec: dict[str, Any] | None, empty_text: str = "", keep_scroll: bool = False
    ) -> None:
        same = rec is not None and self.record is not None and rec[R.ID] == self.record[R.ID]
        if not same or (rec is not None and not rec.get(R.EDITED)):
            self.showing_original = False
            self._show_all = False
        scroll_pos = self.scroll_area.verticalScrollBar().value() if keep_scroll and same else 0
        self.record = rec
        _clear(self.info)
        _clear(self.bubble_box)
        self.bubbles = []
        self.pair_view = None
        has = rec is not None
        for w in (self.scroll_area, self.state_label):
            w.setVisible(has)
        self.empty.setVisible(not has)
        self.action_bar.setVisible(has)
        if rec is None:
            self.header.setText("")
            self.subheader.setText("")
            self.empty.setText(empty_text)
            return
        self._render_header(rec)
        self._render_info(rec)
        self._render_messages(rec)
        self.scroll_area.verticalScrollBar().setValue(scroll_pos)

    def _render_header(self, rec: dict[str, Any]) -> None:
        n = len(rec["messages"])
        self.header.setText(f"{rec[R.SOURCE]} · {rec[R.LOCATOR]}")
        bits = [f"id {rec[R.ID]}", f"{n} message{'s' if n != 1 else ''}"]
        if rec.get("language"):
            bits.append(f"language {rec['language']}")
        if rec.get("tokens") is not None:
            bits.append(f"{rec['tokens']:,} tokens")
        self.subheader.setText("  ·  ".join(bits))
        status = rec[R.STATUS]
        text = {"pending": "Pending review", "approved": "✓ Approved", "rejected": "✕ Rejected"}[
            status
        ]
        if status == R.REJECTED and rec.get(R.REASON):
            text += f" — {rec[R.REASON]}"
        self.state_label.setText(text)
        sheet = f"color: {theme.STATUS_COLORS[status]}; font-weight: 600;"
        if self.state_label.styleSheet() != sheet:  # re-polishing costs; most records are pending
            self.state_label.setStyleSheet(sheet)

    def _render_info(self, rec: dict[str, Any]) -> None:
        for f in rec.get(R.FLAGS) or []:
            info = f.get("severity") == R.INFO  # a fact, not a problem (contact.*)
            name = (
                "flagBlock" if f.get("severity") == R.BLOCK else "flagInfo" if info else "flagWarn"
            )
            mark = "ⓘ" if info else "⚑"
            lab = plain_label(f"{mark} {f['name']} — {f.get('reason') or ''}".rstrip(" —"), name)
            self.info.addWidget(lab)
        if rec.get(R.DUPLICATE_OF):
            row = QHBoxLayout()
            sim = rec.get(R.SIMILARITY)
            sim_text = f" (similarity {sim:.2f})" if sim is not None else ""
            row.addWidget(plain_label(f"Duplicate of {rec[R.DUPLICATE_OF]}{sim_text}", wrap=False))
            open_keeper = QPushButton("Open keeper")
            open_keeper.setObjectName("link")
            open_keeper.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            keeper = str(rec[R.DUPLICATE_OF])
            open_keeper.clicked.connect(lambda: self.keeperRequested.emit(keeper))
            row.addWidget(open_keeper)
            row.addStretch(1)
            self.info.addLayout(row)
            self.keeper_button = open_keeper
        elif rec.get(R.CLUSTER_ID):
            self.info.addWidget(
                plain_label(f"Keeper of duplicate cluster {rec[R.CLUSTER_ID]}", "muted")
            )
        for repair in rec.get(R.REPAIRS) or []:
            self.info.addWidget(plain_label(f"Repaired on import: {repair}", "muted"))
        if rec.get(R.EDITED):
            row = QHBoxLayout()
            label = (
                "Showing the imported original" if self.showing_original else "Edited by a reviewer"
            )
            lab = plain_label(label, "editedNote", wrap=False)
            row.addWidget(lab)
            self.original_button = QPushButton(
                "Show edited" if self.showing_original else "Show original"
            )
            self.original_button.setObjectName("link")
            self.original_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.original_button.clicked.connect(self.toggle_original)
            self.revert_button = QPushButton("Revert")
            self.revert_button.setObjectName("link")
            self.revert_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            rid = str(rec[R.ID])
            self.revert_button.clicked.connect(lambda: self.revertRequested.emit(rid))
            row.addWidget(self.original_button)
            row.addWidget(self.revert_button)
            row.addStretch(1)
            self.info.addLayout(row)

    def _render_messages(self, rec: dict[str, Any]) -> None:
        msgs = rec["original_messages"] if self.showing_original else rec["messages"]
        editable = not self.showing_original
        pii_by_turn: dict[int, list[tuple[int, int, str]]] = {}
        original = rec["original_messages"]
        for p in rec.get("pii") or []:
            turn = int(p["turn"])
            if p.get("field", "content") != "content":
                continue  # a finding inside tool-call arguments: no span in the bubble text
            # spans index the imported text: highlight only turns still as imported
            if (
                turn < len(msgs)
                and turn < len(original)
                and msgs[turn].get("content") == original[turn].get("content")
            ):
                pii_by_turn.setdefault(turn, []).append(
                    (int(p["start"]), int(p["end"]), str(p["name"]))
                )
        if not msgs:
            self.bubble_box.addWidget(plain_label("This record has no messages.", "muted"))
        pair = rec.get(R.REJECTED_ANSWER) is not None and bool(msgs)
        if pair:  # the last message is the chosen answer: shown beside the rejected one
            msgs = msgs[:-1]
        shown = msgs if self._show_all else msgs[:MAX_BUBBLES]
        rid = str(rec[R.ID])
        for i, m in enumerate(shown):
            b = MessageBubble(
                i, m, editable=editable, pii=pii_by_turn.get(i, []), search=self.search
            )
            b.editSaved.connect(lambda idx, text: self.editSaved.emit(rid, idx, text))
            b.trainToggled.connect(lambda idx, on: self.trainToggled.emit(rid, idx, on))
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            if m.get("role") == "user":
                row.addSpacing(36)
                row.addWidget(b, 1)
            else:
                row.addWidget(b, 1)
                row.addSpacing(36)
            self.bubble_box.addLayout(row)
            self.bubbles.append(b)
        if len(msgs) > len(shown):
            more = QPushButton(f"Show all {len(msgs)} messages")
            more.setObjectName("link")
            more.clicked.connect(self._expand)
            self.bubble_box.addWidget(more)
        if pair:
            self._render_pair(rec, editable)
        self.bubble_box.addStretch(1)

    def _render_pair(self, rec: dict[str, Any], editable: bool) -> None:
        rid = str(rec[R.ID])
        full = rec["original_messages"] if self.showing_original else rec["messages"]
        rejected = rec.get("original_rejected") if self.showing_original else None
        view = PairView(full[-1], rejected or rec[R.REJECTED_ANSWER], editable=editable)
        view.swapRequested.connect(lambda: self.swapRequested.emit(rid))
        view.editSaved.connect(lambda side, text: self.pairEditSaved.emit(rid, side, text))
        self.bubble_box.addWidget(view)
        self.pair_view = view

    def swap_pair(self) -> None:
        """S: swap the answers of the pair on show (nothing for a conversation)."""
        if self.pair_view is not None and self.record is not None and not self.showing_original:
            self.swapRequested.emit(str(self.record[R.ID]))

    def _expand(self) -> None:
        self._show_all = True
        self.show_record(self.record, keep_scroll=True)

    def toggle_original(self) -> None:
        if self.record is None or not self.record.get(R.EDITED):
            return
        self.showing_original = not self.showing_original
        self.show_record(self.record, keep_scroll=True)

    def edit_default(self) -> None:
        """E: edit the last assistant message (or the last message); a pair's chosen answer."""
        if self.pair_view is not None:
            target_bubble = self.pair_view.bubbles["chosen"]
            target_bubble.start_edit()
            self.scroll_area.ensureWidgetVisible(target_bubble)
            return
        if not self.bubbles:
            return
        target = next(
            (b for b in reversed(self.bubbles) if b.role == "assistant"), self.bubbles[-1]
        )
        target.start_edit()
        self.scroll_area.ensureWidgetVisible(target)

    @property
    def editing(self) -> bool:
        return any(b.editing for b in self.bubbles) or bool(
            self.pair_view and self.pair_view.editing
        )


class Separator(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.VLine)
        self.setStyleSheet(f"color: {theme.BORDER};")
