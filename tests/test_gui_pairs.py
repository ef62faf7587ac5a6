"""Reviewing preference pairs in the app: both answers side by side, swap, edit either."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import close_window, make_window
from pref_helpers import pair_workspace
from PySide6.QtCore import Qt

from curator.core import records as R
from curator.core import review_pairs

pytest.importorskip("pytestqt")


def _go_to(qtbot, w, rid: str) -> None:
    row = w.records.controller.view_row_of(rid)  # every pair is pending: in the open queue
    assert row is not None
    w.records.select_row(row)
    qtbot.waitUntil(
        lambda: w.records.pane.record is not None and w.records.pane.record[R.ID] == rid
    )


def _texts(w) -> tuple[str, str]:
    view = w.records.pane.pair_view
    assert view is not None
    return (
        view.bubbles["chosen"].text.toPlainText(),
        view.bubbles["rejected"].text.toPlainText(),
    )


def test_pair_shows_both_answers_and_swap_commits_and_undoes(qtbot, tmp_path: Path):
    ws = pair_workspace(tmp_path)
    rid = ws.frame().sort(R.LINE).get_column(R.ID)[1]
    w = make_window(qtbot, tmp_path, ws)
    _go_to(qtbot, w, rid)
    pane = w.records.pane
    assert _texts(w) == ("Paris.", "Lyon.")
    # the prompt is shown as bubbles, the chosen answer only once (in the pair view)
    assert [b._content for b in pane.bubbles] == ["Capital of France?"]
    qtbot.keyClick(w.records.table, Qt.Key.Key_S)
    assert review_pairs.current_pair(ws, rid).chosen["content"] == "Lyon."  # on disk first
    assert _texts(w) == ("Lyon.", "Paris.")
    qtbot.keyClick(w.records.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: review_pairs.current_pair(ws, rid).chosen["content"] == "Paris.")
    qtbot.waitUntil(lambda: not w.controller.pool.busy and not w.controller.restoring)
    close_window(w)


def test_editing_the_rejected_answer_keeps_the_chosen_one(qtbot, tmp_path: Path):
    ws = pair_workspace(tmp_path)
    rid = ws.frame().sort(R.LINE).get_column(R.ID)[1]
    w = make_window(qtbot, tmp_path, ws)
    _go_to(qtbot, w, rid)
    bubble = w.records.pane.pair_view.bubbles["rejected"]
    bubble.start_edit()
    bubble.text.setPlainText("Marseille.")
    bubble.save_edit()
    pair = review_pairs.current_pair(ws, rid)
    assert (pair.chosen["content"], pair.rejected["content"]) == ("Paris.", "Marseille.")
    assert _texts(w) == ("Paris.", "Marseille.")
    assert w.records.pane.record[R.EDITED] is True
    # approving keeps the choice; the pane moves on to the next record
    qtbot.keyClick(w.records.table, Qt.Key.Key_A)
    assert ws.frame().filter(R.is_pair()).filter(w_id(rid)).get_column(R.STATUS)[0] == R.APPROVED
    qtbot.waitUntil(lambda: not w.controller.pool.busy)
    close_window(w)


def w_id(rid: str):
    import polars as pl

    return pl.col(R.ID) == rid
