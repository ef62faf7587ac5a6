"""Keyboard-first review in the desktop app: approve/reject/skip, undo/redo, edit, reopen."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from gui_helpers import close_window, make_window
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument

from curator.core import records as R
from curator.core import review
from curator.core.workspace import Workspace
from curator.gui.widgets.tables import fill_table, plain_table

pytest.importorskip("pytestqt")


def statuses(ws: Workspace) -> dict[str, str]:
    df = ws.frame().select(R.ID, R.STATUS)
    return dict(df.iter_rows())


def key(qtbot, w, k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(w.records.table, k, mod)


def test_keyboard_review_flow_commits_each_action_and_advances(
    qtbot, tmp_path: Path, small_ws: Workspace
):
    w = make_window(qtbot, tmp_path, small_ws)
    rt = w.records
    assert w.windowTitle() == f"Curator — {small_ws.name}"
    ids = rt.controller.view.get_column(R.ID).to_list()
    assert rt.current_id == ids[0]
    key(qtbot, w, Qt.Key.Key_A)  # approve 0 -> on 1
    assert statuses(small_ws)[ids[0]] == R.APPROVED  # committed before the UI moved on
    assert rt.current_id == ids[1]
    key(qtbot, w, Qt.Key.Key_Space)  # skip 1 -> on 2
    assert rt.current_id == ids[2]
    key(qtbot, w, Qt.Key.Key_2)  # reject 2 with reason 2 -> on 3
    frame = small_ws.frame()
    row = frame.filter(pl.col(R.ID) == ids[2]).row(0, named=True)
    assert row[R.STATUS] == R.REJECTED and row[R.REASON] == "low-quality answer"
    assert rt.current_id == ids[3]
    key(qtbot, w, Qt.Key.Key_X)  # reject via the dialog, typed reason
    dlg = rt.reject_dialog
    assert dlg is not None and dlg.isVisible()
    qtbot.keyClicks(dlg, "tone")
    qtbot.keyClick(dlg.typed, Qt.Key.Key_Return)
    assert small_ws.frame().filter(pl.col(R.ID) == ids[3]).row(0, named=True)[R.REASON] == "tone"
    assert rt.current_id == ids[4]
    key(qtbot, w, Qt.Key.Key_K)
    assert rt.current_id == ids[3]
    key(qtbot, w, Qt.Key.Key_J)
    key(qtbot, w, Qt.Key.Key_Down)
    assert rt.current_id == ids[5]
    key(qtbot, w, Qt.Key.Key_Up)
    assert rt.current_id == ids[4]
    # the table shows the new states and the queue counts follow
    assert rt.model.data(rt.model.index(0, 0)) == "✓ approved"
    assert rt.model.data(rt.model.index(2, 0)) == "✕ rejected"
    assert "Approved  1" in rt.filter_bar.queue_buttons["approved"].text()
    assert "Pending  7" in rt.filter_bar.queue_buttons["pending"].text()
    close_window(w)


def test_undo_and_redo_restore_state_and_show_the_record(
    qtbot, tmp_path: Path, small_ws: Workspace
):
    w = make_window(qtbot, tmp_path, small_ws)
    rt = w.records
    first = rt.current_id
    key(qtbot, w, Qt.Key.Key_A)
    key(qtbot, w, Qt.Key.Key_A)
    second = rt.controller.view.get_column(R.ID)[1]
    assert statuses(small_ws)[second] == R.APPROVED
    key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert statuses(small_ws)[second] == R.PENDING
    assert rt.current_id == second  # undo brings the record back into view
    assert rt.pane.state_label.text() == "Pending review"
    key(
        qtbot,
        w,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert statuses(small_ws)[second] == R.APPROVED
    assert rt.pane.state_label.text() == "✓ Approved"
    assert statuses(small_ws)[first] == R.APPROVED
    close_window(w)


def test_edit_in_place_keeps_original_and_revert_restores_it(
    qtbot, tmp_path: Path, small_ws: Workspace
):
    w = make_window(qtbot, tmp_path, small_ws)
    rt = w.records
    rid = rt.current_id
    key(qtbot, w, Qt.Key.Key_E)
    editing = [b for b in rt.pane.bubbles if b.editing]
    assert len(editing) == 1 and editing[0].role == "assistant"
    editing[0].text.setPlainText("Answer 0: it ships on Monday.")
    qtbot.keyClick(editing[0].text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert review.current_messages(small_ws, rid)[1]["content"] == "Answer 0: it ships on Monday."
    assert review.original_messages(small_ws, rid)[1]["content"] == "Answer 0: it ships tomorrow."
    qtbot.waitUntil(
        lambda: not rt.render_pending
    )  # the saved record is re-painted in the next turn
    assert rt.pane.record[R.EDITED]
    assert rt.pane.bubbles[1].text.toPlainText() == "Answer 0: it ships on Monday."
    assert rt.model.data(rt.model.index(0, 6)) == "Answer 0: it ships on Monday."
    rt.pane.original_button.click()  # Show original
    assert rt.pane.bubbles[1].text.toPlainText() == "Answer 0: it ships tomorrow."
    rt.pane.revert_button.click()
    assert review.current_messages(small_ws, rid)[1]["content"] == "Answer 0: it ships tomorrow."
    assert not rt.pane.record[R.EDITED]
    # Esc cancels an edit without writing anything
    key(qtbot, w, Qt.Key.Key_E)
    b = next(b for b in rt.pane.bubbles if b.editing)
    b.text.setPlainText("scrap this")
    qtbot.keyClick(b.text, Qt.Key.Key_Escape)
    assert not b.editing
    assert review.current_messages(small_ws, rid)[1]["content"] == "Answer 0: it ships tomorrow."
    close_window(w)


def test_train_toggle_sets_assistant_weight(qtbot, tmp_path: Path, small_ws: Workspace):
    w = make_window(qtbot, tmp_path, small_ws)
    rid = w.records.current_id
    toggle = w.records.pane.bubbles[1].train
    assert toggle is not None and toggle.isChecked()
    toggle.click()
    assert review.current_messages(small_ws, rid)[1]["weight"] == 0
    assert w.records.pane.bubbles[1].train.isChecked() is False
    close_window(w)


def test_reopen_shows_decisions_and_returns_to_last_record(
    qtbot, tmp_path: Path, small_ws: Workspace
):
    w = make_window(qtbot, tmp_path, small_ws)
    ids = w.records.controller.view.get_column(R.ID).to_list()
    key(qtbot, w, Qt.Key.Key_A)
    key(qtbot, w, Qt.Key.Key_3)
    key(qtbot, w, Qt.Key.Key_J)
    key(qtbot, w, Qt.Key.Key_J)
    assert w.records.current_id == ids[4]
    close_window(w)
    w2 = make_window(qtbot, tmp_path, Workspace.open(small_ws.path))
    rt = w2.records
    assert rt.current_id == ids[4]
    assert rt.pane.record[R.ID] == ids[4]
    all_rows = dict(rt.controller.frame.select(R.ID, R.STATUS).iter_rows())
    assert all_rows[ids[0]] == R.APPROVED and all_rows[ids[1]] == R.REJECTED
    assert "Approved  1" in rt.filter_bar.queue_buttons["approved"].text()
    close_window(w2)


def test_reopen_on_a_reviewed_record_switches_to_a_queue_that_shows_it(
    qtbot, tmp_path: Path, small_ws: Workspace
):
    w = make_window(qtbot, tmp_path, small_ws)
    ids = w.records.controller.view.get_column(R.ID).to_list()
    key(qtbot, w, Qt.Key.Key_K)  # stay on the first
    review.approve(small_ws, [ids[0]])  # approved elsewhere (e.g. the CLI)
    close_window(w)
    w2 = make_window(qtbot, tmp_path, Workspace.open(small_ws.path))
    assert w2.records.current_id == ids[0]
    assert w2.records.pane.state_label.text() == "✓ Approved"
    close_window(w2)


def test_markup_in_records_is_shown_literally(qtbot, tmp_path: Path, workspace: Workspace):
    from conftest import add_conversations

    markup = "<b>bold</b><script>alert(1)</script> **not markdown** &amp;"
    add_conversations(workspace, [[("user", markup), ("assistant", "<i>x</i>")]])
    w = make_window(qtbot, tmp_path, workspace)
    bubbles = w.records.pane.bubbles
    assert bubbles[0].text.toPlainText() == markup
    assert bubbles[1].text.toPlainText() == "<i>x</i>"
    assert not bubbles[0].text.acceptRichText()
    # the document holds the characters, not a bold run
    doc = bubbles[0].text.document()
    assert doc.characterCount() - 1 == len(markup)
    assert not doc.firstBlock().begin().fragment().charFormat().font().bold()
    assert w.records.model.data(w.records.model.index(0, 5)).startswith("<b>bold</b>")
    assert w.records.pane.header.textFormat() == Qt.TextFormat.PlainText
    # tooltips too: Qt would render "<b>bold</b>" as bold HTML; the user must read the characters
    model = w.records.model
    shown = model.data(model.index(0, 5))
    tip = model.data(model.index(0, 5), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;bold&lt;/b&gt;" in tip and "<b>" not in tip
    assert _tooltip_as_read(tip) == shown
    table = plain_table(["reason"])
    fill_table(table, [[markup]])
    assert _tooltip_as_read(table.item(0, 0).toolTip()) == markup
    close_window(w)


def test_error_warnings_show_file_content_literally(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from curator.gui.widgets.plain import plain_warning

    seen: list[tuple[Qt.TextFormat, str]] = []
    monkeypatch.setattr(
        QMessageBox, "exec", lambda self: seen.append((self.textFormat(), self.text())) or 0
    )
    plain_warning(None, "Import", "data.jsonl line 3: <b>not json</b>")
    assert seen == [(Qt.TextFormat.PlainText, "data.jsonl line 3: <b>not json</b>")]


def _tooltip_as_read(tip: str) -> str:
    """What a tooltip shows: Qt treats text that mightBeRichText as HTML."""
    if not GuiQt.mightBeRichText(tip):  # type: ignore[attr-defined]
        return tip
    doc = QTextDocument()
    doc.setHtml(tip)
    return doc.toPlainText()


def test_typing_in_an_edit_does_not_trigger_review_keys(qtbot, tmp_path: Path, small_ws: Workspace):
    w = make_window(qtbot, tmp_path, small_ws)
    rt = w.records
    rid = rt.current_id
    key(qtbot, w, Qt.Key.Key_E)
    editor = next(b for b in rt.pane.bubbles if b.editing).text
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClicks(editor, " ajxk")
    qtbot.keyClick(editor, Qt.Key.Key_Down)
    qtbot.keyClick(editor, Qt.Key.Key_Space)
    assert rt.current_id == rid
    assert statuses(small_ws)[rid] == R.PENDING
    assert editor.toPlainText().endswith(" ajxk ")
    close_window(w)


def test_ctrl_d_redacts_pii_in_the_current_record_and_undo_restores_it(
    qtbot, tmp_path: Path, workspace: Workspace
):
    from conftest import add_conversations
    from gui_helpers import wait_loaded

    add_conversations(
        workspace,
        [
            [
                ("user", "Write to me at jane.doe@mailbox.co.uk please"),
                ("assistant", "Will do, Jane."),
            ]
        ],
    )
    w = make_window(qtbot, tmp_path, workspace)
    rt = w.records
    rid = rt.current_id
    key(qtbot, w, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert (
        review.current_messages(workspace, rid)[0]["content"] == "Write to me at <EMAIL_1> please"
    )
    assert "jane.doe@mailbox.co.uk" in review.original_messages(workspace, rid)[0]["content"]
    wait_loaded(qtbot, w)
    qtbot.waitUntil(
        lambda: rt.pane.bubbles[0].text.toPlainText() == "Write to me at <EMAIL_1> please"
    )
    key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "jane.doe@mailbox.co.uk" in review.current_messages(workspace, rid)[0]["content"]
    close_window(w)


def test_a_decision_is_in_the_journal_on_disk_when_the_window_moves_on(
    qtbot, tmp_path: Path, small_ws: Workspace
):
    """The table moving to the next record (and the pane painting it, a turn later) only
    ever follows a committed decision: another connection reads it from the database
    file at that moment."""
    w = make_window(qtbot, tmp_path, small_ws)
    rt = w.records
    ids = rt.controller.view.get_column(R.ID).to_list()
    seen: list[tuple[str, str, str | None]] = []  # (signal, record decided, status on disk)
    deciding: list[str] = []

    def on_disk(rid: str) -> str | None:
        other = Workspace.open(small_ws.path)  # its own connection: sees committed rows only
        try:
            hist = review.history(other, rid)
            return hist[-1]["action"] if hist else None
        finally:
            other.close()

    def moved(_cur: object, _prev: object) -> None:
        if deciding:
            seen.append(("moved", deciding[0], on_disk(deciding[0])))

    def painted() -> None:
        if deciding and rt.pane.record is not None and rt.pane.record[R.ID] != deciding[0]:
            seen.append(("painted", deciding[0], on_disk(deciding[0])))

    rt.table.selectionModel().currentRowChanged.connect(moved)
    rt._render_timer.timeout.connect(painted)  # after the pending paint ran
    for k, action in ((Qt.Key.Key_A, "approve"), (Qt.Key.Key_2, "reject")):
        deciding[:] = [rt.current_id]
        key(qtbot, w, k)
        qtbot.waitUntil(lambda: not rt.render_pending)
        assert [s for s in seen if s[1] == deciding[0]] == [
            ("moved", deciding[0], action),
            ("painted", deciding[0], action),
        ]
    assert rt.current_id == ids[2]
    close_window(w)
