"""The Records tab: filter bar, records table and review pane, keyboard-first.

Every review action commits through the controller (core review API) before
the selection advances; the current record id is stored in the workspace so a
reopened window returns to it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from curator.core import records as R
from curator.core.detail import blocking_flags
from curator.core.review_delta import ReviewDelta
from curator.gui.records.approve_dialog import NO_ASK_SETTING, ApproveFlaggedDialog
from curator.gui.records.filter_bar import FilterBar
from curator.gui.records.records_model import RecordsModel
from curator.gui.records.reject_dialog import RejectDialog, reasons
from curator.gui.records.review_pane import ReviewPane
from curator.gui.session import display as D
from curator.gui.session.controller import Controller
from curator.gui.session.workers import Worker

ACTION_WORDS = {
    "approve": "approve",
    "reject": "reject",
    "reset": "reset",
    "edit": "edit",
    "weight": "train-on-turn change",
    "revert": "revert",
    "redact": "redaction",
}


def step_text(action: str | None, n: int) -> str:
    """ "approve of 3 records" for an undo step."""
    word = ACTION_WORDS.get(action or "", action or "step")
    return f"{word} of {n:,} record{'s' if n != 1 else ''}"


def restored_text(which: str, delta: ReviewDelta) -> str:
    """The status line after an undo/redo: what was restored and on how many records."""
    if not delta:
        return f"Nothing to {which}"
    verb = "Undid" if which == "undo" else "Redid"
    where = f" ({delta.ids[0]})" if delta.changed == 1 else ""
    return f"{verb} {step_text(delta.restored, delta.changed)}{where}"


ROW_HEIGHT = 26
_WIDTHS = {
    R.STATUS: 92,
    R.ID: 140,
    R.SOURCE: 120,
    D.TURNS: 48,
    D.FIRST_USER: 250,
    D.PREVIEW: 250,
    D.LANGUAGE: 46,
    D.TOKENS: 60,
    D.FLAG_NAMES: 150,
    R.CLUSTER_ID: 80,
}


class RecordsTab(QWidget):
    message = Signal(str)  # short status-bar messages
    importRequested = Signal()  # the empty workspace's "Import files…" button

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.current_id: str | None = None
        self._select_after_view: str | None = None
        self._restored = False
        self._advancing = False  # an action that moves on: skip re-rendering the old record
        self._render_later = False  # moving on after a decision: the next record paints next turn
        self._render_keep_scroll = False
        # The decision's slot commits, patches and moves the selection; the next record's
        # bubbles are built in the next event-loop turn, so the window serves input and
        # paints in between (one slot doing both stalled it past 50 ms on 1M records).
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(lambda: self._show_current(self._render_keep_scroll))
        self.reject_dialog: RejectDialog | None = None
        self.approve_dialog: ApproveFlaggedDialog | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(8)
        self.filter_bar = FilterBar(controller)
        lay.addWidget(self.filter_bar)
        self.table = QTableView()
        self.model = RecordsModel(controller)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(ROW_HEIGHT)
        hh = self.table.horizontalHeader()
        hh.setHighlightSections(False)
        hh.setStretchLastSection(False)
        for i, (_, col) in enumerate(D.COLUMNS):
            hh.resizeSection(i, _WIDTHS.get(col, 100))
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.empty = QLabel("")
        self.empty.setObjectName("muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.table, 1)
        ll.addWidget(self.empty)
        self.empty.hide()
        self.pane = ReviewPane()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.pane)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        split.setSizes([920, 560])
        self.splitter = split
        self.body = QStackedWidget()
        self.body.addWidget(split)
        self.body.addWidget(self._empty_workspace())
        lay.addWidget(self.body, 1)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        controller.viewChanged.connect(self._view_changed)
        controller.recordsPatched.connect(self._patched)
        controller.frameReloaded.connect(self._reloaded)
        controller.workspaceOpened.connect(lambda _ws: self._reset_for_workspace())
        p = self.pane
        p.approveRequested.connect(self.approve)
        p.rejectRequested.connect(self.reject_dialog_open)
        p.skipRequested.connect(self.skip)
        p.editSaved.connect(self._save_edit)
        p.trainToggled.connect(
            lambda rid, i, on: self._act(lambda: controller.set_turn_weight(rid, i, on))
        )
        p.revertRequested.connect(
            lambda rid: self._act(lambda: controller.revert(rid), "Reverted to the original")
        )
        p.keeperRequested.connect(self.go_to_id)
        p.swapRequested.connect(self._swap_pair)
        p.pairEditSaved.connect(self._save_pair_edit)

    def _empty_workspace(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        col.addStretch(1)
        title = QLabel("This workspace has no conversations yet")
        title.setObjectName("title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        col.addWidget(title)
        hint = QLabel(
            "Import JSONL / JSON (OpenAI, ShareGPT, Alpaca), CSV or TSV logs, transcripts,\n"
            "Parquet or a Hugging Face dataset folder. You can also drop files on this window."
        )
        hint.setObjectName("muted")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        col.addWidget(hint)
        row = QHBoxLayout()
        row.addStretch(1)
        button = QPushButton("Import files…   Ctrl+I")
        button.setObjectName("primary")
        button.setMinimumHeight(34)
        button.clicked.connect(self.importRequested)
        row.addWidget(button)
        row.addStretch(1)
        col.addSpacing(12)
        col.addLayout(row)
        col.addStretch(2)
        return page

    # --- view and selection ------------------------------------------------------
    def _reset_for_workspace(self) -> None:
        self._restored = False
        self.current_id = None
        self.pane.show_record(None, "Loading…")

    def _view_changed(self) -> None:
        c = self.controller
        if not self._restored and c.loaded and c.ws is not None:
            self._restored = True
            last = c.ws.get_setting("gui.last_record")
            if last and c.view_row_of(last) is None and (c.frame.get_column(R.ID) == last).any():
                self._select_after_view = last
                c.set_spec(D.ViewSpec(queue="all"))
                return
            self.current_id = last or self.current_id
        self.body.setCurrentIndex(1 if c.loaded and c.frame.height == 0 else 0)
        target = self._select_after_view or self.current_id
        self._select_after_view = None
        row = c.view_row_of(target) if target else None
        if row is None and c.view.height:
            row = 0
        if row is None:
            self.pane.show_record(None, self._empty_text())
            self.empty.setText(self._empty_text())
            self.empty.setVisible(True)
            self.current_id = None
            return
        self.empty.setVisible(False)
        later, self._render_later = self._render_later, True
        try:  # a new view's record (the old one left the queue) paints in the next turn
            self.select_row(row)
        finally:
            self._render_later = later

    def _empty_text(self) -> str:
        c = self.controller
        if c.ws is not None and not c.frame.height:
            return "This workspace has no records yet. Import files with File → Import… (Ctrl+I) or drop them on the window."
        return f"No records in {c.spec.describe()}."

    def select_row(self, row: int) -> None:
        idx = self.model.index(row, 0)
        sm = self.table.selectionModel()
        sm.setCurrentIndex(
            idx,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(idx)
        if (
            self.controller.view_id(row) == self.current_id
            and self.pane.record is None
            and not self.render_pending
        ):
            self._show_current()

    def current_row(self) -> int:
        idx = self.table.selectionModel().currentIndex()
        return idx.row() if idx.isValid() else -1

    def _current_changed(self, cur: QModelIndex, _prev: QModelIndex) -> None:
        rid = self.controller.view_id(cur.row()) if cur.isValid() else None
        self.controller.set_current(rid, cur.row() if cur.isValid() else None)
        same = rid is not None and self.pane.record is not None and self.pane.record[R.ID] == rid
        self.current_id = rid
        if not same:  # a re-sliced view with the same record: keep the pane (and any edit) as is
            self._show_current(later=self._render_later)
        self.controller.remember(rid)

    def _show_current(self, keep_scroll: bool = False, later: bool = False) -> None:
        if later:
            self._render_keep_scroll = keep_scroll
            self._render_timer.start()
            return
        self._render_timer.stop()
        self.pane.search = self.controller.spec.search
        row = self.current_row()
        frow = self.controller.frame_row(row)
        if frow is None:
            self.pane.show_record(None, self._empty_text())
            return
        self.pane.show_record(self.controller.record(frow), keep_scroll=keep_scroll)

    @property
    def render_pending(self) -> bool:
        """Whether the current record's pane is still to be painted (the turn after a decision)."""
        return self._render_timer.isActive()

    def flush_render(self) -> None:
        """Paint the pending record now: an action on "the record on screen" needs it."""
        if self._render_timer.isActive():
            self._show_current(self._render_keep_scroll)

    def _patched(self, ids: list[str]) -> None:
        if self.current_id in ids and not self._advancing:
            # a bulk step's or its undo's patch: the record repaints in the next turn
            self._show_current(keep_scroll=True, later=self._render_later or len(ids) > 1)

    def _reloaded(self) -> None:
        """A re-read (after a redact, a run, another process) can change the current
        record's flags: show them, unless the reviewer is typing an edit."""
        rec = self.pane.record
        if (
            self.current_id is not None
            and rec is not None
            and not self.pane.editing
            and rec[R.ID] == self.current_id
        ):
            frow = self.controller.frame_row(self.current_row())
            if frow is not None and self.controller.record(frow) == rec:
                return  # the full read of a big workspace after its first page: nothing new to paint
            self._show_current(keep_scroll=True)

    def go_to_id(self, rid: str) -> None:
        row = self.controller.view_row_of(rid)
        if row is not None:
            self.select_row(row)
            return
        self._select_after_view = rid
        self.controller.set_spec(
            D.ViewSpec(queue="all", ids=(rid,) + ((self.current_id,) if self.current_id else ()))
        )

    # --- navigation ----------------------------------------------------------------
    def step(self, delta: int) -> bool:
        row = self.current_row()
        n = self.model.rowCount()
        target = row + delta
        if n == 0:
            return False
        if not 0 <= target < n:
            self.message.emit("End of this queue" if delta > 0 else "Start of this queue")
            return False
        self.select_row(target)
        return True

    def next(self) -> None:
        self.step(1)

    def previous(self) -> None:
        self.step(-1)

    def skip(self) -> None:
        self.step(1)

    # --- review actions --------------------------------------------------------------
    def _act(self, fn: object, done: str | None = None) -> bool:
        if not self.controller.loaded:
            self.message.emit("Still loading the workspace; decisions are possible in a moment.")
            return False
        try:
            fn()  # type: ignore[operator]
        except Exception as exc:
            from curator.gui.session.workers import error_text

            self.message.emit(error_text(exc))
            return False
        if done:
            self.message.emit(done)
        return True

    def _decide(self, fn: object, done: str) -> None:
        """Commit a decision, then advance (or re-render if this is the last row)."""
        self._advancing = True
        try:
            ok = self._act(fn)
        finally:
            self._advancing = False
        if ok:
            self.message.emit(done)
            self._render_later = True
            try:
                moved = self.step(1)
            finally:
                self._render_later = False
            if not moved:
                self._show_current(keep_scroll=True)

    def approve(self) -> None:
        """Approve the current record, with eyes open: a blocking flag asks first (once
        per flag if the reviewer says so), a warning flag is named in the status line."""
        self.flush_render()
        rid, rec = self.current_id, self.pane.record
        if not rid or rec is None:
            return
        flags = rec.get(R.FLAGS) or []
        blocking = [
            f for f in blocking_flags(rec) if f["name"] not in self.approve_without_asking()
        ]
        if blocking and not self._confirm_blocking(rid, blocking):
            self.message.emit(f"Not approved: {rid} is still pending review")
            return
        done = f"Approved {rid}"
        warned = [f["name"] for f in flags if f.get("severity") == R.WARN]
        held = [f["name"] for f in flags if f.get("severity") == R.BLOCK]
        if held:
            done += f" despite blocking flag{'s' if len(held) != 1 else ''} {', '.join(held)}"
        if warned:
            done += (
                f" — note the warning flag{'s' if len(warned) != 1 else ''}: {', '.join(warned)}"
            )
        self._decide(lambda: self.controller.approve([rid]), done)

    def approve_without_asking(self) -> set[str]:
        """Blocking flags the reviewer chose not to be asked about again (per workspace)."""
        ws = self.controller.ws
        saved = ws.get_setting(NO_ASK_SETTING) if ws is not None else None
        return {str(x) for x in saved} if isinstance(saved, list) else set()

    def _confirm_blocking(self, rid: str, flags: list[dict[str, Any]]) -> bool:
        dlg = ApproveFlaggedDialog(rid, flags, self)
        self.approve_dialog = dlg
        try:
            ok = dlg.exec() == QMessageBox.StandardButton.Yes
        finally:
            self.approve_dialog = None
        if ok and dlg.dont_ask.isChecked() and self.controller.ws is not None:
            names = self.approve_without_asking() | {f["name"] for f in flags}
            self.controller.ws.set_setting(NO_ASK_SETTING, sorted(names))
        return ok

    def reject_with(self, reason: str) -> None:
        self.flush_render()
        rid = self.current_id
        if rid and reason and self.pane.record is not None:
            self._decide(lambda: self.controller.reject([rid], reason), f"Rejected {rid}: {reason}")

    def reject_number(self, n: int) -> None:
        choices = reasons(self.controller.ws)
        if 1 <= n <= len(choices):
            self.reject_with(choices[n - 1])

    def reject_dialog_open(self) -> None:
        self.flush_render()
        if not self.current_id or self.pane.record is None:
            return
        dlg = RejectDialog(reasons(self.controller.ws), 1, self)
        self.reject_dialog = dlg
        dlg.accepted.connect(lambda: self.reject_with(dlg.reason()))
        dlg.finished.connect(lambda _r: setattr(self, "reject_dialog", None))
        dlg.open()

    def redact(self) -> None:
        """Redact the current record's PII and secrets (placeholders; original kept)."""
        self.flush_render()
        rid = self.current_id
        if not rid or self.pane.record is None:
            return
        found: list[int] = []
        if self._act(lambda: found.append(self.controller.redact(rid))):
            n = found[0] if found else 0
            self.message.emit(
                f"Redacted {n} finding(s) in {rid} (Ctrl+Z undoes it)"
                if n
                else "Nothing to redact in this record"
            )
            self._show_current(keep_scroll=True)

    def edit(self) -> None:
        self.flush_render()
        self.pane.edit_default()

    def _save_edit(self, rid: str, index: int, text: str) -> None:
        self._render_later = True  # the saved record is re-painted in the next turn
        try:
            self._act(
                lambda: self.controller.edit_message(rid, index, text),
                "Edit saved (the original is kept)",
            )
        finally:
            self._render_later = False
        self.table.setFocus()

    def swap_pair(self) -> None:
        self.flush_render()
        self.pane.swap_pair()

    def _swap_pair(self, rid: str) -> None:
        if self._act(lambda: self.controller.swap_pair(rid), "Answers swapped (Ctrl+Z undoes it)"):
            self._show_current(keep_scroll=True)

    def _save_pair_edit(self, rid: str, side: str, text: str) -> None:
        if self._act(
            lambda: self.controller.edit_pair(rid, side, text), f"Edit of the {side} answer saved"
        ):
            self._show_current(keep_scroll=True)
        self.table.setFocus()

    def undo(self) -> None:
        self._restore("undo")

    def redo(self) -> None:
        self._restore("redo")

    def _restore(self, which: str) -> None:
        """Undo/redo; a big step runs in a worker and reports when it lands."""
        c = self.controller
        if c.restoring:
            self.message.emit("Still applying the last undo/redo…")
            return
        out: list[ReviewDelta | Worker] = []
        action, n = c.next_step(which) if c.ws is not None else (None, 0)
        if not self._act(lambda: out.append(c.undo(n) if which == "undo" else c.redo(n))):
            return
        result = out[0]
        if isinstance(result, Worker):
            self.message.emit(
                f"{'Undoing' if which == 'undo' else 'Redoing'} {step_text(action, n)}…"
            )
            result.succeeded.connect(lambda d: self.message.emit(restored_text(which, d)))
            return
        self.message.emit(restored_text(which, result))
        if result.changed == 1:
            self.go_to_id(result.ids[0])

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [rid for r in rows if (rid := self.controller.view_id(r)) is not None]
