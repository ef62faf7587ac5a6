"""Reviewing with eyes open (issue 14): flags before approving, a fresh review pane,
reason digits that reject, the reviewer's name on every action."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import add_conversations
from gui_helpers import close_window, make_window
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from curator.core import records as R
from curator.core import review
from curator.core.workspace import Workspace
from curator.gui.records.reject_dialog import RejectDialog

pytest.importorskip("pytestqt")

SLACK = "xoxb-" + "1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"


@pytest.fixture
def held_ws(workspace: Workspace) -> Workspace:
    """Record 0: a blocking secret flag; record 1: a warning; the rest clean."""
    convs = [[("user", f"Question {i}?"), ("assistant", f"Answer {i}.")] for i in range(6)]
    convs[0] = [("user", f"my token is {SLACK} can you check it"), ("assistant", "Yes, it works.")]
    ids = add_conversations(workspace, convs).get_column(R.ID).to_list()
    workspace.write_flags(
        "filters",
        pl.DataFrame(
            {
                R.ID: [ids[0], ids[1]],
                "name": ["secret.slack_token", "length.short"],
                "reason": ["Slack token in turn 0", "reply of 2 words"],
                "severity": ["block", "warn"],
            }
        ),
    )
    return workspace


def key(qtbot, w, k) -> None:
    qtbot.keyClick(w.records.table, k)


def _answer_modal(qtbot, button: QMessageBox.StandardButton, tick: bool = False) -> list[str]:
    """Answer the next modal message box; returns its text (for asserting what it said)."""
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        if tick and box.checkBox() is not None:
            box.checkBox().setChecked(True)
        box.button(button).click()

    QTimer.singleShot(0, answer)
    return seen


def _status(ws: Workspace, rid: str) -> str:
    return ws.frame().filter(pl.col(R.ID) == rid).get_column(R.STATUS)[0]


def test_approving_a_blocking_flag_asks_and_no_keeps_it_pending(
    qtbot, tmp_path: Path, held_ws: Workspace
):
    w = make_window(qtbot, tmp_path, held_ws)
    rt = w.records
    rid = rt.current_id
    assert rt.pane.record["flags"][0]["name"] == "secret.slack_token"
    seen = _answer_modal(qtbot, QMessageBox.StandardButton.No)
    key(qtbot, w, Qt.Key.Key_A)
    assert seen and "secret.slack_token" in seen[0] and "Slack token in turn 0" in seen[0]
    assert _status(held_ws, rid) == "pending" and rt.current_id == rid  # not approved, not moved on

    seen = _answer_modal(qtbot, QMessageBox.StandardButton.Yes, tick=True)  # "don't ask again"
    messages: list[str] = []
    rt.message.connect(messages.append)
    rt.approve()  # (after a modal, offscreen Qt leaves no active window for the A shortcut)
    assert seen and _status(held_ws, rid) == "approved"
    assert "despite blocking flag secret.slack_token" in messages[-1]
    review.reset(held_ws, [rid])
    w.controller.refresh()
    qtbot.waitUntil(lambda: not w.controller.pool.busy, timeout=10_000)
    rt.go_to_id(rid)
    qtbot.waitUntil(lambda: rt.current_id == rid, timeout=5_000)
    rt.approve()  # asked once: this time no dialog
    assert QApplication.activeModalWidget() is None and _status(held_ws, rid) == "approved"
    close_window(w)


def test_approving_a_warning_flag_names_it_in_the_status_line(
    qtbot, tmp_path: Path, held_ws: Workspace
):
    w = make_window(qtbot, tmp_path, held_ws)
    rt = w.records
    ids = held_ws.record_ids().to_list()
    rt.go_to_id(ids[1])
    qtbot.waitUntil(lambda: rt.current_id == ids[1], timeout=5_000)
    messages: list[str] = []
    rt.message.connect(messages.append)
    key(qtbot, w, Qt.Key.Key_A)
    assert _status(held_ws, ids[1]) == "approved"
    assert any("warning flag: length.short" in m for m in messages)
    close_window(w)


def test_the_flag_marker_is_in_the_first_columns(qtbot, tmp_path: Path, held_ws: Workspace):
    w = make_window(qtbot, tmp_path, held_ws)
    m, view = w.records.model, w.controller.view
    ids = held_ws.record_ids().to_list()
    row_of = {view.get_column(R.ID)[r]: r for r in range(view.height)}
    assert m.headerData(1, Qt.Orientation.Horizontal) == "Flags"
    assert m.data(m.index(row_of[ids[0]], 1)) == "⊘ secret.slack_token"
    assert m.data(m.index(row_of[ids[1]], 1)) == "⚑ length.short"
    assert m.data(m.index(row_of[ids[2]], 1)) == ""
    close_window(w)


def test_a_digit_in_the_reject_dialog_rejects_with_that_reason(qtbot):
    dlg = RejectDialog(["off-topic", "low-quality answer", "duplicate"])
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.list.setFocus()
    with qtbot.waitSignal(dlg.accepted, timeout=2_000):
        qtbot.keyClick(dlg.list, Qt.Key.Key_3)
    assert dlg.reason() == "duplicate"


def test_redact_clears_the_red_flag_lines_and_an_edit_updates_the_tokens(
    qtbot, tmp_path: Path, workspace
):
    from curator.core.filters import FILTERS, Recipe  # noqa: F401  (the pii filter must exist)
    from curator.core.jobs import run_job
    from curator.core.pipeline import pipeline_job

    add_conversations(
        workspace,
        [
            [
                ("user", f"my token is {SLACK} please check"),
                ("assistant", "It works, thanks for asking."),
            ]
        ]
        + [
            [
                ("user", f"Question number {i} about my order?"),
                ("assistant", f"Answer {i}: it ships."),
            ]
            for i in range(4)
        ],
    )
    run_job(pipeline_job(workspace, Recipe.from_workspace(workspace)))
    w = make_window(qtbot, tmp_path, workspace)
    rt = w.records
    flagged = workspace.frame().filter(pl.col(R.FLAGS).list.len() > 0)
    rid = flagged.filter(
        pl.col(R.MESSAGES).list.first().struct.field("content").str.contains("xoxb")
    ).get_column(R.ID)[0]
    rt.go_to_id(rid)
    qtbot.waitUntil(lambda: rt.current_id == rid and rt.pane.record is not None, timeout=5_000)
    assert any(f["name"].startswith("secret") for f in rt.pane.record["flags"])
    qtbot.keyClick(rt.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not w.controller.pool.busy, timeout=20_000)
    qtbot.waitUntil(
        lambda: (
            rt.pane.record is not None
            and not any(f["name"].startswith("secret") for f in rt.pane.record["flags"])
        ),
        timeout=10_000,
    )
    before = rt.pane.record["tokens"]
    rt.pane.edit_default()
    editing = next(b for b in rt.pane.bubbles if b.editing)
    editing.text.setPlainText(
        "A much longer reply than before, with many more words and tokens in it than it had."
    )
    qtbot.keyClick(editing.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not rt.render_pending)  # re-painted in the next turn
    assert rt.pane.record["tokens"] > before
    assert f"{rt.pane.record['tokens']:,} tokens" in rt.pane.subheader.text()
    close_window(w)


def test_the_reviewer_name_is_shown_and_recorded(qtbot, tmp_path: Path, small_ws: Workspace):
    from curator.core.review_actor import default_reviewer

    w = make_window(qtbot, tmp_path, small_ws)
    assert w.reviewer_label.text() == f"Reviewer: {default_reviewer()}"
    w.set_reviewer("alice")
    assert w.reviewer_label.text() == "Reviewer: alice"
    rid = w.records.current_id
    key(qtbot, w, Qt.Key.Key_A)
    assert review.history(small_ws, rid)[-1]["reviewer"] == "alice"
    ids = small_ws.record_ids().to_list()[5:8]
    w.controller.bulk("reject", ids, "spam")
    assert {review.history(small_ws, i)[-1]["reviewer"] for i in ids} == {"alice"}
    assert review.history(small_ws, ids[0])[-1]["how"] == "bulk"
    close_window(w)
    again = make_window(qtbot, tmp_path)  # the same settings file: the name is remembered
    assert again.controller.reviewer == "alice"
    close_window(again)
