"""Workspace storage and the review API: what a reviewer relies on."""

from __future__ import annotations

import polars as pl
import pytest

from curator.core import records as R
from curator.core import review
from curator.core.workspace import Workspace, WorkspaceError


def test_new_workspace_is_empty_and_reopens(tmp_path):
    ws = Workspace.open(tmp_path / "a.curator", create=True)
    assert ws.frame().height == 0
    again = Workspace.open(tmp_path / "a.curator")
    assert again.record_count() == 0


def test_opening_a_missing_workspace_says_how_to_create_one(tmp_path):
    with pytest.raises(WorkspaceError, match="curator import"):
        Workspace.open(tmp_path / "nope")


def test_refuses_to_take_over_a_non_empty_folder(tmp_path):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "file.txt").write_text("x")
    with pytest.raises(WorkspaceError, match="not empty"):
        Workspace.open(tmp_path / "stuff", create=True)


def test_approve_reject_show_in_frame(small_ws):
    ids = small_ws.record_ids().to_list()
    review.approve(small_ws, ids[:3])
    review.reject(small_ws, [ids[3]], "off-topic")
    df = small_ws.frame()
    counts = dict(df.group_by(R.STATUS).len().iter_rows())
    assert counts == {"approved": 3, "rejected": 1, "pending": 6}
    assert df.filter(pl.col(R.ID) == ids[3])[R.REASON][0] == "off-topic"


def test_reject_needs_a_reason(small_ws):
    with pytest.raises(WorkspaceError, match="reason"):
        review.reject(small_ws, small_ws.record_ids().to_list()[:1], "  ")


def test_unknown_ids_are_refused_and_nothing_changes(small_ws):
    with pytest.raises(WorkspaceError, match="not in workspace"):
        review.approve(small_ws, ["deadbeef"])
    assert small_ws.frame().filter(pl.col(R.STATUS) != "pending").height == 0


def test_edit_keeps_original_and_revert_restores(small_ws):
    rid = small_ws.record_ids()[0]
    review.edit_message(small_ws, rid, 1, "A better answer.")
    row = small_ws.frame().filter(pl.col(R.ID) == rid).row(0, named=True)
    assert row[R.EDITED] is True
    assert row[R.MESSAGES][1]["content"] == "A better answer."
    assert review.original_messages(small_ws, rid)[1]["content"].startswith("Answer 0")
    review.revert(small_ws, rid)
    row = small_ws.frame().filter(pl.col(R.ID) == rid).row(0, named=True)
    assert row[R.EDITED] is False
    assert row[R.MESSAGES][1]["content"].startswith("Answer 0")


def test_turn_weight_is_an_edit(small_ws):
    rid = small_ws.record_ids()[0]
    review.set_turn_weight(small_ws, rid, 1, False)
    row = small_ws.frame().filter(pl.col(R.ID) == rid).row(0, named=True)
    assert row[R.MESSAGES][1]["weight"] == 0
    with pytest.raises(WorkspaceError, match="not an assistant"):
        review.set_turn_weight(small_ws, rid, 0, False)


def test_undo_redo_walk_the_history(small_ws):
    ids = small_ws.record_ids().to_list()
    review.approve(small_ws, ids[:2])
    review.reject(small_ws, ids[:1], "bad")
    assert review.undo(small_ws).ids == [ids[0]]
    st = dict(small_ws.frame().select(R.ID, R.STATUS).iter_rows())
    assert st[ids[0]] == "approved"
    review.undo(small_ws)
    st = dict(small_ws.frame().select(R.ID, R.STATUS).iter_rows())
    assert st[ids[0]] == "pending" and st[ids[1]] == "pending"
    review.redo(small_ws)
    st = dict(small_ws.frame().select(R.ID, R.STATUS).iter_rows())
    assert st[ids[0]] == "approved"
    # a new action drops what was left to redo
    review.approve(small_ws, ids[5:6])
    assert review.redo(small_ws).ids == []
    assert review.undo(small_ws).ids == [ids[5]]


def test_history_is_kept_per_record(small_ws):
    rid = small_ws.record_ids()[0]
    review.approve(small_ws, [rid])
    review.reject(small_ws, [rid], "changed my mind")
    hist = review.history(small_ws, rid)
    assert [h["action"] for h in hist] == ["approve", "reject"]
    assert hist[-1]["status_before"] == "approved"


def test_state_survives_reopen(small_ws):
    ids = small_ws.record_ids().to_list()
    review.approve(small_ws, ids[:4])
    small_ws.close()
    again = Workspace.open(small_ws.path)
    assert again.frame().filter(pl.col(R.STATUS) == "approved").height == 4


def test_review_by_another_process_is_seen_by_an_open_workspace(small_ws):
    """The GUI and the CLI can share a workspace: cached state must not go stale."""
    ids = small_ws.record_ids().to_list()
    assert small_ws.frame().filter(pl.col(R.STATUS) == "approved").height == 0
    other = Workspace.open(small_ws.path)  # e.g. `curator review` while the GUI is open
    review.approve(other, ids[:2])
    assert small_ws.frame().filter(pl.col(R.STATUS) == "approved").height == 2
    review.undo(other)
    assert small_ws.frame().filter(pl.col(R.STATUS) == "approved").height == 0


def test_unwritable_location_is_a_clear_error_not_a_crash(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(WorkspaceError, match="cannot create or open the workspace"):
        Workspace.open(blocker / "ws.curator", create=True)


def test_review_commits_are_fully_synchronous(small_ws):
    """WAL + synchronous=FULL: a commit is on disk, not in the OS cache, when review returns."""
    assert small_ws.db().execute("PRAGMA synchronous").fetchone()[0] == 2
    assert small_ws.db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_bulk_status_changes_journal_like_single_ones_and_undo_exactly(workspace):
    from conftest import add_conversations

    add_conversations(workspace, [[("user", f"q{i}"), ("assistant", f"a{i}")] for i in range(3000)])
    ids = workspace.record_ids().to_list()
    review.edit_message(workspace, ids[7], 1, 'edited "quoted" answer')
    review.reject(workspace, ids[:500], "off-topic")  # below the bulk size: per-id path
    assert review.approve(workspace, ids).changed == 3000  # bulk path
    assert review.approve(workspace, ids).changed == 0  # nothing changes twice
    df = workspace.frame()
    assert df.get_column(R.STATUS).unique().to_list() == ["approved"]
    row7 = df.filter(pl.col(R.ID) == ids[7]).row(0, named=True)
    assert row7[R.MESSAGES][1]["content"] == 'edited "quoted" answer' and row7[R.EDITED]
    assert review.history(workspace, ids[3])[-1]["status_before"] == "rejected"

    assert len(review.undo(workspace)) == 3000
    st = dict(workspace.frame().select(R.ID, R.STATUS).iter_rows())
    assert [st[i] for i in ids[:500]] == ["rejected"] * 500
    assert {st[i] for i in ids[500:]} == {"pending"}
    reasons = workspace.frame().filter(pl.col(R.STATUS) == "rejected").get_column(R.REASON).unique()
    assert reasons.to_list() == ["off-topic"]
    assert review.current_messages(workspace, ids[7])[1]["content"] == 'edited "quoted" answer'
    review.redo(workspace)
    assert workspace.frame().filter(pl.col(R.STATUS) == "approved").height == 3000
    assert review.reject(workspace, ids, "bulk reason").changed == 3000
    assert workspace.frame().get_column(R.REASON).unique().to_list() == ["bulk reason"]
