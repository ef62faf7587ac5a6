"""Duplicate review: clusters by size, word diff, keeper/break-out persisting across re-runs, reject."""
# ruff: noqa: F811  (pytest fixtures imported from gui_panels_helpers)

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from gui_helpers import close_window
from gui_panels_helpers import demo_master, demo_ws, idle, panel_window  # noqa: F401
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import QMessageBox

from curator.core import records as R
from curator.core.dedup import cluster_table, dedup_job, load_settings
from curator.core.jobs import run_job
from curator.core.workspace import Workspace
from curator.gui.duplicates.duplicates_panel import INSERTED_BG, DuplicatesPanel
from curator.gui.duplicates.word_diff import word_diff

pytest.importorskip("pytestqt")


def test_word_diff_marks_changed_words_only():
    keeper = "Your order EXP-1 ships on Monday from Leeds."
    other = "Your order EXP-2 ships on Tuesday from Leeds. Thanks!"
    d = word_diff(keeper, other)
    assert [keeper[s:e] for s, e in d.deleted] == ["EXP-1", "Monday"]
    assert [other[s:e] for s, e in d.inserted] == ["EXP-2", "Tuesday", "Thanks!"]
    assert d.same_words == 6
    assert word_diff("a b c", "a b c").inserted == [] and word_diff("", "").ratio == 1.0
    # adjacent changed words become one span
    assert word_diff("x y z", "x p q z").inserted == [(2, 5)]


def select_cluster(qtbot: Any, p: DuplicatesPanel, kind: str, size: int) -> str:
    qtbot.waitUntil(lambda: p.model.rowCount() > 0, timeout=10_000)
    df = p.model.df
    row = int(((df["kind"] == kind) & (df["size"] == size)).arg_true()[0])
    cid = str(df[R.CLUSTER_ID][row])
    if p.cluster_id != cid:
        p.table.selectRow(row)
    n = int(df["size"][row])
    qtbot.waitUntil(
        lambda: p.cluster_id == cid and p.members.height == n and len(p.texts) == n, timeout=10_000
    )
    return cid


def cluster_of(ws: Workspace, rid: str) -> pl.DataFrame:
    cl = ws.clusters()
    hit = cl.filter(pl.col(R.ID) == rid)
    if not hit.height:
        return hit
    return cl.filter(pl.col(R.CLUSTER_ID) == hit[R.CLUSTER_ID][0])


def rerun_dedup(ws: Workspace) -> None:
    run_job(dedup_job(ws, load_settings(ws)))


def test_clusters_listed_by_size_with_plain_text_diff(qtbot, tmp_path: Path, demo_ws: Workspace):
    w = panel_window(qtbot, tmp_path, demo_ws, tab="duplicates")
    p = w.duplicates
    qtbot.waitUntil(lambda: p.model.rowCount() > 0, timeout=10_000)
    expected = cluster_table(demo_ws)
    assert p.model.rowCount() == expected.height
    sizes = p.model.df["size"].to_list()
    assert sizes == sorted(sizes, reverse=True)
    assert p.summary.text().startswith(f"{expected.height:,} clusters")
    assert "compared without the shared preamble" in p.summary.text()
    select_cluster(qtbot, p, "near", 3)
    assert p.members.height == 3 and p.members["is_keeper"][0]
    p.member_table.selectRow(1)
    # the member's text is the record's conversation, plain; its extra words are highlighted green
    other = p.other_text.toPlainText()
    rid = p.selected_member()
    msgs = demo_ws.frame().filter(pl.col(R.ID) == rid)[R.MESSAGES][0].to_list()
    assert all(m["content"] in other for m in msgs)
    d = word_diff(p.keeper_text.toPlainText(), other)
    assert d.inserted, "a near duplicate differs in some words"
    s, _e = d.inserted[0]
    cur = QTextCursor(p.other_text.document())
    cur.setPosition(s + 1)
    assert cur.charFormat().background().color() == QColor(INSERTED_BG)
    cur.setPosition(0)
    assert cur.charFormat().background().color() != QColor(INSERTED_BG) or s == 0
    assert "to the keeper" in p.other_label.text()
    # never a member below the threshold: each similarity is to the keeper, at least 0.8
    sims = p.members.filter(~p.members["is_keeper"])[R.SIMILARITY]
    assert sims.min() >= load_settings(demo_ws).threshold
    p.open_button.click()
    assert w.tabs.currentWidget() is w.records
    assert set(w.controller.spec.ids or ()) == set(p.members[R.ID].to_list())
    idle(qtbot, w)
    close_window(w)


def test_make_keeper_persists_across_rerun(qtbot, tmp_path: Path, demo_ws: Workspace):
    w = panel_window(qtbot, tmp_path, demo_ws, tab="duplicates")
    p = w.duplicates
    select_cluster(qtbot, p, "near", 3)
    p.member_table.selectRow(2)
    rid = p.selected_member()
    assert rid is not None and not p.member_model.value(2, "is_keeper")
    with qtbot.waitSignal(w.controller.frameReloaded, timeout=20_000):
        p.keeper_button.click()
    idle(qtbot, w)
    assert cluster_of(demo_ws, rid).filter(pl.col(R.ID) == rid)[R.DUPLICATE_OF][0] is None
    # the panel follows the record to its cluster and shows it as the keeper, with the choice
    qtbot.waitUntil(lambda: rid in p.members[R.ID].to_list(), timeout=10_000)
    assert p.members.filter(pl.col("is_keeper"))[R.ID][0] == rid
    assert p.members.filter(pl.col(R.ID) == rid)["choice"][0] == "keeper"
    rerun_dedup(demo_ws)
    again = cluster_of(demo_ws, rid)
    assert again.height == 3
    assert again.filter(pl.col(R.ID) == rid)[R.DUPLICATE_OF][0] is None
    # and it survives reopening the workspace in a new window
    close_window(w)
    w2 = panel_window(qtbot, tmp_path / "again", Workspace.open(demo_ws.path), tab="duplicates")
    p2 = w2.duplicates
    qtbot.waitUntil(lambda: p2.model.rowCount() > 0, timeout=10_000)
    keepers = p2.model.df["keeper_id"].to_list()
    assert rid in keepers
    idle(qtbot, w2)
    close_window(w2)


def test_not_a_duplicate_and_undo(qtbot, tmp_path: Path, demo_ws: Workspace):
    w = panel_window(qtbot, tmp_path, demo_ws, tab="duplicates")
    p = w.duplicates
    cid = select_cluster(qtbot, p, "near", 3)
    p.member_table.selectRow(1)
    rid = p.selected_member()
    assert rid is not None
    with qtbot.waitSignal(w.controller.frameReloaded, timeout=20_000):
        p.break_button.click()
    idle(qtbot, w)
    assert cluster_of(demo_ws, rid).height <= 1
    rerun_dedup(demo_ws)
    assert cluster_of(demo_ws, rid).height <= 1  # still out after a re-run
    # the same cluster stays selected, one member fewer
    qtbot.waitUntil(lambda: p.cluster_id == cid and p.members.height == 2, timeout=10_000)
    # undo through the core, then the panel shows it back in after a reload
    from curator.core.dedup import undo_override

    undo_override(demo_ws, rid)
    with qtbot.waitSignal(w.controller.frameReloaded, timeout=20_000):
        w.controller.refresh()
    idle(qtbot, w)
    qtbot.waitUntil(lambda: p.members.height == 3, timeout=10_000)
    close_window(w)


def test_reject_non_keepers_confirms_with_count(
    qtbot, tmp_path: Path, demo_ws: Workspace, monkeypatch
):
    w = panel_window(qtbot, tmp_path, demo_ws, tab="duplicates")
    p = w.duplicates
    cid = select_cluster(qtbot, p, "near", 3)
    asked: list[str] = []

    def answer(yes: bool) -> Any:
        def fake(_parent: Any, _title: str, text: str, *a: Any) -> QMessageBox.StandardButton:
            asked.append(text)
            return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No

        return fake

    monkeypatch.setattr(QMessageBox, "question", answer(False))
    assert p.reject_non_keepers() is None
    assert "Reject 2 records" in asked[-1]
    dups = demo_ws.clusters().filter(
        (pl.col(R.CLUSTER_ID) == cid) & pl.col(R.DUPLICATE_OF).is_not_null()
    )[R.ID]
    before = demo_ws.frame().filter(pl.col(R.ID).is_in(dups.implode()))[R.STATUS].to_list()
    assert before != [R.REJECTED, R.REJECTED]
    monkeypatch.setattr(QMessageBox, "question", answer(True))
    with qtbot.waitSignal(w.controller.frameReloaded, timeout=20_000):
        p.reject_button.click()
    idle(qtbot, w)
    after = demo_ws.frame().filter(pl.col(R.ID).is_in(dups.implode()))
    assert after[R.STATUS].to_list() == [R.REJECTED, R.REJECTED]
    assert all(r.startswith("duplicate of") for r in after[R.REASON].to_list())
    qtbot.waitUntil(lambda: p.member_model.value(1, R.STATUS) == R.REJECTED, timeout=10_000)
    close_window(w)
