"""Reviewing a pair: swap, edit either answer, approve/reject; every action undoable."""

from __future__ import annotations

import polars as pl
import pytest
from pref_helpers import pair_workspace

from curator.core import records as R
from curator.core import review, review_pairs
from curator.core.workspace import Workspace, WorkspaceError


def _row(ws: Workspace, rid: str) -> dict:
    return ws.frame().filter(pl.col(R.ID) == rid).row(0, named=True)


@pytest.fixture
def ws(tmp_path):
    return pair_workspace(tmp_path)


def _rid(ws: Workspace) -> str:
    return ws.frame().sort(R.LINE).get_column(R.ID)[1]  # Paris / Lyon


def test_swap_exchanges_the_answers_and_undo_restores(ws):
    rid = _rid(ws)
    assert review_pairs.swap(ws, rid).changed == 1
    row = _row(ws, rid)
    assert row[R.MESSAGES][-1]["content"] == "Lyon."
    assert row[R.REJECTED_ANSWER]["content"] == "Paris."
    assert row[R.EDITED] is True
    # reopening shows the same: it was committed
    again = Workspace.open(ws.path)
    assert review_pairs.current_pair(again, rid).chosen["content"] == "Lyon."
    review.undo(ws)
    row = _row(ws, rid)
    assert (row[R.MESSAGES][-1]["content"], row[R.REJECTED_ANSWER]["content"]) == (
        "Paris.",
        "Lyon.",
    )
    assert row[R.EDITED] is False
    review.redo(ws)
    assert review_pairs.current_pair(ws, rid).rejected["content"] == "Paris."


def test_swapping_twice_is_no_edit(ws):
    rid = _rid(ws)
    review_pairs.swap(ws, rid)
    review_pairs.swap(ws, rid)
    assert _row(ws, rid)[R.EDITED] is False


def test_edit_chosen_and_rejected_keep_the_other_side(ws):
    rid = _rid(ws)
    review_pairs.edit_rejected(ws, rid, "Marseille.")
    review_pairs.edit_chosen(ws, rid, "Paris, on the Seine.")
    p = review_pairs.current_pair(ws, rid)
    assert (p.chosen["content"], p.rejected["content"]) == ("Paris, on the Seine.", "Marseille.")
    assert [m["content"] for m in p.prompt] == ["Capital of France?"]
    review.undo(ws)
    p = review_pairs.current_pair(ws, rid)
    assert (p.chosen["content"], p.rejected["content"]) == ("Paris.", "Marseille.")
    assert review.history(ws, rid)[-1]["action"] == "edit_chosen"


def test_approve_keeps_an_edited_rejected_reply(ws, monkeypatch):
    rid = _rid(ws)
    review_pairs.edit_rejected(ws, rid, "Marseille.")
    review.approve(ws, [rid])
    row = _row(ws, rid)
    assert row[R.STATUS] == R.APPROVED
    assert row[R.REJECTED_ANSWER]["content"] == "Marseille."
    monkeypatch.setattr(review, "_BULK", 1)  # the Polars path for many ids keeps it too
    review.reset(ws, ws.record_ids().to_list())
    review.undo(ws)
    assert _row(ws, rid)[R.STATUS] == R.APPROVED
    review.reset(ws, ws.record_ids().to_list())
    assert _row(ws, rid)[R.REJECTED_ANSWER]["content"] == "Marseille."
    review.revert(ws, rid)
    assert _row(ws, rid)[R.REJECTED_ANSWER]["content"] == "Lyon."


def test_empty_answer_and_chat_records_are_refused(ws, tmp_path):
    rid = _rid(ws)
    with pytest.raises(WorkspaceError, match="cannot be empty"):
        review_pairs.edit_rejected(ws, rid, "  ")
    assert _row(ws, rid)[R.EDITED] is False
    with pytest.raises(WorkspaceError, match=r"not in workspace|No record"):
        review_pairs.swap(ws, "deadbeef")
