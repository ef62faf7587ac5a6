"""Review calls return the changed records' new states (the typed delta the GUI patches from)."""

from __future__ import annotations

import polars as pl
from conftest import add_conversations

from curator.core import records as R
from curator.core import review


def _frame_state(ws, rid):
    row = ws.frame().filter(pl.col(R.ID) == rid).row(0, named=True)
    return row[R.STATUS], row[R.REASON], row[R.EDITED]


def test_approve_returns_only_what_changed_with_the_new_state(small_ws):
    ids = small_ws.record_ids().to_list()
    review.approve(small_ws, ids[:2])
    delta = review.approve(small_ws, ids[:4])
    assert delta.action == "approve"
    assert sorted(delta.ids) == sorted(ids[2:4])  # the two already approved did not change
    assert delta.status_moves() == {("pending", "approved"): 2}
    change = delta.get(ids[2])
    assert change is not None and change.status == "approved" and not change.edited
    assert (change.status, change.reason, change.edited) == _frame_state(small_ws, ids[2])
    assert delta.version == small_ws.state_version()
    assert not review.approve(small_ws, ids[:4])  # an empty delta is falsy


def test_reject_then_edit_carry_reason_and_edited_messages(small_ws):
    rid = small_ws.record_ids()[0]
    rej = review.reject(small_ws, [rid], "off-topic")
    assert rej.get(rid).reason == "off-topic" and not rej.texts_changed
    ed = review.edit_message(small_ws, rid, 1, "A new answer.")
    change = ed.get(rid)
    assert ed.texts_changed and change.edited and change.status == "rejected"
    assert change.messages()[1]["content"] == "A new answer."
    assert ed.seq is not None and ed.seq > (rej.seq or 0)
    rev = review.revert(small_ws, rid)
    assert rev.texts_changed and rev.get(rid).messages() is None and not rev.get(rid).edited


def test_bulk_delta_matches_the_frame(workspace):
    add_conversations(workspace, [[("user", f"q{i}"), ("assistant", f"a{i}")] for i in range(2500)])
    ids = workspace.record_ids().to_list()
    review.edit_message(workspace, ids[3], 1, "edited")
    delta = review.reject(workspace, ids, "bulk")  # the Polars bulk path
    assert delta.changed == 2500 and delta.status_moves() == {("pending", "rejected"): 2500}
    assert delta.get(ids[3]).edited and delta.get(ids[3]).messages()[1]["content"] == "edited"
    assert not delta.get(ids[4]).edited


def test_undo_and_redo_return_the_restored_states_and_name_the_step(small_ws):
    ids = small_ws.record_ids().to_list()
    review.approve(small_ws, ids[:3])
    review.edit_message(small_ws, ids[0], 1, "changed")
    undone = review.undo(small_ws)
    assert undone.restored == "edit" and undone.ids == [ids[0]] and undone.texts_changed
    assert undone.get(ids[0]).status == "approved" and not undone.get(ids[0]).edited
    undone = review.undo(small_ws)
    assert undone.restored == "approve" and undone.status_moves() == {("approved", "pending"): 3}
    redone = review.redo(small_ws)
    assert redone.restored == "approve" and redone.status_moves() == {("pending", "approved"): 3}
    assert redone.version == small_ws.state_version()
    review.undo(small_ws)
    assert not review.undo(small_ws) and review.undo(small_ws).restored is None
